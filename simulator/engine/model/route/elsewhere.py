"""Where a child with a plan is educated other than at a school the plan names: CFA 2014 s.42(5), s.61, Part 3
ss.70-75; Education Act 1996 s.19.

- Elective home education (s.42(5)): while the parents' arrangements are suitable the LA's duty to arrange the
  special educational provision is lifted; the plan stays in force and is reviewed every 12 months (s.44).
- Education otherwise than in a school (s.61): the LA arranges the provision elsewhere; its duty stays absolute.
- Hospital education (Education Act 1996 s.19): the LA arranges education while the child is in hospital; the
  plan and its school place stay.
- Youth custody (ss.70-75): the plan is kept while the young person is detained (s.74); the home authority must use
  its best endeavours to arrange "appropriate" special educational provision (s.75(2)), and the health services
  commissioner (NHS England, not the ICB) appropriate health care (s.75(3)); a child remanded is looked after
  (LASPO 2012 s.104) and the authority that looks after the child is the home authority (s.70(5)); on release the
  plan is maintained and a setting named.

A new request for a child home-educated by the parents' choice (a case file's `education` without a plan in force):
the LA's duties to a child in its area (CFA s.22, s.24) cover the child, so the request runs as any other; the
arrangement waits for the plan (`pending`) and, when the final plan is issued, applies as for a plan in force (the
setting the plan names is not taken up while the home education lasts; s.42(5)). At `until` the child goes to
`setting_after`, before the plan (then the plan names its own setting) or after it.

Only case studies put a child here (`analysis.runs.case_study` schedules `educated_elsewhere` on the file's date),
so no other child's route or draw changes. The steps are methods of the `Journey`; this class only groups them.
"""

from __future__ import annotations

try:
    import cython
except ImportError:  # no Cython at run time: its decorators do nothing (the pure path)
    from ...core.cython_shim import cython

from math import nan

from ....schema.vocabulary import LA, NHS_ENGLAND
from ..child import Child
from ..state import RunState
from .reviews import review_interval


