"""Per site with a ``[[utility_limit]]``: each option's swing per unit and the mitigation
prices, as plain floats for both builders (planner.matrix_swing, planner.formulation_swing)
and the re-check. Formulas in models.swing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dcplan.models.errors import DcplanError
from dcplan.models.swing import HOURS_PER_YEAR, MitigationPrices, mitigation_prices, system_unit_swing, unit_step_kw
from dcplan.planner.entry_error import entry_error

if TYPE_CHECKING:
    from dcplan.models.catalog import Catalog
    from dcplan.planner.scenario import Scenario

KW_PER_MW = 1000.0


class SwingInputError(DcplanError):
    """A ``[[utility_limit]]`` the model cannot use (unknown site, roadmap, missing defaults)."""


@dataclass(frozen=True)
class SiteSwing:
    """One site's swing limit: band [kW], ramp [kW/s], allowed mitigations, per-option swing
    [kW per unit] and the prices of one kW of battery, kWh and floor."""

    site: str
    band_kw: float
    ramp_kw_per_s: float | None
    allowed: tuple[str, ...]
    prices: MitigationPrices
    floor_hours_per_year: float  # s_trough * 8760 h: a floor's kWh per kW per year
    carbon_kg_per_kwh: float  # the site's grid carbon intensity
    unit_swing_kw: dict[str, float] = field(default_factory=dict)  # option key -> A_resid
    unit_step_kw: dict[str, float] = field(default_factory=dict)  # option key -> P_typical - P_idle

    def battery_capex_musd(self) -> tuple[float, float]:
        """(c_kW, c_kWh) [MUSD per kW, MUSD per kWh]."""
        return self.prices.battery_usd_per_kw / 1e6, self.prices.battery_usd_per_kwh / 1e6

    def floor_opex_musd(self) -> float:
        """Floor energy [MUSD/yr per kW]."""
        return self.prices.floor_usd_per_kw_year / 1e6


def swing_row_sites(data: Any) -> list[str]:
    """The sites whose site_swing row has a term (a unit that swings, or a mitigation), in id
    order: a site with neither has nothing to constrain."""
    return [
        s
        for s in sorted(data.swing)
        if data.swing[s].allowed or any(v != 0 for v in data.swing[s].unit_swing_kw.values())
    ]


def _error(scenario: Any, index: int, name: str, expected: str, got: Any) -> SwingInputError:
    return entry_error(SwingInputError, scenario, "utility_limit", index, name, expected, got)


def site_swings(scenario: Scenario, catalog: Catalog, options: list[Any]) -> dict[str, SiteSwing]:
    """SiteSwing per ``[[utility_limit]]`` site (none: no swing rows, the plan as before)."""
    limits = scenario.utility_limit
    if not limits:
        return {}
    sites = {s.id for s in scenario.site}
    out: dict[str, SiteSwing] = {}
    for i, limit in enumerate(limits):
        if limit.site not in sites:
            raise _error(scenario, i, "site", f"a [[site]] id ({', '.join(sorted(sites))})", repr(limit.site))
        if limit.site in out:
            raise _error(scenario, i, "site", "one [[utility_limit]] per site", f"{limit.site!r} twice")
        out[limit.site] = _site_swing(scenario, catalog, limit, [o for o in options if o.site == limit.site])
    return out


def _site_swing(scenario: Scenario, catalog: Catalog, limit: Any, options: list[Any]) -> SiteSwing:
    header = scenario.scenario
    if header.electricity_price is not None:
        price = float(header.electricity_price.magnitude)
    else:
        price = float(catalog.site(limit.site).electricity_price.value.to("USD/kWh").magnitude)
    try:
        prices = mitigation_prices(catalog.defaults, price)
        per_system = {o.system: system_unit_swing(catalog.system(o.system), catalog.defaults) for o in options}
    except ValueError as exc:
        raise SwingInputError(f"{scenario.source}: utility_limit for site {limit.site!r}: {exc}") from exc
    ramp = limit.ramp_rate_mw_per_s * KW_PER_MW if limit.ramp_rate_mw_per_s is not None else None
    return SiteSwing(
        site=limit.site,
        band_kw=float(limit.swing_band.to("kW").magnitude),
        ramp_kw_per_s=ramp,
        allowed=limit.allowed,
        prices=prices,
        floor_hours_per_year=float(catalog.defaults.swing_trough_share.value) * HOURS_PER_YEAR,  # type: ignore[union-attr]
        carbon_kg_per_kwh=float(catalog.site(limit.site).grid_carbon_intensity.value.to("kg/kWh").magnitude),
        unit_swing_kw={o.key: per_system[o.system].residual_kw for o in options},
        unit_step_kw={o.key: unit_step_kw(catalog.system(o.system)) for o in options},
    )
