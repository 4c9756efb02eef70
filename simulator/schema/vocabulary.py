"""The words every layer shares: settings, requesters, needs, appeal types, bodies, redress, payers, rungs, steps.

One module, so a name is spelled once: the schemas validate files against these, the rules compile them, the
engine stamps events with them and the analysis reads them back. Adding a setting or a body is one edit here
(and the data that describes it); a typo anywhere else is a validation error, not a silently new category.
"""

from __future__ import annotations

from typing import Literal

Requester = Literal["school", "parent", "young_person", "other"]
Setting = Literal[
    "mainstream", "resourced_provision", "maintained_special", "independent_special", "post16",
    "alternative_provision",
]
AgeBand = Literal["under_5", "age_5_10", "age_11_15", "age_16_19", "age_20_25"]
Need = Literal["ASD", "SLCN", "SEMH", "MLD", "SpLD", "SLD", "PMLD", "PD", "HI", "VI", "MSI", "other"]
RedressCapacity = Literal["high", "medium", "low"]
AppealType = Literal["refusal_to_assess", "refusal_to_issue", "contents", "placement", "cessation"]

SETTINGS: tuple[str, ...] = Setting.__args__  # type: ignore[attr-defined]
APPEAL_TYPES: tuple[str, ...] = AppealType.__args__  # type: ignore[attr-defined]
REQUESTERS: tuple[str, ...] = Requester.__args__  # type: ignore[attr-defined]
AGE_BANDS: tuple[str, ...] = AgeBand.__args__  # type: ignore[attr-defined]
NEEDS: tuple[str, ...] = Need.__args__  # type: ignore[attr-defined]
CAPACITIES: tuple[str, ...] = RedressCapacity.__args__  # type: ignore[attr-defined]
# education phases, for results by phase (a child's phase when the route begins: the request, or the run's start
# for a plan already in force); the ages at which each ends are in `engine.model.child.PHASE_ENDS`
PHASES: tuple[str, ...] = ("early_years", "primary", "secondary", "post16", "post19")

# bodies of the accountability map, the routes of redress, and who pays
BODIES = ("local_authority", "educational_psychology_service", "school_or_setting", "integrated_care_board",
          "social_care", "adult_social_care", "mediation_service", "independent_review_panel", "tribunal", "lgsco",
          "phso", "administrative_court", "virtual_school_head", "regional_director", "local_send_partnership", "ofsted_cqc", "family",
          "nhs_england")
REDRESS = ("tribunal_appeal", "tribunal_recommendation", "mediation", "complaint_school", "complaint_la",
           "complaint_nhs", "lgsco", "phso", "judicial_review", "independent_panel", "reconsideration_by_la",
           "direct_payment_review")
# la_general_fund: the LA's own budget for SEN administration (assessments, EP advice, mediation, tribunal work);
# la_high_needs: the high-needs block of the Dedicated Schools Grant, which funds provision (errata.md 5)
PAYERS = ("la_high_needs", "la_general_fund", "school_notional_sen", "integrated_care_board", "social_care",
          "tribunal_service", "family")
PAYER_IDS = PAYERS  # the accountability map's name for the same list
Body = Literal[BODIES]  # type: ignore[valid-type]
RedressRoute = Literal[REDRESS]  # type: ignore[valid-type]
Payer = Literal[PAYERS]  # type: ignore[valid-type]

# the rungs of the redress ladder a rule set may put in force (the tribunal is always the last)
Rung = Literal["mediation_advice", "mediation", "independent_review", "tribunal"]
RUNGS: tuple[str, ...] = Rung.__args__  # type: ignore[attr-defined]

# how a mediation ends: an agreement in the family's favour, a partial agreement (less than the family sought), the
# family accepting the LA's position, or no settlement (a certificate, then the family may appeal); DfE's "settled"
# (not followed by an appeal) is the first three together (errata.md 2)
MEDIATION_OUTCOMES = ("for_family", "partial", "family_accepts", "not_settled")

# where a young person goes when a plan ends at 16 or over (the seed: outcomes beyond further education, training or
# work, such as independent or supported living); each has its duty holder and redress in the accountability map
Destination = Literal["employment", "further_or_higher_education", "supported_living", "adult_social_care",
                      "no_provision"]
DESTINATIONS: tuple[str, ...] = Destination.__args__  # type: ignore[attr-defined]

