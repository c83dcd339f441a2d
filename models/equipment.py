"""Equipment counts: rack PDUs and tap-offs, UPS modules, transformers, generators and the
room's cooling terminal units, for a load. One place for these counts: sizing (one system
on one cooling) and the planner's plan evaluation (whole halls and sites) both call it.

Inputs are catalog entries and plain floats in canonical units (kW, kVA); results are
``Tally`` records of plain floats, so a campus of thousands of rows costs no pint or
pydantic work per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dcplan.models import power
from dcplan.models.catalog import Cooling, Generator, PowerChain, RackPdu, Transformer, Ups


@dataclass(frozen=True)
class Tally:
    """Installed equipment of one kind: count, capacity each, the load it carries, capex."""

    item: str
    catalog_id: str
    count: int
    unit_capacity: float
    capacity_unit: str
    used: float
    capex_usd: float

    @property
    def installed(self) -> float:
        return self.count * self.unit_capacity


def priced(
    item: str, catalog_id: str, count: int, unit_capacity: float, capacity_unit: str, used: float, price_each: Any
) -> Tally:
    """A ``Tally`` of ``count`` items at ``price_each`` (a catalog money quantity): capex ``count * price`` [USD]."""
    return Tally(item, catalog_id, count, unit_capacity, capacity_unit, used, count * float(price_each.magnitude))


def circuit_kw(voltage: Any, current: Any, chain: PowerChain, phases: int = 3) -> float:
    """Continuous real power of a circuit under the chain's power factor and the 80 % rule [kW]."""
    return float(
        power.continuous_kw(
            voltage.magnitude,
            current.magnitude,
            chain.power_factor.magnitude,
            chain.continuous_derating.magnitude,
            phases,
        )
    )


def pdu_kw(pdu: RackPdu, chain: PowerChain) -> float:
    """Continuous capacity of one rack PDU [kW]."""
    return circuit_kw(pdu.voltage, pdu.current, chain, pdu.phases)


def pdus_per_rack(rack_kw: float, pdu_capacity_kw: float, feeds: int) -> int:
    """PDUs in one rack: each feed carries the whole rack, ``feeds * ceil(P_rack / P_pdu)``."""
    return feeds * int(power.units_required(rack_kw, pdu_capacity_kw))


def rack_pdus_and_tap_offs(
    pdu: RackPdu, busway: Any, chain: PowerChain, rack_kw: float, racks: int, feeds: int, used_kw: float
) -> tuple[Tally, Tally]:
    """Rack PDUs and the busway tap-offs feeding them (one tap-off per PDU)."""
    each_pdu_kw = pdu_kw(pdu, chain)
    count = racks * pdus_per_rack(rack_kw, each_pdu_kw, feeds)
    tap_kw = circuit_kw(busway.voltage, busway.tap_off_current, chain)
    return (
        priced("rack PDUs", pdu.id, count, each_pdu_kw, "kW continuous", used_kw, pdu.capex),
        priced("busway tap-offs", busway.id, count, tap_kw, "kW continuous", used_kw, busway.tap_off_capex),
    )


def ups_load_kw(it_kw: float, chain: PowerChain, basis: str = "it-over-distribution") -> float:
    """UPS output load [kW] on a named basis: ``P_IT / eta_distribution`` (``it-over-distribution``:
    the UPS also feeds the PDU and busway losses downstream of it) or ``P_IT`` (``it``)."""
    if basis == "it":
        return it_kw
    return it_kw / float(chain.distribution_efficiency.magnitude)


def ups_basis_text(basis: str, chain: PowerChain) -> str:
    """The UPS sizing basis in words, for results: "IT / distribution efficiency 0.99"."""
    if basis == "it":
        return "IT load"
    return f"IT / distribution efficiency {chain.distribution_efficiency.magnitude:g}"


def transformer_load_kva(ups_output_kw: float, ups_efficiency: float, other_kw: float, chain: PowerChain) -> float:
    """Transformer load: ``(P_UPS,out / eta_UPS + P_cooling + P_misc) / pf`` [kVA]."""
    return (ups_output_kw / ups_efficiency + other_kw) / float(chain.power_factor.magnitude)


