"""`sendsim map --rules NAME`: who holds each duty, the deadline, who pays, who inspects, what redress."""

from __future__ import annotations

import json

import click

from ...report.tables import format_map
from ...rules.accountability import map_document
from ...rules.resolve import resolve_rules
from ...schema.files import InputError


@click.command("map")
@click.option("--rules", "rules", default="current_2014", show_default=True, help="Rule set, reform or NAME+switch.")
@click.option("--baseline", default=None, help="Flag redress lost against this rule set (default: the baseline).")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
def command(rules: str, baseline: str | None, fmt: str, as_json: bool) -> None:
    """The accountability map of a rule set, with its gaps flagged.

    \b
    Example: sendsim map --rules green_paper_2022 --format markdown
    """
    if as_json:
        fmt = "json"
    from ..util import fail as _fail

    try:
        rs, _changes, base, _h = resolve_rules(rules)
        brs = resolve_rules(baseline or base)[0] if (baseline or base) != rs.name else None
    except InputError as e:
        _fail(e)
    doc = map_document(rs, brs)
    click.echo(json.dumps(doc, indent=2) if fmt == "json" else format_map(doc, fmt))
