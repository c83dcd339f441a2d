"""The plan screen's Mix & costs tab shows each [[water_loop]] hall's water line
(planner.water_plan.water_summary), hostile hall text shown literally, not as markup."""

from __future__ import annotations

from textual.widgets import Static

from dcplan.planner.export import write_plan
from dcplan.planner.water_plan import WaterLine, water_summary
from tests.planner.workload_plans import hand_plan

SIZE = (160, 40)
HOSTILE = "[b]bold[/b] [red"


def _line(hall: str) -> WaterLine:
    return WaterLine(
        hall=hall,
        allowed=["W27", "W45"],
        water_class="W45",
        supply_c=45.0,
        chiller_hours=0.0,
        plant_kw=0.0,
        water_l=0.0,
        wue_l_per_kwh=0.0,
        pue=1.0,
        erf=0.0,
    )


def test_water_summary_is_one_hand_checked_line():
    assert water_summary(_line("h1")) == (
        "h1: water W45 (45 degC supply; allowed W27, W45): 0 chiller h, plant 0 kW, PUE 1.000, WUE 0.00 L/kWh, ERF 0.000"
    )
    none = _line("h2").model_copy(update={"water_class": None, "supply_c": None})
    assert water_summary(none).startswith("h2: no liquid unit placed (allowed W27, W45): 0 chiller h")


async def test_the_mix_tab_shows_the_water_class_of_each_loop(app_factory, tmp_path):
    plan = hand_plan().model_copy(update={"water": [_line("h1"), _line(HOSTILE)]})
    text = await _mix_text(app_factory, plan, tmp_path / "water.json")
    assert "h1: water W45 (45 degC supply; allowed W27, W45)" in text
    assert f"{HOSTILE}: water W45" in text


async def _mix_text(app_factory, plan, path):
    """The Mix & costs tab's text of ``plan``, opened from its JSON file in the TUI (no crash:
    the app is still running when the text is read)."""
    write_plan(plan, path)
    app = app_factory(plan=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#plan-tabs").active = "tab-mix"
        await pilot.pause()
        text = str(app.screen.query_one("#plan-costs", Static).render())
        assert app.return_code is None
        return text


async def test_the_mix_tab_shows_heat_reuse_and_the_plan_erf(app_factory, tmp_path):
    """A loop serving a 50 degC taker from a 55 degC return: 4,730.4 MWh/yr at 30 USD/MWh =
    141,912 USD/yr; the plan ERF is that over the plan's facility energy."""
    reuse = {
        "return_c": 55.0,
        "reuse_taker_c": 50.0,
        "reuse_capacity_kw": 1000.0,
        "captured_kw": 540.0,
        "reused_mwh": 4730.4,
        "reuse_revenue_usd": 141_912.0,
        "erf": 0.9,
        "site": "cold-aws",
        "site_erf": 0.9,
    }
    plan = hand_plan()
    plan = plan.model_copy(update={"water": [_line("h1").model_copy(update=reuse)]})
    erf = 4730.4e3 / plan.energy.facility_energy.m_as("kWh")
    text = await _mix_text(app_factory, plan, tmp_path / "reuse.json")
    assert "heat reuse (return 55 degC, taker needs 50 degC): 4,730 MWh/yr, 141,912 USD/yr" in text
    assert "site cold-aws ERF 0.900" in text
    assert f"plan ERF {erf:.3f}: 4,730 MWh/yr of heat reused, 141,912 USD/yr" in text
