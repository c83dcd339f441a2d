"""The time-expanded roadmap MIP (issue 14): one single-period block per period, stacked.

Each period t's block is ``planner.matrix.build_direct(data_t)`` (the single-period physics,
written once); its own objective is discarded. ``RoadmapBuild`` stacks the blocks
block-diagonally and is the hook API the extensions use (EXTRAS: slots, density classes,
cloud terms, AI Factory; PYOMO reads the same layout): block columns by name, new columns
and rows, bounds, and per-period money / delivered accumulators. The core linking families
(stock, life, infrastructure, lead times, allocation caps: ``planner.roadmap_families``)
run first, then every ``ROADMAP_HOOKS`` entry, then the money rows and the objective.

Column names: ``(variable, (t, index))`` for block columns in single-period naming
(``("units", (3, "r1/alpha/ideal-dlc"))``) and for linking columns (``add``,
``rows_built``, ``racks_built``, and the hooks' own; the retirement ``ret`` is the stock
row's slack, reported by planner.roadmap_solve, not a column). Rows likewise.

Units: MUSD for money, PFLOPS for delivered compute, days / years / hours as named.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np

from dcplan.planner.matrix import DirectModel, build_direct, colwise_lp
from dcplan.planner.modeldata import ModelData
from dcplan.planner.roadmap_types import PeriodInput, RoadmapInputs

INF = highspy.kHighsInf
HOURS_PER_DAY = 24.0

#: extension hooks: each runs on the build after the core linking rows, before the money
#: rows and the objective (EXTRAS registers its families here)
ROADMAP_HOOKS: list[Callable[[RoadmapBuild], None]] = []


def register_hook(hook: Callable[[RoadmapBuild], None]) -> None:
    """Put ``hook`` in ROADMAP_HOOKS once (each extension module registers its hook when imported)."""
    if hook not in ROADMAP_HOOKS:
        ROADMAP_HOOKS.append(hook)


@dataclass
class RoadmapModel:
    """The assembled roadmap LP (column-wise) with the name of every column and row, and the
    per-column coefficients of each period's money and delivered figures (``x`` the column
    values: ``capex_musd[t] = capex[t] @ x``)."""

    lp: highspy.HighsLp
    columns: list[tuple[str, Any]]  # (variable, (t, index))
    rows: list[tuple[str, Any]]  # (family, (t, index)) or (family, index) for horizon rows
    build_s: float
    blocks: list[DirectModel]  # block t's DirectModel (its own objective unused)
    block_start: list[int]  # the first roadmap column of block t (its columns are contiguous)
    capex: np.ndarray  # (T, n) [MUSD per column unit] spent in period t (undiscounted)
    opex: np.ndarray  # (T, n) [MUSD per column unit] over period t (energy + rent, undiscounted)
    delivered: np.ndarray  # (T, n) [PFLOPS per column unit] delivered in period t
    residual: np.ndarray  # (n,) [MUSD] value left at the horizon end (undiscounted)
    npv_tco: np.ndarray  # (n,) [MUSD] sum_t df_t (capex_t + opex_t) - df_E residual
    tie_weight: float  # eps of max-cumulative-delivered (0 for min-npv-tco)
    objective: str
    #: max-cumulative-delivered: sum_t w_t days_t delivered[t] per column [PFLOP-days] (the
    #: objective without its cost term); None for min-npv-tco
    work: np.ndarray | None = None

    @property
    def periods(self) -> int:
        return len(self.blocks)

    # the sizes planner.solve.highs_options reads, as DirectModel's
    num_col = property(lambda self: int(self.lp.num_col_))
    num_row = property(lambda self: int(self.lp.num_row_))
    nnz = property(lambda self: len(self.lp.a_matrix_.index_))

    def block_slice(self, t: int) -> slice:
        """Block t's columns in the roadmap (in the block's own HiGHS order)."""
        return slice(self.block_start[t], self.block_start[t] + self.blocks[t].num_col)


def _without_money(data: ModelData) -> ModelData:
    """The period's data with no capex or opex budget (the roadmap writes its own money rows)."""
    header = data.scenario.scenario
    if header.budget is None and header.annual_opex_budget is None:
        return data
    stripped = header.model_copy(update={"budget": None, "annual_opex_budget": None})
    return replace(data, scenario=data.scenario.model_copy(update={"scenario": stripped}))


