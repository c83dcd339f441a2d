"""The ``[[water_loop]]`` table of a scenario: which ASHRAE facility water classes a hall's
liquid loop may run at, for the optimiser to choose one (models.water_class)::

    [[water_loop]]
    hall = "h1"
    classes = ["W32", "W40", "W45"]   # one class pins it; default: every class

A hall without a row keeps its cooling architectures' own supply temperatures (plans made
before it stay as they were). The loop is per hall: every liquid-cooled row of the hall
shares its one supply class.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.catalog.schema import ID_PATTERN, Id
from dcplan.models.water_class import WATER_CLASSES

WaterClass = Literal["W27", "W32", "W40", "W45", "W+"]


class WaterLoop(BaseModel):
    """A hall's facility water loop and the supply classes the optimiser may choose from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hall: Id = Field(pattern=ID_PATTERN, description="a [[hall]] id of the scenario")
    classes: list[WaterClass] = Field(
        default_factory=lambda: list(WATER_CLASSES),  # type: ignore[arg-type]
        min_length=1,
        max_length=5,
        description="allowed ASHRAE supply classes (one: pinned)",
    )

    @property
    def allowed(self) -> tuple[str, ...]:
        """The classes, each once, coolest first."""
        return tuple(c for c in WATER_CLASSES if c in self.classes)
