"""`sendsim report DIR [--out report.html]`: one self-contained HTML report of a run, comparison, case-study or batch
folder (its kind from the folder's marker)."""

from __future__ import annotations

from pathlib import Path

import click

from ...schema.files import InputError
from ..util import InputPath


@click.command("report")
@click.argument("run_dir", type=InputPath("a folder sendsim wrote: run, compare, case-study or batch --out"))
@click.option("--out", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True,
              help="The HTML file to write (an existing file only if sendsim wrote it, or with --force).")
@click.option("--force", is_flag=True, help="Replace the --out file even if sendsim did not write it (that file only).")
def command(run_dir: Path, out: Path, force: bool) -> None:
    """Write one HTML file (charts inline, nothing loaded from elsewhere, printable) for a folder written by
    `sendsim run --out`, `compare --out` (two or more rule sets), `case-study --out` or `batch --out`: summary,
    charts, tables, what changed, method."""
    from ...analysis.runs.folder import claim_file
    from ...analysis.runs.outputs import write_atomic
    from ...report.folder_reports import report_for
    from ...report.html import GENERATOR
    from ..util import fail

    try:
        claim_file(out, force, f'<meta name="generator" content="{GENERATOR}">'.encode(),
                   allowed="a new file name ending .html")
        text, what = report_for(run_dir)
    except InputError as e:
        fail(e)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, text)
    click.echo(f"wrote {out} ({what}; {len(text) // 1024} KB, self-contained)")
