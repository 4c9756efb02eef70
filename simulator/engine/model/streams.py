"""Every random decision of the journey, declared by name: the contract that keeps common random numbers.

A draw is a pure function of (seed, replication, stream name, child, occurrence) (`engine.core.streams`), so a
child meets the same number at the same decision under any rule set. A stream exists only if it is declared
here: a misspelt name is refused at once instead of silently making a new stream (which would break the pairing
between rule sets without changing any count). Renaming a stream changes every result that uses it: the golden
outputs (tests/golden/) catch it.

`RouteStreams` is the run's set of these streams (`Journey.rng`). In the compiled core (setup.py) it is an extension
type whose fields, one per name of `STREAMS` (streams.pxd lists them; a test checks that both lists agree), are typed
`Draw`: a compiled step's `self.rng.refuse_assess.u(...)` is a struct read and a C call, where a set of attributes
made by name costs an instance-dictionary look-up and a Python-level method call per draw.
"""

from __future__ import annotations

from ...schema.vocabulary import APPEAL_TYPES
from ..core.streams import Streams, StreamSet

# the child's attributes, drawn in bulk when children are created (Population._attributes)
ATTRIBUTE_STREAMS = ("age_band", "age", "preferred", "requester", "need", "on_s41", "capacity", "health", "social",
                     "exception")
# demand and the starting state
POPULATION_STREAMS = ("request_made", "stock_review", "dispute_at_start_child", "dispute_at_start_day", "sen_support")
# assessment, plan and placement
ROUTE_STREAMS = ("school_support_plan", "panel", "request_withdrawn", "refuse_assess", "school_advice", "ep_advice",
                 "health_advice", "social_advice", "decide_issue", "la_delay", "la_lateness", "la_carry", "assessment_withdrawn",
                 "assessment_lapsed", "no_plan", "draft", "consult", "finalise", "naming", "grounds", "on_list",
                 "place_start", "list_order", "outside_list", "mainstream_restricted", "isp_escalates", "isp_escalation_days")
# disputes, the redress ladder and the tribunal
REDRESS_STREAMS = ("contents_dispute", *(f"dispute_{k}" for k in APPEAL_TYPES), "mediation_chosen", "mediation_days",
                   "mediation_late", "mediation_late_days", "mediation_service", "mediation_settles", "review_days",
                   "review_resolves", "appeal_days", "appeal_end", "concede_early", "concede_time", "hearing_outcome",
                   "comply", "comply_late", "comply_late_days", "mediation_outcome", "mediation_wait", "drop_out",
                   "review_followed", "reconsideration_days", "extended_powers", "recommendation_made",
                   "recommendation_followed", "recommendation_days", "recommendation_late",
                   "recommendation_late_days", "complaint_days", "complaint_upheld", "ombudsman_days",
                   "ombudsman_fault")
# plans in force: annual reviews and phase transfers
REVIEW_STREAMS = ("review_late", "review_late_days", "review_decision", "review_outcome", "contents_dispute_review",
                  "transfer_late", "transfer_late_days", "transfer_preference", "step_down", "amendment_final",
                  "amendment_late", "amendment_late_days", "destination")

# plans transferred between authorities (route/moves.py): when a plan's family moves (occurrence: the plan's
# transfers so far) and to which authority of the run
MOVE_STREAMS = ("plan_move", "plan_move_destination")

STREAMS: tuple[str, ...] = (*ATTRIBUTE_STREAMS, *POPULATION_STREAMS, *ROUTE_STREAMS, *REDRESS_STREAMS,
                            *REVIEW_STREAMS, *MOVE_STREAMS)


class RouteStreams(StreamSet):
    """Every declared stream of the route as a field: `rng.refuse_assess.u(child)`; any other name is refused."""

    __slots__ = STREAMS

    def __init__(self, streams: Streams):
        super().__init__(streams, STREAMS)

# numpy generators for bulk draws (arrival times), by name
ARRIVALS, ARRIVALS_LEAD_IN = "arrivals", "arrivals_lead_in"
TRANSFERS_IN = "transfers_in"  # plans arriving from outside a run of one authority: count, days, setting, review
GENERATORS = (ARRIVALS, ARRIVALS_LEAD_IN, TRANSFERS_IN)

# Occurrence bands. A stream's occurrence counts the child's uses of it; one stream used by two decisions keeps
# them apart by band: the setting named at a phase transfer draws `naming` at TRANSFER_NAMING + transfers, the
# reconsideration after a remitted placement appeal at RECONSIDERATION_NAMING + disputes, so neither meets the
# draws of the first naming (occurrence 0) or of a review's renaming (occurrence = reviews + 1 < 100).
TRANSFER_NAMING = 100
RECONSIDERATION_NAMING = 200
# `la_carry`: whether a held child is held on into the next year (occurrence: disputes) and, released, when
# (CARRY_RELEASE + disputes)
CARRY_RELEASE = 100

# Streams drawn in bulk before the run (Population._prefetch_draws): the same numbers, only faster to read.
# The stock's first review (the decision draws at occurrence 1: the review count has gone up by then), with the
# number of occurrences read in bulk; the stock's first meeting and decision day are drawn in bulk in `populate`.
STOCK_REVIEW_PREFETCH = {"review_outcome": 2, "contents_dispute_review": 2, "transfer_late": 1,
                         "transfer_preference": 1}
# a new request's first pass through assessment, plan and placement (occurrence 0)
FIRST_PASS_PREFETCH = ("refuse_assess", "la_delay", "no_plan", "naming", "grounds", "contents_dispute",
                       "dispute_refusal_to_assess", "dispute_refusal_to_issue", "dispute_placement",
                       "request_withdrawn", "assessment_withdrawn", "assessment_lapsed")
# durations of the first pass (two occurrences: an Erlang-2 duration reads two uniforms)
FIRST_PASS_DURATION_PREFETCH = ("panel", "school_advice", "ep_advice", "health_advice", "social_advice",
                                "decide_issue", "draft", "consult", "finalise", "place_start")
