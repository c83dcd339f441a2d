"""Quick-estimate inputs and the figures named after their basis: chiller power and COP,
a PUE or WUE target given instead of the plant model, and where site water comes from.

Plain floats per deployment unit (kW, L), like ``models.coefficients``, which calls these
steps; each figure comes with the words a result shows beside it ("modelled", "target
input", ...), so no result states a number without saying what it rests on.
"""

from __future__ import annotations

from typing import NamedTuple

from dcplan.models import energy, thermal
from dcplan.models.plant import PlantLoop

MODELLED = "modelled"
TARGET_INPUT = "target input"


class ChillerFigures(NamedTuple):
    """Chillers of one unit's loops [kW], the hours they run, and their COP's basis."""

    chiller_design_kw: float  # compressor power on the design day
    chiller_annual_kw: float  # yearly mean, at average load
    chiller_heat_design_kw: float  # heat the chillers remove on the design day
    chiller_hours: float  # hours any loaded loop runs its chiller
    cop_basis: str


def chiller_figures(
    loop_heat_kw: tuple[float, float], loss_kw: tuple[float, float], loops: tuple[PlantLoop, PlantLoop], scale: float
) -> ChillerFigures:
    """Chiller power of the facility-water (``l``) and chilled-water (``a``) loops.

    Heat on the loops ``Q_l`` and ``Q_a + L`` (electrical losses are cooled on chilled
    water); design day ``P_ch = c_l * Q_l + c_a * (Q_a + L_design)`` with ``c`` a loop's
    design chiller kW per kW of heat (``(1 - f_free) / COP``); yearly mean
    ``c'_l * Q_l * s + c'_a * (Q_a * s + L_avg)``; heat removed by the chillers on the
    design day ``m_l * Q_l + m_a * (Q_a + L_design)`` with ``m`` the design mechanical share.
    """
    (liquid, air), (q_liquid, q_air), (loss_design, loss_average) = loops, loop_heat_kw, loss_kw
    design = liquid.design_chiller_kw_per_kw * q_liquid + air.design_chiller_kw_per_kw * (q_air + loss_design)
    annual = liquid.annual_chiller_kw_per_kw * q_liquid * scale + air.annual_chiller_kw_per_kw * (
        q_air * scale + loss_average
    )
    removed = liquid.design_mechanical_fraction * q_liquid + air.design_mechanical_fraction * (q_air + loss_design)
    loaded = [loop for loop, q in ((liquid, q_liquid), (air, q_air + loss_design)) if q > 0]
    hours = max((loop.chiller_hours for loop in loaded), default=0.0)
    bases = sorted({loop.cop_basis for loop in loaded}) or [liquid.cop_basis]
    return ChillerFigures(design, annual, removed, hours, " / ".join(bases))


def effective_cop(heat_removed_kw: float, chiller_kw: float) -> float | None:
    """Design-day COP over both loops ``COP = Q_mech / P_ch`` (None when no chiller runs)."""
    return heat_removed_kw / chiller_kw if chiller_kw > 1e-12 else None


def kw_per_ton(cop: float | None) -> float | None:
    """``kW/ton = 3.517 / COP`` (None when there is no COP)."""
    return float(thermal.kw_per_ton_from_cop(cop)) if cop else None


def cooling_for_pue_kw(pue: float, it_kw: float, loss_kw: float, misc_kw: float) -> float:
    """Cooling power a PUE target leaves: ``P_cool = PUE * P_IT - P_IT - L - P_misc`` [kW].

    Negative when the target is below what the electrical losses and misc load alone
    give (``1 + (L + P_misc) / P_IT``); the caller reports that as bad input.
    """
    return pue * it_kw - it_kw - loss_kw - misc_kw


def pue_floor(it_kw: float, loss_kw: float, misc_kw: float) -> float:
    """The lowest PUE with no cooling at all: ``1 + (L + P_misc) / P_IT``."""
    return 1.0 + (loss_kw + misc_kw) / it_kw if it_kw > 0 else 1.0


def water_for_wue_l(wue_l_per_kwh: float, it_average_kw: float) -> float:
    """Site water per year a WUE target gives: ``W = WUE * P_IT,avg * 8,760 h`` [L]."""
    return wue_l_per_kwh * it_average_kw * energy.HOURS_PER_YEAR


def water_at_wue(wue_l_per_kwh: float, it_average_kw: float) -> tuple[float, str]:
    """(site water per year [L], its basis) for a WUE target: ``W = WUE * P_IT,avg * 8,760 h``."""
    return water_for_wue_l(wue_l_per_kwh, it_average_kw), f"{TARGET_INPUT} WUE {wue_l_per_kwh:g} L/kWh"


def water_basis(evaporates: bool, plant_id: str, dry_water_l_per_kwh: float) -> str:
    """Where modelled site water comes from: the tower's evaporation and blowdown, or the
    planning default per kWh of heat for a plant that evaporates nothing."""
    if evaporates:
        return f"evaporation + blowdown ({plant_id})"
    return f"dry default {dry_water_l_per_kwh:g} L/kWh of heat"
