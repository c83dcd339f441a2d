"""`dcplan solve --json` on hostile copies of the enterprise scenario's issue-15 tables
([fabric], [[utility_limit]], [[water_loop]], [[onsite_power]]): exactly one JSON object
naming the file, entry and field, exit code 2, no traceback, no file written."""

from __future__ import annotations

import json

import pytest

from dcplan.planner.cli import main
from dcplan.planner.scenario import SCENARIO_DIR

LOOP = '\n[[water_loop]]\nhall = "phx-1"\nreuse_capacity = "2 MW"\nreuse_temperature = "50 degC"\nreuse_price = "30 USD/MWh"\n'
GENSET = '\n[[onsite_power]]\nsite = "phoenix-az"\nprime_mover = "gas-recip-4mw"\nmax_units = 2\n'
# (text replaced in the shipped file or appended to it, expected entry, expected field, words of the message)
CASES = {
    "fabric-place-temperature": (("place = true", 'place = "45 degC"'), "[fabric]", "place", "boolean"),
    "fabric-storage-negative": (
        ("place = true", 'place = true\nstorage_per_chip = "-3 TB"'),
        "[fabric]",
        "storage_per_chip",
        "-3 TB",
    ),
    "swing-band-negative": (
        ('swing_band = "5 MW"', 'swing_band = "-3 MW"'),
        "[[utility_limit]] #1",
        "swing_band",
        "-3 MW",
    ),
    "swing-ramp-unit": (
        ("ramp_rate_mw_per_s = 5", 'ramp_rate_mw_per_s = "45 degC"'),
        "[[utility_limit]] #1",
        "ramp_rate_mw_per_s",
        "number",
    ),
    "swing-mitigation-unknown": (
        ("ramp_rate_mw_per_s = 5", 'ramp_rate_mw_per_s = 5\nmitigation = ["W99"]'),
        "[[utility_limit]] #1",
        "mitigation.0",
        "'battery' or 'floor'",
    ),
    "loop-class-unknown": (
        LOOP.replace('"phx-1"', '"phx-1"\nclasses = ["W99"]'),
        "[[water_loop]] #1",
        "classes.0",
        "W45",
    ),
    "loop-temperature-overflow": (
        LOOP.replace('"50 degC"', '"1e400 degC"'),
        "[[water_loop]] #1",
        "reuse_temperature",
        "finite",
    ),
    "loop-hours-negative": (LOOP + "reuse_hours = -3\n", "[[water_loop]] #1", "reuse_hours", "greater than 0"),
    "loop-bare-number": (
        LOOP.replace('"2 MW"', "45"),
        "[[water_loop]] #1",
        "reuse_capacity",
        "needs a unit",
    ),
    "loop-hall-unknown": (LOOP.replace('"phx-1"', '"nan"'), "[[water_loop]] #1", "hall", "got 'nan'"),
    "genset-mover-unicode": (GENSET.replace("gas-recip-4mw", "日本語"), "[[onsite_power]] #1", "prime_mover", "日本語"),
    "genset-mover-unknown": (GENSET.replace("gas-recip-4mw", "w99"), "[[onsite_power]] #1", "prime_mover", "got 'w99'"),
    "genset-units-overflow": (
        GENSET.replace("max_units = 2", "max_units = 1e400"),
        "[[onsite_power]] #1",
        "max_units",
        "finite",
    ),
    "genset-site-twice": (GENSET + GENSET, "[[onsite_power]] #2", "site", "twice"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_issue15_tables_give_one_json_object(tmp_path, capsys, monkeypatch, case):
    edit, entry, field, words = CASES[case]
    text = (SCENARIO_DIR / "enterprise-hybrid.toml").read_text(encoding="utf-8")
    if isinstance(edit, tuple):
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    else:
        text += edit
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["solve", str(path), "--json", "--no-marginals", "-o", str(tmp_path / "plan.json")])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    lines = [line for line in out.out.splitlines() + out.err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    error = json.loads(lines[0])
    assert (error["entry"], error["field"]) == (entry, field), error
    assert "hostile.toml" in error["error"] and words in error["error"], error["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.toml"]  # no plan, no temporary file
