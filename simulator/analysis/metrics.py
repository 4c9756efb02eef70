"""The metric registry, and the metrics of one replication computed from its counts and children.

Every metric has one entry: its name, label, unit and how it is computed, and, for the official figures the model
is checked against, the period kind and the target's name (`../shared/domain/calibration_targets.csv`). The run
summary, compare, the backtest and calibration all read these entries, never their own copies.

Definitions follow the official statistics where one exists:
- `refused_pct`: requests the LA decided not to assess, as a % of requests received (DfE SEN2);
- `assessed_no_plan_pct`: decisions not to issue, as a % of decisions after assessment (SEN2);
- `within_20_weeks_pct`: new plans issued within the final-plan limit (20 weeks in current law) of the request,
  excluding the regulation 10(4) exception cases and plans made after an appeal (as DfE's headline figure);
- appeals are counted when registered; the tribunal's own figures use September-August years.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.core.calendar import Calendar
from ..engine.model import records as rc
from ..engine.model.journey import Journey
from ..schema.units import DAYS_PER_WEEK
from ..schema.vocabulary import PAYERS


@dataclass(frozen=True)
class Metric:
    """A headline metric of a run: over the horizon, one value per replication."""

    name: str
    label: str
    unit: str  # count, percent, weeks or GBP
    how: str


METRICS: tuple[Metric, ...] = (
    Metric('requests', 'Requests for an EHC needs assessment', 'count',
           'requests received in the horizon (after warm-up)'),
    Metric('refused_pct', 'Requests refused (% of requests)', 'percent',
           'decisions not to assess / requests received (DfE SEN2)'),
    Metric('assessed_no_plan_pct', 'Assessed but no plan (% of assessments decided)', 'percent',
           'decisions not to issue / (decisions not to issue + decisions to issue) (SEN2)'),
    Metric('new_plans', 'New EHC plans issued', 'count',
           'final plans issued in the horizon'),
    Metric('within_20_weeks_pct', 'New plans within 20 weeks (%, excl. exceptions)', 'percent',
           "plans issued within the final-plan limit / plans issued, excluding reg 10(4) exceptions and plans made after an appeal (DfE's headline)"),
    Metric('weeks_to_final_plan_median', 'Weeks from request to final plan (median)', 'weeks',
           'median over new requests of weeks from the request to the final plan'),
    Metric('weeks_to_final_plan_p90', 'Weeks from request to final plan (90th centile)', 'weeks',
           '90th centile over new requests of weeks from the request to the final plan'),
    Metric('weeks_to_provision_median', 'Weeks from request to provision in place (median)', 'weeks',
           'median over new requests of weeks from the request to provision in place'),
    Metric('weeks_to_provision_p90', 'Weeks from request to provision in place (90th centile)', 'weeks',
           '90th centile over new requests of weeks from the request to provision in place'),
    Metric('weeks_without_provision_mean', 'Weeks without suitable provision after the final plan (mean per new plan)', 'weeks',
           'mean over new plans of weeks between the final plan (or a new setting) and a place'),
    Metric('waiting_for_place_end', 'Children waiting for a place at the end', 'count',
           'children waiting for a place in a setting of finite capacity at the end'),
    Metric('mediations', 'Mediations held', 'count',
           'mediations held'),
    Metric('mediations_settled_pct', 'Mediations settled without an appeal (%)', 'percent',
           'mediations not followed by an appeal / mediations held'),
    Metric('appeals_registered', 'Appeals registered', 'count',
           'appeals registered with the tribunal'),
    Metric('appeals_refusal_to_assess', 'Appeals: refusal to assess', 'count',
           'appeals registered against a decision of type refusal_to_assess'),
    Metric('appeals_refusal_to_issue', 'Appeals: refusal to issue', 'count',
           'appeals registered against a decision of type refusal_to_issue'),
    Metric('appeals_contents', 'Appeals: contents', 'count',
           'appeals registered against a decision of type contents'),
    Metric('appeals_placement', 'Appeals: placement', 'count',
           'appeals registered against a decision of type placement'),
    Metric('appeals_cessation', 'Appeals: cessation', 'count',
           'appeals registered against a decision of type cessation'),
    Metric('conceded_before_hearing_pct', 'Appeals conceded by the LA before a hearing (% of appeals ended)', 'percent',
           'appeals conceded by the LA / appeals ended (conceded, withdrawn or heard)'),
    Metric('withdrawn_pct', 'Appeals withdrawn by the family (% of appeals ended)', 'percent',
           'appeals withdrawn by the family / appeals ended'),
    Metric('decided_for_family_pct', 'Hearings decided for the family (%)', 'percent',
           'hearings decided for the family / hearings decided'),
    Metric('weeks_to_hearing_mean', 'Weeks from registration to hearing (mean)', 'weeks',
           'mean weeks from registration to the hearing, over hearings'),
    Metric('tribunal_backlog_end', 'Tribunal backlog at the end (appeals)', 'count',
           'appeals waiting for or in a hearing at the end'),
    Metric('plans_in_force_end', 'Plans in force at the end', 'count',
           'plans in force at the end of the horizon'),
    Metric('plans_ceased', 'Plans ceased', 'count',
           'plans ceased in the horizon'),
    Metric('requests_in_progress_end', 'Requests still in progress at the end', 'count',
           'new requests with no outcome yet at the end'),
    Metric('school_support_plans', 'Requests met by a school-level support plan (no tribunal route)', 'count',
           "requests met by a school-level support plan (a reform's route)"),
    Metric('requests_withdrawn', 'Requests withdrawn before the decision to assess', 'count',
           'requests withdrawn before the decision to assess'),
    Metric('assessments_ended_without_decision', 'Assessments withdrawn or lapsed before a decision whether to issue', 'count',
           'assessments withdrawn or lapsed before the decision whether to issue'),
    Metric('placement_outside_list_no_appeal', "Settings named outside the family's preference with no appeal", 'count',
           "settings named outside the family's preference where no appeal is possible"),
    Metric('independent_reviews', 'Independent reviews held', 'count',
           "independent reviews held (a reform's rung)"),
    Metric('cost_la_high_needs_gbp', 'Cost to the LA high-needs budget (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to la_high_needs (rule set's costs)"),
    Metric('cost_school_notional_sen_gbp', "Cost to schools' notional SEN budgets (GBP)", 'GBP',
           "unit costs of process steps and yearly placement costs booked to school_notional_sen (rule set's costs)"),
    Metric('cost_integrated_care_board_gbp', 'Cost to integrated care boards (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to integrated_care_board (rule set's costs)"),
    Metric('cost_social_care_gbp', 'Cost to social care (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to social_care (rule set's costs)"),
    Metric('cost_tribunal_service_gbp', 'Cost to the tribunal service (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to tribunal_service (rule set's costs)"),
    Metric('cost_family_gbp', 'Cost to families (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to family (rule set's costs)"),
    Metric('cost_total_gbp', 'Total cost (GBP)', 'GBP',
           'sum of the costs booked to every payer'),
    Metric('cost_per_child_gbp', 'Cost per child in the system (GBP)', 'GBP',
           'total cost / (plans in force at the start + requests received)'),
)
REGISTRY: dict[str, Metric] = {m.name: m for m in METRICS}
METRIC_LABELS: dict[str, str] = {m.name: m.label for m in METRICS}


def _pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def _q(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if values.size else None




# ---------------------------------------------------------------------------------------------- official figures
def _opt_pct(num: float | None, den: float | None) -> float | None:
    return 100.0 * num / den if num is not None and den else None


def _get(key: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda row: row.get(key)


def _share(key: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda row: _opt_pct(row.get(key), row.get("appeals_registered"))


def _followed(row: dict[str, Any]) -> float | None:
    s = row.get("mediations_settled_pct")
    return None if s is None else 100.0 - s


@dataclass(frozen=True)
class TargetMetric:
    """An official figure the model is checked against (backtest) and fitted to (calibrate): the kind of period it
    uses (calendar year, January caseload or September-August year), its label, and how it is read from one
    replication's period row (`period_metrics`)."""

    kind: str  # "calendar", "january" or "academic"
    label: str
    value: Callable[[dict[str, Any]], float | None]


