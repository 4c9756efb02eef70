"""Metrics of one replication, and their means and 95% confidence intervals over replications.

Definitions follow the official statistics where one exists:
- `refused_pct`: requests the LA decided not to assess, as a % of requests received (DfE SEN2);
- `assessed_no_plan_pct`: decisions not to issue, as a % of decisions after assessment (SEN2);
- `within_20_weeks_pct`: new plans issued within 20 weeks of the request, excluding the
  regulation 10(4) exception cases and plans made after an appeal (as DfE's headline figure);
- appeals are counted when registered; the tribunal's own figures use September-August years.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .journey import Journey
from .rules import PAYERS
from .units import DAYS_PER_WEEK

# two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (then the normal value)
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042]


def t975(df: int) -> float:
    if df <= 0:
        return math.nan
    if df <= 30:
        return _T975[df - 1]
    return 1.960 + 2.4 / df  # within 0.002 of the exact value for df > 30


def _pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def _q(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if values.size else None


METRIC_LABELS: dict[str, str] = {
    "requests": "Requests for an EHC needs assessment",
    "refused_pct": "Requests refused (% of requests)",
    "assessed_no_plan_pct": "Assessed but no plan (% of assessments decided)",
    "new_plans": "New EHC plans issued",
    "within_20_weeks_pct": "New plans within 20 weeks (%, excl. exceptions)",
    "weeks_to_final_plan_median": "Weeks from request to final plan (median)",
    "weeks_to_final_plan_p90": "Weeks from request to final plan (90th centile)",
    "weeks_to_provision_median": "Weeks from request to provision in place (median)",
    "weeks_to_provision_p90": "Weeks from request to provision in place (90th centile)",
    "weeks_without_provision_mean": "Weeks without suitable provision after the final plan (mean per new plan)",
    "waiting_for_place_end": "Children waiting for a place at the end",
    "mediations": "Mediations held",
    "mediations_settled_pct": "Mediations settled without an appeal (%)",
    "appeals_registered": "Appeals registered",
    "appeals_refusal_to_assess": "Appeals: refusal to assess",
    "appeals_refusal_to_issue": "Appeals: refusal to issue",
    "appeals_contents": "Appeals: contents",
    "appeals_placement": "Appeals: placement",
    "appeals_cessation": "Appeals: cessation",
    "conceded_before_hearing_pct": "Appeals conceded by the LA before a hearing (% of appeals ended)",
    "withdrawn_pct": "Appeals withdrawn by the family (% of appeals ended)",
    "decided_for_family_pct": "Hearings decided for the family (%)",
    "weeks_to_hearing_mean": "Weeks from registration to hearing (mean)",
    "tribunal_backlog_end": "Tribunal backlog at the end (appeals)",
    "plans_in_force_end": "Plans in force at the end",
    "plans_ceased": "Plans ceased",
    "requests_in_progress_end": "Requests still in progress at the end",
    "school_support_plans": "Requests met by a school-level support plan (no tribunal route)",
    "requests_withdrawn": "Requests withdrawn before the decision to assess",
    "assessments_ended_without_decision": "Assessments withdrawn or lapsed before a decision whether to issue",
    "placement_outside_list_no_appeal": "Settings named outside the family's preference with no appeal",
    "independent_reviews": "Independent reviews held",
    "cost_la_high_needs_gbp": "Cost to the LA high-needs budget (GBP)",
    "cost_school_notional_sen_gbp": "Cost to schools' notional SEN budgets (GBP)",
    "cost_integrated_care_board_gbp": "Cost to integrated care boards (GBP)",
    "cost_social_care_gbp": "Cost to social care (GBP)",
    "cost_tribunal_service_gbp": "Cost to the tribunal service (GBP)",
    "cost_family_gbp": "Cost to families (GBP)",
    "cost_total_gbp": "Total cost (GBP)",
    "cost_per_child_gbp": "Cost per child in the system (GBP)",
}


def replication_metrics(j: Journey) -> dict[str, Any]:
    """Headline metrics over the horizon (after warm-up), and the same by period."""
    cnt = j.counters.counts
    warm = j.warmup

    def total(metric: str) -> float:
        return sum(v for (m, p), v in cnt.items() if m == metric and "/" not in p)

    new = [c for c in j.children if not c.stock and c.t0 >= warm]
    final = np.array([c.final_at - c.t0 for c in new if c.final_at == c.final_at], dtype=float) / DAYS_PER_WEEK
    prov = np.array([c.provision_at - c.t0 for c in new if c.provision_at == c.provision_at],
                    dtype=float) / DAYS_PER_WEEK
    end = j.horizon
    without = [c.days_without_provision + ((end - c.waiting_since) if c.waiting_since == c.waiting_since else 0.0)
               for c in new if c.final_at == c.final_at]
    ended = total("appeals_conceded") + total("appeals_withdrawn") + total("hearings")
    hearings = total("hearings")
    snap_end = j.snapshots[-1]
    m: dict[str, Any] = {
        "requests": total("requests"),
        "refused_pct": _pct(total("refused"), total("requests")),
        "assessed_no_plan_pct": _pct(total("assessed_no_plan"), total("assessed_no_plan") + total("decided_to_issue")),
        "new_plans": total("new_plans"),
        "within_20_weeks_pct": _pct(total("within_20_weeks_excl_exceptions"), total("new_plans_excl_exceptions")),
        "weeks_to_final_plan_median": _q(final, 0.5),
        "weeks_to_final_plan_p90": _q(final, 0.9),
        "weeks_to_provision_median": _q(prov, 0.5),
        "weeks_to_provision_p90": _q(prov, 0.9),
        "weeks_without_provision_mean": (sum(without) / len(without) / DAYS_PER_WEEK) if without else None,
        "waiting_for_place_end": snap_end["waiting_for_place"],
        "mediations": total("mediations"),
        "mediations_settled_pct": _pct(total("mediations_settled"), total("mediations")),
        "appeals_registered": total("appeals_registered"),
        "appeals_refusal_to_assess": total("appeals_refusal_to_assess"),
        "appeals_refusal_to_issue": total("appeals_refusal_to_issue"),
        "appeals_contents": total("appeals_contents"),
        "appeals_placement": total("appeals_placement"),
        "appeals_cessation": total("appeals_cessation"),
        "conceded_before_hearing_pct": _pct(total("appeals_conceded"), ended),
        "withdrawn_pct": _pct(total("appeals_withdrawn"), ended),
        "decided_for_family_pct": _pct(total("decided_for_family"), total("decided_for_family")
                                       + total("decided_for_la")),
        "weeks_to_hearing_mean": (total("weeks_to_hearing_sum") / hearings) if hearings else None,
        "tribunal_backlog_end": snap_end["tribunal_backlog"],
        "plans_in_force_end": snap_end["plans_in_force_january"],
        "plans_ceased": total("plans_ceased"),
        "requests_in_progress_end": sum(1 for c in new if c.status == "in_progress"),
        "school_support_plans": total("school_support_plans"),
        "requests_withdrawn": total("request_withdrawn"),
        "assessments_ended_without_decision": total("assessment_withdrawn") + total("assessment_lapsed"),
        "placement_outside_list_no_appeal": total("placement_outside_list_no_appeal"),
        "independent_reviews": total("independent_reviews"),
    }
    served = j.n_stock + total("requests")
    cost_total = 0.0
    for payer in PAYERS:
        v = total(f"cost_{payer}")
        m[f"cost_{payer}_gbp"] = v
        cost_total += v
    m["cost_total_gbp"] = cost_total
    m["cost_per_child_gbp"] = cost_total / served if served else None
    return {"metrics": m, "by_period": period_metrics(j)}


def period_metrics(j: Journey) -> dict[str, dict[str, float | None]]:
    """Calendar-year activity, January caseloads, and September-August tribunal years."""
    out: dict[str, dict[str, float | None]] = {}
    by: dict[str, dict[str, float]] = {}
    for (metric, period), v in j.counters.counts.items():
        by.setdefault(period, {})[metric] = v
    for period, d in sorted(by.items()):
        row: dict[str, float | None] = {}
        if "/" in period:
            for k in ("appeals_registered", "appeals_refusal_to_assess", "appeals_refusal_to_issue",
                      "appeals_contents", "appeals_placement", "appeals_cessation", "hearings"):
                row[k] = d.get(k, 0.0)
            dec = d.get("decided_for_family", 0.0) + d.get("decided_for_la", 0.0)
            row["decided_for_family_pct"] = _pct(d.get("decided_for_family", 0.0), dec)
        else:
            req = d.get("requests", 0.0)
            row["requests"] = req
            row["refused_pct"] = _pct(d.get("refused", 0.0), req)
            row["refused_by_request_year_pct"] = _pct(d.get("refused_by_request_year", 0.0), req)
            row["assessed_no_plan_pct"] = _pct(d.get("assessed_no_plan", 0.0),
                                               d.get("assessed_no_plan", 0.0) + d.get("decided_to_issue", 0.0))
            row["new_plans"] = d.get("new_plans", 0.0)
            row["within_20_weeks_pct"] = _pct(d.get("within_20_weeks_excl_exceptions", 0.0),
                                              d.get("new_plans_excl_exceptions", 0.0))
            row["over_1_year_pct"] = _pct(d.get("over_1_year_excl_exceptions", 0.0),
                                          d.get("new_plans_excl_exceptions", 0.0))
            row["mediations"] = d.get("mediations", 0.0)
            row["mediations_settled_pct"] = _pct(d.get("mediations_settled", 0.0), d.get("mediations", 0.0))
            row["appeals_registered"] = d.get("appeals_registered", 0.0)
            row["plans_ceased"] = d.get("plans_ceased", 0.0)
        out[period] = row
    for snap in j.snapshots:
        if snap["period"] != "end":
            out.setdefault(snap["period"], {})["plans_in_force_january"] = snap["plans_in_force_january"]
    return out


def bounds(metric: str) -> tuple[float, float]:
    """What a metric can be: every metric here is a count, a duration, a cost (>= 0) or a percentage (0-100)."""
    return (0.0, 100.0) if metric.endswith("_pct") else (0.0, math.inf)


def summarise(values: list[float | None], within: tuple[float, float] | None = None) -> dict[str, Any]:
    """Mean and 95% t-interval over replications (None where a replication had no value). With `within`, the
    interval is cut at what the metric can be (a count's interval from 2 replications can reach below 0)."""
    xs = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    n = len(xs)
    if n == 0:
        return {"mean": None, "ci95": [None, None], "n": 0}
    mean = sum(xs) / n
    if n == 1:
        return {"mean": _r(mean), "ci95": [None, None], "n": 1}
    var = sum((x - mean) ** 2 for x in xs) / (n - 1)
    half = t975(n - 1) * math.sqrt(var / n)
    lo, hi = mean - half, mean + half
    if within is not None:
        lo, hi = max(lo, within[0]), min(hi, within[1])
    return {"mean": _r(mean), "ci95": [_r(lo), _r(hi)], "n": n}


def _r(x: float) -> float:
    return float(f"{x:.6g}") if x == x else x


def aggregate(reps: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(reps[0]["metrics"])
    metrics = {k: summarise([r["metrics"].get(k) for r in reps], bounds(k)) for k in keys}
    periods = sorted({p for r in reps for p in r["by_period"]}, key=_period_key)
    by_period: dict[str, Any] = {}
    for p in periods:
        ks = sorted({k for r in reps for k in r["by_period"].get(p, {})})
        by_period[p] = {k: summarise([r["by_period"].get(p, {}).get(k) for r in reps], bounds(k)) for k in ks}
    return {"metrics": metrics, "by_period": by_period}


def _period_key(p: str) -> tuple[int, str]:
    return (int(p[:4]), p)
