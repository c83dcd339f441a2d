"""The optimiser's MIP assembled straight into a HighsLp from ModelData (numpy, no Pyomo):
the production path of planner/solve.py, with coefficient vectors of the formulation's
``compute_total`` [PFLOPS] and ``tco`` [MUSD] so a solution's figures need no Pyomo either.

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

from dcplan.planner import matrix_onsite as onsite
from dcplan.planner import matrix_swing as swing
from dcplan.planner import matrix_water as water
from dcplan.planner.modeldata import ModelData
from dcplan.planner.porting import port_columns, porting_cost_musd

INF = highspy.kHighsInf
USD_PER_MUSD = 1e6
TFLOPS_PER_PFLOPS = 1e3


def _redundancy_terms(redundancy: str) -> tuple[float, float, float]:
    """(a, b, c) of a topology: the integer n must satisfy load <= c * C * n, and
    installed = a * n + b * used (C = one module's capacity).

    N: (1, 0, 1); N+1: (1, 1, 1); 2N: (2, 0, 1); 2(N+1): (2, 2, 1);
    DR (three systems each sized for half the load, n modules per system): (3, 0, 2).
    These match models.power.redundant_count for the smallest n.
    """
    return {
        "N": (1.0, 0.0, 1.0),
        "N+1": (1.0, 1.0, 1.0),
        "2N": (2.0, 0.0, 1.0),
        "2(N+1)": (2.0, 2.0, 1.0),
        "DR": (3.0, 0.0, 2.0),
    }[redundancy]


def tie_break_weight(
    data: ModelData, units_per_row_max: list[int] | None = None, ports: list[Any] | None = None
) -> float:
    """Weight of TCO [MUSD] in a maximising objective, small enough never to trade compute.

    ``eps = 0.01 * min unit compute [PFLOPS] / upper bound of TCO [MUSD]``: the whole cost
    term is worth less than 1 % of the smallest unit's compute (max-compute: peak; the
    delivered objectives: the smallest delivered PFLOPS per unit among the objective's
    pairs), so it only breaks ties. The TCO bound counts every unit at its upper bound, every
    optional hall and every porting cost (planner.porting). ``units_per_row_max``: each
    option's, when the caller has read them already (the property computes the row's limits
    on each access); ``ports``: the port columns, when the caller has built them.
    """
    from dcplan.planner.matrix_workloads import delivered_objective_terms

    if data.scenario.scenario.objective in ("max-delivered", "min-time-to-train"):
        unit_compute = [t[2] for t in delivered_objective_terms(data) if t[2] > 0]
    else:
        unit_compute = [o.compute_per_unit / TFLOPS_PER_PFLOPS for o in data.options] + [
            c.compute_per_unit / TFLOPS_PER_PFLOPS for c in data.clouds if c.compute_per_unit > 0
        ]
    if not unit_compute:
        return 0.0
    per_row = units_per_row_max if units_per_row_max is not None else [o.units_per_row_max for o in data.options]
    tco_bound = sum(
        (o.capex_per_unit_usd + data.pv_factor * o.energy_cost_per_unit_usd) / USD_PER_MUSD * o.rows_available * n
        for o, n in zip(data.options, per_row, strict=True)
    )
    tco_bound += sum(data.pv_factor * c.annual_cost_usd / USD_PER_MUSD * c.quota for c in data.clouds)
    tco_bound += sum(h.build_cost_usd / USD_PER_MUSD for h in data.halls.values())
    tco_bound += porting_cost_musd(ports if ports is not None else port_columns(data))
    tco_bound += swing.swing_cost_bound_musd(
        data, [o.rows_available * n for o, n in zip(data.options, per_row, strict=True)]
    )
    tco_bound += onsite.onsite_cost_bound_musd(data, onsite.units_upper_by_key(data, per_row))
    tco_bound += water.water_cost_bound_musd(data)  # heat reuse revenue (planner.matrix_water)
    return 0.01 * min(unit_compute) / max(tco_bound, 1.0)


@dataclass
class DirectModel:
    """The assembled LP (column-wise CSC) and the name of every column and row."""

    lp: highspy.HighsLp
    columns: list[tuple[str, Any]]  # (variable, index) per HiGHS column
    rows: list[tuple[str, Any]]  # (constraint family, index) per HiGHS row
    build_s: float
    #: coefficients per HiGHS column of the formulation's ``compute_total`` [PFLOPS] and
    #: ``tco`` [MUSD] expressions: ``compute_pflops = compute @ col_value``
    compute: np.ndarray | None = None
    tco: np.ndarray | None = None
    #: every provisional column, with the ones no row or objective names (HiGHS never sees them)
    all_columns: list[tuple[str, Any]] | None = None
    #: the capex part of ``tco`` [MUSD] per HiGHS column (the roadmap charges it per period)
    capex: np.ndarray | None = None

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
    """Assemble the MIP of ``data`` as a HighsLp (no Pyomo), one step per constraint family
    in the formulation's declaration order."""
    t0 = time.perf_counter()
    ctx = _Context(data)
    s = _Stream()
    _row_families(s, ctx)
    _hall_families(s, ctx)
    _site_families(s, ctx)
    _money_rows(s, ctx)
    from dcplan.planner import matrix_workloads as wl  # imports this module's _Stream and _add

    wl.workload_families(s, ctx)
    wl.porting_rows(s, ctx)
    wl.share_rows(s, ctx)
    wl.candidate_rows(s, ctx)
    sense, obj = wl.objective_terms(ctx, tie_break_weight(data, ctx.units_per_row_max, ctx.ports))
    lp, order = _assemble(s, ctx, sense, obj)
    compute = np.zeros(ctx.n_cols)
    for k, col in ctx.supply_col.items():
        compute[col] = ctx.cpu(k)
    tco = np.zeros(ctx.n_cols)
    for col, value in ctx.opex_terms(ctx.data.pv_factor, ctx.capex_terms(1)).items():
        tco[col] = value
    capex = np.zeros(ctx.n_cols)
    for col, value in ctx.capex_terms(1).items():
        capex[col] = value
    return DirectModel(
        lp=lp,
        columns=[ctx.names[c] for c in order],
        rows=list(s.names),
        build_s=time.perf_counter() - t0,
        compute=compute[order],
        tco=tco[order],
        all_columns=ctx.names,
        capex=capex[order],
    )


