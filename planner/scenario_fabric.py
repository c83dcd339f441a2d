"""The scenario's ``[fabric]`` table (issue 15, item 1): whether the optimiser places the
network and storage racks of the plan's scale-out fabric in rows, and the storage each
accelerator needs when the ``[[storage]]`` template's defaults do not fit.

Without the table nothing is placed (a plan reports the racks the fabric needs, counted,
not placed), so a scenario written before fabric existed keeps its plans; a ``[fabric]``
table places by default (``place = true``). Example::

    [fabric]
    place = true
    storage_per_chip = "2 TB"          # default: the storage template's capacity_per_chip
    storage_read_per_chip = "1.5 GB/s" # default: the template's read_per_chip
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dcplan.models.units import Bandwidth, Information


class FabricSettings(BaseModel):
    """The ``[fabric]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    place: bool = Field(default=True, description="place network and storage racks in rows (at each row's end)")
    storage_per_chip: Information | None = Field(default=None, description="shared storage capacity per accelerator")
    storage_read_per_chip: Bandwidth | None = Field(default=None, description="storage read bandwidth per accelerator")


__all__ = ["FabricSettings"]
