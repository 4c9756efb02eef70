"""The benchmark network file: an open network of FIFO multi-server stages with Markov routing (`sendsim bench`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .text import shown_char

EXIT = "exit"
# Bounds, like a scenario's: a network is a benchmark of the engine, so the bounds are what a run of at most a few
# million children can mean. Beyond them the figures are noise (a 1e308 arrival rate gave a 310-digit utilisation).
MAX_RATE = 1e6  # arrivals per time unit
MAX_TIME = 1e6  # mean service, in time units
MAX_SERVERS = 100_000  # per stage (Erlang C's recursion is linear in it)
MAX_STAGES = 1_000
MAX_VISITS = 1_000  # mean visits of one child to one stage (routing loops), so a run ends


def _stage_name(name: str) -> str:
    """A stage's name (or a route's 'exit') is printed in the table, each error line and the JSON: one holding a line
    break ("exit\n", a quoted YAML key) printed the table's row and the bad-input line on two lines."""
    bad = next((c for c in name if not shown_char(c)), None)
    if not name.strip() or bad is not None:
        raise ValueError(("is blank" if bad is None else f"holds the control character {bad!r}")
                         + " (allowed: a name of letters, digits, spaces and punctuation, e.g. decide, or 'exit')")
    return name


StageName = Annotated[str, AfterValidator(_stage_name)]


class Stage(BaseModel):
    """One stage: `servers` in parallel, exponential service with mean `mean_service`, then a random route."""

    model_config = ConfigDict(extra="forbid")
    servers: int = Field(ge=1, le=MAX_SERVERS, description="parallel servers (FIFO queue in front)")
    mean_service: float = Field(gt=0, le=MAX_TIME, description="mean of the exponential service time, in time units")
    routes: dict[StageName, Annotated[float, Field(ge=0, le=1)]] = Field(
        description="next stage (or 'exit') -> probability; the probabilities add up to 1")


class Network(BaseModel):
    """An open network: Poisson arrivals at `entry`, stages with servers and routing probabilities."""

    model_config = ConfigDict(extra="forbid")
    time_unit: Literal["minutes", "hours", "days", "weeks", "months", "years"] = "weeks"
    arrival_rate: float = Field(gt=0, le=MAX_RATE, description="Poisson arrivals per time unit")
    entry: str = Field(description="the stage every arrival joins first")
    stages: dict[StageName, Stage] = Field(min_length=1, max_length=MAX_STAGES)