def build_blocks(inputs: RoadmapInputs) -> list[DirectModel]:
    """``build_direct`` of every period's data, or a copy of an earlier block with its limits
    patched where only they differ (``patched_block``): build_direct of the XL campus is
    ~0.03 s, 20 of them were a third of the roadmap's build."""
    blocks: list[DirectModel] = []
    built: list[tuple[ModelData, DirectModel]] = []
    for period in inputs.periods:
        data = _without_money(period.data)
        block = next((patched_block(b, d, data) for d, b in built if same_structure(d, data)), None)
        if block is None:
            block = build_direct(data)
            built.append((data, block))
        blocks.append(block)
    return blocks


def same_structure(a: ModelData, b: ModelData) -> bool:
    """Whether two periods' data give the same matrix, so that only the site utility power
    (site_utility_power rows' upper bounds), the demand floors (workload_demand rows' lower
    bounds) and the cloud quotas (rent columns' upper bounds) may differ: the same option,
    hall, pair and supply-group objects, the same scenario, clouds offering the same keys."""
    return (
        a.scenario is b.scenario
        and a.options is b.options
        and a.halls is b.halls
        and a.pairs is b.pairs
        and a.eligible is b.eligible
        and a.supply_groups is b.supply_groups
        and list(a.sites) == list(b.sites)
        and list(a.needs) == list(b.needs)
        and [c.key for c in a.clouds] == [c.key for c in b.clouds]
    )


def patched_block(block: DirectModel, old: ModelData, new: ModelData) -> DirectModel:
    """``block`` (built from ``old``) with ``new``'s site power (the site_utility_power rows
    and the on-site prime_energy rows), demand floors and quotas."""
    lp = highspy.HighsLp()
    src = block.lp
    for name in ("num_col_", "num_row_", "sense_", "col_cost_", "col_lower_", "integrality_", "a_matrix_"):
        setattr(lp, name, getattr(src, name))
    col_upper = np.array(src.col_upper_, dtype=np.float64)
    row_lower = np.array(src.row_lower_, dtype=np.float64)
    row_upper = np.array(src.row_upper_, dtype=np.float64)
    quota = {c.key: float(c.quota) for c in new.clouds}
    for i, (name, index) in enumerate(block.columns):
        if name == "rent":
            col_upper[i] = quota[index]
    for i, (name, index) in enumerate(block.rows):
        if name in ("site_utility_power", "prime_energy"):  # prime_energy: planner.matrix_onsite
            row_upper[i] = float(new.sites[index].limits.utility_power.magnitude)
        elif name == "workload_demand":
            row_lower[i] = new.needs[index].value
    lp.col_upper_, lp.row_lower_, lp.row_upper_ = col_upper, row_lower, row_upper
    return replace(block, lp=lp)


def check_periods(inputs: RoadmapInputs) -> None:
    """One clear line (DcplanError) for inputs no roadmap can be built from: no periods, or a
    period whose data lists other options, clouds, halls or sites than the first (every
    period's data must list the same ones in the same order, planner.roadmap_types)."""
    from dcplan.models.errors import DcplanError

    if not inputs.periods:
        raise DcplanError("roadmap: no periods to plan (periods must be 1 or more)")
    first = inputs.periods[0].data

    def keys(data: ModelData) -> tuple[list[str], list[str], list[str], list[str]]:
        return [o.key for o in data.options], [c.key for c in data.clouds], list(data.halls), list(data.sites)

    for period in inputs.periods[1:]:
        if period.data is not first and keys(period.data) != keys(first):
            raise DcplanError(
                f"roadmap: period {period.label} lists other options, clouds, halls or sites than "
                f"period {inputs.periods[0].label} (every period must list the same ones)"
            )


