"""Limit checks: a value against what a catalog entry allows, with a one-line message.

``check_limit`` builds one ``LimitCheck``; ``sizing_limit_checks`` is the table of limits
one sizing is held to (rack power, rack PDU vs tap-off, rear door, slab, coolant inlet).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from dcplan.models.catalog import Cooling, RackPdu, System


class LimitCheck(BaseModel):
    """One limit: the value, what is allowed, and by how much it is exceeded (margin > 0)."""

    model_config = ConfigDict(frozen=True)

    limit: str
    value: float
    allowed: float
    unit: str
    ok: bool
    message: str

    @property
    def margin(self) -> float:
        return self.value - self.allowed

    @property
    def utilisation(self) -> float:
        return self.value / self.allowed if self.allowed else math.inf


def fmt_figure(value: float) -> str:
    """A figure for a message: thousands separated, no decimals from 100 up, else 3 digits."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def check_limit(limit: str, value: float, allowed: float, unit: str, what: str, against: str) -> LimitCheck:
    """Build a LimitCheck; the message reads "<value> <what> exceeds <against> by <margin>".

    ``ok`` when ``value <= allowed * (1 + 1e-9)`` (a relative tolerance for float noise).
    """
    ok = value <= allowed * (1 + 1e-9)
    if ok:
        message = f"{fmt_figure(value)} {unit} {what} is within {against} ({fmt_figure(allowed)} {unit})"
    else:
        message = (
            f"{fmt_figure(value)} {unit} {what} exceeds {against} of {fmt_figure(allowed)} {unit} "
            f"by {fmt_figure(value - allowed)} {unit}"
        )
    return LimitCheck(limit=limit, value=value, allowed=allowed, unit=unit, ok=ok, message=message)


#: Cooling types whose generic rack cap a system's own air-cooled rack limit replaces: the
#: vendor's reference rack (containment or a door at the rack) is what was engineered for it.
AIR_LIMIT_TYPES = ("contained-air", "rdhx")


def rack_power_limit_kw(system: System, cooling: Cooling) -> tuple[float, str]:
    """The rack power [kW] ``system`` may run on ``cooling``, and whose limit that is
    ("dgx-h100 air-cooled rack limit" or "contained-air limit").

    ``P_max = system.air_rack_power_limit`` on contained-air and rear-door cooling when the
    system carries one (its vendor's air-cooled reference rack, e.g. 4 DGX H100 = 40.8 kW),
    else the cooling's generic ``max_rack_power``. A rear door's own capacity is checked
    apart (``rack heat vs rear door``): a system limit does not make a door larger.
    """
    if cooling.type in AIR_LIMIT_TYPES and system.air_rack_power_limit is not None:
        return float(system.air_rack_power_limit.magnitude), f"{system.id} air-cooled rack limit"
    return float(cooling.max_rack_power.magnitude), f"{cooling.id} limit"


def rack_power_cap_kw(system: System, cooling: Cooling) -> float:
    """The highest rack power [kW] that passes every rack limit: ``min(P_max, Q_door)`` on
    rear doors (``rack_power_limit_kw``), else ``P_max``."""
    limit_kw, _ = rack_power_limit_kw(system, cooling)
    if cooling.type == "rdhx" and cooling.rdhx_capacity is not None:
        return min(limit_kw, float(cooling.rdhx_capacity.magnitude))
    return limit_kw


def _rack_limit_words(system: System, cooling: Cooling, whose: str) -> str:
    """Whose rack limit, for a check's message: the system's, or the cooling's by name."""
    return f"the {whose}" if whose.startswith(system.id) else f"{cooling.name}'s limit"


def sizing_limit_checks(
    system: System,
    cooling: Cooling,
    pdu: RackPdu,
    busway: Any,
    rack_kw: float,
    footprint_load_kg_m2: float,
    slab_kg_m2: float,
    supply_c: float,
) -> list[LimitCheck]:
    """Every limit one sizing is held to, in report order.

    Rack power [kW] vs the rack limit (``rack_power_limit_kw``: the system's air-cooled
    limit where it has one, else the cooling's); rack PDU current [A] vs the busway tap-off;
    on rear doors, rack heat [kW] vs one door's capacity; rack mass over its footprint
    [kg/m2] vs the slab; on liquid cooling, coolant supply [degC] vs the system's inlet limit.
    """
    limit_kw, whose = rack_power_limit_kw(system, cooling)
    rows: list[tuple[str, float, float, str, str, str]] = [
        ("rack power vs cooling", rack_kw, limit_kw, "kW", "per rack", _rack_limit_words(system, cooling, whose)),
        (
            "rack PDU vs busway tap-off",
            float(pdu.current.magnitude),
            float(busway.tap_off_current.magnitude),
            "A",
            "rack PDU rating",
            "the busway tap-off rating",
        ),
    ]
    if cooling.type == "rdhx" and cooling.rdhx_capacity is not None:
        door_kw = float(cooling.rdhx_capacity.magnitude)
        rows.append(("rack heat vs rear door", rack_kw, door_kw, "kW", "per rack", "the rear door's capacity"))
    rows.append(
        (
            "floor load (rack footprint) vs slab",
            footprint_load_kg_m2,
            slab_kg_m2,
            "kg/m2",
            "over the rack footprint",
            "the slab rating",
        )
    )
    if cooling.takes_liquid and system.coolant_inlet_max is not None:
        inlet_c = float(system.coolant_inlet_max.magnitude)
        rows.append(
            (
                "coolant supply vs system inlet",
                supply_c,
                inlet_c,
                "degC",
                "coolant supply",
                f"{system.id}'s maximum inlet",
            )
        )
    return [check_limit(*row) for row in rows]
