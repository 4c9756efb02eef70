#!/usr/bin/env python3
"""Issue 21's in-sample bar: every authority's modelled % within 20 weeks against its own official figures.

Why this script: the national backtest pools authorities; the issue asks of each one that its 2019-2023 mean % of
new plans issued within 20 weeks be within 5 points of the official mean and each year within 10 (for at least 90%
of authorities, Walsall, Devon and Kent among them), and that no authority's modelled new plans fall by more than
half in a year unless the official figures do. The rule is `simulator/analysis/fit/in_sample.py`; this runs the
scenario (to the end of the last year with a per-authority figure, so the projection years cost nothing) and prints
one row per authority, the counts and the misses.

    python scripts/in_sample_fit.py                          # scenarios/england.yaml, its seed, 1 replication
    python scripts/in_sample_fit.py -n 3 --workers 2         # the figure to report
    python scripts/in_sample_fit.py --waits backlog          # the other waits model on the same scenario
    python scripts/in_sample_fit.py --json out.json          # every authority's figures as JSON too

Official figures: `scenarios/targets/england_by_la.csv` (DfE SEN2, built by scripts/build_scenarios.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

from simulator.analysis.fit.backtest import default_targets, load_la_targets, load_targets, run_replications
from simulator.analysis.fit.in_sample import authority_fits, summary
from simulator.rules.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
NAMED = ("Walsall", "Devon", "Kent")  # the issue names these three


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "england.yaml"))
    ap.add_argument("-n", "--replications", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--waits", choices=("fitted_delay", "backlog"), default=None,
                    help="run the scenario with this waits model instead of its own")
    ap.add_argument("--json", type=Path, default=None, help="write every authority's figures here")
    ap.add_argument("--quiet", action="store_true", help="only the counts and the misses")
    a = ap.parse_args(argv)

    loaded = load_scenario(Path(a.scenario))
    sc = loaded.scenario
    tpath = default_targets(loaded.path, sc.name)
    national = load_targets(tpath, sc.start_date, sc.end_date)
    la_targets = load_la_targets(tpath.with_name(tpath.stem + "_by_la" + tpath.suffix), loaded, national)
    last = max(int(t.period) for t in la_targets if t.metric == "within_20_weeks_pct")
    upd: dict = {"end_date": min(sc.end_date, dt.date(last, 12, 31))}
    if a.waits:
        upd["waits"] = a.waits
    loaded = dataclasses.replace(loaded, scenario=sc.model_copy(update=upd))
    names = {la.code: la.name for la in sc.local_authorities.items}
    seed = sc.seed if a.seed is None else a.seed
    t0 = time.perf_counter()
    reps = run_replications(loaded, a.replications, seed, a.workers, by_la=True)
    fits = authority_fits(la_targets, reps, names)
    s = summary(fits)
    wall = time.perf_counter() - t0

    years = sorted({y for f in fits for y in f.years})
    if not a.quiet:
        head = ["code", "authority", "mean obs", "mean model", "err"] + [f"{y} obs/model" for y in years]
        print("\t".join(head))
        for f in fits:
            cells = [f.code, f.name, f"{f.mean_observed:.1f}",
                     "-" if f.mean_model is None else f"{f.mean_model:.1f}",
                     "-" if f.mean_error is None else f"{f.mean_error:+.1f}"]
            for y in years:
                o, m = f.observed.get(y), f.model.get(y)
                cells.append("" if o is None else f"{o:.1f}/{'-' if m is None else f'{m:.1f}'}")
            print("\t".join(cells))
        print()
    n = s["authorities"]
    print(f"waits: {loaded.scenario.waits}; replications {a.replications}, seed {seed}; {wall:.0f} s")
    print(f"authorities with an official % within 20 weeks: {n}")
    print(f"mean 2019-{last} within 5 points: {s['mean_within_5']} ({100 * s['mean_within_5_share']:.0f}%); "
          f"every year within 10 points: {s['every_year_within_10']}; both: {s['both']}; "
          f"mean |error of the mean| {s['mean_abs_error_of_mean']:.2f} points")
    for nm in NAMED:
        f = next((x for x in fits if x.name == nm), None)
        if f is not None:
            per = ", ".join(f"{y} {f.observed[y]:.1f}/{'-' if f.model.get(y) is None else f'{f.model[y]:.1f}'}"
                            for y in f.years)
            plans = ", ".join(f"{y} {f.plans_observed.get(y, float('nan')):.0f}/"
                              f"{'-' if f.plans_model.get(y) is None else f'{f.plans_model[y]:.0f}'}"
                              for y in sorted(f.plans_model))
            print(f"{nm}: mean {f.mean_observed:.1f}/{f.mean_model:.1f} ({f.mean_error:+.1f}); "
                  f"by year (official/model) {per}; new plans {plans}")
    misses = [f for f in fits if not (f.mean_within and f.every_year_within)]
    print(f"misses ({len(misses)}): code, authority, error of the mean, worst year (error), plans in 2023 (official)")
    for f in sorted(misses, key=lambda x: -abs(x.mean_error or 99)):
        errs = {y: e for y, e in f.year_errors().items() if e is not None}
        wy = max(errs, key=lambda y: abs(errs[y])) if errs else None
        print(f"  {f.code}\t{f.name}\t{'-' if f.mean_error is None else f'{f.mean_error:+.1f}'}\t"
              f"{wy} ({errs.get(wy, float('nan')):+.1f})\t{f.plans_observed.get(last, float('nan')):.0f}")
    print(f"new plans falling by more than half where the official ones do not: "
          f"{sum(len(v) for v in s['plan_falls'].values())} authority-years "
          + ", ".join(f"{names.get(c, c)} {ys}" for c, ys in s["plan_falls"].items()))
    if a.json:
        a.json.write_text(json.dumps({"summary": s, "authorities": [
            {"code": f.code, "name": f.name, "observed": f.observed, "model": f.model,
             "plans_observed": f.plans_observed, "plans_model": f.plans_model, "mean_error": f.mean_error,
             "mean_within_5": f.mean_within, "every_year_within_10": f.every_year_within} for f in fits]},
            indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
