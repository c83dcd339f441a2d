"""Per site with an ``[[onsite_power]]`` row: its prime mover's figures and each option's
per-unit design kW, average kW, job step kW and PFLOPS, as plain floats for both builders
(planner.matrix_onsite, planner.formulation_onsite) and the re-check. Physics in models.onsite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dcplan.models.errors import DcplanError
from dcplan.models.onsite import HOURS_PER_YEAR, PrimeMoverFigures, prime_mover_figures
from dcplan.models.swing import unit_step_kw
from dcplan.planner.entry_error import entry_error

if TYPE_CHECKING:
    from dcplan.models.catalog import Catalog
    from dcplan.planner.scenario import Scenario

KW_PER_MW = 1000.0
TFLOPS_PER_PFLOPS = 1000.0
#: objectives whose work term the curtailment loss is charged against, in PFLOPS (the delivered
#: objectives weigh work per workload, not yet charged; min-tco and the cost
#: ratio have no work term to lose, so a free curtailment would always be taken)
CURTAILMENT_OBJECTIVES = ("max-compute",)


class OnsiteInputError(DcplanError):
    """An ``[[onsite_power]]`` row the model cannot use (unknown site or prime mover, ...)."""


@dataclass(frozen=True)
class SiteOnsite:
    """One site's on-site option: prime mover (None: offer only), unit cap, step rule,
    curtailment offer [h/yr, kW], ride-through [s], grid price [USD/kWh] and per-option figures."""

    site: str
    prime: PrimeMoverFigures | None
    max_units: int
    islanded: bool
    curtailed_share: float  # h / 8760 (0: no offer)
    curtailment_grid_kw: float
    ride_through_s: float
    grid_usd_per_kwh: float
    grid_carbon_kg_per_kwh: float
    average_kw: dict[str, float] = field(default_factory=dict)  # option key -> facility average kW
    step_kw: dict[str, float] = field(default_factory=dict)  # option key -> P_typical - P_idle
    pflops: dict[str, float] = field(default_factory=dict)  # option key -> PFLOPS per unit
    prime_id: str | None = None  # the [[prime_mover]] catalog id

    @property
    def has_units(self) -> bool:
        return self.prime is not None and self.max_units > 0

    @property
    def has_offer(self) -> bool:
        return self.curtailed_share > 0.0

    def prime_capex_musd(self) -> float:
        """Capex per unit [MUSD]."""
        return 0.0 if self.prime is None else self.prime.capex_usd_per_unit / 1e6

    def generation_opex_musd(self) -> float:
        """(c_run - c_grid) * 8760 h / 1e6 [MUSD/yr per average kW generated], c_run = c_e + v
        (fuel and variable O&M): the options' energy cost already counts every kWh at the grid price."""
        if self.prime is None:
            return 0.0
        return (self.prime.running_usd_per_kwh - self.grid_usd_per_kwh) * HOURS_PER_YEAR / 1e6

    def fixed_om_musd(self) -> float:
        """f * P_rated / 1e6 [MUSD/yr per unit owned]: the fixed O&M of one genset."""
        return 0.0 if self.prime is None else self.prime.fixed_om_usd_per_unit_year / 1e6


def _error(scenario: Any, index: int, name: str, expected: str, got: Any) -> OnsiteInputError:
    return entry_error(OnsiteInputError, scenario, "onsite_power", index, name, expected, got)


def site_onsites(scenario: Scenario, catalog: Catalog, options: list[Any]) -> dict[str, SiteOnsite]:
    """SiteOnsite per ``[[onsite_power]]`` site (none: no on-site rows, the plan as before)."""
    rows = scenario.onsite_power
    if not rows:
        return {}
    sites = {s.id for s in scenario.site}
    out: dict[str, SiteOnsite] = {}
    for i, row in enumerate(rows):
        if row.site not in sites:
            raise _error(scenario, i, "site", f"a [[site]] id ({', '.join(sorted(sites))})", repr(row.site))
        if row.site in out:
            raise _error(scenario, i, "site", "one [[onsite_power]] per site", f"{row.site!r} twice")
        if row.curtailment_hours is not None and scenario.scenario.objective not in CURTAILMENT_OBJECTIVES:
            expected = f"an objective with a work term ({', '.join(CURTAILMENT_OBJECTIVES)})"
            raise _error(scenario, i, "curtailment_hours", expected, scenario.scenario.objective)
        prime = None
        if row.prime_mover is not None:
            known = set(catalog.items.get("prime_mover", {}))
            if row.prime_mover not in known:
                expected = f"a [[prime_mover]] id ({', '.join(sorted(known))})"
                raise _error(scenario, i, "prime_mover", expected, repr(row.prime_mover))
            prime = prime_mover_figures(catalog.prime_mover(row.prime_mover))
        out[row.site] = _site_onsite(scenario, catalog, row, prime, [o for o in options if o.site == row.site])
    return out


def _site_onsite(scenario: Scenario, catalog: Catalog, row: Any, prime: Any, options: list[Any]) -> SiteOnsite:
    header = scenario.scenario
    site = catalog.site(row.site)
    if header.electricity_price is not None:
        price = float(header.electricity_price.magnitude)
    else:
        price = float(site.electricity_price.value.to("USD/kWh").magnitude)
    grid_kw = float(row.curtailment_grid.to("kW").magnitude) if row.curtailment_grid is not None else 0.0
    return SiteOnsite(
        site=row.site,
        prime=prime,
        max_units=row.max_units if prime is not None else 0,
        islanded=row.islanded,
        curtailed_share=row.curtailed_share,
        curtailment_grid_kw=grid_kw,
        ride_through_s=row.ride_through_s,
        grid_usd_per_kwh=price,
        grid_carbon_kg_per_kwh=float(site.grid_carbon_intensity.value.to("kg/kWh").magnitude),
        average_kw={o.key: float(o.coeff.facility_average_kw) for o in options},
        step_kw={o.key: unit_step_kw(catalog.system(o.system)) for o in options},
        pflops={o.key: float(o.compute_per_unit) / TFLOPS_PER_PFLOPS for o in options},
        prime_id=row.prime_mover,
    )
