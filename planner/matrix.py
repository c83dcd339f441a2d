"""The optimiser's MIP assembled straight into a HighsLp from ModelData (numpy, no Pyomo).

Same variables, bounds, integrality, constraints and objective as
``planner.formulation.build_model`` (non-elastic), assembled with numpy and handed to HiGHS
in one ``passModel`` call. Columns and rows are laid out in the order Pyomo's persistent
HiGHS interface produces (rows in constraint-declaration order; columns in order of first
appearance in the rows, then the objective), and coefficients are accumulated in the same
order, so both paths give HiGHS the same LP and the branch-and-bound runs the same way:
``same_lp`` checks that against the LP Pyomo handed over.

Units as in the formulation: kW, kVA, m**2, PFLOPS, MUSD.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from dcplan.planner.formulation import TFLOPS_PER_PFLOPS, USD_PER_MUSD, _redundancy_terms, tie_break_weight
from dcplan.planner.modeldata import ModelData

INF = highspy.kHighsInf


@dataclass
class DirectModel:
    """The assembled LP (column-wise CSC) and the name of every column and row."""

    lp: highspy.HighsLp
    columns: list[tuple[str, Any]]  # (variable, index) per HiGHS column
    rows: list[tuple[str, Any]]  # (constraint family, index) per HiGHS row
    build_s: float

    @property
    def num_col(self) -> int:
        return len(self.columns)

    @property
    def num_row(self) -> int:
        return len(self.rows)

    @property
    def nnz(self) -> int:
        return int(self.lp.a_matrix_.start_[-1])


class _Stream:
    """Row-major constraint entries in Pyomo's order, with provisional column ids."""

    def __init__(self) -> None:
        self.row_ids: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.names: list[tuple[str, Any]] = []

    @property
    def n_rows(self) -> int:
        return len(self.names)

    def family(
        self,
        name: str,
        index: list[Any],
        entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
        lower: Any,
        upper: Any,
    ) -> None:
        """Rows ``name[index]``; ``entries`` are (local row, column, value) blocks, in term order."""
        n = len(index)
        if n == 0:
            return
        rows = np.concatenate([e[0] for e in entries]).astype(np.int64)
        cols = np.concatenate([e[1] for e in entries]).astype(np.int64)
        vals = np.concatenate([e[2] for e in entries]).astype(np.float64)
        order = np.argsort(rows, kind="stable")  # row-major, blocks keep their term order
        self.row_ids.append(rows[order] + self.n_rows)
        self.cols.append(cols[order])
        self.vals.append(vals[order])
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.names.extend((name, i) for i in index)

    def row(self, name: str, index: Any, terms: dict[int, float], lower: float, upper: float) -> None:
        """One row from an insertion-ordered {column: coefficient} (duplicates already merged)."""
        cols = np.fromiter(terms.keys(), dtype=np.int64, count=len(terms))
        vals = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
        self.family(name, [index], [(np.zeros(len(terms), dtype=np.int64), cols, vals)], lower, upper)


def _add(terms: dict[int, float], col: int, coef: float) -> None:
    terms[col] = terms[col] + coef if col in terms else coef