TARGET_METRICS: dict[str, TargetMetric] = {
    "initial_requests_for_assessment": TargetMetric("calendar", "Requests for assessment", _get("requests")),
    "requests_refused_pct": TargetMetric("calendar", "Requests refused (%)", _get("refused_by_request_year_pct")),
    "assessed_no_plan_pct": TargetMetric("calendar", "Assessed, no plan (%)", _get("assessed_no_plan_pct")),
    "new_plans_issued": TargetMetric("calendar", "New plans issued", _get("new_plans")),
    "within_20_weeks_pct": TargetMetric("calendar", "New plans within 20 weeks (%)", _get("within_20_weeks_pct")),
    "plans_issued_over_1_year_pct": TargetMetric("calendar", "New plans taking over a year (%)",
                                               _get("over_1_year_pct")),
    "plans_in_force_january": TargetMetric("january", "Plans in force in January", _get("plans_in_force_january")),
    "tribunal_appeals_registered": TargetMetric("academic", "Appeals registered", _get("appeals_registered")),
    "tribunal_appeals_registered_calendar": TargetMetric("calendar", "Appeals registered (calendar)",
                                                       _get("appeals_registered")),
    "tribunal_decided_in_favour_pct": TargetMetric("academic", "Hearings decided for the family (%)",
                                                 _get("decided_for_family_pct")),
    "tribunal_appeals_refusal_to_assess_pct": TargetMetric("academic", "Appeals: refusal to assess (%)",
                                                         _share("appeals_refusal_to_assess")),
    "tribunal_appeals_refusal_to_issue_pct": TargetMetric("academic", "Appeals: refusal to issue (%)",
                                                        _share("appeals_refusal_to_issue")),
    "tribunal_appeals_contents_pct": TargetMetric("academic", "Appeals: contents (%)", _share("appeals_contents")),
    "tribunal_appeals_placement_pct": TargetMetric("academic", "Appeals: placement (%)", _share("appeals_placement")),
    "tribunal_appeals_reaching_decision_pct": TargetMetric("academic", "Appeals reaching a hearing (%)",
                                                         _share("hearings")),
    "mediation_cases_held": TargetMetric("calendar", "Mediations held", _get("mediations")),
    "mediation_settled_without_tribunal_pct": TargetMetric("calendar", "Mediations settled (%)",
                                                         _get("mediations_settled_pct")),
    "mediation_followed_by_appeal_pct": TargetMetric("calendar", "Mediations followed by appeal (%)", _followed),
}
# per-authority metrics, from the authority's own counters (see `la_period_metrics`)
LA_METRICS = ("initial_requests_for_assessment", "requests_refused_pct", "new_plans_issued", "within_20_weeks_pct",
              "plans_in_force_january")


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
    ended = total(rc.APPEALS_CONCEDED) + total(rc.APPEALS_WITHDRAWN) + total(rc.HEARINGS)
    hearings = total(rc.HEARINGS)
    snap_end = j.snapshots[-1]
    m: dict[str, Any] = {
        "requests": total(rc.REQUESTS),
        "refused_pct": _pct(total(rc.REFUSED), total(rc.REQUESTS)),
        "assessed_no_plan_pct": _pct(total(rc.ASSESSED_NO_PLAN), total(rc.ASSESSED_NO_PLAN) + total(rc.DECIDED_TO_ISSUE)),
        "new_plans": total(rc.NEW_PLANS),
        "within_20_weeks_pct": _pct(total(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS), total(rc.NEW_PLANS_EXCL_EXCEPTIONS)),
        "weeks_to_final_plan_median": _q(final, 0.5),
        "weeks_to_final_plan_p90": _q(final, 0.9),
        "weeks_to_provision_median": _q(prov, 0.5),
        "weeks_to_provision_p90": _q(prov, 0.9),
        "weeks_without_provision_mean": (sum(without) / len(without) / DAYS_PER_WEEK) if without else None,
        "waiting_for_place_end": snap_end["waiting_for_place"],
        "mediations": total(rc.MEDIATIONS),
        "mediations_settled_pct": _pct(total(rc.MEDIATIONS_SETTLED), total(rc.MEDIATIONS)),
        "appeals_registered": total(rc.APPEALS_REGISTERED),
        "appeals_refusal_to_assess": total(rc.APPEALS_BY_TYPE["refusal_to_assess"]),
        "appeals_refusal_to_issue": total(rc.APPEALS_BY_TYPE["refusal_to_issue"]),
        "appeals_contents": total(rc.APPEALS_BY_TYPE["contents"]),
        "appeals_placement": total(rc.APPEALS_BY_TYPE["placement"]),
        "appeals_cessation": total(rc.APPEALS_BY_TYPE["cessation"]),
        "conceded_before_hearing_pct": _pct(total(rc.APPEALS_CONCEDED), ended),
        "withdrawn_pct": _pct(total(rc.APPEALS_WITHDRAWN), ended),
        "decided_for_family_pct": _pct(total(rc.DECIDED_FOR_FAMILY), total(rc.DECIDED_FOR_FAMILY)
                                       + total(rc.DECIDED_FOR_LA)),
        "weeks_to_hearing_mean": (total(rc.WEEKS_TO_HEARING_SUM) / hearings) if hearings else None,
        "tribunal_backlog_end": snap_end["tribunal_backlog"],
        "plans_in_force_end": snap_end["plans_in_force_january"],
        "plans_ceased": total(rc.PLANS_CEASED),
        "requests_in_progress_end": sum(1 for c in new if c.status == "in_progress"),
        "school_support_plans": total(rc.SCHOOL_SUPPORT_PLANS),
        "requests_withdrawn": total(rc.REQUEST_WITHDRAWN),
        "assessments_ended_without_decision": total(rc.ASSESSMENT_WITHDRAWN) + total(rc.ASSESSMENT_LAPSED),
        "placement_outside_list_no_appeal": total(rc.PLACEMENT_OUTSIDE_LIST_NO_APPEAL),
        "independent_reviews": total(rc.INDEPENDENT_REVIEWS),
    }
    served = j.n_stock + total(rc.REQUESTS)
    cost_total = 0.0
    for payer in PAYERS:
        v = total(rc.COST_BY_PAYER[payer])
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
            for k in (rc.APPEALS_REGISTERED, *rc.APPEALS_BY_TYPE.values(), rc.HEARINGS):
                row[k] = d.get(k, 0.0)
            dec = d.get(rc.DECIDED_FOR_FAMILY, 0.0) + d.get(rc.DECIDED_FOR_LA, 0.0)
            row["decided_for_family_pct"] = _pct(d.get(rc.DECIDED_FOR_FAMILY, 0.0), dec)
        else:
            req = d.get(rc.REQUESTS, 0.0)
            row["requests"] = req
            row["refused_pct"] = _pct(d.get(rc.REFUSED, 0.0), req)
            row["refused_by_request_year_pct"] = _pct(d.get(rc.REFUSED_BY_REQUEST_YEAR, 0.0), req)
            row["assessed_no_plan_pct"] = _pct(d.get(rc.ASSESSED_NO_PLAN, 0.0),
                                               d.get(rc.ASSESSED_NO_PLAN, 0.0) + d.get(rc.DECIDED_TO_ISSUE, 0.0))
            row["new_plans"] = d.get(rc.NEW_PLANS, 0.0)
            row["within_20_weeks_pct"] = _pct(d.get(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS, 0.0),
                                              d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))
            row["over_1_year_pct"] = _pct(d.get(rc.OVER_1_YEAR_EXCL_EXCEPTIONS, 0.0),
                                          d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))
            row["mediations"] = d.get(rc.MEDIATIONS, 0.0)
            row["mediations_settled_pct"] = _pct(d.get(rc.MEDIATIONS_SETTLED, 0.0), d.get(rc.MEDIATIONS, 0.0))
            row["appeals_registered"] = d.get(rc.APPEALS_REGISTERED, 0.0)
            row["plans_ceased"] = d.get(rc.PLANS_CEASED, 0.0)
        out[period] = row
    for snap in j.snapshots:
        if snap["period"] != "end":
            out.setdefault(snap["period"], {})["plans_in_force_january"] = snap["plans_in_force_january"]
    return out


