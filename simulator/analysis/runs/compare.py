"""Compare rule sets on the same children (two, or more against the first): paired differences with 95% intervals.

Both rule sets run the same scenario with the same seed. Every random decision is a keyed draw
(seed, replication, stream, child, occurrence), so a child meets the same underlying numbers
under both rule sets (common random numbers) and a difference reflects the rules, not the dice.
The interval of a difference is computed from the paired differences replication by replication.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...rules.resolve import flatten, labels
from ...rules.scenario import LoadedScenario, load_scenario, switch_dates
from ...schema.files import InputError
from . import contrasts
from .folder import FolderLock, claim_folder, read_marker, write_marker
from .metrics import METRIC_LABELS
from .outputs import dumps, write_atomic
from .registry import PAIRED_METRICS
from .run import RunPlan, RunResult, group_order, registry_order, run_together
from .rundir import check_out_path, check_same_run, identity
from .stats import bounds


def what_changed(a: LoadedScenario, b: LoadedScenario) -> list[dict[str, Any]]:
    """Every parameter whose value differs between two rule sets, with the source of the change."""
    fa, fb = flatten(a.rules), flatten(b.rules)
    src: dict[str, dict[str, Any]] = {}
    for side in (a, b):
        for ch in side.changes:
            src[ch.path] = asdict(ch)
    lab = labels(b.rules)
    rows = []
    for path in sorted(set(fa) | set(fb)):
        if fa.get(path) != fb.get(path):
            key = next((p for p in src if path == p or path.startswith(p + ".")), path)
            info = src.get(key, {})
            rows.append({"parameter": path, "label": lab.get(path, ("", ""))[0], a.law.name: fa.get(path),
                         b.law.name: fb.get(path), "source": info.get("source", lab.get(path, ("", ""))[1]),
                         "assumption": info.get("assumption"), "range": info.get("range"),
                         "switch": info.get("switch"), "in_force": info.get("in_force")})
    return rows


def in_force_table(*sides: LoadedScenario) -> list[dict[str, Any]]:
    """When each switch of each rule set takes effect in this run: a date, the run's first day, or never (after the
    end), with where the date comes from. A reform's effect before its commencement is nil, and the output says so."""
    rows = []
    for side in sides:
        for switch, when, source, where in side.in_force:
            rows.append({"rules": side.law.name, "switch": switch, "in_force": str(when) if when else None,
                         "source": source, "where": where or "every authority"})
    return rows


@dataclass
class Comparison:
    """A finished comparison: the result (`compare`'s dict) and what it was made from, for the tidy table."""

    result: dict[str, Any]
    loaded: list[LoadedScenario]
    runs: list[RunResult]
    seed: int