class RoadmapBuild:
    """The roadmap under construction: stacked blocks plus linking columns and rows.

    Hook API (binding, DESIGN14): ``block_col``, ``add_columns``, ``add_row``, ``set_upper``,
    the accumulators ``capex[t]``, ``opex[t]``, ``delivered[t]`` (dict column -> MUSD or
    PFLOPS per unit of the column) and ``residual`` (dict column -> MUSD), plus
    ``linking_col`` for columns added by name, ``inputs`` and ``periods``.
    """

    def __init__(self, inputs: RoadmapInputs, blocks: list[DirectModel]) -> None:
        check_periods(inputs)
        if len(blocks) != len(inputs.periods):
            raise ValueError("a roadmap needs one block per period")
        self.inputs = inputs
        self.periods: list[PeriodInput] = list(inputs.periods)
        self.blocks = blocks
        self.block_start: list[int] = []
        start = 0
        for block in blocks:
            self.block_start.append(start)
            start += block.num_col
        self.n_block_cols = start
        self._block_index: dict[int, dict[tuple[str, Any], int]] = {}
        self._lower = np.concatenate([np.asarray(b.lp.col_lower_, dtype=np.float64) for b in blocks])
        self._upper = np.concatenate([np.asarray(b.lp.col_upper_, dtype=np.float64) for b in blocks])
        self._integer = np.concatenate([np.asarray(b.lp.integrality_, dtype=np.int64) != 0 for b in blocks])
        self._new_lower: list[float] = []
        self._new_upper: list[float] = []
        self._new_integer: list[bool] = []
        self._new_names: list[tuple[str, Any]] = []
        self._named: dict[tuple[str, Any], int] = {}
        self._row_names: list[tuple[str, Any]] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []
        self._coo_rows: list[int] = []
        self._coo_cols: list[int] = []
        self._coo_vals: list[float] = []
        t_count = len(blocks)
        self.capex: list[dict[int, float]] = [{} for _ in range(t_count)]
        self.opex: list[dict[int, float]] = [{} for _ in range(t_count)]
        self.delivered: list[dict[int, float]] = [{} for _ in range(t_count)]
        self.residual: dict[int, float] = {}

    # -- columns ---------------------------------------------------------------------------
    @property
    def n_cols(self) -> int:
        return self.n_block_cols + len(self._new_names)

    def block_col(self, t: int, name: str, index: Any) -> int | None:
        """The roadmap column of block t's ``name[index]`` (single-period naming), or None
        when the block has no such column (no row of that period names it)."""
        lookup = self._block_index.get(t)
        if lookup is None:
            base = self.block_start[t]
            lookup = {key: base + i for i, key in enumerate(self.blocks[t].columns)}
            self._block_index[t] = lookup
        return lookup.get((name, index))

    def block_columns(self, t: int, name: str) -> dict[Any, int]:
        """{index: roadmap column} of every column ``name`` of block t."""
        base = self.block_start[t]
        return {index: base + i for i, (n, index) in enumerate(self.blocks[t].columns) if n == name}

    def add_columns(
        self, name: str, indices: Iterable[Any], lower: float = 0.0, upper: float = INF, integer: bool = False
    ) -> list[int]:
        """New columns ``name[index]`` (an index is usually ``(t, key)``); their roadmap ids."""
        out: list[int] = []
        for index in indices:
            key = (name, index)
            if key in self._named:
                raise ValueError(f"roadmap column {name}[{index!r}] added twice")
            col = self.n_cols
            self._named[key] = col
            self._new_names.append(key)
            self._new_lower.append(float(lower))
            self._new_upper.append(float(upper))
            self._new_integer.append(bool(integer))
            out.append(col)
        return out

    def linking_col(self, name: str, index: Any) -> int | None:
        """A column added by ``add_columns`` (core or hook), or None."""
        return self._named.get((name, index))

    def upper(self, col: int) -> float:
        return float(self._upper[col] if col < self.n_block_cols else self._new_upper[col - self.n_block_cols])

    def set_upper(self, col: int, value: float) -> None:
        """Column ``col``'s upper bound becomes ``value`` (never below its lower bound 0)."""
        if col < self.n_block_cols:
            self._upper[col] = value
        else:
            self._new_upper[col - self.n_block_cols] = value

    def set_lower(self, col: int, value: float) -> None:
        if col < self.n_block_cols:
            self._lower[col] = value
        else:
            self._new_lower[col - self.n_block_cols] = value

    # -- rows --------------------------------------------------------------------------------
    def add_row(self, name: str, index: Any, terms: dict[int, float], lower: float = -INF, upper: float = INF) -> int:
        """One row ``lower <= sum terms[col] x col <= upper``; its id among the linking rows."""
        self._coo_rows.extend([len(self._row_names)] * len(terms))
        self._coo_cols.extend(terms.keys())
        self._coo_vals.extend(terms.values())
        self._row_names.append((name, index))
        self._row_lower.append(float(lower))
        self._row_upper.append(float(upper))
        return len(self._row_names) - 1

    # -- assembly ----------------------------------------------------------------------------
    def names(self) -> list[tuple[str, Any]]:
        block_names = [(n, (t, i)) for t, b in enumerate(self.blocks) for n, i in b.columns]
        return block_names + self._new_names

    def assemble(self, sense: Any, cost: np.ndarray) -> tuple[highspy.HighsLp, list[tuple[str, Any]]]:
        """The HighsLp: block rows first (block by block), then the linking rows in order."""
        rows_b: list[np.ndarray] = []
        cols_b: list[np.ndarray] = []
        vals_b: list[np.ndarray] = []
        lower_r: list[np.ndarray] = []
        upper_r: list[np.ndarray] = []
        names: list[tuple[str, Any]] = []
        row_base = 0
        for t, b in enumerate(self.blocks):
            m = b.lp.a_matrix_
            starts = np.asarray(m.start_, dtype=np.int64)
            cols_b.append(np.repeat(np.arange(b.num_col, dtype=np.int64), np.diff(starts)) + self.block_start[t])
            rows_b.append(np.asarray(m.index_, dtype=np.int64) + row_base)
            vals_b.append(np.asarray(m.value_, dtype=np.float64))
            lower_r.append(np.asarray(b.lp.row_lower_, dtype=np.float64))
            upper_r.append(np.asarray(b.lp.row_upper_, dtype=np.float64))
            names.extend((n, (t, i)) for n, i in b.rows)
            row_base += b.num_row
        rows_b.append(np.array(self._coo_rows, dtype=np.int64) + row_base)
        cols_b.append(np.array(self._coo_cols, dtype=np.int64))
        vals_b.append(np.array(self._coo_vals, dtype=np.float64))
        lower_r.append(np.array(self._row_lower, dtype=np.float64))
        upper_r.append(np.array(self._row_upper, dtype=np.float64))
        names.extend(self._row_names)
        rows = np.concatenate(rows_b)
        cols = np.concatenate(cols_b)
        vals = np.concatenate(vals_b)
        nz = vals != 0.0
        rows, cols, vals = rows[nz], cols[nz], vals[nz]
        integer = np.concatenate([self._integer, np.array(self._new_integer, dtype=bool)])
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp = colwise_lp(
            (rows, cols, vals),
            (self.n_cols, len(names)),
            sense,
            (
                cost,
                np.concatenate([self._lower, np.array(self._new_lower, dtype=np.float64)]),
                np.concatenate([self._upper, np.array(self._new_upper, dtype=np.float64)]),
                [kinds[int(v)] for v in integer],
            ),
            (np.concatenate(lower_r), np.concatenate(upper_r)),
        )
        return lp, names

    def dense(self, terms: dict[int, float]) -> np.ndarray:
        out = np.zeros(self.n_cols)
        for col, value in terms.items():
            out[col] += value
        return out


