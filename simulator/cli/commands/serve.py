"""`sendsim serve [--host 127.0.0.1] [--port 8000]`: the local web page for forum volunteers."""

from __future__ import annotations

from pathlib import Path

import click

from ..util import MAX_WORKERS, InputPath


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (local only by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free port; the ready line names it).")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=2, show_default=True,
              help="Processes running replications (results do not depend on it).")
@click.option("--workdir", type=InputPath("a folder for the runs' files, or no --workdir for a new temporary one"), default=None,
              help="Folder for each run's files (default: a new temporary folder).")
def command(host: str, port: int, workers: int, workdir: Path | None) -> None:
    """Start the web page: pick a council or type its four figures, pick a reform, see charts and a summary, and
    download the report. Prints a ready line with the URL on stderr; stops on Ctrl-C or SIGTERM."""
    from ...web.server import serve

    serve(host, port, workers, workdir)  # a bad --host, --port or --workdir: InputError naming it (exit 2)
