"""Scale-out fabric as equipment: switches per tier, link ends, network racks, kW and USD
for N accelerators on a ``[[fabric]]`` template (a non-blocking folded-Clos fat tree).

With ``E = ceil(N * ports_per_chip)`` endpoint ports and switch radix ``k`` (ports at the
endpoint speed), a fat tree of ``t`` tiers connects at most ``2 * (k/2)**t`` endpoints
(one tier: ``k``; two: ``k**2 / 2``; three: ``k**3 / 4``), so the tier count is the
smallest ``t`` with ``E <= 2 * (k/2)**t``. Every tier below the top has
``ceil(E / (k/2))`` switches (half their ports down, half up); the top has
``ceil(S_below / 2)`` (all ports down). Links: ``E`` NIC-to-leaf links and ``(t - 1) * E``
switch-to-switch links (full bisection), two ends each.

Power at the network racks: ``P_fabric = N_sw * P_sw + n_switch_ends * P_end`` [kW]; the
NIC-side ends draw from the system they are plugged into, whose rated power already
covers its ports, so they are not counted again (they are priced). Capex:
``N_sw * C_sw + n_ends * C_end + n_links * C_cable`` [USD]. Network racks:
``ceil(max(N_sw * h_sw / U_rack, P_fabric / P_rack,max))`` (space or power, whichever binds).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from dcplan.models.catalog import Catalog
from dcplan.models.catalog.fabric import Fabric, LinkClass

#: Tiers past which dcplan refuses a fabric (a 4-tier fat tree on 64-port switches is 2M ports).
MAX_TIERS = 6


class FabricSize(NamedTuple):
    """Whole-number fabric equipment and its power and price for one cluster."""

    fabric_id: str
    chips: int
    endpoints: int  # scale-out ports E
    tiers: int
    switches_per_tier: tuple[int, ...]  # leaf first
    endpoint_links: int
    switch_links: int
    network_racks: int
    network_kw: float  # at the network racks: switches and their pluggables
    capex_usd: float
    gbps_per_chip: float

    @property
    def switches(self) -> int:
        return sum(self.switches_per_tier)

    @property
    def link_ends(self) -> int:
        """Transceivers or cable ends, both sides of every link."""
        return 2 * (self.endpoint_links + self.switch_links)


def fat_tree_tiers(endpoints: int, radix: int) -> int:
    """Smallest tier count ``t`` with ``E <= 2 * (k/2)**t`` (0 for no endpoints).

    Raises ValueError past ``MAX_TIERS`` (the radix is too small for the cluster).
    """
    if endpoints <= 0:
        return 0
    half = radix // 2
    for tiers in range(1, MAX_TIERS + 1):
        if endpoints <= 2 * half**tiers:
            return tiers
    raise ValueError(f"{endpoints:,} ports need more than {MAX_TIERS} tiers of {radix}-port switches")


def switches_per_tier(endpoints: int, radix: int) -> tuple[int, ...]:
    """Switches in each tier, leaf first: ``ceil(E / (k/2))`` below the top, the top
    ``ceil(S_below / 2)``; one tier is ``ceil(E / k)`` (= 1, since ``E <= k``)."""
    tiers = fat_tree_tiers(endpoints, radix)
    if tiers == 0:
        return ()
    if tiers == 1:
        return (math.ceil(endpoints / radix),)
    below = math.ceil(endpoints / (radix // 2))
    return (below,) * (tiers - 1) + (math.ceil(below / 2),)


def _link_kw_usd(link: LinkClass, links: int, powered_ends_per_link: int) -> tuple[float, float]:
    """(kW of the powered ends, USD of both ends and the cable) of ``links`` links."""
    kw = links * powered_ends_per_link * float(link.power_per_end.magnitude)
    usd = links * (2 * float(link.capex_per_end.magnitude) + float(link.cable_capex.magnitude))
    return kw, usd


def size_fabric(fabric: Fabric, chips: int) -> FabricSize:
    """The fat tree for ``chips`` accelerators on ``fabric`` (module docstring formulas)."""
    radix = int(fabric.switch_radix.magnitude)
    endpoints = math.ceil(chips * float(fabric.ports_per_chip.magnitude) - 1e-9) if chips > 0 else 0
    per_tier = switches_per_tier(endpoints, radix)
    tiers = len(per_tier)
    switch_links = (tiers - 1) * endpoints if tiers else 0
    switches = sum(per_tier)
    # NIC-side ends are powered by the system; the leaf-side end of each endpoint link and
    # both ends of each switch link are powered at the network racks
    end_kw, end_usd = _link_kw_usd(fabric.endpoint_link, endpoints, 1)
    sw_kw, sw_usd = _link_kw_usd(fabric.switch_link, switch_links, 2)
    network_kw = switches * float(fabric.switch_power.magnitude) + end_kw + sw_kw
    capex = switches * float(fabric.switch_capex.magnitude) + end_usd + sw_usd
    racks = network_racks(fabric, switches, network_kw)
    gbps = float(fabric.ports_per_chip.magnitude) * float(fabric.port_speed.magnitude) * 8.0
    return FabricSize(
        fabric.id, chips, endpoints, tiers, per_tier, endpoints, switch_links, racks, network_kw, capex, gbps
    )


def network_racks(fabric: Fabric, switches: int, network_kw: float) -> int:
    """``ceil(max(N_sw * h_sw / U_rack, P / P_rack,max))``: racks by space or by power."""
    if switches == 0:
        return 0
    by_space = switches * float(fabric.switch_height.magnitude) / float(fabric.rack_units.magnitude)
    by_power = network_kw / float(fabric.max_rack_power.magnitude)
    return math.ceil(max(by_space, by_power) - 1e-9)


def fabric_for_system(catalog: Catalog, system_id: str) -> Fabric | None:
    """The first ``[[fabric]]`` (by id) that lists ``system_id``; None if none does."""
    for fabric_id in sorted(catalog.items.get("fabric", {})):
        fabric = catalog.fabric(fabric_id)
        if system_id in fabric.systems:
            return fabric
    return None


def link_within_reach(link: LinkClass, distance_m: float) -> bool:
    """True when a link of ``distance_m`` [m] is no longer than the class's reach."""
    return distance_m <= float(link.reach.magnitude) + 1e-9


__all__ = [
    "MAX_TIERS",
    "FabricSize",
    "fabric_for_system",
    "fat_tree_tiers",
    "link_within_reach",
    "network_racks",
    "size_fabric",
    "switches_per_tier",
]
