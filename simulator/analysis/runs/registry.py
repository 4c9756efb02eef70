"""The metric registry: every metric's name, label, unit, how it is computed and what kind of figure it is, and the
official figures (target metrics) the model is checked against and fitted to, with the kind of period each uses.

One list read by the run summary, compare, the tables, the backtest and calibration, so a metric is described once.
The computation is in `metrics.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...schema.vocabulary import APPEAL_TYPES, DESTINATIONS


@dataclass(frozen=True)
class Metric:
    """A headline metric of a run: over the horizon, one value per replication."""

    name: str
    label: str
    unit: str  # count, percent, weeks or GBP
    how: str
    kind: str = "total"  # total (a sum over the period), rate, duration, or end (the state at the end of the run)


METRICS: tuple[Metric, ...] = (
    Metric('requests', 'Requests for an EHC needs assessment', 'count',
           'requests received in the horizon (after warm-up)', 'total'),
    Metric('refused_pct', 'Requests refused (% of requests)', 'percent',
           'decisions not to assess / requests received (DfE SEN2)', 'rate'),
    Metric('refused_of_decided_pct', 'Requests refused (% of decisions whether to assess)', 'percent',
           'refusals / (refusals + decisions to assess): withdrawn requests and requests met by a school-level plan are not decisions', 'rate'),
    Metric('assessed_no_plan_pct', 'Assessed but no plan (% of assessments decided)', 'percent',
           'decisions not to issue / (decisions not to issue + decisions to issue) (SEN2)', 'rate'),
    Metric('new_plans', 'New EHC plans issued', 'count',
           'final plans issued in the horizon', 'total'),
    Metric('within_20_weeks_pct', 'New plans within 20 weeks (%, excl. exceptions)', 'percent',
           "plans issued within the final-plan limit / plans issued, excluding reg 10(4) exceptions and plans made after an appeal (DfE's headline)", 'rate'),
    Metric('weeks_to_final_plan_median', 'Weeks from request to final plan (median)', 'weeks',
           'median over new requests of weeks from the request to the final plan', 'duration'),
    Metric('weeks_to_final_plan_p90', 'Weeks from request to final plan (90th centile)', 'weeks',
           '90th centile over new requests of weeks from the request to the final plan', 'duration'),
    Metric('weeks_to_provision_median', 'Weeks from request to provision in place (median)', 'weeks',
           'median over new requests of weeks from the request to provision in place', 'duration'),
    Metric('weeks_to_provision_p90', 'Weeks from request to provision in place (90th centile)', 'weeks',
           '90th centile over new requests of weeks from the request to provision in place', 'duration'),
    Metric('weeks_without_provision_mean', 'Weeks without suitable provision after the final plan (mean per new plan)', 'weeks',
           'mean over new plans of weeks between the final plan (or a new setting) and a place', 'duration'),
    Metric('waiting_for_place_end', 'Children waiting for a place at the end', 'count',
           'children waiting for a place in a setting of finite capacity at the end', 'end'),
    Metric('placements_independent_special', 'Places taken up in independent or non-maintained special schools', 'count',
           'places taken up in an independent or non-maintained special school (a child moving in is counted each time)', 'total'),
    Metric('weeks_without_named_school_at_transfer_mean', 'Weeks without a named setting after the phase-transfer deadline (mean per transfer)', 'weeks',
           'weeks from the deadline (15 February, 31 March post-16) to the next setting being named, averaged over transfers (0 when on time)', 'duration'),
    Metric('weeks_awaiting_placement_mean', 'Weeks awaiting a placement from the start of the new phase (mean per transfer)', 'weeks',
           'weeks with a plan in force and no setting in place, from the 1 September a new phase begins to its setting starting, averaged over transfers (0 when in place on the day)', 'duration'),
    Metric('weeks_out_of_school_mean', 'Weeks out of school, with no education at all (mean per spell)', 'weeks',
           'weeks with no setting at all (a new phase begun without a place, or a child out of school), averaged over the spells in the run (no interim education is modelled)', 'duration'),
    Metric('disputes_ended', 'Disputes ended (every ending, giving up included)', 'count',
           'disputes ended in the horizon, however they ended: an agreement of any kind, a concession, the family accepting the LA\'s position, giving up or withdrawing, or a tribunal decision', 'total'),
    Metric('disputes_open_end', 'Disputes still open at the end', 'count',
           'disputes started and not yet ended when the run ends (counted, never dropped)', 'end'),
    *(Metric(f'disputes_ended_{e}_pct', f'Disputes ended {words} (% of disputes ended)', 'percent', f'disputes ended {how} / disputes ended', 'rate')
      for e, words, how in (
          ('for_family', "in the family's favour before a hearing", 'by an agreement for the family at mediation, a review the LA follows, or the LA conceding the appeal'),
          ('partial', 'with a partial agreement', 'by a mediated agreement giving less than the family sought'),
          ('accepted', "with the family accepting the LA's position", "at mediation, the family accepting the LA's position"),
          ('gave_up', 'with the family giving up', 'by the family giving up at a compelled step (mandatory mediation, an independent review) or withdrawing its appeal'),
          ('tribunal_for_family', 'by a tribunal decision for the family', "by the tribunal's decision wholly or partly for the family (no source splits the two)"),
          ('tribunal_for_la', 'by a tribunal decision for the LA', "by the tribunal's decision for the LA"))),
    *(Metric(f'disputes_gave_up_at_{r}', f'Disputes the family gave up at {words}', 'count', how, 'total')
      for r, words, how in (
          ('mediation', 'a compelled mediation', 'families who stopped instead of attending a mediation they were compelled to attend'),
          ('independent_review', 'a compelled independent review', 'families who stopped instead of going through a compulsory independent review'),
          ('tribunal', 'the tribunal (appeal withdrawn)', 'appeals withdrawn by the family before a hearing'))),
    Metric('weeks_dispute_to_end_median', 'Weeks from a disputed decision to the end of the dispute, every ending (median)', 'weeks',
           'median over disputes ended in the horizon of weeks from the decision disputed to the end of the dispute, however it ended (giving up and accepting the LA\'s position included: see weeks_dispute_to_remedy_* for outcomes in the family\'s favour)', 'duration'),
    Metric('weeks_dispute_to_end_mean', 'Weeks from a disputed decision to the end of the dispute, every ending (mean)', 'weeks',
           'mean of the same', 'duration'),
    Metric('weeks_dispute_to_end_p90', 'Weeks from a disputed decision to the end of the dispute, every ending (90th centile)', 'weeks',
           '90th centile of the same', 'duration'),
    *(Metric(f'weeks_dispute_to_end_median_{t}', f"Weeks from a disputed decision to the end of the dispute, every ending, {t.replace('_', ' ')} (median)", 'weeks',
             f'the median for disputes about a decision of type {t}, however they ended', 'duration')
      for t in APPEAL_TYPES),
    Metric('weeks_dispute_to_remedy_median', "Weeks from a disputed decision to an outcome in the family's favour (median)", 'weeks',
           "median over disputes ended in the family's favour or partly (an agreement, a concession, a review followed, a tribunal order) of weeks from the decision disputed to that outcome; giving up and accepting the LA's position are not remedies", 'duration'),
    Metric('weeks_dispute_to_remedy_mean', "Weeks from a disputed decision to an outcome in the family's favour (mean)", 'weeks',
           'mean of the same', 'duration'),
    Metric('weeks_dispute_to_remedy_p90', "Weeks from a disputed decision to an outcome in the family's favour (90th centile)", 'weeks',
           '90th centile of the same', 'duration'),
    Metric('weeks_dispute_to_appeal_lodged_median', 'Weeks from a disputed decision to the appeal being lodged (median)', 'weeks',
           'median over appeals lodged in the horizon of weeks from the decision disputed to the appeal: the time before the tribunal (mediation, the certificate, the family\'s own time); the first part of weeks_dispute_to_tribunal_decision, weeks_appeal_to_decision the second', 'duration'),
    Metric('weeks_dispute_to_appeal_lodged_mean', 'Weeks from a disputed decision to the appeal being lodged (mean)', 'weeks',
           'mean of the same', 'duration'),
    Metric('weeks_dispute_to_tribunal_decision_median', "Weeks from a disputed decision to the tribunal's decision (median)", 'weeks',
           "median, over disputes decided by the tribunal, of weeks from the decision disputed to the tribunal's decision: the time before the appeal (weeks_dispute_to_appeal_lodged) plus the tribunal's own (weeks_appeal_to_decision)", 'duration'),
    Metric('weeks_appeal_to_decision_median', "Weeks from the appeal being lodged to the tribunal's decision (median)", 'weeks',
           "median, over disputes decided by the tribunal, of weeks from the appeal to the decision: registration, the LA's response, the hearing queue (weeks_to_hearing) and the written decision", 'duration'),
    Metric('weeks_appeal_to_decision_mean', "Weeks from the appeal being lodged to the tribunal's decision (mean)", 'weeks',
           'mean of the same', 'duration'),
    Metric('mediations', 'Mediations held', 'count',
           'mediations held', 'total'),
    Metric('mediations_settled_pct', 'Mediations settled without an appeal (%)', 'percent',
           'mediations not followed by an appeal / mediations held', 'rate'),
    Metric('mediation_for_family_pct', 'Mediations ending in agreement for the family (% of mediations)', 'percent',
           "mediations ending in an agreement in the family's favour / mediations held", 'rate'),
    Metric('mediation_partial_pct', 'Mediations ending in a partial agreement (% of mediations)', 'percent',
           'mediations ending with less than the family sought / mediations held', 'rate'),
    Metric('mediation_family_accepts_pct', "Mediations ending with the family accepting the LA's position (% of mediations)", 'percent',
           "mediations where the family accepts the LA's position / mediations held", 'rate'),
    Metric('mediation_not_settled_pct', 'Mediations not settled (% of mediations)', 'percent',
           'mediations ending without agreement (a certificate; the family may appeal) / mediations held', 'rate'),
    Metric('mediations_compelled', 'Mediations held only because they were mandatory', 'count',
           'mediations of families who would not have chosen mediation', 'total'),
    Metric('mediation_limit_missed', 'Mediations not held within the 30-day limit (certificate issued)', 'count',
           'disputes where the LA missed the mediation limit and the family went on with a certificate', 'total'),
    Metric('dropped_out_at_rung', 'Families who gave up at a compulsory redress step', 'count',
           'families who gave up at a compulsory extra step (mandatory mediation, an independent review) instead of appealing', 'total'),
    Metric('appeals_registered', 'Appeals registered', 'count',
           'appeals registered with the tribunal', 'total'),
    Metric('appeals_refusal_to_assess', 'Appeals: refusal to assess', 'count',
           'appeals registered against a decision of type refusal_to_assess', 'total'),
    Metric('appeals_refusal_to_issue', 'Appeals: refusal to issue', 'count',
           'appeals registered against a decision of type refusal_to_issue', 'total'),
    Metric('appeals_contents', 'Appeals: contents', 'count',
           'appeals registered against a decision of type contents', 'total'),
    Metric('appeals_placement', 'Appeals: placement', 'count',
           'appeals registered against a decision of type placement', 'total'),
    Metric('appeals_cessation', 'Appeals: cessation', 'count',
           'appeals registered against a decision of type cessation', 'total'),
    Metric('conceded_before_hearing_pct', 'Appeals conceded by the LA before a hearing (% of appeals ended)', 'percent',
           'appeals conceded by the LA / appeals ended (conceded, withdrawn or heard)', 'rate'),
    Metric('withdrawn_pct', 'Appeals withdrawn by the family (% of appeals ended)', 'percent',
           'appeals withdrawn by the family / appeals ended', 'rate'),
    Metric('decided_for_family_pct', 'Hearings decided for the family (%)', 'percent',
           'hearings decided for the family / hearings decided', 'rate'),
    Metric('weeks_to_hearing_mean', 'Weeks from the appeal being lodged to the hearing (mean)', 'weeks',
           'mean weeks from the appeal being lodged to the hearing, over hearings: the hearing queue, the part of weeks_appeal_to_decision before the written decision', 'duration'),
    Metric('weeks_to_hearing_median', 'Weeks from the appeal being lodged to the hearing (median)', 'weeks',
           'median of the same', 'duration'),
    Metric('tribunal_recommendations_made', "Tribunal recommendations on health or social care", 'count',
           'recommendations the tribunal made on health or social care provision at a hearing of an education appeal (extended powers, non-binding)', 'total'),
    Metric('recommendations_answered_on_time_pct', 'Recommendations answered within 5 weeks (% of answers)', 'percent',
           "commissioners' written answers to a recommendation given within 5 weeks / answers given", 'rate'),
    Metric('recommendations_followed_pct', 'Recommendations followed (% of answers)', 'percent',
           'answers saying the commissioner will take the recommended steps / answers given (a refusal with reasons goes only to the PHSO, the LGSCO or judicial review)', 'rate'),
    Metric('tribunal_backlog_end', 'Tribunal backlog at the end (appeals)', 'count',
           'appeals waiting for or in a hearing at the end', 'end'),
    Metric('plans_in_force_end', 'Plans in force at the end', 'count',
           'plans in force at the end of the horizon', 'end'),
    Metric('plans_ceased', 'Plans ceased', 'count',
           'plans ceased in the horizon (not those transferred to another authority: SEN2 counts both)', 'total'),
    Metric('plans_transferred_out', 'Plans transferred to another authority', 'count',
           'plans moved with the family to another authority under SEND Regs 2014 reg 15, counted by the authority '
           'they left (SEN2 ceased_plans.csv column transfer)', 'total'),
    Metric('plans_transferred_in', 'Plans transferred in from another authority', 'count',
           'plans received from another authority under reg 15 (within the run, or from outside a run of one '
           'authority)', 'total'),
    *(Metric(f'plan_end_destination_{d}_pct', f"Plans ended at 16 or over: {d.replace('_', ' ')} (% of them)",
             'percent', f'young people leaving a plan at 16+ to {d.replace("_", " ")} / plans ended at 16+', 'rate')
      for d in DESTINATIONS),
    Metric('requests_in_progress_end', 'Requests still in progress at the end', 'count',
           'new requests with no outcome yet at the end', 'end'),
    Metric('school_support_plans', 'Requests met by a school-level support plan (no tribunal route)', 'count',
           "would-be requests met by a school-level support plan instead (a reform's route): not counted as requests for an EHC needs assessment", 'total'),
    Metric('isp_escalations', 'Requests for an assessment after a school-level plan', 'count',
           'children on a school-level plan whose family or school later asked for an EHC needs assessment (each counted once in requests, when it happens)', 'total'),
    Metric('requests_withdrawn', 'Requests withdrawn before the decision to assess', 'count',
           'requests withdrawn before the decision to assess', 'total'),
    Metric('assessments_ended_without_decision', 'Assessments withdrawn or lapsed before a decision whether to issue', 'count',
           'assessments withdrawn or lapsed before the decision whether to issue', 'total'),
    Metric('placement_outside_list_no_appeal', "Settings named outside the family's preference with no appeal", 'count',
           "settings named outside the family's preference where no appeal is possible", 'total'),
    Metric('independent_reviews', 'Independent reviews held', 'count',
           "independent reviews held (a reform's rung)", 'total'),
    Metric('cost_la_high_needs_gbp', 'Cost to the LA high-needs budget (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to la_high_needs (rule set's costs)", 'total'),
    Metric('cost_la_general_fund_gbp', 'Cost to the LA general fund (GBP)', 'GBP',
           "assessment, EP advice, mediation and tribunal work booked to the LA's general fund (errata.md 5)", 'total'),
    Metric('cost_school_notional_sen_gbp', "Cost to schools' notional SEN budgets (GBP)", 'GBP',
           "unit costs of process steps and yearly placement costs booked to school_notional_sen (rule set's costs)", 'total'),
    Metric('cost_integrated_care_board_gbp', 'Cost to integrated care boards (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to integrated_care_board (rule set's costs)", 'total'),
    Metric('cost_social_care_gbp', 'Cost to social care (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to social_care (rule set's costs)", 'total'),
    Metric('cost_tribunal_service_gbp', 'Cost to the tribunal service (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to tribunal_service (rule set's costs)", 'total'),
    Metric('cost_family_gbp', 'Cost to families (GBP)', 'GBP',
           "unit costs of process steps and yearly placement costs booked to family (rule set's costs)", 'total'),
    Metric('cost_total_gbp', 'Total cost (GBP)', 'GBP',
           'sum of the costs booked to every payer', 'total'),
    Metric('cost_per_child_gbp', 'Cost per child in the system (GBP)', 'GBP',
           'total cost / children in the system (plans in force at the start + requests received + requests met by a school-level plan and never escalated)', 'total'),
)
# figures only a comparison can make: the same disputes paired under both rule sets (common random numbers)
PAIRED_METRICS: tuple[Metric, ...] = (
    Metric('disputes_compelled_unsettled', 'Disputes through a compelled mediation that did not settle', 'count',
           'disputes ended in the horizon that went through a mediation the family was compelled to attend and that did not settle (under each rule set; the group paired below is the second rule set\'s)', 'total'),
    Metric('weeks_dispute_to_tribunal_decision_compelled_unsettled_mean',
           "Weeks from a disputed decision to the tribunal's decision, disputes compelled to mediate that did not settle (mean, the same disputes under each rule set)", 'weeks',
           "mean weeks from the decision disputed to the tribunal's decision over the disputes that went through a compelled mediation that did not settle under the second rule set, and the same children's same disputes under the first (pairs decided by the tribunal under both)", 'duration'),
)
REGISTRY: dict[str, Metric] = {m.name: m for m in METRICS}
METRIC_LABELS: dict[str, str] = {m.name: m.label for m in (*METRICS, *PAIRED_METRICS)}


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
