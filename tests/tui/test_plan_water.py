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
    path = tmp_path / "water.json"
    write_plan(plan, path)
    app = app_factory(plan=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#plan-tabs").active = "tab-mix"
        await pilot.pause()
        text = str(app.screen.query_one("#plan-costs", Static).render())
        assert "h1: water W45 (45 degC supply; allowed W27, W45)" in text
        assert f"{HOSTILE}: water W45" in text
        assert app.return_code is None
