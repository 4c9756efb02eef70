"""`sendsim report RUN_DIR [--out report.html]`: one self-contained HTML report of a run or a comparison folder."""

from __future__ import annotations

from pathlib import Path

import click

from ...schema.files import InputError


@click.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True,
              help="The HTML file to write (an existing file only if sendsim wrote it, or with --force).")
@click.option("--force", is_flag=True, help="Replace the --out file even if sendsim did not write it (that file only).")
def command(run_dir: Path, out: Path, force: bool) -> None:
    """Write one HTML file (charts inline, nothing loaded from elsewhere, printable) for a folder written by
    `sendsim run --out` or `sendsim compare --out`: summary, charts, tables, what changed, method."""
    from ...analysis.runs.folder import claim_file
    from ...analysis.runs.outputs import write_atomic
    from ...analysis.runs.results import load_results
    from ...report.html import GENERATOR, report_html
    from ..util import fail

    try:
        claim_file(out, force, f'<meta name="generator" content="{GENERATOR}">'.encode(),
                   allowed="a new file name ending .html")
        results = load_results(run_dir)
    except InputError as e:
        fail(e)
    text = report_html(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, text)
    click.echo(f"wrote {out} ({results.kind} of {', '.join(r.name for r in results.runs)}; "
               f"{len(text) // 1024} KB, self-contained)")