def compare_runs(scenario: str | Path, rules: Sequence[str], replications: int | None = None,
                 seed: int | None = None, out_dir: Path | None = None, workers: int = 1, events: bool = False,
                 progress: Callable[[str], None] | None = None, until: dt.date | None = None, resume: bool = False,
                 force: bool = False, from_start: bool = False, many: bool | None = None,
                 more_groups: bool = False) -> Comparison:
    """Run a scenario under two or more rule sets with common random numbers, each against the first (`from_start`:
    every switch as if in force from the first day, whatever its commencement date).

    `out_dir` holds one run folder per rule set (each a `rundir.RunFolder`: locked, identified, refused when it
    exists unless `resume` or `force`) and compare.json. Two rule sets give one comparison dict; three or more a
    dict of `comparisons`, each against the baseline (`many=True`: that shape even for two). `more_groups`: by
    phase and region too. Every rule set's replications share one pool of `workers` (`run.run_together`)."""
    loaded = [load_scenario(scenario, r, until, from_start) for r in rules]  # all validated before anything runs
    reps = replications or loaded[0].scenario.replications
    sd = loaded[0].scenario.seed if seed is None else seed
    with _comparison_folder(out_dir, list(rules), sd, resume, force):
        names = [lo.law.name for lo in loaded]
        plans = [RunPlan(lo, reps, sd, out_dir / f"{i}-{lo.law.name}" if out_dir is not None else None, "heap",
                         events, resume, False, more_groups,
                         lo.law.name if names.count(lo.law.name) == 1 else f"{lo.law.name} ({i})")
                 for i, lo in enumerate(loaded, start=1)]
        for pl in plans if resume else ():  # a resume of another run is refused before the progress line
            m = read_marker(pl.out_dir) if pl.out_dir is not None and pl.out_dir.is_dir() else None
            if m is not None and m.sendsim_folder == "run":
                check_same_run(pl.out_dir, identity(pl.loaded, sd, "heap", events))
        if progress:
            progress(f"{len(loaded)} rule sets ({', '.join(names)}) x {reps} replications, "
                     f"{max(1, workers)} at a time")
        runs = run_together(plans, workers, progress)  # one pool for every rule set's replications
        if not (many if many is not None else len(loaded) > 2):
            result = _pair(loaded[0], loaded[1], runs[0], runs[1], rules[0], rules[1], sd, reps)
        else:
            comparisons = [_pair(loaded[0], loaded[i], runs[0], runs[i], rules[0], rules[i], sd, reps)
                           for i in range(1, len(loaded))]
            result = {"scenario": loaded[0].scenario.name, "baseline": loaded[0].law.name,
                      "rules": [lo.law.name for lo in loaded], "seed": sd, "replications": reps,
                      "comparisons": comparisons}
        if out_dir is not None:
            write_atomic(out_dir / "compare.json", dumps(result))
    return Comparison(result, loaded, runs, sd)


def compare(scenario: str | Path, rules_a: str, rules_b: str, replications: int | None = None,
            seed: int | None = None, out_dir: Path | None = None, workers: int = 1, events: bool = False,
            progress: Callable[[str], None] | None = None, until: dt.date | None = None, resume: bool = False,
            force: bool = False, from_start: bool = False) -> dict[str, Any]:
    """Two rule sets on the same children: the comparison dict (`compare_runs` with two)."""
    return compare_runs(scenario, [rules_a, rules_b], replications, seed, out_dir, workers, events, progress, until,
                        resume, force, from_start).result


@contextmanager
def _comparison_folder(out_dir: Path | None, rules: Sequence[str], seed: int, resume: bool,
                       force: bool) -> Iterator[None]:
    """The comparison's folder under the folder contract (`folder.claim_folder`): claimed as a comparison, locked
    while it is written, and marked; its run folders inside are run folders of their own. `--force` empties only a
    folder sendsim marked as a comparison (so its run folders start again); `--resume` resumes each of them."""
    if out_dir is None:
        yield
        return
    check_out_path(out_dir)
    if resume and force:  # refused before the lock makes the folder: a refused command leaves nothing behind
        raise InputError(["--resume and --force: give one (resume continues; force starts again)"])
    with FolderLock(out_dir):
        claim_folder(out_dir, "comparison", resume, force)
        write_marker(out_dir, "comparison", {"rules": list(rules), "seed": seed})
        yield


