"""HiGHS alone on the MIP of planner/matrix.py: the floor for the benchmarks, and the check
that the matrix builder and the Pyomo formulation hand HiGHS the same LP."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from dcplan.planner.matrix import DirectModel, build_direct
from dcplan.planner.modeldata import ModelData


@dataclass
class DirectResult:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    build_s: float  # numpy assembly of the LP from ModelData
    pass_s: float  # Highs() + options + passModel
    solve_s: float  # Highs.run()
    model: DirectModel
    values: dict[tuple[str, Any], float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return self.build_s + self.pass_s + self.solve_s


def solve_direct(
    data: ModelData,
    time_limit_s: float = 60.0,
    rel_gap: float = 1e-4,
    threads: int = 1,
    seed: int = 0,
    options: dict[str, Any] | None = None,
) -> DirectResult:
    """Build with numpy, pass to HiGHS, run with the planner's options (no callbacks, no log);
    ``options`` are further HiGHS options (the floor "with its best settings")."""
    model = build_direct(data)
    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("random_seed", seed)
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.passModel(model.lp)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status >= 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    gap = abs(bound - objective) / max(abs(objective), 1e-9) if objective is not None and bound is not None else None
    name = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time-limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
    }.get(status, h.modelStatusToString(status))
    values: dict[tuple[str, Any], float] = {}
    if has_solution:
        col_value = h.getSolution().col_value
        values = dict(zip(model.columns, col_value, strict=True))
    return DirectResult(
        status=name if has_solution or name != "time-limit" else "no-solution",
        objective=objective,
        bound=bound,
        gap=gap,
        build_s=model.build_s,
        pass_s=t1 - t0,
        solve_s=t2 - t1,
        model=model,
        values=values,
    )


def pyomo_lp(model: Any) -> tuple[highspy.HighsLp, list[tuple[str, Any]]]:
    """The LP Pyomo's persistent interface hands to HiGHS for a built model, and its column names."""
    from pyomo.contrib.solver.solvers.highs import Highs

    solver = Highs()
    solver.set_instance(model)
    names = {}
    for var in model.component_data_objects(ctype=_var_type(), descend_into=True):
        names[id(var)] = (var.parent_component().local_name, var.index())
    columns = [names[v] for v, _ in sorted(solver._pyomo_var_to_solver_var_map.items(), key=lambda kv: kv[1])]
    return solver._solver_model.getLp(), columns


def _var_type() -> Any:
    import pyomo.environ as pyo

    return pyo.Var


def same_lp(direct: DirectModel, model: Any) -> list[str]:
    """Differences between the direct LP and the one Pyomo hands over (empty: identical)."""
    import scipy.sparse as sp

    lp, columns = pyomo_lp(model)
    problems: list[str] = []
    if columns != direct.columns:
        first = next((i for i, (x, y) in enumerate(zip(columns, direct.columns, strict=False)) if x != y), None)
        problems.append(f"column order differs ({len(columns)} vs {len(direct.columns)}; first at {first})")
        return problems
    if lp.num_row_ != direct.lp.num_row_:
        problems.append(f"rows {lp.num_row_} vs {direct.lp.num_row_}")
        return problems
    if lp.sense_ != direct.lp.sense_:
        problems.append("objective sense differs")
    for name in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        x, y = np.asarray(getattr(lp, name)), np.asarray(getattr(direct.lp, name))
        if not np.array_equal(x, y):
            worst = np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-300), initial=0.0, where=np.isfinite(x))
            problems.append(f"{name} differs (max relative {worst:.3g})")
    if [int(v) for v in lp.integrality_] != [int(v) for v in direct.lp.integrality_]:
        problems.append("integrality differs")

    def csr(lp: highspy.HighsLp) -> sp.csr_matrix:
        m = lp.a_matrix_
        shape = (lp.num_row_, lp.num_col_)
        cls = sp.csr_matrix if m.format_ == highspy.MatrixFormat.kRowwise else sp.csc_matrix
        return sp.csr_matrix(cls((np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)), shape=shape))

    a, b = csr(lp), csr(direct.lp)
    a.sort_indices()
    b.sort_indices()
    if a.nnz != b.nnz or not (np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)):
        problems.append(f"matrix pattern differs (nnz {a.nnz} vs {b.nnz})")
    elif not np.array_equal(a.data, b.data):
        problems.append(f"matrix values differ (max {np.max(np.abs(a.data - b.data)):.3g})")
    return problems