def ups_and_transformers(
    ups: Ups,
    transformer: Transformer,
    chain: PowerChain,
    redundancy: str,
    it_kw: float,
    other_kw: float,
    ups_basis: str = "it-over-distribution",
) -> tuple[Tally, Tally]:
    """UPS modules for the IT load and transformers for it plus cooling and misc (``other_kw``).

    The UPS load is on ``ups_basis`` (``ups_load_kw``). Counts follow the redundancy
    topology; the transformer load uses the UPS efficiency at the modules' actual
    normal-operation loading, and always carries the distribution losses (``P_IT / eta_dist``).
    """
    load = ups_load_kw(it_kw, chain, ups_basis)
    module_kw = float(ups.rating.magnitude)
    modules = int(power.redundant_count(power.units_required(load, module_kw), redundancy))  # type: ignore[arg-type]
    fraction = float(power.module_load_fraction(load, module_kw, modules, redundancy))  # type: ignore[arg-type]
    through = ups_load_kw(it_kw, chain)  # the losses flow through the UPS whatever it is sized on
    kva = transformer_load_kva(through, float(ups.efficiency.at(fraction)), other_kw, chain)
    rating_kva = float(transformer.rating.magnitude)
    transformers = int(power.redundant_count(power.units_required(kva, rating_kva), redundancy))  # type: ignore[arg-type]
    return (
        priced("UPS modules", ups.id, modules, module_kw, "kW", load, ups.capex),
        priced("transformers", transformer.id, transformers, rating_kva, "kVA", kva, transformer.capex),
    )


def generator_kw(generator: Generator) -> float:
    """Usable generator capacity on UPS load: rating x derating [kW]."""
    return float(generator.rating.magnitude) * float(generator.derating.magnitude)


def generators(generator: Generator, redundancy: str, facility_kw: float) -> Tally:
    """Generators for the design-day facility load, counted per their own redundancy."""
    each_kw = generator_kw(generator)
    count = int(power.redundant_count(power.units_required(facility_kw, each_kw), redundancy))  # type: ignore[arg-type]
    return priced("generators", generator.id, count, each_kw, "kW (derated)", facility_kw, generator.capex)


def room_air_kw(cooling: Cooling, liquid_kw: float, air_kw: float) -> float:
    """Heat the CRAHs take from the white space: liquid-to-air row units reject the liquid
    part into the room too; rear doors take the air part at the rack."""
    if cooling.type == "dlc-l2a":
        return liquid_kw + air_kw
    if cooling.type == "rdhx":
        return 0.0
    return air_kw


def terminal_units(cooling: Cooling, liquid_kw: float, air_kw: float, racks: int) -> list[Tally]:
    """CDUs, liquid-to-air row units, CRAHs and rear doors for a load on one architecture.

    Each class is ``redundant_count(ceil(load / capacity))``; one rear door per rack. Room
    cooling capex is priced per kW (``Cooling.capex_per_kw``), so these carry none.
    """
    loads: list[tuple[str, float, float, str]] = []
    if cooling.type in ("dlc-cdu", "immersion") and cooling.cdu_capacity is not None and liquid_kw > 0:
        loads.append(("CDUs", liquid_kw, float(cooling.cdu_capacity.magnitude), cooling.cdu_redundancy))
    if cooling.type == "dlc-l2a" and cooling.l2a_capacity is not None:
        loads.append(
            ("liquid-to-air row units", liquid_kw, float(cooling.l2a_capacity.magnitude), cooling.cdu_redundancy)
        )
    room = room_air_kw(cooling, liquid_kw, air_kw)
    if cooling.crah_capacity is not None and room > 0:
        loads.append(("CRAH units", room, float(cooling.crah_capacity.magnitude), cooling.crah_redundancy))
    tallies = [
        Tally(
            item,
            cooling.id,
            int(power.redundant_count(power.units_required(load, capacity), redundancy)),  # type: ignore[arg-type]
            capacity,
            "kW",
            load,
            0.0,
        )
        for item, load, capacity, redundancy in loads
    ]
    if cooling.type == "rdhx" and cooling.rdhx_capacity is not None:
        tallies.append(
            Tally(
                "rear-door heat exchangers",
                cooling.id,
                racks,
                float(cooling.rdhx_capacity.magnitude),
                "kW",
                air_kw,
                0.0,
            )
        )
    return tallies