class _Context:
    """Provisional column blocks (``U`` units, ``RW`` rows, ``RK`` racks, ``RENT``, ``HU``
    hall_used, ``SU`` site_used, ``UPS``, ``XF``, ``GEN``, ``AL`` alloc, ``PORT`` port) and
    per-option arrays."""

    def __init__(self, data: ModelData) -> None:
        self.data = data
        options, clouds = data.options, data.clouds
        self.options, self.clouds = options, clouds
        self.header = data.scenario.scenario
        n_o, n_k = len(options), len(clouds)
        self.hall_ids = sorted(data.halls)
        self.site_ids = sorted(data.sites)
        n_h, n_s = len(self.hall_ids), len(self.site_ids)
        self.n_o, self.n_k, self.n_h, self.n_s = n_o, n_k, n_h, n_s
        self.hall_ix = {h: i for i, h in enumerate(self.hall_ids)}
        self.site_ix = {s: i for i, s in enumerate(self.site_ids)}
        from dcplan.planner.matrix_workloads import pairs_in_order

        self.pairs = pairs_in_order(data)  # one alloc per (workload, supply group)
        self.pair_ix = {p: i for i, p in enumerate(self.pairs)}
        self.ports = port_columns(data)
        self.halls = [data.halls[h] for h in self.hall_ids]
        self.sites = [data.sites[x] for x in self.site_ids]
        self._columns()
        self._arrays()

    def _columns(self) -> None:
        n_o, n_k, n_h, n_s = self.n_o, self.n_k, self.n_h, self.n_s
        self.U, self.RW, self.RK = 0, n_o, 2 * n_o
        self.RENT = 3 * n_o
        self.HU = self.RENT + n_k
        self.SU = self.HU + n_h
        self.UPS = self.SU + n_s
        self.XF = self.UPS + n_h
        self.GEN = self.XF + n_h
        self.AL = self.GEN + n_s
        self.PORT = self.AL + len(self.pairs)
        self.n_cols = self.PORT + len(self.ports)
        options, clouds = self.options, self.clouds
        self.names: list[tuple[str, Any]] = (
            [("units", o.key) for o in options]
            + [("rows", o.key) for o in options]
            + [("racks", o.key) for o in options]
            + [("rent", c.key) for c in clouds]
            + [("hall_used", h) for h in self.hall_ids]
            + [("site_used", s) for s in self.site_ids]
            + [("ups_n", h) for h in self.hall_ids]
            + [("xfmr_n", h) for h in self.hall_ids]
            + [("gen_n", s) for s in self.site_ids]
            + [("alloc", p) for p in self.pairs]
            + [("port", (c.workload, c.stack)) for c in self.ports]
        )
        swing.add_swing_columns(self)  # battery_kw, battery_kwh, floor_kw after the last block
        water.add_water_columns(self)  # water_class[hall, class] after the swing columns
        onsite.add_onsite_columns(self)  # prime_n, prime_kw, curtail, curtail_loss after those
        self.supply_col = {o.key: self.U + i for i, o in enumerate(options)} | {
            c.key: self.RENT + i for i, c in enumerate(clouds)
        }
        self.supply_obj: dict[str, Any] = {o.key: o for o in options} | {c.key: c for c in clouds}
        self.supply_keys = [o.key for o in options] + [c.key for c in clouds]
        self._cpu = {k: float(self.supply_obj[k].compute_per_unit / TFLOPS_PER_PFLOPS) for k in self.supply_keys}

    def append_columns(self, names: list[tuple[str, Any]]) -> tuple[int, dict[tuple[str, Any], int]]:
        """Number ``names`` after the last column block: (first index, name -> column)."""
        start = self.n_cols
        self.names.extend(names)
        self.n_cols += len(names)
        return start, {name: start + i for i, name in enumerate(names)}

    def _arrays(self) -> None:
        options = self.options
        self.oi = np.arange(self.n_o, dtype=np.int64)
        self.ones = np.ones(self.n_o)
        # row_caps is computed on each access: read once per option
        self.row_caps = [o.row_caps for o in options]
        self.units_per_row_max = [min(caps.values()) for caps in self.row_caps]
        self.rows_avail = np.array([o.rows_available for o in options], dtype=np.float64)
        self.per_row_max = np.array(self.units_per_row_max, dtype=np.float64)
        self.o_hall = np.array([self.hall_ix[o.hall] for o in options], dtype=np.int64)
        self.o_site = np.array([self.site_ix[o.site] for o in options], dtype=np.int64)
        attr = {
            "racks_per_unit": [o.racks_per_unit for o in options],
            "it": [o.coeff.it_provisioned_kw for o in options],
            "liquid": [o.coeff.liquid_loop_kw for o in options],
            "air": [o.coeff.air_loop_kw + o.coeff.electrical_loss_design_kw for o in options],
            "area": [o.coeff.gross_area_m2 for o in options],
            "net_area": [o.network_area_m2_per_unit for o in options],
            "ups": [o.ups_kw_per_unit for o in options],
            "xfmr": [o.transformer_kva_per_unit for o in options],
            "facility": [o.facility_design_kw_per_unit for o in options],
        }
        self.a = {k: np.array(v, dtype=np.float64) for k, v in attr.items()}

    def cpu(self, key: str) -> float:
        """PFLOPS per unit of a supply."""
        return self._cpu[key]

    def hall_sum(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One entry per option, in its hall's row, on its units column."""
        return (self.o_hall, self.U + self.oi, values)

    def capex_terms(self, scale: float) -> dict[int, float]:
        """``scale * capex`` [MUSD] as {column: coefficient}, each coefficient computed with the
        same float operations in the same order as the formulation's sum (numpy elementwise)."""
        if not hasattr(self, "_capex"):
            self._capex_coefficients()
        c = self._capex
        terms = dict(zip(range(self.U, self.U + self.n_o), (scale * c["unit"]).tolist(), strict=True))
        terms.update(zip(range(self.RK, self.RK + self.n_o), (scale * c["pdu"]).tolist(), strict=True))
        terms.update(zip(range(self.RW, self.RW + self.n_o), (scale * c["busway"]).tolist(), strict=True))
        ups, xf = (scale * c["ups"]) * c["ra_h"], (scale * c["xfmr"]) * c["ra_h"]
        hu = (scale * c["ups"]) * c["rb_h"]
        hu = hu + (scale * c["xfmr"]) * c["rb_h"]
        hu = hu + scale * c["build"]
        for i, (u, h, x) in enumerate(zip(ups.tolist(), hu.tolist(), xf.tolist(), strict=True)):
            terms[self.UPS + i], terms[self.HU + i], terms[self.XF + i] = u, h, x
        gen, su = (scale * c["gen"]) * c["ra_s"], (scale * c["gen"]) * c["rb_s"]
        for i, (g, u) in enumerate(zip(gen.tolist(), su.tolist(), strict=True)):
            terms[self.GEN + i], terms[self.SU + i] = g, u
        for i, port in enumerate(self.ports):
            terms[self.PORT + i] = scale * port.cost_musd
        swing.swing_capex_terms(self, scale, terms)
        onsite.onsite_capex_terms(self, scale, terms)
        return terms

    def _capex_coefficients(self) -> None:
        """Per-unit capex [MUSD] of each block, and the redundancy terms (a, b) of halls and sites."""
        options, halls, sites = self.options, self.halls, self.sites

        def array(values: Any) -> np.ndarray:
            return np.array(list(values), dtype=np.float64)

        hall_r = [_redundancy_terms(h.redundancy) for h in halls]
        site_r = [_redundancy_terms(x.generator_redundancy) for x in sites]
        self._capex = {
            "unit": array(o.capex_per_unit_usd / USD_PER_MUSD for o in options),
            "pdu": array(o.pdu_capex_per_rack_usd / USD_PER_MUSD for o in options),
            "busway": array(o.busway_capex_per_row_usd / USD_PER_MUSD for o in options),
            "ups": array(h.ups_capex_usd / USD_PER_MUSD for h in halls),
            "xfmr": array(h.transformer_capex_usd / USD_PER_MUSD for h in halls),
            "build": array(h.build_cost_usd / USD_PER_MUSD for h in halls),
            "ra_h": array(r[0] for r in hall_r),
            "rb_h": array(r[1] for r in hall_r),
            "gen": array(x.generator_capex_usd / USD_PER_MUSD for x in sites),
            "ra_s": array(r[0] for r in site_r),
            "rb_s": array(r[1] for r in site_r),
        }

    def opex_terms(self, scale: float, terms: dict[int, float] | None = None, credit: bool = True) -> dict[int, float]:
        """``scale * annual_opex`` [MUSD/yr] added to ``terms`` (a new dict if None), less the
        heat reuse revenue unless ``credit`` is False (the opex budget counts what is paid)."""
        terms = {} if terms is None else terms
        for i, o in enumerate(self.options):
            _add(terms, self.U + i, scale * (o.energy_cost_per_unit_usd / USD_PER_MUSD))
        for i, c in enumerate(self.clouds):
            _add(terms, self.RENT + i, scale * (c.annual_cost_usd / USD_PER_MUSD))
        swing.swing_opex_terms(self, scale, terms)
        if credit:
            water.water_opex_terms(self, scale, terms)  # heat reuse credit
        onsite.onsite_opex_terms(self, scale, terms)
        return terms


def _row_families(s: _Stream, ctx: _Context) -> None:
    """row_count, rack_count, rack_count_ragged and the per-row capacity families."""
    options, oi, ones = ctx.options, ctx.oi, ctx.ones
    templates = sorted({o.row for o in options})
    t_ix = {r: i for i, r in enumerate(templates)}
    o_tpl = np.array([t_ix[o.row] for o in options], dtype=np.int64)
    count_of = {o.row: (o.rows_available, o.hall) for o in options}
    t_hall = np.array([ctx.hall_ix[count_of[r][1]] for r in templates], dtype=np.int64)
    t_count = np.array([count_of[r][0] for r in templates], dtype=np.float64)
    s.family(
        "row_count",
        templates,
        [(o_tpl, ctx.RW + oi, ones), (np.arange(len(templates)), ctx.HU + t_hall, -t_count)],
        -INF,
        0.0,
    )
    s.family(
        "rack_count",
        [o.key for o in options],
        [(oi, ctx.U + oi, ctx.a["racks_per_unit"]), (oi, ctx.RK + oi, -ones)],
        -INF,
        0.0,
    )
    # servers whose row cap n is not a multiple of x per rack may end a row with a part-full
    # rack: racks >= f * rows + (units - f * x * rows) / q, f = n // x, q = n % x (as Pyomo
    # writes it: f*rows + units/q - (f*x/q)*rows - racks <= 0)
    for i, o in enumerate(options):
        n, x = ctx.units_per_row_max[i], o.units_per_rack
        if x > 1 and n % x != 0:
            f, q = n // x, n % x
            terms: dict[int, float] = {}
            _add(terms, ctx.RW + i, float(f))
            _add(terms, ctx.U + i, 1.0 / q)
            _add(terms, ctx.RW + i, -(f * x) * (1.0 / q))
            _add(terms, ctx.RK + i, -1.0)
            s.row("rack_count_ragged", o.key, terms, -INF, 0.0)
    for family, cap in (
        ("row_positions", "positions"),
        ("row_busway", "busway"),
        ("row_liquid_heat", "liquid"),
        ("row_air_heat", "air"),
    ):
        sel = np.array([i for i, caps in enumerate(ctx.row_caps) if cap in caps], dtype=np.int64)
        caps = np.array([ctx.row_caps[i][cap] for i in sel], dtype=np.float64)
        local = np.arange(len(sel))
        s.family(
            family,
            [options[i].key for i in sel],
            [(local, ctx.U + sel, np.ones(len(sel))), (local, ctx.RW + sel, -caps)],
            -INF,
            0.0,
        )


def _hall_families(s: _Stream, ctx: _Context) -> None:
    """Hall IT power, liquid and air plant, area, UPS and transformer counts."""
    hall_ids, halls, a = ctx.hall_ids, ctx.halls, ctx.a
    for family, attr, cap in (
        ("hall_it_power", "it", "it_power_cap"),
        ("hall_liquid_plant", "liquid", "liquid_plant_capacity"),
        ("hall_air_plant", "air", "air_plant_capacity"),
    ):
        upper = [float(getattr(h.hall, cap).magnitude) for h in halls]
        s.family(family, hall_ids, [ctx.hall_sum(a[attr])], -INF, upper)
    with_area = [i for i, h in enumerate(halls) if h.hall.area is not None]
    if with_area:
        remap = np.full(ctx.n_h, -1, dtype=np.int64)
        remap[with_area] = np.arange(len(with_area))
        keep = remap[ctx.o_hall] >= 0
        net = keep & (a["net_area"] > 0)  # network and storage racks' whitespace, per unit
        s.family(
            "hall_area",
            [hall_ids[i] for i in with_area],
            [
                (remap[ctx.o_hall][keep], (ctx.RK + ctx.oi)[keep], a["area"][keep]),
                (remap[ctx.o_hall][net], (ctx.U + ctx.oi)[net], a["net_area"][net]),
            ],
            -INF,
            [float(halls[i].hall.area.magnitude) for i in with_area],  # type: ignore[union-attr]
        )
    spread = np.array([_redundancy_terms(h.redundancy)[2] for h in halls], dtype=np.float64)
    hi = np.arange(ctx.n_h)
    ups_cap = np.array([h.ups_module_kw for h in halls], dtype=np.float64)
    xfmr_cap = np.array([h.transformer_kva for h in halls], dtype=np.float64)
    s.family("hall_ups", hall_ids, [ctx.hall_sum(a["ups"]), (hi, ctx.UPS + hi, -(spread * ups_cap))], -INF, 0.0)
    s.family(
        "hall_transformer", hall_ids, [ctx.hall_sum(a["xfmr"]), (hi, ctx.XF + hi, -(spread * xfmr_cap))], -INF, 0.0
    )


def _site_families(s: _Stream, ctx: _Context) -> None:
    """Site utility power, generators, and the hall-to-site link."""
    sites, site_ids, hall_ids = ctx.sites, ctx.site_ids, ctx.hall_ids
    si, hi, n_h = np.arange(ctx.n_s), np.arange(ctx.n_h), ctx.n_h
    facility = (ctx.o_site, ctx.U + ctx.oi, ctx.a["facility"])
    utility = [facility, *onsite.utility_entries(ctx)]  # on-site generation, curtailment offer
    s.family("site_utility_power", site_ids, utility, -INF, [float(x.limits.utility_power.magnitude) for x in sites])
    gen_cap = np.array([_redundancy_terms(x.generator_redundancy)[2] * x.generator_kw for x in sites], dtype=np.float64)
    s.family("site_generators", site_ids, [facility, (si, ctx.GEN + si, -gen_cap)], -INF, 0.0)
    h_site = np.array([ctx.site_ix[h.site] for h in ctx.halls], dtype=np.int64)
    s.family(
        "site_used_link", hall_ids, [(hi, ctx.HU + hi, np.ones(n_h)), (hi, ctx.SU + h_site, -np.ones(n_h))], -INF, 0.0
    )
    swing.swing_rows(s, ctx)  # site_swing, battery_energy (planner.matrix_swing)
    water.water_rows(s, ctx)  # water_class_one, water_class_use (planner.matrix_water)
    onsite.onsite_rows(s, ctx, onsite.units_upper_by_key(ctx.data, ctx.units_per_row_max))  # planner.matrix_onsite


def _money_rows(s: _Stream, ctx: _Context) -> None:
    """capex <= budget [MUSD]; annual opex <= the opex budget [MUSD/yr]."""
    header = ctx.header
    if header.budget is not None:
        s.row("budget", None, ctx.capex_terms(1), -INF, float(header.budget.magnitude) / USD_PER_MUSD)
    if header.annual_opex_budget is not None:
        upper = float(header.annual_opex_budget.magnitude) / USD_PER_MUSD
        s.row("opex_budget", None, ctx.opex_terms(1, credit=False), -INF, upper)


def _column_order(cols: np.ndarray, n_cols: int, obj: dict[int, float]) -> np.ndarray:
    """Provisional columns in order of first appearance in the rows, then objective-only ones."""
    never = np.iinfo(np.int64).max
    seen = np.full(n_cols, never, dtype=np.int64)
    np.minimum.at(seen, cols, np.arange(len(cols)))
    in_rows = np.flatnonzero(seen < never)
    order = in_rows[np.argsort(seen[in_rows], kind="stable")]
    objective_only = [c for c in obj if seen[c] == never]
    return np.concatenate([order, np.array(objective_only, dtype=np.int64)])


def _assemble(s: _Stream, ctx: _Context, sense: Any, obj: dict[int, float]) -> tuple[highspy.HighsLp, np.ndarray]:
    """The HighsLp (column-wise) and the provisional column of each HiGHS column."""
    row_ids = np.concatenate(s.row_ids)
    cols = np.concatenate(s.cols)
    vals = np.concatenate(s.vals)
    n_cols = ctx.n_cols
    order = _column_order(cols, n_cols, obj)
    position = np.full(n_cols, -1, dtype=np.int64)
    position[order] = np.arange(len(order))
    nz = vals != 0.0
    row_ids, cols, vals = row_ids[nz], position[cols[nz]], vals[nz]
    n_rows, n_used = s.n_rows, len(order)
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    upper[ctx.U : ctx.U + ctx.n_o] = ctx.rows_avail * ctx.per_row_max
    upper[ctx.RW : ctx.RW + ctx.n_o] = ctx.rows_avail
    upper[ctx.RENT : ctx.RENT + ctx.n_k] = [c.quota for c in ctx.clouds]
    upper[ctx.HU : ctx.HU + ctx.n_h] = 1.0
    upper[ctx.SU : ctx.SU + ctx.n_s] = 1.0
    cost = np.zeros(n_cols)
    for col, value in obj.items():
        cost[col] = value
    integrality = np.full(n_cols, highspy.HighsVarType.kInteger)
    integrality[ctx.AL : ctx.PORT] = highspy.HighsVarType.kContinuous
    upper[ctx.PORT : ctx.PORT + len(ctx.ports)] = 1.0  # port[w, k] is binary
    swing.swing_continuous(ctx, integrality, highspy.HighsVarType.kContinuous)
    water.water_binary(ctx, upper)
    water.reuse_bounds(ctx, upper, integrality, highspy.HighsVarType.kContinuous)
    onsite.onsite_bounds(ctx, upper, integrality, highspy.HighsVarType.kContinuous)
    lp = colwise_lp(
        (row_ids, cols, vals),
        (n_used, n_rows),
        sense,
        (cost[order], lower[order], upper[order], list(integrality[order])),
        (np.concatenate(s.lower), np.concatenate(s.upper)),
    )
    return lp, order


def colwise_lp(
    coo: tuple[np.ndarray, np.ndarray, np.ndarray],
    shape: tuple[int, int],
    sense: Any,
    columns: tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]],
    row_bounds: tuple[np.ndarray, np.ndarray],
) -> highspy.HighsLp:
    """A HighsLp from nonzero (row, column, value) entries, column-wise (CSC) for passModel.

    ``shape`` = (columns, rows); ``columns`` = (cost, lower, upper, integrality) per column;
    a column's entries stay in row order (the order HiGHS reads and Pyomo writes).
    """
    rows, cols, vals = coo
    n_cols, n_rows = shape
    by_col = np.lexsort((rows, cols))
    starts = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=n_cols), out=starts[1:])
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.sense_ = sense
    lp.col_cost_, lp.col_lower_, lp.col_upper_, lp.integrality_ = columns
    lp.row_lower_, lp.row_upper_ = row_bounds
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = rows[by_col].astype(np.int32)
    lp.a_matrix_.value_ = vals[by_col]
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    return lp