class ElsewhereSteps:
    """Education elsewhere than at a named school: the steps of this stage (mixed into `Journey`)."""

    @cython.locals(self=RunState, c=Child)
    def educated_elsewhere(self, arg: tuple) -> None:
        """The child's arrangement starts (the case file's date): one step per arrangement; the end (a release, a
        discharge, a return to school) is scheduled if the file gives it."""
        c, spec = arg
        if c.status != "plan":
            if spec.get("at_request") and spec["arrangement"] == "elective_home_education":
                self.home_educated_at_request(c, spec)
            return  # the plan has ceased (or not yet begun): nothing to keep or lift
        c.elsewhere = dict(spec, setting_before=c.setting, review_missed=False)
        ARRANGEMENT_STEPS[spec["arrangement"]](self, c)
        until = spec.get("until_day")
        if until is not None and until < self.horizon:
            self.engine.at(until, self.arrangement_ends, c)

    @cython.locals(self=RunState, c=Child)
    def home_educated_at_request(self, c: Child, spec: dict) -> None:
        """A new request for a child educated at home by the parents' choice: the LA is responsible for the child
        in its area (CFA s.24) and its duty to identify (s.22) and to assess (s.36) is the same as for any child; the
        arrangement waits for the plan (`plan_made_while_elsewhere`), or ends at `until` with a school place."""
        c.elsewhere = dict(spec, setting_before="", review_missed=False, pending=True)
        self.log(c, "elective_home_education", "home_educated_at_request_la_responsible_s24", LA)
        until = spec.get("until_day")
        if until is not None and until < self.horizon:
            self.engine.at(until, self.arrangement_ends, c)

    @cython.locals(self=RunState, c=Child)
    def plan_made_while_elsewhere(self, c: Child) -> None:
        """The final plan of a child home-educated at the request (plan.py calls this instead of securing the
        place): the plan names the setting decided as for any child, which the child does not take up while the
        parents' home education lasts; the arrangement now applies as for a plan in force (s.42(5))."""
        spec = c.elsewhere
        spec["pending"] = False
        spec["setting_before"] = c.setting  # the setting the plan names: the child goes there at `until`
        ARRANGEMENT_STEPS[spec["arrangement"]](self, c)

    @cython.locals(self=RunState, c=Child)
    def note_at_request(self, arg: tuple) -> None:
        """A fact of a new request's start the case file gives, logged as a step of its route (case studies): a
        plan that ceased before this request (`cessation`), a hospital school the child attends
        (`hospital_education`)."""
        c, step, event = arg
        self.log(c, step, event, LA)

    @cython.locals(self=RunState, c=Child)
    def leave_setting(self, c: Child, arrangement: str) -> None:
        """The school or college place is given up (its cost booked to today); the plan stays in force."""
        self.give_up_place(c)
        c.setting = arrangement
        c.term_start = nan
        c.place_seq += 1  # a place still being arranged is superseded

    @cython.locals(self=RunState, c=Child)
    def elective_home_education(self, c: Child) -> None:
        """CFA s.42(5): the LA need not arrange the special educational provision while the parents' own
        arrangements are suitable (its duty is lifted, not ended: the plan is kept and reviewed under s.44); if
        they are not suitable the duty under s.42(2) remains."""
        self.leave_setting(c, "elective_home_education")
        event = "duty_lifted_arrangements_suitable" if c.elsewhere["suitable"] else \
            "arrangements_unsuitable_duty_remains"
        self.log(c, "elective_home_education", event, LA)

    @cython.locals(self=RunState, c=Child)
    def education_otherwise(self, c: Child) -> None:
        """CFA s.61: the LA arranges the special educational provision otherwise than in a school (it is satisfied a
        school would be inappropriate); the provision is secured as any other, under the absolute duty of s.42(2)."""
        self.log(c, "education_otherwise", "arranged_s61", LA)
        self.secure_place(c, "otherwise_than_in_school")

    @cython.locals(self=RunState, c=Child)
    def hospital_education(self, c: Child) -> None:
        """Education Act 1996 s.19: the LA arranges suitable education for a child who cannot attend school
        because of health needs; the plan and the school place stay (the child is still on the school's roll)."""
        self.log(c, "hospital_education", "arranged_by_la_s19", LA)

    @cython.locals(self=RunState, c=Child)
    def youth_custody(self, c: Child) -> None:
        """CFA s.74: the plan is kept while the young person is detained (not maintained: the annual review does not
        run, s.70); s.75(2): the home authority must use its best endeavours to arrange appropriate special
        educational provision; s.75(3): the health services commissioner (NHS England) appropriate health care;
        LASPO 2012 s.104: a child remanded is looked after, and the authority looking after them is the home
        authority (s.70(5); the corporate parent's roles are those of any looked-after child, kept to one step)."""
        self.leave_setting(c, "youth_custody")
        c.status = "detained"
        self.log(c, "youth_custody", "plan_kept_best_endeavours_for_appropriate_provision", LA)
        if c.health:
            self.log(c, "custody_health", "best_endeavours_for_appropriate_health_care", NHS_ENGLAND)
        if c.elsewhere["remanded"]:
            self.log(c, "custody_remand", "looked_after_so_home_authority_looks_after", LA)

    @cython.locals(self=RunState, c=Child)
    def review_while_detained(self, c: Child) -> None:
        """A review falls while the young person is detained: not held (the plan is kept, not maintained); the next
        review is set from the release."""
        c.elsewhere["review_missed"] = True
        self.log(c, "youth_custody", "review_not_held_while_detained", LA)

    @cython.locals(self=RunState, c=Child)
    def custody_release(self, c: Child) -> None:
        """On release the plan is maintained again (s.42(2)) and a setting is named for the day of release; a
        review missed in custody is held 12 months after the release (s.44(1) counted from the plan as amended)."""
        spec = c.elsewhere
        c.status = "plan"
        setting = spec.get("setting_after") or spec["setting_before"]
        self.log(c, "custody_release", f"plan_maintained_named_{setting}", LA)
        c.elsewhere = None
        self.secure_place(c, setting)
        if spec["review_missed"]:
            self.engine.schedule(review_interval(self, c, self.engine.now), self._cb_annual_review, c)

    @cython.locals(self=RunState, c=Child)
    def arrangement_ends(self, c: Child) -> None:
        """The arrangement ends on the file's date: a release from custody, a discharge from hospital, a return to
        school from home education or from education otherwise than in a school (the setting named then)."""
        spec = c.elsewhere
        if spec is not None and spec.get("pending"):  # home education ends before the plan: a school place
            c.elsewhere = None
            self.log(c, "elective_home_education", f"ended_before_the_plan_goes_to_{spec['setting_after']}", LA)
            return
        if spec is None or c.status not in ("plan", "detained"):
            return
        if spec["arrangement"] == "youth_custody":
            self.custody_release(c)
            return
        setting = spec.get("setting_after") or spec["setting_before"]
        c.elsewhere = None
        step = ARRANGEMENT_STEP_NAMES[spec["arrangement"]]
        self.log(c, step, (f"discharged_back_to_{setting}" if spec["arrangement"] == "hospital"
                           else f"ended_named_{setting}"), LA)
        if setting != c.setting:  # (from hospital the school place was kept)
            self.secure_place(c, setting)


ARRANGEMENT_STEPS = {"elective_home_education": ElsewhereSteps.elective_home_education,
                     "otherwise_than_in_school": ElsewhereSteps.education_otherwise,
                     "hospital": ElsewhereSteps.hospital_education,
                     "youth_custody": ElsewhereSteps.youth_custody}
ARRANGEMENT_STEP_NAMES = {"elective_home_education": "elective_home_education",
                          "otherwise_than_in_school": "education_otherwise", "hospital": "hospital_education",
                          "youth_custody": "youth_custody"}