# the groups every metric is also reported by (summary.json and compare: `by_group`)
GROUP_DIMENSIONS = ("redress_capacity", "requester", "primary_need")

# who acts in an event of the journey (stamped on every event row): the map's bodies, and the setting named
LA, EPS, ICB, SOCIAL, SCHOOL, FAMILY, MEDIATION, TRIBUNAL, SETTING = (
    "local_authority", "educational_psychology_service", "integrated_care_board", "social_care",
    "school_or_setting", "family", "mediation_service", "tribunal", "named_setting")

# a child with two authorities (engine/model/route/moves.py): the family moves, or a looked-after child is placed in
# another area; the plan transfers (SEND Regs 2014 reg 15) and the new authority tells the family what it will do
MOVE_STEPS = ("moved_authority", "plan_transfer", "transfer_notice")
# the roles an authority holds for a child with two (a case study's `authorities`; the map's roles by authority)
AuthorityRole = Literal["home", "host"]

# every step the journey records; the accountability map of each rule set must describe each one
STEPS = (
    "sen_support", "request", "school_support_plan", "decide_to_assess", "school_advice", "psychological_advice",
    "health_advice", "social_care_advice", "decide_to_issue", "draft_plan", "family_comments", "name_setting",
    "name_setting_outside_list", "final_plan", "provision", "redress", "mediation_advice", "mediation",
    "mediation_certificate", "independent_review", "appeal", "hearing", "tribunal_decision",
    "tribunal_recommendation", "recommendation_response", "comply",
    "reconsideration", "health_mediation", "education_out_of_school", "annual_review", "amended_plan", "phase_transfer", "cessation", "cessation_post19", "plan_end_25",
    *MOVE_STEPS,
    *(f"destination_{d}" for d in DESTINATIONS),
)

# rule-set parameter units other than durations (durations: schema.units.TIME_UNITS)
OTHER_UNITS = ("flag", "date", "settings", "choice", "appeal_types", "probability", "multiplier", "gbp_per_year",
               "gbp", "servers_per_1000_requests", "scenario_field", "payer", "iso_date", "year_group")

# Where a child with a plan is educated other than at a school the plan names, and the plan's content (issue 25).
# elective home education (CFA s.42(5)), education otherwise than in a school (s.61), hospital education (Education
# Act 1996 s.19) and youth custody (CFA Part 3 ss.70-75); each has its steps in `engine.model.route.elsewhere`
Arrangement = Literal["elective_home_education", "otherwise_than_in_school", "hospital", "youth_custody"]
ARRANGEMENTS: tuple[str, ...] = Arrangement.__args__  # type: ignore[attr-defined]
NHS_ENGLAND = "nhs_england"  # the health services commissioner for children in custody (CFA s.75(3), s.70)
# who pays, as the map may name it: NHS England pays for health care in custody (no cost is booked for it, so it is
# not one of the run's cost metrics, PAYERS)
MAP_PAYERS = (*PAYERS, NHS_ENGLAND)
MapPayer = Literal[MAP_PAYERS]  # type: ignore[valid-type]
# how strong a duty holder's duty is at a step, as the map names it: absolute (CFA s.42(2)-(3): must secure), lifted
# (s.42(5): the parents' suitable arrangements), "appropriate" (s.75: best endeavours to arrange appropriate
# provision), recommendation (the commissioner need only answer in writing: errata.md 1)
DutyStrength = Literal["absolute", "lifted", "appropriate", "recommendation"]
# the sections of an EHC plan a case file may list items in (SEND Regs 2014 reg 12(1)): B-D needs, E outcomes,
# F-H2 provision, I the setting, J the personal budget; the tribunal orders on B, F and I (CFA s.51(2)) and may only
# recommend on C, D, G, H1 and H2 (errata.md 1)
PlanSection = Literal["B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J"]
ORDER_SECTIONS = ("B", "F", "I")
RECOMMEND_SECTIONS = ("C", "D", "G", "H1", "H2")
STEPS = (*STEPS, "elective_home_education", "education_otherwise", "hospital_education", "youth_custody",
         "custody_health", "custody_remand", "custody_release", "plan_item_dispute", "section_order",
         "personal_budget", "direct_payment", "direct_payment_review", "direct_payment_redress",
         # a contents dispute with no item in B, F or I: no tribunal route (CFA s.51(2)); route/content.py
         "complaint_no_tribunal", "phso_no_tribunal", "lgsco_no_tribunal")