def build_direct(data: ModelData) -> DirectModel:
    """Assemble the MIP of ``data`` as a HighsLp (no Pyomo).

    Long because it was moved as one piece from the benchmark's floor; issue 12's solver
    work splits it into one step per constraint family.
    """
    t0 = time.perf_counter()
    options, clouds = data.options, data.clouds
    header = data.scenario.scenario
    n_o, n_k = len(options), len(clouds)
    hall_ids = sorted(data.halls)
    site_ids = sorted(data.sites)
    n_h, n_s = len(hall_ids), len(site_ids)
    hall_ix = {h: i for i, h in enumerate(hall_ids)}
    site_ix = {s: i for i, s in enumerate(site_ids)}
    pairs = [(w, e) for w in sorted(data.eligible) for e in data.eligible[w]]
    n_e = len(pairs)

    # Provisional column blocks.
    U, RW, RK = 0, n_o, 2 * n_o
    RENT = 3 * n_o
    HU = RENT + n_k
    SU = HU + n_h
    UPS = SU + n_s
    XF = UPS + n_h
    GEN = XF + n_h
    AL = GEN + n_s
    n_cols = AL + n_e
    prov_names: list[tuple[str, Any]] = (
        [("units", o.key) for o in options]
        + [("rows", o.key) for o in options]
        + [("racks", o.key) for o in options]
        + [("rent", c.key) for c in clouds]
        + [("hall_used", h) for h in hall_ids]
        + [("site_used", s) for s in site_ids]
        + [("ups_n", h) for h in hall_ids]
        + [("xfmr_n", h) for h in hall_ids]
        + [("gen_n", s) for s in site_ids]
        + [("alloc", p) for p in pairs]
    )
    supply_col = {o.key: U + i for i, o in enumerate(options)} | {c.key: RENT + i for i, c in enumerate(clouds)}
    supply_obj = {o.key: o for o in options} | {c.key: c for c in clouds}

    # Per-option arrays.
    oi = np.arange(n_o, dtype=np.int64)
    rows_avail = np.array([o.rows_available for o in options], dtype=np.float64)
    per_row_max = np.array([o.units_per_row_max for o in options], dtype=np.float64)
    o_hall = np.array([hall_ix[o.hall] for o in options], dtype=np.int64)
    o_site = np.array([site_ix[o.site] for o in options], dtype=np.int64)
    attr = {
        "racks_per_unit": [o.racks_per_unit for o in options],
        "it": [o.coeff.it_provisioned_kw for o in options],
        "liquid": [o.coeff.liquid_loop_kw for o in options],
        "air": [o.coeff.air_loop_kw + o.coeff.electrical_loss_design_kw for o in options],
        "area": [o.coeff.gross_area_m2 for o in options],
        "ups": [o.ups_kw_per_unit for o in options],
        "xfmr": [o.transformer_kva_per_unit for o in options],
        "facility": [o.facility_design_kw_per_unit for o in options],
    }
    a = {k: np.array(v, dtype=np.float64) for k, v in attr.items()}

    s = _Stream()
    ones = np.ones(n_o)

    # --- row constraints -------------------------------------------------------------------
    templates = sorted({o.row for o in options})
    t_ix = {r: i for i, r in enumerate(templates)}
    o_tpl = np.array([t_ix[o.row] for o in options], dtype=np.int64)
    count_of = {o.row: (o.rows_available, o.hall) for o in options}
    t_hall = np.array([hall_ix[count_of[r][1]] for r in templates], dtype=np.int64)
    t_count = np.array([count_of[r][0] for r in templates], dtype=np.float64)
    nt = len(templates)
    s.family(
        "row_count",
        templates,
        [(o_tpl, RW + oi, ones), (np.arange(nt), HU + t_hall, -t_count)],
        -INF,
        0.0,
    )
    s.family(
        "rack_count", [o.key for o in options], [(oi, U + oi, a["racks_per_unit"]), (oi, RK + oi, -ones)], -INF, 0.0
    )
    # servers whose row cap n is not a multiple of x per rack may end a row with a part-full
    # rack: racks >= f * rows + (units - f * x * rows) / q, f = n // x, q = n % x (as Pyomo
    # writes it: f*rows + units/q - (f*x/q)*rows - racks <= 0)
    for i, o in enumerate(options):
        n, x = o.units_per_row_max, o.units_per_rack
        if x > 1 and n % x != 0:
            f, q = n // x, n % x
            terms: dict[int, float] = {}
            _add(terms, RW + i, float(f))
            _add(terms, U + i, 1.0 / q)
            _add(terms, RW + i, -(f * x) * (1.0 / q))
            _add(terms, RK + i, -1.0)
            s.row("rack_count_ragged", o.key, terms, -INF, 0.0)
    for family, cap in (
        ("row_positions", "positions"),
        ("row_busway", "busway"),
        ("row_liquid_heat", "liquid"),
        ("row_air_heat", "air"),
    ):
        sel = np.array([i for i, o in enumerate(options) if cap in o.row_caps], dtype=np.int64)
        caps = np.array([options[i].row_caps[cap] for i in sel], dtype=np.float64)
        local = np.arange(len(sel))
        s.family(
            family,
            [options[i].key for i in sel],
            [(local, U + sel, np.ones(len(sel))), (local, RW + sel, -caps)],
            -INF,
            0.0,
        )

    # --- hall constraints ------------------------------------------------------------------
    def hall_sum(values: np.ndarray, cols: np.ndarray = U + oi) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (o_hall, cols, values)

    halls = [data.halls[h] for h in hall_ids]
    s.family(
        "hall_it_power", hall_ids, [hall_sum(a["it"])], -INF, [float(h.hall.it_power_cap.magnitude) for h in halls]
    )
    s.family(
        "hall_liquid_plant",
        hall_ids,
        [hall_sum(a["liquid"])],
        -INF,
        [float(h.hall.liquid_plant_capacity.magnitude) for h in halls],
    )
    s.family(
        "hall_air_plant",
        hall_ids,
        [hall_sum(a["air"])],
        -INF,
        [float(h.hall.air_plant_capacity.magnitude) for h in halls],
    )
    with_area = [i for i, h in enumerate(halls) if h.hall.area is not None]
    if with_area:
        remap = np.full(n_h, -1, dtype=np.int64)
        remap[with_area] = np.arange(len(with_area))
        keep = remap[o_hall] >= 0
        s.family(
            "hall_area",
            [hall_ids[i] for i in with_area],
            [(remap[o_hall][keep], (RK + oi)[keep], a["area"][keep])],
            -INF,
            [float(halls[i].hall.area.magnitude) for i in with_area],  # type: ignore[union-attr]
        )
    spread = np.array([_redundancy_terms(h.redundancy)[2] for h in halls], dtype=np.float64)
    hi = np.arange(n_h)
    ups_cap = np.array([h.ups_module_kw for h in halls], dtype=np.float64)
    xfmr_cap = np.array([h.transformer_kva for h in halls], dtype=np.float64)
    s.family("hall_ups", hall_ids, [hall_sum(a["ups"]), (hi, UPS + hi, -(spread * ups_cap))], -INF, 0.0)
    s.family("hall_transformer", hall_ids, [hall_sum(a["xfmr"]), (hi, XF + hi, -(spread * xfmr_cap))], -INF, 0.0)

    # --- site constraints ------------------------------------------------------------------
    sites = [data.sites[x] for x in site_ids]
    si = np.arange(n_s)
    s.family(
        "site_utility_power",
        site_ids,
        [(o_site, U + oi, a["facility"])],
        -INF,
        [float(x.limits.utility_power.magnitude) for x in sites],
    )
    gen_cap = np.array([_redundancy_terms(x.generator_redundancy)[2] * x.generator_kw for x in sites], dtype=np.float64)
    s.family("site_generators", site_ids, [(o_site, U + oi, a["facility"]), (si, GEN + si, -gen_cap)], -INF, 0.0)
    h_site = np.array([site_ix[h.site] for h in halls], dtype=np.int64)
    s.family("site_used_link", hall_ids, [(hi, HU + hi, np.ones(n_h)), (hi, SU + h_site, -np.ones(n_h))], -INF, 0.0)

    # --- money -----------------------------------------------------------------------------
    def capex_terms(scale: float) -> dict[int, float]:
        terms: dict[int, float] = {}
        for i, o in enumerate(options):
            _add(terms, U + i, scale * (o.capex_per_unit_usd / USD_PER_MUSD))
        for i, o in enumerate(options):
            _add(terms, RK + i, scale * (o.pdu_capex_per_rack_usd / USD_PER_MUSD))
        for i, o in enumerate(options):
            _add(terms, RW + i, scale * (o.busway_capex_per_row_usd / USD_PER_MUSD))
        for i, h in enumerate(halls):
            ra, rb, _ = _redundancy_terms(h.redundancy)
            c = h.ups_capex_usd / USD_PER_MUSD
            _add(terms, UPS + i, scale * c * ra)
            _add(terms, HU + i, scale * c * rb)
            c = h.transformer_capex_usd / USD_PER_MUSD
            _add(terms, XF + i, scale * c * ra)
            _add(terms, HU + i, scale * c * rb)
            _add(terms, HU + i, scale * (h.build_cost_usd / USD_PER_MUSD))
        for i, x in enumerate(sites):
            ra, rb, _ = _redundancy_terms(x.generator_redundancy)
            c = x.generator_capex_usd / USD_PER_MUSD
            _add(terms, GEN + i, scale * c * ra)
            _add(terms, SU + i, scale * c * rb)
        return terms

    def opex_terms(scale: float, terms: dict[int, float] | None = None) -> dict[int, float]:
        terms = {} if terms is None else terms
        for i, o in enumerate(options):
            _add(terms, U + i, scale * (o.energy_cost_per_unit_usd / USD_PER_MUSD))
        for i, c in enumerate(clouds):
            _add(terms, RENT + i, scale * (c.annual_cost_usd / USD_PER_MUSD))
        return terms

    if header.budget is not None:
        s.row("budget", None, capex_terms(1), -INF, float(header.budget.magnitude) / USD_PER_MUSD)
    if header.annual_opex_budget is not None:
        s.row("opex_budget", None, opex_terms(1), -INF, float(header.annual_opex_budget.magnitude) / USD_PER_MUSD)

    # --- workloads -------------------------------------------------------------------------
    supplies = sorted({e for _, e in pairs})
    sup_ix = {e: i for i, e in enumerate(supplies)}
    pair_sup = np.array([sup_ix[e] for _, e in pairs], dtype=np.int64)
    ai = np.arange(n_e, dtype=np.int64)
    sup_cols = np.array([supply_col[e] for e in supplies], dtype=np.int64)
    sup_cpu = np.array([supply_obj[e].compute_per_unit / TFLOPS_PER_PFLOPS for e in supplies], dtype=np.float64)
    s.family(
        "supply_capacity",
        supplies,
        [(pair_sup, AL + ai, np.ones(n_e)), (np.arange(len(supplies)), sup_cols, -sup_cpu)],
        -INF,
        0.0,
    )
    w_ids = [w.id for w in data.workloads]
    w_ix = {w: i for i, w in enumerate(w_ids)}
    by_workload = {w.id: w for w in data.workloads}
    pair_w = np.array([w_ix[w] for w, _ in pairs], dtype=np.int64)
    coef = []
    for w, e in pairs:
        if by_workload[w].demand is not None:
            coef.append(1.0)
        else:
            sup = supply_obj[e]
            coef.append(1.0 / (sup.compute_per_unit / sup.chips_per_unit / TFLOPS_PER_PFLOPS))
    need = []
    for workload in data.workloads:
        if not data.eligible.get(workload.id):
            # dcplan never builds a model for such a scenario: planner.diagnosis.structural_problems
            # reports it as infeasible first, so the floor has nothing to compare against
            raise ValueError(f"workload {workload.id!r} has no eligible supply: diagnosed before any model is built")
        demand = workload.demand
        need.append(float(demand.to("PFLOPS").magnitude) if demand is not None else float(workload.chips or 0))
    s.family("workload_demand", w_ids, [(pair_w, AL + ai, np.array(coef))], need, INF)

    # --- shares ----------------------------------------------------------------------------
    supply_keys = [o.key for o in options] + [c.key for c in clouds]

    def members(bound: Any) -> list[str]:
        return [
            k
            for k in supply_keys
            if (bound.family is not None and supply_obj[k].family == bound.family)
            or (bound.software is not None and supply_obj[k].software == bound.software)
        ]

    def cpu(k: str) -> float:
        return supply_obj[k].compute_per_unit / TFLOPS_PER_PFLOPS

    for i, bound in enumerate(data.scenario.share):
        if bound.min > 0:  # s_min * total - group <= 0
            terms = {}
            for k in supply_keys:
                _add(terms, supply_col[k], bound.min * cpu(k))
            for k in members(bound):
                _add(terms, supply_col[k], -cpu(k))
            s.row("share_min", i, terms, -INF, 0.0)
    for i, bound in enumerate(data.scenario.share):
        if bound.min > 0:  # a floor is not vacuous: group >= the smallest member unit's compute
            group = members(bound)
            terms = {}
            for k in group:
                _add(terms, supply_col[k], cpu(k))
            smallest = min(supply_obj[k].compute_per_unit for k in group) / TFLOPS_PER_PFLOPS if group else 1.0
            s.row("share_min_some", i, terms, smallest, INF)
    for i, bound in enumerate(data.scenario.share):
        if bound.max < 1:  # group - s_max * total <= 0
            terms = {}
            for k in members(bound):
                _add(terms, supply_col[k], cpu(k))
            for k in supply_keys:
                _add(terms, supply_col[k], -(bound.max * cpu(k)))
            s.row("share_max", i, terms, -INF, 0.0)

    # --- candidate bounds ------------------------------------------------------------------
    def unit_terms(system: str) -> dict[int, float]:
        terms = {U + i: 1.0 for i, o in enumerate(options) if o.system == system}
        terms.update({RENT + i: 1.0 for i, c in enumerate(clouds) if c.system == system})
        return terms

    for c in data.scenario.candidate:
        if c.min_units > 0:
            s.row("candidate_min", c.system, unit_terms(c.system), float(c.min_units), INF)
    for c in data.scenario.candidate:
        if c.max_units is not None:
            s.row("candidate_max", c.system, unit_terms(c.system), -INF, float(c.max_units))

    # --- objective -------------------------------------------------------------------------
    if header.objective == "min-tco":
        sense = highspy.ObjSense.kMinimize
        obj = capex_terms(1)
        opex_terms(data.pv_factor, obj)
    else:
        sense = highspy.ObjSense.kMaximize
        tie = tie_break_weight(data)
        # Pyomo sums the tco sub-expression first, then adds it to compute_total
        tco = opex_terms(-tie * data.pv_factor, capex_terms(-tie))
        obj = {supply_col[k]: cpu(k) for k in supply_keys}
        for col, value in tco.items():
            _add(obj, col, value)

    # --- assemble: columns in order of first appearance, rows in declaration order ---------
    row_ids = np.concatenate(s.row_ids)
    cols = np.concatenate(s.cols)
    vals = np.concatenate(s.vals)
    seen = np.full(n_cols, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(seen, cols, np.arange(len(cols)))
    in_rows = np.flatnonzero(seen < np.iinfo(np.int64).max)
    order = in_rows[np.argsort(seen[in_rows], kind="stable")]
    objective_only = [c for c in obj if seen[c] == np.iinfo(np.int64).max]
    order = np.concatenate([order, np.array(objective_only, dtype=np.int64)])
    position = np.full(n_cols, -1, dtype=np.int64)
    position[order] = np.arange(len(order))

    nz = vals != 0.0
    row_ids, cols, vals = row_ids[nz], position[cols[nz]], vals[nz]
    n_rows, n_used = s.n_rows, len(order)
    # column-wise (CSC) for passModel; entries of a column stay in row order
    by_col = np.lexsort((row_ids, cols))
    starts = np.zeros(n_used + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=n_used), out=starts[1:])

    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    upper[U : U + n_o] = rows_avail * per_row_max
    upper[RW : RW + n_o] = rows_avail
    upper[RENT : RENT + n_k] = [c.quota for c in clouds]
    upper[HU : HU + n_h] = 1.0
    upper[SU : SU + n_s] = 1.0
    cost = np.zeros(n_cols)
    for col, value in obj.items():
        cost[col] = value
    integrality = np.full(n_cols, highspy.HighsVarType.kInteger)
    integrality[AL:] = highspy.HighsVarType.kContinuous

    lp = highspy.HighsLp()
    lp.num_col_ = n_used
    lp.num_row_ = n_rows
    lp.sense_ = sense
    lp.col_cost_ = cost[order]
    lp.col_lower_ = lower[order]
    lp.col_upper_ = upper[order]
    lp.row_lower_ = np.concatenate(s.lower)
    lp.row_upper_ = np.concatenate(s.upper)
    lp.integrality_ = list(integrality[order])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = row_ids[by_col].astype(np.int32)
    lp.a_matrix_.value_ = vals[by_col]
    lp.a_matrix_.num_col_ = n_used
    lp.a_matrix_.num_row_ = n_rows
    columns = [prov_names[c] for c in order]
    return DirectModel(lp=lp, columns=columns, rows=list(s.names), build_s=time.perf_counter() - t0)
