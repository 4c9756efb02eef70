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
          "phso", "administrative_court", "virtual_school_head", "regional_director", "local_send_partnership", "ofsted_cqc", "family")
REDRESS = ("tribunal_appeal", "tribunal_recommendation", "mediation", "complaint_school", "complaint_la",
           "complaint_nhs", "lgsco", "phso", "judicial_review", "independent_panel", "reconsideration_by_la")
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
