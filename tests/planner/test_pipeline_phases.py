"""plan_scenario's phase callback and cancel event (ISSUE10 defects 4 and 5, planner side).

The UI and the CLI show the phase by name ("marginal values 2/3", not "solving" through
the re-solves) and cancel through PlanOptions.cancel: a cancel stops the MIP at HiGHS's
next interrupt check, keeps the incumbent, and skips the marginal-value re-solves.
"""

from __future__ import annotations

import threading

import pytest

from dcplan.planner.marginals import relaxed_scenario
from dcplan.planner.pipeline import PHASES, Phase, PlanOptions, plan_scenario
from dcplan.planner.solve import SolveSettings
from tests.planner.conftest import scenario

# budget and CUDA share floor both bind (see test_optimiser.test_hybrid_share_bound_binds)
TWO_BINDING = {"header": {"budget": "10e6 USD"}, "share": [{"software": "cuda", "min": 0.5}]}


class Recorder:
    """Records every phase; optionally sets ``cancel`` when a phase with the given text starts."""

    def __init__(self, cancel: threading.Event | None = None, cancel_at: str | None = None) -> None:
        self.phases: list[Phase] = []
        self.cancel = cancel
        self.cancel_at = cancel_at

    def __call__(self, phase: Phase) -> None:
        self.phases.append(phase)
        if self.cancel is not None and phase.text == self.cancel_at:
            self.cancel.set()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.phases]


def options(recorder: Recorder | None = None, cancel: threading.Event | None = None, **kw) -> PlanOptions:
    return PlanOptions(
        settings=SolveSettings(time_limit_s=20, rel_gap=1e-9), on_phase=recorder, cancel=cancel, marginals=True, **kw
    )


def relaxable_binding(scn, plan) -> int:
    return sum(
        1
        for u in plan.limits
        if u.binding
        and (u.sense == "<=" or u.limit.startswith("minimum share ("))
        and relaxed_scenario(scn, u) is not None
    )


def test_phases_in_order_with_marginal_steps(ideal_catalog):
    scn = scenario(**TWO_BINDING)
    recorder = Recorder()
    plan = plan_scenario(scn, ideal_catalog, options(recorder))
    assert plan.solver.status == "optimal" and plan.recheck.ok
    n = relaxable_binding(scn, plan)
    assert n >= 2  # budget and the share floor
    assert recorder.names == ["building model", "solving", "layout", "re-check"] + ["marginal values"] * n + ["done"]
    marginal = [p for p in recorder.phases if p.name == "marginal values"]
    assert [(p.step, p.steps) for p in marginal] == [(k, n) for k in range(1, n + 1)]
    assert [p.text for p in marginal] == [f"marginal values {k}/{n}" for k in range(1, n + 1)]
    assert not any(p.cancelled for p in recorder.phases)
    assert all(name in PHASES for name in recorder.names)
    # every relaxable binding limit got its marginal value
    assert sum(1 for u in plan.limits if u.marginal is not None) == n


def test_callback_changes_nothing_in_the_plan(ideal_catalog):
    """Without a callback or cancel event plan_scenario behaves as before; with them, the same plan."""
    scn = scenario(**TWO_BINDING)
    plain = plan_scenario(scn, ideal_catalog, options()).model_dump(mode="json")
    watched = plan_scenario(scn, ideal_catalog, options(Recorder(), threading.Event())).model_dump(mode="json")
    for dump in (plain, watched):
        dump.pop("solver")
        dump.pop("created", None)
    assert plain == watched


def test_infeasible_reports_the_diagnosis_phase(ideal_catalog):
    recorder = Recorder()
    scn = scenario(
        site=[{"id": "cold-aws", "utility_power": "0.5 MW"}],
        workload=[{"id": "pretrain", "demand": "1000 PFLOPS", "software": ["neuron"]}],
    )
    plan = plan_scenario(scn, ideal_catalog, options(recorder))
    assert plan.solver.status == "infeasible"
    assert recorder.names == ["building model", "solving", "diagnosis", "done"]


