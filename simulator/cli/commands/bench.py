"""`sendsim bench NETWORK.yaml`: the engine's speed on an open queueing network with a known answer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...schema.files import InputError
from ..util import MAX_SEED, FiniteFloat, InputPath


@click.command("bench")
@click.argument("network", type=InputPath("a network file or a shipped one's name, e.g. reference_network"))
@click.option("--children", type=click.IntRange(min=1, max=100_000_000), default=200_000, show_default=True,
              help="Arrivals; the run goes on until every one of them has left.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_SEED), default=1, show_default=True, help="Seed of the random streams.")
@click.option("--warmup", type=FiniteFloat(0, 1e9), default=0.0, show_default=True,
              help="Waits and times in system count only from this time (in the network's time unit).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def command(network: Path, children: int, seed: int, warmup: float, as_json: bool) -> None:
    """Run an open network of FIFO multi-server stages on the engine core; children/s and mean waits."""
    from ...engine.bench import load_network, run_bench
    from ...report.tables import format_bench, safe_dumps

    try:
        net = load_network(network)
    except InputError as e:
        for line in e.lines:
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    out = run_bench(net, children, seed, warmup)
    click.echo(safe_dumps(out, sort_keys=True) if as_json else format_bench(out, network))
