"""Does a system fit a rack-slot class (an MGX / NVL72 envelope a row is built for once)?

Per rack of one deployment unit (``n_r = racks_per_unit`` racks):

- footprint: ``w_rack <= w_slot`` and ``d_rack <= d_slot`` [m];
- power shelves: ``P_rack = P_design / n_r <= P_shelf`` [kW];
- manifold: ``Q_liq = f_liquid x P_rack <= Q_manifold`` [kW] (cold-plate heat per rack);
- kW band: ``P_min <= P_rack <= P_max`` [kW]: the row's busway, cooling and manifolds are
  built for the band, so a rack far below it strands what was built and one above it
  cannot be fed;
- a server-form system is not a rack-scale unit and does not fill a slot;
- a slot that lists ``admits`` takes only those systems (certification), still checked
  against the envelope.

Trays: ``trays_per_unit`` is the NVIDIA NVLink switch trays one unit draws from the tray
supply (Trainium4 joins NVLink Fusion with NVIDIA's Vera Rubin switch trays).
"""

from __future__ import annotations

from dataclasses import dataclass

from dcplan.models.catalog import RackSlot, System

_TOL = 1 + 1e-9


@dataclass(frozen=True)
class SlotFit:
    """A system's figures against a slot: per-rack kW, liquid kW per rack, and the verdict."""

    rack_kw: float  # [kW] design power per rack
    liquid_kw: float  # [kW] cold-plate heat per rack
    reason: str | None  # why it does not fit, or None


def rack_kw(system: System) -> float:
    """``P_design / n_r`` [kW]: design power per rack of a rack-scale or UltraServer unit."""
    racks = int(system.racks_per_unit.magnitude) if system.racks_per_unit is not None else 1
    return float(system.design_power.magnitude) / racks


def slot_fit(slot: RackSlot, system: System) -> SlotFit:
    """The fit of ``system`` in ``slot`` (see the module docstring for the rules, in order)."""
    per_rack = rack_kw(system)
    liquid = float(system.liquid_capture_fraction.magnitude) * per_rack
    return SlotFit(per_rack, liquid, _reason(slot, system, per_rack, liquid))


def _reason(slot: RackSlot, system: System, per_rack: float, liquid: float) -> str | None:
    name = f"{system.id} does not fit rack slot {slot.id}"
    if slot.admits and system.id not in slot.admits:
        return f"{name}: not among the systems it admits ({', '.join(slot.admits)})"
    if system.form == "server":
        return f"{name}: a server-form system is not a rack-scale unit"
    width, depth = float(system.rack_width.magnitude), float(system.rack_depth.magnitude)
    slot_width, slot_depth = float(slot.rack_width.magnitude), float(slot.rack_depth.magnitude)
    if width > slot_width * _TOL or depth > slot_depth * _TOL:
        return f"{name}: rack {width:g} x {depth:g} m exceeds the slot's {slot_width:g} x {slot_depth:g} m"
    shelf = float(slot.power_shelf.magnitude)
    if per_rack > shelf * _TOL:
        return f"{name}: {per_rack:,.0f} kW per rack exceeds the power shelves' {shelf:,.0f} kW"
    manifold = float(slot.manifold.magnitude)
    if liquid > manifold * _TOL:
        return f"{name}: {liquid:,.0f} kW of liquid heat per rack exceeds the manifold's {manifold:,.0f} kW"
    low, high = float(slot.min_rack_power.magnitude), float(slot.max_rack_power.magnitude)
    if per_rack * _TOL < low or per_rack > high * _TOL:
        return f"{name}: {per_rack:,.0f} kW per rack is outside its {low:,.0f}-{high:,.0f} kW band"
    return None


def trays_per_unit(slot: RackSlot, system: System) -> int:
    """NVLink switch trays one unit of ``system`` draws from the tray supply in ``slot``."""
    return slot.trays_per_unit(system.id)


__all__ = ["SlotFit", "rack_kw", "slot_fit", "trays_per_unit"]
