"""The Optimise screen driven by Textual's Pilot: cancel, phases, figures with units (ISSUE10 defects 4, 5).

Cancel must stop the child within about a second and keep either the best incumbent
(status "cancelled", with its gap) or the plan shown before the solve, and say which; a
child that merely died is not a cancel. The screen names each phase as the pipeline
reports it, and ends on the plan's own objective and gap, with their unit.
"""

from __future__ import annotations

import re
import time

import pytest
from textual.widgets import Button, Input, Static

from dcplan.tui.solver_process import ACK_TIMEOUT_S, INCUMBENT_ACK_TIMEOUT_S
from dcplan.tui.widgets.solver_text import gap_text, objective_text
from tests.tui.long_scenario import long_scenario, write_long_scenario

SIZE = (140, 45)
# From Cancel to the child process having exited, with an incumbent: HiGHS answers at its
# next interrupt check (under INCUMBENT_ACK_TIMEOUT_S, else it is killed and the test fails
# on `killed`), then the child lays out and re-checks the incumbent: 0.3 s for the long
# campus on an idle machine, 3.3 s at a load of 8 on 2 cores. (Before the solve there is
# nothing to keep and a Cancel ends the child at once: see the first test.)
CHILD_GONE_WITH_INCUMBENT_S = INCUMBENT_ACK_TIMEOUT_S + 5.0
MARGINAL_ATTEMPTS = 15  # demo solves tried until a Cancel lands in its marginal values (each ~50 % likely)


async def wait_for(pilot, predicate, timeout: float, step: float = 0.05) -> bool:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return True
        await pilot.pause(step)
    return predicate()


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def set_input(pilot, selector: str, value: str) -> None:
    pilot.app.screen.query_one(selector, Input).value = value
    await pilot.pause()


def finished(screen) -> bool:
    return not screen.query_one("#solve").disabled


async def solve(pilot, timeout: float = 120):
    screen = pilot.app.screen
    await pilot.click("#solve")
    assert await wait_for(pilot, lambda: screen.solver is not None, 5)
    assert await wait_for(pilot, lambda: finished(screen), timeout), text(screen, "#optimise-status")
    return pilot.app.state.plan


async def start_long_solve(pilot, tmp_path) -> None:
    """Switch the app to the long campus, gap target 0 and a 300 s limit, and press Solve."""
    state = pilot.app.state
    state.scenario_path = write_long_scenario(tmp_path / "long.toml")
    state.scenario_data = long_scenario()
    await set_input(pilot, "#gap", "0")
    await set_input(pilot, "#time-limit", "300 s")
    # Button.press(), not Pilot.click: a click then waits for the app to idle, and on a fast
    # machine the child finds its first incumbent meanwhile ("cancel before any plan" would
    # then cancel after one)
    pilot.app.screen.query_one("#solve", Button).press()
    await pilot.pause()


async def cancel_and_time_the_child(pilot) -> float:
    """Press Cancel; return the seconds from the screen acting on it to the child process having exited."""
    screen = pilot.app.screen
    solver = screen.solver
    # Button.press() is what a click does; Pilot.click would first wait up to a second for
    # this test process to idle, and the solve would move on meanwhile
    screen.query_one("#cancel", Button).press()
    assert await wait_for(pilot, lambda: solver.cancel_requested_at is not None, 2, step=0.01), "Cancel not handled"
    assert await wait_for(pilot, lambda: not solver.process.is_alive(), 10, step=0.02), "the child never exited"
    return time.monotonic() - solver.cancel_requested_at


