"""Catalog entry kinds for delivered throughput and vendor claims (issue 13).

- ``[[efficiency]]``: sustained efficiency (delivered model FLOPs / peak dense FLOPs at the
  precision, i.e. MFU; for inference ``2 x active params x tokens/s / peak``) of a workload
  class at a precision, for one system, one chip, one family, or (none of them) every system.
- ``[[goodput]]``: share of wall time spent on useful progress (failures, restarts and
  checkpoints taken out) as a curve over job size in chips, for one family or the default.
- ``[[claim]]``: a vendor's ratio between two systems (compute, memory, memory bandwidth,
  performance per watt), with its own source and date, checked against the catalog's
  figures by ``models.claims.check_claims``.

Lookups (most specific entry wins, goodput interpolation) live in ``models.efficiency``.
"""

from __future__ import annotations

import datetime
from itertools import pairwise
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dcplan.models.catalog.base import ID_PATTERN, Entry, Id
from dcplan.models.catalog.sourced import SourcedPositiveFraction, check_source_text

WorkloadClass = Literal["dense-pretraining", "moe-pretraining", "post-training", "inference"]
LatencyClass = Literal["interactive", "batch"]
Precision = Literal["bf16", "fp8", "fp4"]
ClaimMetric = Literal["compute", "memory", "memory_bandwidth", "perf_per_watt"]
ClaimBound = Literal["about", "at-least", "up-to"]

#: Job sizes a goodput curve may name: one chip up to 100 million (far above any campus).
MAX_JOB_CHIPS = 100_000_000
#: Claimed ratios accepted: above 0, at most 1000x (no vendor claims more between two systems).
MAX_CLAIM_RATIO = 1000.0


class Efficiency(Entry):
    """Sustained efficiency of one workload class at one precision.

    At most one of ``system`` / ``chip`` / ``family`` says what it applies to; none of them
    makes it the default for every system. ``latency`` is for ``inference`` entries only
    (absent: either latency class).
    """

    kind: ClassVar[str] = "efficiency"

    system: Id | None = Field(default=None, pattern=ID_PATTERN, description="id of a [[system]] entry")
    chip: Id | None = Field(default=None, pattern=ID_PATTERN, description="id of a [[chip]] entry")
    family: Id | None = Field(default=None, pattern=ID_PATTERN, description="a system family, e.g. 'nvidia'")
    workload_class: WorkloadClass
    precision: Precision
    latency: LatencyClass | None = Field(default=None, description="inference only; absent = either latency class")
    efficiency: SourcedPositiveFraction = Field(description="delivered model FLOPs / peak dense FLOPs (MFU)")

    @model_validator(mode="after")
    def _check(self) -> Efficiency:
        named = [name for name in ("system", "chip", "family") if getattr(self, name) is not None]
        if len(named) > 1:
            raise PydanticCustomError(
                "scope", "give at most one of system, chip and family, got {names}", {"names": " and ".join(named)}
            )
        if self.latency is not None and self.workload_class != "inference":
            raise PydanticCustomError(
                "latency", "latency is for inference entries only, not {c}", {"c": self.workload_class}
            )
        return self

    @property
    def scope(self) -> tuple[str, str | None]:
        """(``system`` | ``chip`` | ``family`` | ``default``, the id it names or None)."""
        for name in ("system", "chip", "family"):
            value = getattr(self, name)
            if value is not None:
                return name, value
        return "default", None


class GoodputPoint(BaseModel):
    """Goodput of one job size."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    chips: Annotated[int, Field(gt=0, le=MAX_JOB_CHIPS, description="accelerator chips in one job")]
    goodput: SourcedPositiveFraction = Field(description="share of wall time spent on useful progress")


class Goodput(Entry):
    """Goodput versus job size for one family (or, without ``family``, the default curve).

    Read piecewise linear in log10(chips) between points, clamped beyond the first and last
    (``models.efficiency.goodput``).
    """

    kind: ClassVar[str] = "goodput"

    family: Id | None = Field(default=None, pattern=ID_PATTERN, description="system family; absent = default")
    points: list[GoodputPoint] = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _check(self) -> Goodput:
        chips = [point.chips for point in self.points]
        if any(b <= a for a, b in pairwise(chips)):
            raise PydanticCustomError("points", "points must be in strictly increasing chips, got {c}", {"c": chips})
        return self


class Claim(Entry):
    """A vendor's claimed ratio of ``subject`` over ``baseline`` (both system ids).

    ``metric``: ``compute`` (chips x peak dense TFLOPS at ``precision``), ``memory``
    (chips x HBM capacity), ``memory_bandwidth`` (chips x HBM bandwidth) or
    ``perf_per_watt`` (that compute / design power). ``bound`` says how the vendor put it:
    ``about`` (default), ``at-least`` or ``up-to``.
    """

    kind: ClassVar[str] = "claim"

    subject: Id = Field(pattern=ID_PATTERN, description="id of the [[system]] the claim is about")
    baseline: Id = Field(pattern=ID_PATTERN, description="id of the [[system]] it is compared with")
    metric: ClaimMetric
    precision: Precision | None = Field(default=None, description="compute and perf_per_watt: precision compared")
    ratio: float = Field(gt=0.0, le=MAX_CLAIM_RATIO, allow_inf_nan=False, description="claimed subject / baseline")
    bound: ClaimBound = "about"
    source: str = Field(description="the claim's own source: a URL or a key of the file's [sources] table")
    date: datetime.date = Field(description="when the claim was made (YYYY-MM-DD)")
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return check_source_text(value)

    @model_validator(mode="after")
    def _check(self) -> Claim:
        if self.metric in ("compute", "perf_per_watt") and self.precision is None:
            raise PydanticCustomError("precision", "a {m} claim needs precision (bf16 | fp8 | fp4)", {"m": self.metric})
        if self.subject == self.baseline:
            raise PydanticCustomError("baseline", "subject and baseline are the same system {s!r}", {"s": self.subject})
        return self


__all__ = [
    "MAX_CLAIM_RATIO",
    "MAX_JOB_CHIPS",
    "Claim",
    "ClaimBound",
    "ClaimMetric",
    "Efficiency",
    "Goodput",
    "GoodputPoint",
    "LatencyClass",
    "Precision",
    "WorkloadClass",
]
