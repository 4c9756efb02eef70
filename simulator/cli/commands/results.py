"""`sendsim results DIR`: query the tidy tables of every batch under a folder (DuckDB)."""

from __future__ import annotations

from pathlib import Path

import click

from ...schema.files import InputError
from ..util import InputPath

DEFAULT_SQL = ("select rules, metric, count(*) as n, avg(value) as mean, min(value) as min, max(value) as max "
               "from metrics where period = 'all' and group_by = 'all' group by all order by all")


@click.command("results")
@click.argument("folder", type=InputPath("a folder holding batch results, e.g. outputs"))
@click.option("--sql", default=None, help="SQL over the views `metrics`, `runs`, `timings` and `sensitivity`, each "
                                          "with a `folder` column (default: a summary by rule set and metric).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def command(folder: Path, sql: str | None, fmt: str) -> None:
    """Query batch results: every row printed, none truncated."""
    from ...analysis.batch.catalogue import MissingExtra, duplicate_batches, query
    from ...report.batch_tables import format_rows
    from ..util import fail

    try:
        cols, rows = query(folder, sql or DEFAULT_SQL)
    except InputError as e:
        fail(e)
    except MissingExtra as e:
        click.echo(f"error: {e}", err=True)
        raise SystemExit(1) from None
    for line in duplicate_batches(folder):
        click.echo(f"warning: {line}", err=True)
    click.echo(format_rows(cols, rows, fmt))