async def test_cancel_before_any_plan_keeps_the_previous_plan(app_factory, tmp_path):
    """Solve the demo, start the long campus and cancel at once: the demo plan stays, and the screen says so."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        demo = await solve(pilot)
        assert demo is not None and demo.solver.status == "optimal"
        await start_long_solve(pilot, tmp_path)
        solver = screen.solver
        assert solver.nothing_to_keep  # the child is still starting (importing) or building the model
        # the child cannot read a cancel in its start-up, and has nothing to keep: the Cancel
        # ends it in the same handler, without waiting ACK_TIMEOUT_S for an answer (that wait,
        # or an answer just in time followed by the model build under FINISH_TIMEOUT_S, made
        # the child outlive the Cancel by 3.87 s once on a loaded machine)
        screen.query_one("#cancel", Button).press()
        assert await wait_for(pilot, lambda: solver.cancel_requested_at is not None, 5, step=0.01), "Cancel not handled"
        assert finished(screen)  # the screen is back at once, in the Cancel handler
        assert solver.killed and not solver.process.is_alive()
        gone_s = solver.killed_at - solver.cancel_requested_at
        # measured from the Cancel to the child reaped, within the handler (the test's own
        # event loop is not in it): a kill and a wait, tens of ms; the old path took >= 1 s
        assert gone_s < ACK_TIMEOUT_S, f"the child ran {gone_s:.2f} s after Cancel"
        status = text(screen, "#optimise-status")
        assert re.match(r"Cancelled before the solve started \((starting|building model)\)", status), status
        assert re.search(r"showing the previous plan \(solved \d\d:\d\d\)", status), status
        assert "no-solution" not in status
        assert app.state.plan is demo  # not replaced by an empty plan
        await pilot.press("f6")
        await pilot.pause()
        summary = text(app.screen, "#plan-summary")
        peak = re.search(r";\s*([\d,]+) PFLOPS", summary)  # the first figure: peak compute (then delivered)
        assert "optimal" in summary and peak and peak.group(1) != "0", summary


async def test_cancel_mid_run_keeps_the_incumbent_with_its_gap(app_factory, tmp_path):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        await start_long_solve(pilot, tmp_path)
        assert await wait_for(pilot, lambda: (screen.last.get("incumbent") or 0) > 0, 120, step=0.01), "no incumbent"
        seen = screen.last["incumbent"]
        gone_s = await cancel_and_time_the_child(pilot)
        assert gone_s < CHILD_GONE_WITH_INCUMBENT_S, f"the child ran {gone_s:.2f} s after Cancel"
        assert await wait_for(pilot, lambda: finished(screen), 5)
        assert not screen.solver.killed  # it stopped by itself, acknowledging the cancel
        assert screen.solver.acknowledged_at - screen.solver.cancel_requested_at < INCUMBENT_ACK_TIMEOUT_S
        plan = app.state.plan
        assert plan is not None and plan.solver.status == "cancelled"
        assert plan.solver.gap is not None and plan.solver.gap > 0
        assert plan.recheck.ok and plan.compute_total.m_as("PFLOPS") > 0
        assert plan.solver.objective >= seen - 1e-6 * abs(seen)  # the incumbent or a better one, not less
        assert all(u.marginal is None for u in plan.limits)  # no marginal re-solves after a cancel
        status = text(screen, "#optimise-status")
        assert status.startswith(f"Cancelled: kept the best plan found (gap {gap_text(plan.solver.gap)})"), status
        assert f"gap {gap_text(plan.solver.gap)}" in text(screen, "#optimise-figures")
        await pilot.press("f6")
        await pilot.pause()
        assert f"cancelled, gap {gap_text(plan.solver.gap)}" in text(app.screen, "#plan-summary")


async def test_a_child_that_dies_is_not_a_cancel(app_factory, demo_plan_file, tmp_path):
    """The child killed from outside mid-run: the plan loaded before stays and nothing claims a cancel."""
    app = app_factory(plan=demo_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        demo = app.state.plan
        await start_long_solve(pilot, tmp_path)
        assert await wait_for(pilot, lambda: screen.last.get("incumbent") is not None, 120), "no incumbent"
        screen.solver.process.kill()
        assert await wait_for(pilot, lambda: finished(screen), 5)
        status = text(screen, "#optimise-status")
        assert "ended without a result" in status and "cancel" not in status.lower(), status
        assert f"showing the previous plan (loaded from {demo_plan_file.name})" in status, status
        assert app.state.plan is demo


async def test_demo_solve_names_its_phases_and_ends_on_the_plans_figures(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        plan = await solve(pilot)
        assert plan.solver.status == "optimal"
        # every phase the pipeline went through was shown, in order, marginal values by number
        marginal = [p for p in screen.phases if p.startswith("marginal values")]
        n = len(marginal)
        assert n >= 1 and marginal == [f"marginal values {k}/{n}" for k in range(1, n + 1)]
        assert screen.phases == ["starting", "building model", "solving", "layout", "re-check", *marginal, "done"]
        status = text(screen, "#optimise-status")
        assert status.startswith("optimal") and "solving" not in status
        # the final figures are the plan's, with the objective's unit
        figures = text(screen, "#optimise-figures")
        s = plan.solver
        assert f"incumbent {objective_text(s.objective, plan.objective, plan.precision)}" in figures, figures
        assert f"bound {objective_text(s.bound, plan.objective, plan.precision)}" in figures, figures
        assert f"gap {gap_text(s.gap)}" in figures and "PFLOPS" in figures
        assert ("M USD" in figures) == (plan.objective == "min-tco"), figures  # a compute objective is no money
        await pilot.press("f6")
        await pilot.pause()
        assert f"gap {gap_text(s.gap)}" in text(app.screen, "#plan-summary")  # one gap on both screens


async def test_a_tco_objective_is_shown_in_million_usd(app_factory):
    from dcplan.planner.scenario import SCENARIO_DIR

    app = app_factory(scenario=SCENARIO_DIR / "enterprise-hybrid.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#marginals").value = False
        plan = await solve(pilot)
        assert plan.feasible, plan.diagnosis.summary
        figures = text(screen, "#optimise-figures")
        assert f"incumbent {plan.solver.objective:,.1f} M USD" in figures, figures
        assert "PFLOPS" not in figures


async def test_cancel_during_marginal_values_keeps_the_optimal_plan(app_factory):
    """The status names the marginal-value phase while it runs; Cancel then keeps the optimal plan.

    The Cancel is pressed once a re-solve runs; the demo's re-solves take milliseconds, so
    on a fast machine the last one may finish before the child reads the Cancel. Either way
    the status must match the plan: "not computed" exactly when fewer than all were valued.
    The demo's whole marginal-value phase (~50 ms of incremental re-solves) may also fall
    between two polls of the UI (0.1 s): such a solve is run again.
    (tests/planner/test_pipeline_phases.py cuts the re-solves short deterministically.)
    """
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        in_marginals = lambda: text(screen, "#optimise-status").startswith("marginal values")  # noqa: E731
        for _attempt in range(MARGINAL_ATTEMPTS):  # until the Cancel lands before the solve has ended
            screen.query_one("#solve", Button).press()
            assert await wait_for(pilot, lambda: not finished(screen), 5)
            assert await wait_for(pilot, lambda: in_marginals() or finished(screen), 120, step=0.01), screen.phases
            if not in_marginals():  # the phase came and went between two polls
                continue
            assert re.fullmatch(r"marginal values \d+/\d+ \.\.\.", text(screen, "#optimise-status"))
            screen.query_one("#cancel", Button).press()
            await pilot.pause()
            if screen.solver.cancel_requested_at is not None:
                break
            assert await wait_for(pilot, lambda: finished(screen), 5)
        else:
            pytest.fail(
                f"in {MARGINAL_ATTEMPTS} solves the marginal values always ended before a Cancel could reach them"
            )
        gone_s = await cancel_and_time_the_child(pilot)
        assert gone_s < CHILD_GONE_WITH_INCUMBENT_S
        assert await wait_for(pilot, lambda: finished(screen), 5)
        plan = app.state.plan
        assert plan is not None and plan.solver.status == "optimal" and not screen.solver.killed
        status = text(screen, "#optimise-status")
        assert status.startswith("Cancelled after the solve: kept the optimal plan"), status
        assert screen.phases[-1] == "done"
        n = int(next(p for p in screen.phases if p.startswith("marginal values")).split("/")[-1])
        valued = sum(1 for u in plan.limits if u.marginal is not None)
        if "marginal values not computed" in status:
            # the re-solve the cancel interrupted is discarded, and the ones after it never run
            assert valued < n
        else:  # the Cancel came after the last re-solve: they all ran and gave their values
            assert valued > 0, (valued, n, status)


async def test_a_time_limit_without_a_plan_keeps_the_previous_plan(app_factory, demo_plan_file):
    """No incumbent within a 10 ms limit on the long campus: the loaded plan stays shown, and the screen says so."""
    app = app_factory(plan=demo_plan_file)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        demo = app.state.plan
        state = app.state
        state.scenario_data = long_scenario()
        await set_input(pilot, "#time-limit", "0.01 s")
        await solve(pilot)
        status = text(screen, "#optimise-status")
        assert status.startswith("No plan found"), status
        assert f"showing the previous plan (loaded from {demo_plan_file.name})" in status, status
        assert app.state.plan is demo


def test_only_a_child_before_the_solve_without_an_incumbent_is_ended_at_once():
    """The rule behind a Cancel that kills at once (tui/solver_process.py): before HiGHS runs
    there is nothing to keep; once it runs, or once an incumbent came, the child is asked."""
    from dcplan.tui.solver_process import SolverProcess

    solver = SolverProcess.__new__(SolverProcess)  # the rule only: no child process
    for phase, has_incumbent, at_once in [
        ("starting", False, True),
        ("building model", False, True),
        ("solving", False, False),  # HiGHS may answer within ACK_TIMEOUT_S
        ("building model", True, False),  # an incumbent was reported: it may be kept
        ("marginal values 2/5", False, False),
        ("layout", False, False),
    ]:
        solver.phase, solver.has_incumbent = phase, has_incumbent
        assert solver.nothing_to_keep is at_once, (phase, has_incumbent)


def test_objective_and_gap_texts_carry_their_units():
    assert objective_text(184320.4, "max-compute", "fp8") == "184,320 PFLOPS fp8"
    assert objective_text(1234.56, "min-tco", "fp8") == "1,234.6 M USD"
    assert objective_text(79528.14, "max-delivered", "fp8") == "79,528 PFLOPS delivered"
    assert objective_text(7313.4, "min-time-to-train", "fp8") == "7,313 PFLOPS delivered to the target"
    assert objective_text(22.9104, "min-cost-per-delivered", "fp8") == "22.91 USD per PFLOP-day"
    assert objective_text(None, "min-tco", "fp8") == gap_text(None) == "-"
    assert gap_text(0.023) == "2.300%"
