"""Naming a school or college (Section I) and securing the place: CFA 2014 ss.33, 39, 42; Schedule 1 para 9.

s.39: the LA must name the setting the family asks for unless it is unsuitable, incompatible with others'
efficient education or an inefficient use of resources; s.33: the presumption of mainstream; for settings outside
s.38, the LA need only have regard to the family's wishes (s.9 Education Act 1996).

The steps are methods of the `Journey` (`engine.model.journey`), which holds the run's state; this class only
groups them by stage.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from math import isnan, nan

from ....schema.units import DAYS_PER_YEAR
from ....schema.vocabulary import (
    LA,
    SETTING,
)
from ...core.resources import Resource
from ..capacity import LAState
from ..child import Child
from ..costs import accrue_placement
from ..records import PLACEMENTS_INDEPENDENT_SPECIAL, name_of, name_of2
from ..state import RunState

# the log's names of a word and a value, each string made once (`records.name_of`, `name_of2`: the same values)
_NAMED_AS: dict = {}
_REFUSED_AS: dict = {}
_IN_PLACE_AS: dict = {}

SPECIALIST = ("resourced_provision", "maintained_special", "independent_special")
# a family's next preferences when the first is full (the less specialist kinds, in order), for allocation from a list
PREFERENCE_ORDER = {"independent_special": ("maintained_special", "resourced_provision", "mainstream"),
                    "maintained_special": ("resourced_provision", "mainstream"),
                    "resourced_provision": ("mainstream",), "alternative_provision": ("mainstream",)}


FULL_GROUND = "incompatible_with_efficient_education_of_others"  # s.39(4)(a)(ii): the setting named has no place

POST16_AGE = 16.0  # from here the LA's alternative to a refused setting is a college (post16)
OUT_OF_SCHOOL = "out_of_school"  # the pin a case study sets for a child out of school (s.19 duty)


# The steps that other steps of this stage call are module functions, `cpdef` in placement.pxd, so that a
# compiled step calls them in C; each is also the class's method of that name (the event list, other stages, tests).
@cython.locals(self=RunState, c=Child)
def decide_setting(self, c: Child, wanted: str, occurrence: int) -> tuple[str, bool, str]:
    """Return (setting named, whether the family's request was refused, the ground).

    The rule set decides which setting the LA would name (s.39 under current law, a list under a reform); then
    one capacity logic, the same under every rule set (`with_place`), checks that setting has a place."""
    pin = None if c.pins is None else self.pinned(c, "setting_request")  # (`pinned` is None without pins)
    if pin == "agreed":
        return wanted, False, ""  # a case study fixes the LA's agreement: named, whatever its capacity
    if self.law_tailored_list:
        named, refused, ground = self.allocate_from_list(c, wanted, occurrence, pin)
        return with_place(self, c, wanted, named, refused, ground, occurrence, "first_preference_full")
    u = self.rng.naming.u(c.id, occurrence)
    if wanted in self.law_s9_regard_only and not (c.on_s41 and wanted in self.law_s39_settings):
        refuse, ground = u < self.p_refuse_s9, "s9_unreasonable_public_expenditure"
    elif wanted in self.law_s39_settings:
        refuse = u < self.p_refuse_setting[wanted]
        ground = self.grounds[self.rng.grounds.choice(self.cum_grounds, c.id, occurrence)]
    else:
        refuse, ground = u < self.p_refuse_setting.get(wanted, 0.0), "not_a_s38_setting"
    if pin:
        refuse = pin == "refused"
    named = self._cb_la_alternative(wanted, c) if refuse else wanted
    return with_place(self, c, wanted, named, refuse, ground if refuse else "", occurrence, FULL_GROUND)


@cython.locals(self=RunState, c=Child)
def with_place(self, c: Child, wanted: str, named: str, refused: bool, ground: str, occurrence: int,
               full_ground: str) -> tuple[str, bool, str]:
    """One capacity logic for every rule set: a setting the LA would name that has no free place is not named;
    the next of the family's preferences (the less specialist kinds, in order) with a free place is, and the
    family may contest it as any refusal. Under current law that is a refusal under s.39(4)(a) (the school is
    full: incompatible with the efficient education of others); under a list, "the first available place in
    order of the parent's preference" (addendum 6.3), among the kinds on the family's list. A reform changes
    which setting the LA would name and what the family may contest, never whether capacity is checked."""
    if _place_free(self, c, named):
        return named, refused, ground
    coverage = self.law.list_coverage if self.law_tailored_list else None
    for k, alt in enumerate(PREFERENCE_ORDER.get(named, ())):
        on_list = coverage is None or self.rng.list_order.u(c.id, occurrence * 8 + k) < coverage.get(alt, 1.0)
        if on_list and _place_free(self, c, alt):
            return alt, True, ground if refused else full_ground
    alt = self._cb_la_alternative(named, c)
    if _place_free(self, c, alt):
        return alt, True, ground if refused else full_ground
    return named, refused, ground  # no kind has a place: named, and the child waits for one (`secure_place`)


@cython.locals(self=RunState, c=Child, la=LAState, res=Resource)
def _place_free(self, c: Child, setting: str) -> bool:
    """A place is free now in a setting of finite capacity (settings without a capacity always have one; a child
    who holds a place of that kind keeps it)."""
    la = self.las[c.la]
    res = la.places.get(setting)
    return res is None or res.servers is None or res.busy < res.servers or c.place_res is res


@cython.locals(self=RunState, c=Child)
def give_up_place(self, c: Child) -> None:
    """The place held or queued for is given up: its cost booked to today, the place released or the queue left."""
    accrue_placement(self, c, self.engine.now)
    if c.place_res is not None:
        res, job = c.place_res, c.place_job
        c.place_res = c.place_job = None
        if job is not None and job.started:
            res.release()
        elif job is not None:
            res.cancel(job)


@cython.locals(self=RunState, c=Child)
def secure_place(self, c: Child, setting: str) -> None:
    """The LA must secure the provision; a place in a full setting means a wait without suitable provision."""
    give_up_place(self, c)
    c.setting = setting
    if c.waiting_since != c.waiting_since:
        c.waiting_since = waiting_from(self, c)
    c.place_seq += 1
    res = self.las[c.la].places.get(setting)
    if res is None:
        self.engine.schedule(place_lead_time(self, c), self._cb_provision_in_place, (c, c.place_seq))
    else:
        c.place_res = res
        c.place_job = res.seize(c, self._cb_place_granted)


@cython.locals(self=RunState, c=Child)
def place_lead_time(self, c: Child) -> float:
    """Days until a secured place starts: mid-year, the scenario's lead time (`durations.place_start_days`,
    a ranged assumption); a setting named for the next phase starts on the 1 September that phase begins
    (`c.term_start`, set by the phase transfer), or after the lead time if that falls later."""
    days = self.duration("place_start_days", self.rng.place_start, c.id, c.transfers)
    now = self.engine.now
    if c.term_start == c.term_start and c.term_start > now + days:
        days = c.term_start - now
    c.place_due = now + days
    return days


@cython.locals(self=RunState, c=Child)
def waiting_from(self, c: Child) -> float:
    """When a child waiting for a place starts to be without suitable provision: now, or, for a setting named
    for the next phase, the day that phase begins (the current setting serves until then), within the run."""
    now = self.engine.now
    return min(max(now, c.term_start), self.horizon) if c.term_start == c.term_start else now


class PlacementSteps:
    """Naming a school or college (Section I) and securing the place: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
    def name_setting(self, c: Child) -> None:
        """Section I: s.39 (must name unless a ground applies), s.33 mainstream presumption, s.9 for the rest."""
        named, refused, ground = decide_setting(self, c, c.preferred, 0)
        c.setting = named
        c.named_against_wish = refused
        c.named_ground = ground
        if self.rec is not None:  # (no recorder: `log` writes nothing, so its event's string is not made)
            self.log(c, "name_setting", name_of2(_REFUSED_AS, "named_", named, "_refused_", ground) if refused
                     else name_of(_NAMED_AS, "named_", named), LA)
        days = self.duration("finalise_days", self.rng.finalise, c.id, c.disputes)
        self.engine.schedule(days, self._cb_finalise_plan, c)

    decide_setting = decide_setting

    @cython.locals(self=RunState, c=Child)
    def allocate_from_list(self, c: Child, wanted: str, occurrence: int, pin: str | None) -> tuple[str, bool, str]:
        """A tailored list (Green Paper 2022, GP4; White Paper 2026, WP5): the family states preferences from the
        LA's list. Each kind of setting is on the list with the rule set's coverage (mainstream always); a
        preference off the list is accepted only where the rule set allows it (White Paper: a setting "which can
        deliver the Package"), else the LA names an alternative, appealable unless the rule set removes it. Whether
        the setting has a place is decided after, as under every rule set (`with_place`)."""
        law = self.law
        share = self.fx.mainstream_restriction_share
        if share and wanted in SPECIALIST and self.rng.mainstream_restricted.u(c.id, occurrence) < share:
            # White Paper (WP5): a child who can follow the mainstream curriculum has a mainstream preference only
            return "mainstream", True, "can_follow_mainstream_curriculum"
        if pin != "refused" and self.rng.on_list.u(c.id, occurrence) < law.list_coverage.get(wanted, 1.0):
            return wanted, False, ""
        if pin != "refused" and self.rng.outside_list.u(c.id, occurrence) < law.outside_list_accepted:
            return wanted, False, ""
        return self._cb_la_alternative(wanted, c), True, "not_on_tailored_list"

    with_place = with_place
    _place_free = _place_free

    @cython.locals(self=RunState, c=Child)
    def la_alternative(self, wanted: str, c: Child) -> str:
        """What the LA names instead: the next less costly kind, mainstream first under s.33; for a young person
        of 16 or over when the place starts (at a transfer, the new phase's 1 September), a further education
        college (post-16 provision is a college, not a school's next kind)."""
        when = c.term_start if c.term_start == c.term_start else self.engine.now
        if wanted != "post16" and (when - c.born) / DAYS_PER_YEAR >= POST16_AGE:
            return "post16"
        if wanted == "independent_special":
            return "maintained_special"
        if wanted in ("maintained_special", "resourced_provision"):
            return "mainstream" if self.law_mainstream_presumption else "resourced_provision"
        if wanted == "mainstream":
            return "resourced_provision"
        if wanted == "post16":
            return "post16"
        return "mainstream"

    give_up_place = give_up_place
    secure_place = secure_place

    @cython.locals(self=RunState, c=Child)
    def _place_granted(self, c: Child) -> None:
        self.engine.schedule(place_lead_time(self, c), self._cb_provision_in_place, (c, c.place_seq))

    place_lead_time = place_lead_time
    waiting_from = waiting_from

    @cython.locals(self=RunState, c=Child)
    def out_of_school(self, c: Child) -> None:
        """A case child out of school: the LA's duty to arrange suitable education (Education Act 1996 s.19) runs
        until a setting is in place; its redress is a complaint, the LGSCO, judicial review (no tribunal)."""
        if c.status not in ("ceased",):
            self.log(c, "education_out_of_school", "s19_duty_arises", LA)
            if c.out_since != c.out_since:
                c.out_since = self.engine.now

    @cython.locals(self=RunState, c=Child)
    def provision_in_place(self, arg: tuple) -> None:
        c, seq = arg
        if c.status != "plan" or seq != c.place_seq:
            return  # superseded by a later decision about the setting
        now = self.engine.now
        if isnan(c.provision_at):
            c.provision_at = now
        c.setting_since = now
        if c.waiting_since == c.waiting_since:  # a place can come with no wait open (a setting kept, then secured)
            c.days_without_provision += now - c.waiting_since
        c.waiting_since = nan
        if self.rec is not None:  # (no recorder: `log` writes nothing, so its event's string is not made)
            self.log(c, "provision", name_of(_IN_PLACE_AS, "in_place_", c.setting), SETTING)
        if c.pins is not None and c.pins.get(OUT_OF_SCHOOL):
            del c.pins[OUT_OF_SCHOOL]
        self._cb_end_spells_without_place(c, now)
        if c.setting == "independent_special":
            self.counters.count(c, PLACEMENTS_INDEPENDENT_SPECIAL, now)
