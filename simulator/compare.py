"""Compare two rule sets on the same children: paired differences with 95% intervals.

Both rule sets run the same scenario with the same seed. Every random decision is a keyed draw
(seed, replication, stream, child, occurrence), so a child meets the same underlying numbers
under both rule sets (common random numbers) and a difference reflects the rules, not the dice.
The interval of a difference is computed from the paired differences replication by replication.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .loading import LoadedScenario, load_scenario
from .metrics import METRIC_LABELS, bounds, summarise
from .rules import flatten, labels
from .run import _atomic_write, _dump, run


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
                         "switch": info.get("switch")})
    return rows


def compare(scenario: str | Path, rules_a: str, rules_b: str, replications: int | None = None,
            seed: int | None = None, out_dir: Path | None = None, workers: int = 1, events: bool = False,
            progress: Callable[[str], None] | None = None, until: dt.date | None = None) -> dict[str, Any]:
    """Run a scenario under two rule sets with common random numbers; return the comparison."""
    la = load_scenario(scenario, rules_a, until)
    lb = load_scenario(scenario, rules_b, until)  # both validated before anything runs
    reps = replications or la.scenario.replications
    sd = la.scenario.seed if seed is None else seed
    runs = []
    for i, lo in enumerate((la, lb), start=1):
        d = out_dir / f"{i}-{lo.law.name}" if out_dir is not None else None
        if progress:
            progress(f"rule set {i} of 2: {lo.law.name}")
        runs.append(run(lo, reps, sd, d, workers, "heap", events, progress))
    ra, rb = runs
    metrics: dict[str, Any] = {}
    for key in ra.replications[0]["metrics"]:
        xa = [r["metrics"].get(key) for r in ra.replications]
        xb = [r["metrics"].get(key) for r in rb.replications]
        diffs = [None if (x is None or y is None) else y - x for x, y in zip(xa, xb, strict=True)]
        sd_ = summarise(diffs)
        metrics[key] = {"label": METRIC_LABELS.get(key, key), rules_a if rules_a != rules_b else "a": summarise(xa, bounds(key)),
                        rules_b if rules_a != rules_b else "b": summarise(xb, bounds(key)), "diff": sd_["mean"],
                        "diff_ci95": sd_["ci95"]}
    result = {"scenario": la.scenario.name, "rules": [la.law.name, lb.law.name], "seed": sd, "replications": reps,
              "start_date": str(la.scenario.start_date), "end_date": str(la.scenario.end_date),
              "what_changed": what_changed(la, lb), "metrics": metrics}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(out_dir / "compare.json", _dump(result))
    return result


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.2f}".rstrip("0").rstrip(".")
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def format_what_changed(rows: list[dict[str, Any]], a: str, b: str) -> str:
    if not rows:
        return f"What changed: nothing ({a} and {b} have the same parameters)."
    body = [["Parameter", a, b, "Source"]]
    for r in rows:
        src = r["source"] or ""
        if r.get("assumption"):
            src += f" [assumption: {r['assumption']}; range {_fmt(r['range'])}]"
        body.append([r["parameter"], _fmt(r[a]), _fmt(r[b]), src])
    return "What changed\n" + table(body)


def format_comparison(res: dict[str, Any]) -> str:
    a, b = res["rules"]
    ka, kb = (a, b) if a != b else ("a", "b")

    def ci(s: dict[str, Any]) -> str:
        lo, hi = s["ci95"]
        return f"{_fmt(s['mean'])} ({_fmt(lo)} to {_fmt(hi)})" if lo is not None else _fmt(s["mean"])

    rows = [["Metric", f"{a}: mean (95% CI)", f"{b}: mean (95% CI)", f"Difference {b} - {a} (95% CI)"]]
    for m in res["metrics"].values():
        lo, hi = m["diff_ci95"]
        d = f"{_fmt(m['diff'])} ({_fmt(lo)} to {_fmt(hi)})" if lo is not None else _fmt(m["diff"])
        rows.append([m["label"], ci(m[ka]), ci(m[kb]), d])
    head = (f"{res['scenario']} ({res.get('start_date')} to {res.get('end_date')}): {a} against {b}, "
            f"{res['replications']} replications, seed {res['seed']}, "
            "same children and same random draws under both (paired differences)")
    return "\n\n".join([head, format_what_changed(res["what_changed"], a, b), table(rows)])


def to_json(res: dict[str, Any]) -> str:
    return json.dumps(res, indent=2, sort_keys=True, default=str)
