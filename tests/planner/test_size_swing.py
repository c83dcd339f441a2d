"""`dcplan size` shows the sized block's training swing and what a --swing-band or
--ramp-limit needs (planner/cli/size_swing.py). GB300 NVL72: 142 - 35.5 = 106.5 kW per
unit, 50 kJ storage absorbs 2 x 50 / 5 = 20 kW, so 64 units swing 64 x 86.5 = 5,536 kW."""

from __future__ import annotations

import json

import pytest

from dcplan.planner.cli import main


def _size(capsys, *flags: str) -> tuple[int, str]:
    code = main(["size", "-s", "gb300-nvl72", "-n", "64", *flags])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_json_swing_figures(capsys, catalog):
    code, out = _size(capsys, "--json", "--swing-band", "2MW", "--ramp-limit", "1")
    assert code in (0, None)
    swing = json.loads(out)["swing"]
    assert swing["swing_kw"] == pytest.approx(5536.0)
    # battery 3,536 kW x (300 + 0.25 x 350) USD/kW = 1,370,200 USD; 0.25 h -> 884 kWh
    assert swing["battery_kw"] == pytest.approx(3536.0)
    assert swing["battery_kwh"] == pytest.approx(884.0)
    assert swing["battery_capex_usd"] == pytest.approx(1_370_200.0)
    price = float(catalog.site("ashburn-va").electricity_price.value.to("USD/kWh").magnitude)
    assert swing["floor_energy_cost_usd_per_year"] == pytest.approx(3536.0 * 0.3 * 8760 * price)
    # job step: 64 x (typical - idle)
    system = catalog.system("gb300-nvl72")
    step = 64 * float((system.typical_power.value - system.idle_power.value).to("kW").magnitude)
    assert swing["job_step_kw"] == pytest.approx(step)
    assert swing["job_start_s"] == pytest.approx(step / 1000.0)


def test_text_lines(capsys):
    code, out = _size(capsys, "--swing-band", "10MW")
    assert code in (0, None)
    assert "training swing 5.536 MW (106.5 kW per unit trough to peak, 20 kW absorbed by its own storage)" in out
    assert "within a 10 MW swing band: no mitigation needed" in out


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--ramp-limit", "fast"), "--ramp-limit: expected a ramp rate in MW/s above 0 (e.g. 5), got fast"),
        (("--ramp-limit", "-1"), "--ramp-limit: expected a ramp rate in MW/s above 0"),
        (("--swing-band", "2 kg"), "--swing-band: expected a power such as '132 kW', got '2 kg' (a mass)"),
    ],
)
def test_bad_swing_flags_are_one_line(capsys, flags, expected):
    code, out = _size(capsys, *flags)
    assert code == 2
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0]
