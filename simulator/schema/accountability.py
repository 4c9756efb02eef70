"""The accountability map's data, inside each rule set: bodies, and for every step of the journey who holds the
duty, the deadline, who pays, who inspects, what redress the family has and the incentive the duty holder faces.

The map is data in the rule set (`accountability:`), so a reform that changes a duty or removes a route of redress
changes the map through the same switches that change the journey. Gaps are computed in `rules.accountability`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .sourced import Strict
from .text import Cited, Said
from .vocabulary import Body, DutyStrength, MapPayer
from .vocabulary import RedressRoute as Redress

# the parts of an EHC plan whose provision a body holds the duty for (SEND Regs 2014 reg 12: B/F education,
# C/G health, D/H social care, I the setting)
Section = Literal["B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"]


class BodyInfo(Strict):
    label: Said
    kind: Literal["commissioner", "provider", "regulator", "redress", "family"]
    accountable_to: str
    tribunal_binds: bool = False  # can a tribunal order bind this body (not just recommend)?


class RouteInfo(Strict):
    """A route of redress as the map reads it: the body that hears it, whether its outcome binds the duty holder
    (a flag, or the dotted path of a flag parameter of the rule set), whether it can remedy a missed deadline, and
    whether it is the last resort (judicial review: a claim in the High Court, costly, within 3 months)."""

    label: Said
    body: Body
    binds: bool | str
    hears_delay: bool
    last_resort: bool = False
    time_limit: str = "none"
    reference: Cited


class MapStep(Strict):
    label: Said
    duty_holder: list[Body]
    lead: Body | Literal["none"] | None = None
    # the lead duty holder for each section of the plan the step concerns: a step whose bodies each hold their own
    # section is not a split duty (CFA s.42(2): the LA for F; s.42(3): the ICB for G; errata.md 4)
    sections: dict[Section, Body] = {}
    deadline: str
    # deadlines that depend on the case (reg 44: each kind of order has its own), {case: dotted path}
    deadline_by_case: dict[str, str] = {}
    # "limit": the duty holder must act within it; "minimum": the duty holder must allow at least this long;
    # "end": the date a duty ends (the plan at 25), nothing to enforce
    deadline_kind: Literal["limit", "minimum", "end"] = "limit"
    # why the law sets no deadline here on purpose (with its source): no "no statutory deadline" gap then
    no_deadline_reason: Said | None = None
    # where the law sets a period the sources here do not give (a complaint's answer, an Ombudsman's decision): the
    # dotted path of the parameter the route assumes for it (its value, unit, range and assumption), so every place
    # that shows the deadline says it is an assumption, UNVERIFIED, not "none (by design)"
    assumed_period: str | None = None
    # where a missed deadline can go (the tribunal does not hear delay)
    delay_redress: list[Redress] = []
    # for a rung of redress: the dotted path of the flag saying whether its finding binds the duty holder
    binds: str | None = None
    payer: list[MapPayer]
    inspected_by: list[Body]
    redress: list[Redress]
    decides_provision: bool = False
    # the family waits in a queue for this step (a hearing list): with no deadline and nowhere to take the wait, a gap
    waits_in_queue: bool = False
    # steps this one takes the place of for some children (a school-level plan instead of the decision to assess):
    # the redress those steps give and this one does not is lost, whatever the steps are called
    replaces: list[str] = []
    in_force: bool = True
    # how strong each duty holder's duty is here (absolute, lifted, "appropriate", recommendation), where the law
    # makes it other than plain: CFA s.42(2)-(3), s.42(5), s.75; errata.md 1
    duty_strength: dict[Body, DutyStrength] = {}
    incentive: Said
    reference: Cited


class AccountabilityMap(Strict):
    bodies: dict[Body, BodyInfo]
    routes: dict[Redress, RouteInfo]
    steps: dict[str, MapStep]

    @model_validator(mode="after")
    def _bodies_known(self):
        for name, st in self.steps.items():
            missing = [b for b in (*st.duty_holder, *st.inspected_by, *st.sections.values(), *st.duty_strength)
                       if b not in self.bodies]
            if missing:
                raise ValueError(f"steps.{name}: bodies not described in `bodies`: {', '.join(missing)}")
            if any(r not in self.steps for r in st.replaces):
                raise ValueError(f"steps.{name}.replaces: no such step: "
                                 f"{', '.join(r for r in st.replaces if r not in self.steps)}")
            unknown = [r for r in (*st.redress, *st.delay_redress) if r not in self.routes]
            if unknown:
                raise ValueError(f"steps.{name}: redress not described in `routes`: {', '.join(unknown)}")
        for name, rt in self.routes.items():
            if rt.body not in self.bodies:
                raise ValueError(f"routes.{name}: body {rt.body!r} not described in `bodies`")
        return self