def _pair(la: LoadedScenario, lb: LoadedScenario, ra: RunResult, rb: RunResult, rules_a: str, rules_b: str,
          sd: int, reps: int) -> dict[str, Any]:
    """One comparison of two finished runs of the same children: each metric and the paired difference, the same
    by group (family capacity, requester, need), and what was in force from when."""
    ka, kb = (rules_a, rules_b) if rules_a != rules_b else ("a", "b")

    paired = contrasts.paired_summary(ka, kb, METRIC_LABELS, bounds)

    metrics: dict[str, Any] = {}
    for key in registry_order(ra.replications[0]["metrics"]):
        metrics[key] = paired([r["metrics"].get(key) for r in ra.replications],
                              [r["metrics"].get(key) for r in rb.replications], key)
    metrics.update(_compelled_unsettled(ra.replications, rb.replications, None, paired))
    by_group: dict[str, dict[str, dict[str, Any]]] = {}
    for dim, values in group_order(la, ra.replications[0].get("by_group") or {}).items():
        for value in values:
            def pick(reps_: list[dict[str, Any]], key: str, dim: str = dim, value: str = value) -> list:
                return [((r.get("by_group") or {}).get(dim, {}).get(value) or {}).get(key) for r in reps_]

            by_group.setdefault(dim, {})[value] = {key: paired(pick(ra.replications, key), pick(rb.replications, key),
                                                               key) for key in metrics if key not in PAIRED}
            if dim == "redress_capacity":
                by_group[dim][value].update(_compelled_unsettled(ra.replications, rb.replications, value, paired))
    start, end = la.scenario.start_date, la.scenario.end_date
    in_force = in_force_table(la, lb)
    changed = what_changed(la, lb)
    years = contrasts.by_year(ra.replications, rb.replications, start, end, paired)
    wins = contrasts.windows(in_force, start, end, ra.replications, rb.replications, paired)
    dates = {**switch_dates(la), **switch_dates(lb)}
    out = {"scenario": la.scenario.name, "rules": [la.law.name, lb.law.name], "seed": sd, "replications": reps,
           "start_date": str(start), "end_date": str(end), "what_changed": changed, "in_force": in_force,
           "metrics": metrics, "by_group": by_group, "by_year": years, "windows": wins,
           "contrasts": contrasts.tidy(f"{lb.law.name} - {la.law.name}", years, wins, metrics, start, end),
           "nothing_in_force": contrasts.nothing_in_force(in_force, dates, bool(changed), end),
           "switch_dates": {k: str(v) for k, v in sorted(dates.items())}}
    if la.projection is not None and end.year > la.projection["last_data_year"]:
        out["projection"] = la.projection
    return out


PAIRED = frozenset(m.name for m in PAIRED_METRICS)


def _compelled_unsettled(reps_a: list[dict[str, Any]], reps_b: list[dict[str, Any]], capacity: str | None,
                         paired: Callable[[list, list, str], dict[str, Any]]) -> dict[str, Any]:
    """The seed's fear of waiting longer for a tribunal, isolated: the disputes that under the second rule set went
    through a compelled mediation that did not settle, and the same disputes (the same child, its same dispute:
    common random numbers) under the first; their weeks from the disputed decision to the tribunal's decision,
    paired replication by replication (a figure with its interval). Nothing when no mediation was compelled."""
    if not any((r.get("disputes") or {}).get("compelled_unsettled") for r in reps_b):
        return {}
    def group(rep: dict[str, Any]) -> set[int]:
        return {k for k, cap in (rep.get("disputes") or {}).get("compelled_unsettled", [])
                if capacity is None or cap == capacity}

    count_a, count_b, weeks_a, weeks_b = [], [], [], []
    for ra, rb in zip(reps_a, reps_b, strict=True):
        keys = group(rb)
        da = {k: w for k, _g, w in (ra.get("disputes") or {}).get("to_tribunal_decision", []) if k in keys}
        db = {k: w for k, _g, w in (rb.get("disputes") or {}).get("to_tribunal_decision", []) if k in keys}
        both = sorted(set(da) & set(db))
        count_a.append(float(len(group(ra))))
        count_b.append(float(len(keys)))
        weeks_a.append(sum(da[k] for k in both) / len(both) if both else None)
        weeks_b.append(sum(db[k] for k in both) / len(both) if both else None)
    return {"disputes_compelled_unsettled": paired(count_a, count_b, "disputes_compelled_unsettled"),
            "weeks_dispute_to_tribunal_decision_compelled_unsettled_mean":
                paired(weeks_a, weeks_b, "weeks_dispute_to_tribunal_decision_compelled_unsettled_mean")}


def compare_many(scenario: str | Path, rules: Sequence[str], replications: int | None = None,
                 seed: int | None = None, out_dir: Path | None = None, workers: int = 1, events: bool = False,
                 progress: Callable[[str], None] | None = None, until: dt.date | None = None,
                 from_start: bool = False) -> dict[str, Any]:
    """Three or more rule sets on the same children, each compared with the first (the baseline), each run once."""
    return compare_runs(scenario, rules, replications, seed, out_dir, workers, events, progress, until,
                        from_start=from_start, many=True).result
