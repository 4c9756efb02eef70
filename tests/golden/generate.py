"""Golden outputs of `small_la`: what every command writes or prints, kept byte for byte.

Why: a refactor must not change a single result. Every random draw is keyed by (seed, replication,
stream name, child, occurrence), so the same scenario and seed give the same bytes whatever the code
layout; these files are the proof. `tests/test_golden.py` regenerates everything into a temporary
folder and compares it with the files here.

    python tests/golden/generate.py          # rewrite tests/golden/small_la/ (only when outputs change on purpose)

Regenerate only in a commit of its own whose message says what changed and why.

Files whose bytes depend on a library's version (Parquet's `created_by`, matplotlib's PNG metadata)
are compared as bytes when the version matches the one recorded in `versions.json`, and by content
otherwise (Parquet tables; PNGs are then skipped), so a newer pyarrow or matplotlib on CI does not
fail the test for a reason that is not ours.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "small_la"
SMALL = "scenarios/small_la.yaml"
RULE_SETS = ("current_2014", "green_paper_2022", "improvement_plan_2023", "white_paper_2026")
COMPARES = (("current_2014", "green_paper_2022"), ("current_2014", "current_2014+mandatory_mediation"),
            ("current_2014", "white_paper_2026"))
TIMINGS = ("wall_seconds", "children_per_second", "events_per_second")
VERSIONED = {".parquet": "pyarrow", ".png": "matplotlib"}


def _invoke(*args: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run one `sendsim` command in this process; its standard output (progress on stderr is dropped).

    `ok`: the exit codes that mean the command worked (backtest exits 3 when targets are missed, as small_la's
    two-year run misses some)."""
    from click.testing import CliRunner

    from simulator.cli import main

    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    if r.exit_code not in ok:
        raise RuntimeError(f"sendsim {' '.join(args)} exited {r.exit_code}:\n{r.output}")
    return r.stdout


def _drop(obj: object, keys: tuple[str, ...]) -> object:
    if isinstance(obj, dict):
        return {k: _drop(v, keys) for k, v in obj.items() if k not in keys}
    if isinstance(obj, list):
        return [_drop(v, keys) for v in obj]
    return obj


def _case(name: str, tmp: str, out: str) -> None:
    """One case study's golden files (its JSON with the folder masked, and its timeline PNG)."""
    stem = Path(name).stem
    cs_dir = Path(tmp) / f"case-{stem}"
    rules_args = [x for r in RULE_SETS for x in ("--rules", r)]
    text = _invoke("case-study", f"case_studies/{name}", *rules_args, "--runs", "5", "--seed", "2", "--json",
                   "--out", str(cs_dir))
    (Path(out) / f"case-{stem}.json").write_text(text.replace(str(cs_dir), "<out>"))
    shutil.copy(cs_dir / f"{json.loads(text)['case']}.png", Path(out) / f"case-{stem}.png")


def _runs(tmp: Path, out: Path) -> None:
    """`run` of small_la under both engines: stdout, summary and each replication's files."""
    for engine in ("heap", "simpy"):
        run_dir = tmp / f"run-{engine}"
        text = _invoke("run", SMALL, "-n", "2", "--seed", "3", "--engine", engine, "--json", "--out", str(run_dir))
        (out / f"run-{engine}.stdout.json").write_text(text)
        dst = out / f"run-{engine}"
        dst.mkdir(exist_ok=True)
        shutil.copy(run_dir / "summary.json", dst / "summary.json")
        for rep in ("rep-000", "rep-001"):
            for f in ("metrics.json", "journeys.parquet", "events.parquet"):
                shutil.copy(run_dir / "replications" / rep / f, dst / f"{rep}.{f}")


def _compares(tmp: Path, out: Path) -> None:
    """`compare` of small_la (three pairs as JSON, one as text) and the printed two-rule case study of Sam."""
    for a, b in COMPARES:
        name = f"compare-{a}-vs-{b}".replace("+", "_plus_")
        (out / f"{name}.json").write_text(_invoke("compare", SMALL, "--rules", a, "--rules", b, "-n", "2",
                                                  "--seed", "5", "--json"))
    (out / "compare-green_paper.txt").write_text(_invoke("compare", SMALL, "--rules", "current_2014", "--rules",
                                                         "green_paper_2022", "-n", "2", "--seed", "5"))
    (out / "case-sam.txt").write_text(_invoke("case-study", "case_studies/sam_autistic_mainstream_specialist.yaml",
                                              "--rules", "current_2014", "--rules", "green_paper_2022",
                                              "--runs", "5", "--seed", "2"))


