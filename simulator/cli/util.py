"""Small helpers every command shares: the exit for bad input, and progress lines.

Kept apart from `cli.py` so command modules can import them without importing the CLI (which
registers the command modules).
"""

from __future__ import annotations

import sys
import time
from typing import NoReturn

import click

from ..schema.files import InputError


def fail(e: InputError) -> NoReturn:
    """Bad input: one line per problem on stderr, exit code 2."""
    for line in e.lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(2)


def progress(msg: str) -> None:
    click.echo(f"[{time.strftime('%H:%M:%S')}] {msg}", err=True)
