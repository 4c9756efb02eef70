"""`sendsim batch SWEEP.yaml`: every point x rule set x replication of a sweep, on local processes or Dask."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from ...schema.files import InputError
from ..util import MAX_WORKERS, InputPath


@click.command("batch")
@click.argument("sweep", type=InputPath("a sweep file or a shipped one's name, e.g. mediation_settle_rates"))
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=1, show_default=True,
              help="Local worker processes (with --dask local: the cluster's workers, default 2).")
@click.option("--dask", "dask_address", default=None, metavar="local|tcp://HOST:PORT",
              help="Run on Dask: `local` starts a LocalCluster; an address connects to a running scheduler.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Batch folder (default: outputs/batch-<name>-<batch id>).")
@click.option("--resume", is_flag=True, help="Keep the finished tasks in --out and compute only the missing ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the sensitivity result as one JSON object.")
def command(sweep: Path, workers: int, dask_address: str | None, out: Path | None, resume: bool,
            as_json: bool) -> None:
    """Run a sweep (scenarios/sweeps/*.yaml): tidy metrics, a manifest and sensitivity indices in one folder."""
    from ...analysis.batch.sweep_plan import plan_sweep
    from ...analysis.runs.runner import ExecutorError
    from ...api import batch as batch_api
    from ...report.batch_tables import format_sensitivity
    from ..util import fail, progress, set_resume_hint

    try:
        p = plan_sweep(sweep)
    except InputError as e:
        fail(e)
    if dask_address is not None and dask_address != "local" and not _scheduler_address(dask_address):
        click.echo(f"error: --dask: {dask_address!r}: give `local` or a scheduler address tcp://HOST:PORT (allowed: "
                   "local, or tcp:// or tls:// then a host and a port 1-65535, e.g. tcp://127.0.0.1:8786)", err=True)
        raise SystemExit(2)
    out = out or Path("outputs") / f"batch-{p.name}-{p.identity()}"
    set_resume_hint(out, "the finished tasks are kept")  # Ctrl-C / SIGTERM: 130 / 143 and this command (util)
    try:
        r = batch_api(p, workers=workers, dask=dask_address, out=out, resume=resume, progress=progress)
    except InputError as e:
        fail(e)
    except ExecutorError as e:
        click.echo(f"error: {e}", err=True)
        raise SystemExit(1) from None
    res = r.raw
    if as_json:
        click.echo(json.dumps(r.summary, indent=2, sort_keys=True))
    else:
        click.echo(format_sensitivity(r.summary))
        click.echo(f"\nbatch: {out} ({res.computed} tasks computed, {len(res.rows) - res.computed} found finished)")


def _scheduler_address(address: str) -> bool:
    """tcp://HOST:PORT or tls://HOST:PORT, the port 1-65535 (an IPv6 host in brackets). Why: `tcp://localhost`, with
    no port, got past the check and waited 10 s for a connection, then exit 1 as if the environment had failed."""
    m = re.fullmatch(r"(?:tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(\d{1,5})", address)
    return m is not None and 1 <= int(m.group(2)) <= 65535
