"""The benchmark network file: an open network of FIFO multi-server stages with Markov routing (`sendsim bench`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

EXIT = "exit"


class Stage(BaseModel):
    """One stage: `servers` in parallel, exponential service with mean `mean_service`, then a random route."""

    model_config = ConfigDict(extra="forbid")
    servers: int = Field(ge=1, description="parallel servers (FIFO queue in front)")
    mean_service: float = Field(gt=0, description="mean of the exponential service time, in time units")
    routes: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        description="next stage (or 'exit') -> probability; the probabilities add up to 1")


class Network(BaseModel):
    """An open network: Poisson arrivals at `entry`, stages with servers and routing probabilities."""

    model_config = ConfigDict(extra="forbid")
    time_unit: Literal["minutes", "hours", "days", "weeks", "months", "years"] = "weeks"
    arrival_rate: float = Field(gt=0, description="Poisson arrivals per time unit")
    entry: str = Field(description="the stage every arrival joins first")
    stages: dict[str, Stage] = Field(min_length=1)
