"""Sweep files: a base scenario, rule sets, and a design over named parameters (`scenarios/sweeps/*.yaml`).

A sweep varies the numbers the scenario and rule-set files already mark as assumptions with a plausible `range`
(by default every one of them); the design (`grid`, `lhs`, `morris`, `sobol`) picks the points. Each point is a
position in the unit hypercube, mapped to each parameter's range, so one design serves rule sets that declare
different ranges for the same parameter (each reform its own). These are the pydantic models of those files;
`analysis.batch.plan` plans and runs them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .scenario import MAX_SEED
from .sourced import Strict

DesignKind = Literal["grid", "lhs", "morris", "sobol"]


class SweepParameter(Strict):
    """One varied parameter: `scenario.<dotted path>` or `rules.<dotted path>`, with an optional range."""

    path: Annotated[str, Field(pattern=r"^(scenario|rules)\.[A-Za-z0-9_.\[\]]+$")]
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: [{self.range[0]:g}, {self.range[1]:g}] (allowed: [low, high] with low < high)")
        return self


# What each design reads (`analysis.batch.plan`): a grid its levels; the samplers their size and seed.
USES: dict[str, tuple[str, ...]] = {"grid": ("levels",), "lhs": ("samples", "seed"), "sobol": ("samples", "seed"),
                                    "morris": ("trajectories", "morris_levels", "seed")}


class Design(Strict):
    """How the points are chosen. `levels` for a grid; `samples` for a Latin hypercube or the base sample of Sobol
    (a power of 2: N (k + 2) points); `trajectories` (at least 10) and `morris_levels` for Morris screening."""

    kind: DesignKind
    levels: Annotated[int, Field(ge=2, le=50)] = 3
    samples: Annotated[int, Field(ge=2, le=65536)] = 8
    trajectories: Annotated[int, Field(ge=10, le=1000)] = 10
    morris_levels: Annotated[int, Field(ge=2, le=20)] = 4
    seed: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _power_of_two(self):
        unused = sorted(set(self.model_fields_set) - {"kind"} - set(USES[self.kind]))
        if unused:  # `samples` on a grid was ignored silently: the user thought it set the number of points
            raise ValueError(f"{unused[0]}: a {self.kind} design does not use it (allowed for {self.kind}: "
                             f"{', '.join(USES[self.kind])})")
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples: got {self.samples} (allowed: a power of 2 for a sobol design)")
        if self.kind == "morris" and self.morris_levels % 2:
            raise ValueError(f"morris_levels: got {self.morris_levels} (allowed: an even number for a morris design)")
        return self


class Sweep(Strict):
    """A batch: every point of the design x every rule set x every replication is one task, with common random
    numbers (the same seed and replication numbers at every point and under every rule set)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenario: str
    rules: Annotated[list[str], Field(min_length=1)]
    until: dt.date | None = None
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None  # a scenario's seed (10**30 failed after every task)
    replications: Annotated[int, Field(ge=1, le=1000)] = 2
    design: Design
    parameters: list[SweepParameter] | Literal["all"] = "all"
    outputs: Annotated[list[str], Field(min_length=1)] = ["appeals_registered", "within_20_weeks_pct",
                                                           "weeks_to_final_plan_median", "cost_total_gbp"]

    @model_validator(mode="after")
    def _consistent(self):
        if self.design.kind == "morris" and self.replications < 2:
            raise ValueError(f"replications: got {self.replications} (allowed: at least 2 replications per point for a morris "
                             "design)")
        if isinstance(self.parameters, list):
            paths = [p.path for p in self.parameters]
            dup = sorted({p for p in paths if paths.count(p) > 1})
            if dup:
                raise ValueError(f"parameters: named twice: {', '.join(dup)} (allowed: each parameter once)")
            if not paths:
                raise ValueError("parameters: none given (allowed: at least one parameter, or `parameters: all`)")
        twice_out = sorted({o for o in self.outputs if self.outputs.count(o) > 1})
        if twice_out:  # each would be computed and tabled twice
            raise ValueError(f"outputs: named twice: {', '.join(twice_out)} (allowed: each metric once)")
        if len(set(self.rules)) != len(self.rules):
            twice = next(r for r in self.rules if self.rules.count(r) > 1)
            raise ValueError(f"rules: {twice} is named twice (allowed: each rule set once)")
        return self
