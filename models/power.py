"""Electrical physics: unit power at a utilisation, three-phase maths, power-chain losses,
redundancy and equipment counts.

Kernels take plain floats or numpy arrays in canonical units (kW, kVA, V, A) and work
element-wise, so one call evaluates a whole fleet. Boundary wrappers that take and return
pint quantities live in ``models.fleet`` and ``models.sizing``.

Power bases (always named in results):

- ``nameplate``: power-supply rating of the unit (redundant supplies counted once).
- ``design``: the maximum the unit draws; feeds, UPS and cooling are sized on it.
- ``typical``: what a busy training job draws; energy and opex use it.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

PowerBasis = Literal["nameplate", "design", "typical"]
RedundancyName = Literal["N", "N+1", "2N", "2(N+1)", "DR"]
REDUNDANCIES: tuple[RedundancyName, ...] = ("N", "N+1", "2N", "2(N+1)", "DR")
SQRT3 = math.sqrt(3.0)

FloatArray = NDArray[np.float64]


def power_at_utilisation_kw(idle_kw: ArrayLike, busy_kw: ArrayLike, utilisation: ArrayLike) -> FloatArray:
    """Linear idle-to-busy power (Fan, Weber & Barroso 2007).

    ``P(u) = P_idle + (P_busy - P_idle) * u``  [kW], with ``u`` in [0, 1].
    """
    idle = np.asarray(idle_kw, dtype=float)
    return idle + (np.asarray(busy_kw, dtype=float) - idle) * np.asarray(utilisation, dtype=float)


def psu_loss_kw(input_kw: ArrayLike, psu_efficiency: ArrayLike) -> FloatArray:
    """Heat lost in server power supplies: ``P_loss = P_in * (1 - eta_psu)`` [kW].

    IT power is measured at the PSU input, so this loss is inside IT power (PUE boundary).
    """
    return np.asarray(input_kw, dtype=float) * (1.0 - np.asarray(psu_efficiency, dtype=float))


def transient_peak_kw(design_kw: ArrayLike, headroom: ArrayLike) -> FloatArray:
    """Short electrical peak for breaker and UPS checks: ``P_peak = P_design * k_transient`` [kW]."""
    return np.asarray(design_kw, dtype=float) * np.asarray(headroom, dtype=float)


def three_phase_kva(voltage_v: ArrayLike, current_a: ArrayLike) -> FloatArray:
    """Apparent power of a balanced three-phase circuit: ``S = sqrt(3) * V_LL * I / 1000`` [kVA]."""
    return SQRT3 * np.asarray(voltage_v, dtype=float) * np.asarray(current_a, dtype=float) / 1000.0


def three_phase_current_a(power_kw: ArrayLike, voltage_v: ArrayLike, power_factor: ArrayLike) -> FloatArray:
    """Line current for a real power: ``I = 1000 * P / (sqrt(3) * V_LL * pf)`` [A]."""
    return (
        1000.0
        * np.asarray(power_kw, dtype=float)
        / (SQRT3 * np.asarray(voltage_v, dtype=float) * np.asarray(power_factor, dtype=float))
    )


def continuous_kw(
    voltage_v: ArrayLike, current_a: ArrayLike, power_factor: ArrayLike, derating: ArrayLike = 0.8, phases: int = 3
) -> FloatArray:
    """Usable continuous real power of a circuit under the 80 % rule (NEC).

    Three-phase: ``P = d * sqrt(3) * V_LL * I * pf / 1000``; single-phase: ``P = d * V * I * pf / 1000`` [kW].
    """
    factor = SQRT3 if phases == 3 else 1.0
    return (
        np.asarray(derating, dtype=float)
        * factor
        * np.asarray(voltage_v, dtype=float)
        * np.asarray(current_a, dtype=float)
        * np.asarray(power_factor, dtype=float)
        / 1000.0
    )


def redundant_count(required: ArrayLike, redundancy: RedundancyName) -> NDArray[np.int64]:
    """Installed units for ``required`` units of load under a redundancy topology.

    N -> n; N+1 -> n + 1; 2N -> 2n (two full systems); 2(N+1) -> 2(n + 1);
    DR (distributed redundant, three systems each sized for half the load) -> 3 * ceil(n / 2):
    modules are whole, so each system needs ceil(n / 2) of them (ceil(1.5 n) would leave one
    system below half the load when n is odd). Zero load installs nothing.
    """
    n = np.asarray(required, dtype=np.int64)
    if redundancy == "N":
        out = n
    elif redundancy == "N+1":
        out = n + 1
    elif redundancy == "2N":
        out = 2 * n
    elif redundancy == "2(N+1)":
        out = 2 * (n + 1)
    elif redundancy == "DR":
        out = 3 * ((n + 1) // 2)
    else:
        raise ValueError(f"unknown redundancy {redundancy!r}; expected one of {', '.join(REDUNDANCIES)}")
    return np.where(n > 0, out, 0)


def units_required(load: ArrayLike, unit_capacity: ArrayLike) -> NDArray[np.int64]:
    """Smallest whole number of units whose capacity covers the load: ``ceil(L / C)``.

    A tiny tolerance stops float noise (e.g. 2.0000000001) from adding a unit.
    """
    ratio = np.asarray(load, dtype=float) / np.asarray(unit_capacity, dtype=float)
    return np.ceil(ratio - 1e-9).clip(min=0).astype(np.int64)


def feeds_per_rack(redundancy: RedundancyName) -> int:
    """Independent rack feeds: two (A and B) for 2N-family and DR topologies, one otherwise."""
    return 2 if redundancy in ("2N", "2(N+1)", "DR") else 1


def active_share(redundancy: RedundancyName) -> float:
    """Share of the total load one side (system) of the topology carries in normal operation.

    2N-family: each of two systems carries half; DR: each of three carries a third;
    N and N+1: one system carries it all (spread over its modules).
    """
    return {"N": 1.0, "N+1": 1.0, "2N": 0.5, "2(N+1)": 0.5, "DR": 1.0 / 3.0}[redundancy]


def chain_input_kw(
    it_kw: ArrayLike, distribution_efficiency: ArrayLike, ups_efficiency: ArrayLike, transformer_efficiency: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Power drawn upstream of each power-chain stage (series efficiencies).

    ``P_ups_out = P_IT / eta_dist``; ``P_ups_in = P_ups_out / eta_ups``;
    ``P_xfmr_in = P_ups_in / eta_xfmr`` [kW]. Returns (ups_out, ups_in, transformer_in).
    """
    ups_out = np.asarray(it_kw, dtype=float) / np.asarray(distribution_efficiency, dtype=float)
    ups_in = ups_out / np.asarray(ups_efficiency, dtype=float)
    transformer_in = ups_in / np.asarray(transformer_efficiency, dtype=float)
    return ups_out, ups_in, transformer_in


def module_load_fraction(
    load_kw: ArrayLike, module_kw: ArrayLike, installed: ArrayLike, redundancy: RedundancyName
) -> FloatArray:
    """Normal-operation load on each installed module, as a fraction of its rating.

    All installed modules share the load (N+1 spares run loaded, as modular UPSs do):
    ``f = P / (n_installed * C)``. Zero modules give zero load.
    """
    del redundancy  # the installed count already encodes the topology
    installed_arr = np.asarray(installed, dtype=float)
    capacity = installed_arr * np.asarray(module_kw, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(capacity > 0, np.asarray(load_kw, dtype=float) / capacity, 0.0)
    return fraction
