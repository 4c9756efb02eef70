"""The accountability map's data, inside each rule set: bodies, and for every step of the journey who holds the
duty, the deadline, who pays, who inspects, what redress the family has and the incentive the duty holder faces.

The map is data in the rule set (`accountability:`), so a reform that changes a duty or removes a route of redress
changes the map through the same switches that change the journey. Gaps are computed in `rules.accountability`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .sourced import Strict
from .vocabulary import Body, Payer
from .vocabulary import RedressRoute as Redress


class BodyInfo(Strict):
    label: str
    kind: Literal["commissioner", "provider", "regulator", "redress", "family"]
    accountable_to: str
    tribunal_binds: bool = False  # can a tribunal order bind this body (not just recommend)?


class MapStep(Strict):
    label: str
    duty_holder: list[Body]
    lead: Body | Literal["none"] | None = None
    deadline: str
    payer: list[Payer]
    inspected_by: list[Body]
    redress: list[Redress]
    decides_provision: bool = False
    in_force: bool = True
    incentive: str
    reference: str


class AccountabilityMap(Strict):
    bodies: dict[Body, BodyInfo]
    steps: dict[str, MapStep]

    @model_validator(mode="after")
    def _bodies_known(self):
        for name, st in self.steps.items():
            missing = [b for b in (*st.duty_holder, *st.inspected_by) if b not in self.bodies]
            if missing:
                raise ValueError(f"steps.{name}: bodies not described in `bodies`: {', '.join(missing)}")
        return self
