"""The state of one replication that the route's steps read and write: the `Journey`'s data, as slots.

Why a class of its own: `Journey` is a Python class made of the stages' mixins (route/*.py, population.py, ...),
so its state lives in an instance dictionary, and every `self.engine`, `self.rng`, `self.counters` of a step is a
dictionary look-up. In the compiled core (setup.py) this class is an extension type (state.pxd) whose fields are C
struct slots, `Journey`'s base; the steps declare `self` as it (`@cython.locals(self=RunState, ...)`), so a field
read is a struct read. In pure Python it is a slotted base class, read by CPython's specialised slot access. Every
field stays a Python object (the same values, of the same types, on both paths). The names are every attribute the
steps assign on `self` (a test checks that none is left out); anything else set on a journey (a test's stand-in,
`Recorder.log` as `log`) goes to its instance dictionary as before.

Three methods that every stage calls live here too, `duration`, `pinned` and `log`: compiled, they are methods of
the extension type (state.pxd), so a step's `self.duration(...)` is a C call through the type's method table instead
of a Python method look-up on the `Journey` (`journey.py` defines none of them). For a run whose recorder is a
`Recorder`, compiled, `log` calls `Recorder.log` in C (`_log_to`); otherwise (pure Python, or a case study's
`_log_one_child`) `log` is replaced by an entry of the journey's instance dictionary: a compiled call of a `cpdef`
method looks for such an override and calls it (through Python).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.streams import Draw
    from .child import Child

# the distributions of a duration, by code (`RunState._dur`): anything else is a fixed time
FIXED, ERLANG2, EXPONENTIAL = 0, 1, 2
SHAPE_CODES = {"erlang2": ERLANG2, "exponential": EXPONENTIAL}

FIRST_ONLY = "__first_only__"  # the key, in a child's pins, of the pins that hold for their first occurrence only


class RunState:
    """The data of one replication's `Journey` (set by `Journey.__init__` and the steps)."""

    __slots__ = (
        "_cb_advice_in", "_cb_amended_plan_issued", "_cb_annual_review", "_cb_arrive", "_cb_consult_setting",
        "_cb_decide_to_assess", "_cb_decide_to_issue", "_cb_decision_stands", "_cb_draw_plan_move",
        "_cb_end_dispute", "_cb_end_spells_without_place", "_cb_ep_in", "_cb_family_moves", "_cb_finalise_plan",
        "_cb_health_in", "_cb_identify_need", "_cb_issue_draft", "_cb_la_alternative", "_cb_name_setting",
        "_cb_next_term", "_cb_phase_transfer", "_cb_place_granted", "_cb_plan_arrives", "_cb_plan_end_25",
        "_cb_provision_in_place", "_cb_review_meeting_only", "_cb_review_superseded", "_cb_social_in",
        "_cb_taken_up", "_cb_term_starts", "_cb_transfer_named", "_cb_write_draft",
        "_accrue_from", "_add_row", "_amend_late_days", "_arr_i", "_arrivals", "_commence_days", "_costs",
        "_destination_cum", "_dur", "_extra", "_late_shares", "_log_to", "_n_arrived", "_n_generated", "_new_rows", "_p_amend",
        "_p_amend_late", "_p_cease_by_band", "_p_decided", "_p_isp", "_p_late_comply", "_p_move_to_special",
        "_p_review_late", "_p_step_down", "_p_transfer_late", "_transfer_late_days", "_placement_costs", "_pt", "_pt_cum", "_pt_dest", "_pt_end", "_pt_knots",
        "_pt_learned", "_pt_open", "_pt_rates", "_pt_weights", "_review_costs", "_review_every",
        "_review_every_under5", "_review_late_days", "_shape", "_transfers", "_transfer_septs", "_triple_lock",
        "_windows", "_lapse_span",
        "appeals_lodged", "cal", "cap_mult", "children", "counters", "cum_age_request", "cum_age_stock",
        "cum_capacity", "cum_grounds", "cum_need", "cum_pref_post16", "cum_pref_school", "cum_requester", "d",
        "disputes_ended", "engine", "fx", "grounds", "group_index", "hearing_days", "hearings_held", "horizon",
        "inv_delay_shape", "las", "law", "law_advice_days", "law_decide_to_assess_days",
        "law_decide_to_issue_days", "law_draft_comment_days", "law_final_plan_days", "law_mainstream_presumption",
        "law_plan_end", "law_plan_end_age", "law_review_decision_days", "law_s39_settings", "law_s9_regard_only",
        "law_tailored_list", "fx_protect_special_places", "fx_reviews_at_transfer_only", "law_schedule", "lead_in", "n_stock", "national_refusal", "needs",
        "p_cease", "p_dispute", "p_drop_out", "p_exception", "p_health", "p_lapse", "p_refuse_s9",
        "p_refuse_setting", "p_s41", "p_social", "p_withdraw_assessment", "p_withdraw_request", "plans_ceased",
        "plans_in_force", "rec", "refusal_rr", "resolves", "rng", "sc", "snapshots", "special_growth", "streams",
        "tribunal", "warmup",
    )

    def duration(self, name: str, stream: Draw, child: int, occurrence: int = 0) -> float:
        """A working time from the scenario's `durations.<name>` with its stated distribution (`_dur`: the
        distribution's code and the mean, from `_shape` and `d`, in one look-up)."""
        kind, mean = self._dur[name]
        if kind == 1:  # ERLANG2 (the codes as literals: a C comparison, compiled)
            return stream.gamma2(mean, child, occurrence)
        if kind == 2:  # EXPONENTIAL
            return stream.exponential(mean, child, occurrence)
        return mean

    def pinned(self, c: Child, key: str) -> Any:
        """The outcome a case study fixes for this decision, or None to draw it."""
        if c.pins is None:
            return None
        value = c.pins.get(key)
        if value is not None and key in c.pins.get(FIRST_ONLY, ()):
            del c.pins[key]  # pinned for its first occurrence only: later ones are drawn
        return value

    def log(self, c: Child, step: str, event: str, duty: str, deadline: float = math.nan, met: bool | None = None
            ) -> None:
        """A row of the event log, when there is one: handed to the run's `Recorder` (`_log_to`; compiled, a C call of
        its `log`), or, for any other recorder, made as a tuple of the fields in `EventRow` order (`_add_row`). (In
        pure Python, a journey with a `Recorder` has `Recorder.log` itself in its instance dictionary, in this
        method's place: one Python call less a row.)"""
        to = self._log_to
        if to is not None:
            to.log(c, step, event, duty, deadline, met)
        elif self.rec is not None:
            self._add_row((c.id, c.la, self.engine.now, step, event, duty, deadline, met))

    def drop_state(self) -> None:
        """Let go of every field (`analysis.runs.runner.release`: the objects are freed by reference counting)."""
        for name in RunState.__slots__:
            setattr(self, name, None)