def _backtest(tmp: Path, out: Path) -> None:
    bt = json.loads(_invoke("backtest", SMALL, "--json", ok=(0, 3)))
    (out / "backtest.json").write_text(json.dumps(_drop(bt, TIMINGS), indent=2) + "\n")


def _rules_maps_schemas(tmp: Path, out: Path) -> None:
    """What `rules`, `map` and `schema` print (no simulation)."""
    (out / "rules-list.txt").write_text(_invoke("rules", "list"))
    for r in RULE_SETS:
        (out / f"rules-show-{r}.txt").write_text(_invoke("rules", "show", r))
        (out / f"map-{r}.json").write_text(_invoke("map", "--rules", r, "--format", "json"))
        (out / f"map-{r}.md").write_text(_invoke("map", "--rules", r, "--format", "markdown"))
        if r != "current_2014":
            (out / f"rules-diff-current_2014-{r}.txt").write_text(_invoke("rules", "diff", "current_2014", r))
    (out / "rules-show-current_2014+mandatory_mediation.txt").write_text(
        _invoke("rules", "show", "current_2014+mandatory_mediation"))
    (out / "map-green_paper_2022.txt").write_text(_invoke("map", "--rules", "green_paper_2022"))
    for kind in ("scenario", "rules"):
        (out / f"schema-{kind}.json").write_text(_invoke("schema", "--kind", kind))


def _bench(tmp: Path, out: Path) -> None:
    bench = json.loads(_invoke("bench", "benchmarks/reference_network.yaml", "--children", "20000", "--seed", "4",
                               "--warmup", "10", "--json"))
    (out / "bench.json").write_text(json.dumps(_drop(bench, TIMINGS), indent=2, sort_keys=True) + "\n")


def _versions(tmp: Path, out: Path) -> None:
    (out / "versions.json").write_text(json.dumps({lib: version(lib) for lib in VERSIONED.values()}, indent=2) + "\n")


def case_names() -> list[str]:
    return [c.name for c in sorted((ROOT / "case_studies").glob("*.yaml"))]


# The units the golden outputs are made in: each writes its own files and nothing else, and depends on no other
# (every output is keyed by its own seed), so tests/test_golden.py checks each unit as a test of its own and pytest's
# workers share them out; `produce` writes them all.
OTHER_UNITS = {"runs": _runs, "compares": _compares, "backtest": _backtest, "rules-maps-schemas": _rules_maps_schemas,
               "bench": _bench, "versions": _versions}


def unit_names() -> list[str]:
    return [*OTHER_UNITS, *(f"case-{Path(c).stem}" for c in case_names())]


def unit_of(rel: str) -> str:
    """The unit that writes golden file `rel` (a path relative to the golden folder, with / between parts)."""
    top = rel.split("/")[0]
    if top.startswith("run-"):
        return "runs"
    if top.startswith("compare-") or top == "case-sam.txt":
        return "compares"
    if top.startswith("case-"):
        return top.rsplit(".", 1)[0]
    if top.startswith(("rules-", "map-", "schema-")):
        return "rules-maps-schemas"
    return {"backtest.json": "backtest", "bench.json": "bench", "versions.json": "versions"}.get(top, "?")


def produce_unit(unit: str, out: Path) -> None:
    """Write one unit's golden outputs into `out` (run from the repository's root)."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    try:
        if unit.startswith("case-"):
            stem = unit.removeprefix("case-")
            _case(f"{stem}.yaml", str(tmp), str(out))
        else:
            OTHER_UNITS[unit](tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def produce(out: Path) -> None:
    """Write every golden output into `out` (run from the repository's root). The case studies (35, four rule sets
    each: most of the time) run in two more processes beside the rest: every output is keyed by its own seed, so the
    bytes do not depend on which process wrote them."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    cases = case_names()
    fork = "fork" in mp.get_all_start_methods()
    pool = ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) if fork else None
    try:
        pending = [pool.submit(_case, c, str(tmp), str(out)) for c in cases] if pool is not None else []
        for unit in OTHER_UNITS.values():
            unit(tmp, out)
        if pool is None:
            for c in cases:
                _case(c, str(tmp), str(out))
        for f in pending:
            f.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    shutil.rmtree(GOLDEN, ignore_errors=True)
    produce(GOLDEN)
    print(f"wrote {len(list(GOLDEN.rglob('*')))} files to {GOLDEN}", file=sys.stderr)