def build_roadmap(inputs: RoadmapInputs, hooks: list[Callable[[RoadmapBuild], None]] | None = None) -> RoadmapModel:
    """The roadmap MIP of ``inputs``: blocks, core linking families, the hooks
    (``ROADMAP_HOOKS`` unless given), money rows and the objective (planner.roadmap_families)."""
    from dcplan.planner import roadmap_families as fam
    from dcplan.planner.solve import paused_gc

    t0 = time.perf_counter()
    check_periods(inputs)
    with paused_gc():
        build = RoadmapBuild(inputs, build_blocks(inputs))
        fam.core_families(build)
        for hook in ROADMAP_HOOKS if hooks is None else hooks:
            hook(build)
        fam.money_rows(build)
        sense, cost, parts = fam.objective(build)
        lp, rows = build.assemble(sense, cost)
    return RoadmapModel(
        lp=lp,
        columns=build.names(),
        rows=rows,
        build_s=time.perf_counter() - t0,
        blocks=build.blocks,
        block_start=build.block_start,
        capex=parts["capex"],
        opex=parts["opex"],
        delivered=parts["delivered"],
        residual=parts["residual"],
        npv_tco=parts["npv"],
        tie_weight=float(parts["tie"][0]),
        objective=inputs.objective,
        work=parts.get("work"),
    )


# the swing family (planner.roadmap_swing) registers its hook on import: a roadmap with a
# [[utility_limit]] keeps its batteries and charges them when built; the on-site family
# (planner.roadmap_onsite) likewise keeps its gensets and charges their lead time and fuel;
# the fabric family (planner.roadmap_fabric): kept units pay a fabric tier added later
from dcplan.planner import roadmap_fabric as _roadmap_fabric  # noqa: E402,F401
from dcplan.planner import roadmap_onsite as _roadmap_onsite  # noqa: E402,F401
from dcplan.planner import roadmap_swing as _roadmap_swing  # noqa: E402,F401

# the water family (planner.roadmap_water): one supply class per hall over the roadmap
from dcplan.planner import roadmap_water as _roadmap_water  # noqa: E402,F401