def test_cancel_during_marginals_skips_the_rest_and_keeps_the_plan(ideal_catalog):
    """Cancel as the first re-solve starts: that re-solve is interrupted and discarded, no other runs."""
    scn = scenario(**TWO_BINDING)
    cancel = threading.Event()
    full = plan_scenario(scn, ideal_catalog, options())
    n = relaxable_binding(scn, full)
    recorder = Recorder(cancel, cancel_at=f"marginal values 1/{n}")
    plan = plan_scenario(scn, ideal_catalog, options(recorder, cancel))
    assert recorder.names == ["building model", "solving", "layout", "re-check", "marginal values", "done"]
    assert recorder.phases[-1].cancelled
    # the optimal plan is kept whole, only the marginal values are missing, and it says so
    assert plan.solver.status == "optimal" and plan.recheck.ok
    assert plan.compute_total == full.compute_total
    assert all(u.marginal is None for u in plan.limits)
    assert "marginal values not computed (cancelled)" in plan.diagnosis.summary


def test_cancel_through_the_solver_settings_alone_also_skips_marginals(ideal_catalog):
    """Callers that only set SolveSettings.cancel (the old way) get the same between-phase checks."""
    cancel = threading.Event()
    recorder = Recorder(cancel, cancel_at="re-check")
    plan = plan_scenario(
        scenario(**TWO_BINDING),
        ideal_catalog,
        PlanOptions(settings=SolveSettings(time_limit_s=20, cancel=cancel), on_phase=recorder),
    )
    assert "marginal values" not in recorder.names
    assert recorder.names[-1] == "done"
    assert all(u.marginal is None for u in plan.limits)


def test_cancel_before_solving_gives_no_plan_without_running_the_solver(ideal_catalog):
    cancel = threading.Event()
    recorder = Recorder(cancel, cancel_at="building model")
    plan = plan_scenario(scenario(**TWO_BINDING), ideal_catalog, options(recorder, cancel))
    assert recorder.names == ["building model", "done"]
    assert plan.solver.status == "cancelled" and not plan.feasible
    assert plan.solver.solve_s == 0.0
    assert "cancelled before a plan was found" in plan.diagnosis.summary


def test_cancel_mid_solve_keeps_the_incumbent_with_its_gap(catalog):
    """The long campus: cancel at the first incumbent; HiGHS stops, the incumbent is laid out and re-checked."""
    from dcplan.planner.scenario import parse_scenario
    from dcplan.planner.solve import Progress
    from tests.tui.long_scenario import long_scenario

    cancel = threading.Event()
    recorder = Recorder()

    def on_progress(progress: Progress) -> None:
        if progress.incumbent is not None:
            cancel.set()

    settings = SolveSettings(time_limit_s=120, rel_gap=0.0, on_progress=on_progress)
    plan = plan_scenario(
        parse_scenario(long_scenario()), catalog, PlanOptions(settings=settings, on_phase=recorder, cancel=cancel)
    )
    assert plan.solver.status == "cancelled"
    assert plan.solver.gap is not None and plan.solver.gap > 0
    assert plan.recheck.ok and plan.compute_total.m_as("PFLOPS") > 0
    assert plan.solver.solve_s < 60  # stopped, not run to the time limit
    assert recorder.names == ["building model", "solving", "layout", "re-check", "done"]
    assert recorder.phases[2].cancelled  # the first phase after the cancel acknowledges it
    assert all(u.marginal is None for u in plan.limits)


@pytest.mark.parametrize("marginals", [True, False])
def test_no_callback_no_cancel_is_the_old_call(ideal_catalog, marginals):
    plan = plan_scenario(
        scenario(**TWO_BINDING), ideal_catalog, PlanOptions(settings=SolveSettings(), marginals=marginals)
    )
    assert plan.solver.status == "optimal"
    assert any(u.marginal is not None for u in plan.limits) == marginals
