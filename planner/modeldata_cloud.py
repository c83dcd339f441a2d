"""The optimiser's rentable cloud supply (planner.modeldata.build_model_data's clouds): one
CloudOption per ``[[cloud]]`` offer, priced per hour and counted in compute."""

from __future__ import annotations

from dcplan.models.catalog import Catalog
from dcplan.planner.modeldata import CloudOption, Pruned
from dcplan.planner.modeldata_checks import catalog_field_error
from dcplan.planner.scenario import Scenario, uses_peak


def cloud_options(scenario: Scenario, catalog: Catalog, pruned: list[Pruned]) -> list[CloudOption]:
    """Rentable supply per cloud offer: hourly price (the offer's, else the catalog's) and
    compute ``chips * TFLOPS_chip`` at the scenario precision; offers without that figure
    are pruned (they add no compute, so they can serve no demand)."""
    precision = scenario.scenario.precision
    clouds: list[CloudOption] = []
    for offer in scenario.cloud:
        system = catalog.system(offer.system)
        chip = catalog.chip(system.chip)
        per_chip = {"bf16": chip.bf16_dense, "fp8": chip.fp8_dense, "fp4": chip.fp4_dense}[precision]
        if offer.price is not None:
            hourly = float(offer.price.magnitude)
        elif system.cloud_price is not None:
            hourly = float(system.cloud_price.magnitude)
        else:
            raise catalog_field_error(
                catalog,
                "system",
                system.id,
                "cloud_price",
                "an hourly rental price per unit (or give price in the scenario's [[cloud]] offer)",
                f"cloud offer {offer.id!r} rents it",
            )
        if (not per_chip or float(per_chip.magnitude) <= 0) and uses_peak(scenario):
            # a chips demand is met by compute, chips x per-chip PFLOPS
            pruned.append(Pruned(f"cloud:{offer.id}", system.id, "*", f"{system.id} has no {precision} figure"))
            continue
        clouds.append(
            CloudOption(
                key=f"cloud:{offer.id}",
                offer=offer,
                system=system.id,
                family=system.family,
                software=system.software,
                quota=offer.quota,
                hourly_usd=hourly,
                compute_per_unit=float(per_chip.magnitude if per_chip else 0.0) * int(system.chips_per_unit.value),
                chips_per_unit=int(system.chips_per_unit.value),
                it_design_kw_per_unit=float(system.design_power.magnitude),
            )
        )
    return clouds
