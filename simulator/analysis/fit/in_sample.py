"""In-sample fit per authority: each authority's modelled % within 20 weeks against its own official figures.

Why this module: issue 21's in-sample bar reads, for every authority, the 2019-2023 mean of its % of new plans
issued within 20 weeks (model against official: within 5 points) and each year's figure (within 10 points), and
asks that no authority's modelled new plans fall by more than half in a year unless its official ones do. The
national backtest (`backtest.py`) cannot show this: it pools authorities. The scoring is here, beside the fit it
judges, so the fitting code (`calibrate.py`'s joint rounds) and `scripts/in_sample_fit.py` read the same rule.

The official figures are the per-authority targets file (`targets/england_by_la.csv`, built from SEN2
`timeliness_20_week.csv` and `outcomes`/`assessments` by `scripts/build_scenarios.py`; percentages only where the
denominator is at least 20). A year without an official figure is left out of both means (model and official).
The model's figure of a year is the mean over replications of each replication's own percentage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

MEAN_TOLERANCE = 5.0  # points: the bar on the 2019-2023 mean
YEAR_TOLERANCE = 10.0  # points: the bar on every year
FALL_RATIO = 0.5  # new plans "fall by more than half" in a year: next < 0.5 x this


@dataclass
class AuthorityFit:
    """One authority's in-sample figures and what the bar says of them."""

    code: str
    name: str
    observed: dict[int, float]
    model: dict[int, float | None]
    plans_observed: dict[int, float] = field(default_factory=dict)
    plans_model: dict[int, float | None] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.observed)

    @property
    def mean_observed(self) -> float:
        return sum(self.observed.values()) / len(self.observed)

    @property
    def mean_model(self) -> float | None:
        vals = [self.model.get(y) for y in self.years]
        if any(v is None for v in vals):
            return None
        return sum(vals) / len(vals)  # type: ignore[arg-type]

    @property
    def mean_error(self) -> float | None:
        m = self.mean_model
        return None if m is None else m - self.mean_observed

    def year_errors(self) -> dict[int, float | None]:
        return {y: (None if self.model.get(y) is None else self.model[y] - self.observed[y])  # type: ignore[operator]
                for y in self.years}

    @property
    def mean_within(self) -> bool:
        e = self.mean_error
        return e is not None and abs(e) <= MEAN_TOLERANCE + 1e-9

    @property
    def every_year_within(self) -> bool:
        return all(e is not None and abs(e) <= YEAR_TOLERANCE + 1e-9 for e in self.year_errors().values())

    def plan_falls(self) -> list[int]:
        """Years whose modelled new plans are less than half the year before's while the official ones are not."""
        out = []
        ys = sorted(self.plans_model)
        for a, b in zip(ys, ys[1:], strict=False):
            ma, mb = self.plans_model.get(a), self.plans_model.get(b)
            oa, ob = self.plans_observed.get(a), self.plans_observed.get(b)
            if ma is None or mb is None or ma <= 0:
                continue
            model_falls = mb < FALL_RATIO * ma
            official_falls = oa is not None and ob is not None and oa > 0 and ob < FALL_RATIO * oa
            if model_falls and not official_falls:
                out.append(b)
        return out


def authority_fits(la_targets: list[Any], reps: list[dict[str, Any]], names: dict[str, str] | None = None
                   ) -> list[AuthorityFit]:
    """Each authority with an official % within 20 weeks, its model figures averaged over the replications.

    `la_targets` are `backtest.Target`s with `la_code`; `reps` are `backtest_replication(..., by_la=True)` results."""
    names = names or {}
    obs: dict[str, dict[int, float]] = {}
    plans: dict[str, dict[int, float]] = {}
    for t in la_targets:
        if t.metric == "within_20_weeks_pct":
            obs.setdefault(t.la_code, {})[int(t.period)] = t.value
        elif t.metric == "new_plans_issued":
            plans.setdefault(t.la_code, {})[int(t.period)] = t.value
    out = []
    for code in sorted(obs, key=lambda c: (names.get(c, c), c)):
        years = sorted(set(obs[code]) | set(plans.get(code, {})))
        model: dict[int, float | None] = {}
        pm: dict[int, float | None] = {}
        for y in years:
            rows = [(r["by_la"].get(code) or {}).get(str(y)) or {} for r in reps]
            vals = [row.get("within_20_weeks_pct") for row in rows]
            model[y] = None if any(v is None for v in vals) else sum(vals) / len(vals)
            counts = [row.get("new_plans") for row in rows]
            pm[y] = None if any(v is None for v in counts) else sum(counts) / len(counts)
        out.append(AuthorityFit(code, names.get(code, code), obs[code], model, plans.get(code, {}), pm))
    return out


def summary(fits: list[AuthorityFit]) -> dict[str, Any]:
    """Counts against the bar: within 5 points of the mean, every year within 10, both, and new-plan falls."""
    n = len(fits)
    mean_ok = sum(f.mean_within for f in fits)
    year_ok = sum(f.every_year_within for f in fits)
    both = sum(f.mean_within and f.every_year_within for f in fits)
    falls = {f.code: f.plan_falls() for f in fits if f.plan_falls()}
    abs_err = [abs(f.mean_error) for f in fits if f.mean_error is not None]
    return {"authorities": n, "mean_within_5": mean_ok, "every_year_within_10": year_ok, "both": both,
            "mean_within_5_share": mean_ok / n if n else math.nan, "plan_falls": falls,
            "mean_abs_error_of_mean": sum(abs_err) / len(abs_err) if abs_err else math.nan}