def bounds(metric: str) -> tuple[float, float]:
    """What a metric can be: every metric here is a count, a duration, a cost (>= 0) or a percentage (0-100)."""


def la_period_metrics(j: Journey) -> dict[str, dict[str, dict[str, float | None]]]:
    """Each authority's own calendar-year figures and January caseloads, from its counters and its children."""
    by: dict[int, dict[str, dict[str, float]]] = {}
    for (la, metric, period), v in j.counters.la_counts.items():
        by.setdefault(la, {}).setdefault(period, {})[metric] = v
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    codes = [la.spec.code for la in j.las]
    for idx, periods in by.items():
        code = codes[idx]
        rows = out.setdefault(code, {})
        for period, d in periods.items():
            req = d.get(rc.REQUESTS, 0.0)
            rows[period] = {"requests": req, "refused_by_request_year_pct": _pct(d.get(rc.REFUSED, 0.0), req),
                            "new_plans": d.get(rc.NEW_PLANS, 0.0),
                            "within_20_weeks_pct": _pct(d.get(rc.WITHIN_LIMIT_EXCL_EXCEPTIONS, 0.0),
                                                        d.get(rc.NEW_PLANS_EXCL_EXCEPTIONS, 0.0))}
    cal = Calendar(j.sc.start_date, j.sc.end_date)
    januaries = [(y, d) for y, d in cal.year_starts() if 0.0 <= d <= j.horizon]
    counts = {code: [0] * len(januaries) for code in codes}
    for c in j.children:
        if c.stock:
            start = 0.0
        elif c.final_at == c.final_at and c.final_at >= 0.0 and c.status in ("plan", "ceased"):
            start = c.final_at
        else:
            continue
        end = c.ceased_at if c.ceased_at == c.ceased_at else math.inf
        row = counts[codes[c.la]]
        for k, (_, day) in enumerate(januaries):
            if start <= day < end:
                row[k] += 1
    for code, row in counts.items():
        for k, (y, _) in enumerate(januaries):
            out.setdefault(code, {}).setdefault(str(y), {})["plans_in_force_january"] = row[k]
    return out
