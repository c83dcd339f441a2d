"""`dcplan catalog lead-times` and the availability column of `dcplan catalog list`."""

from __future__ import annotations

import json

from dcplan.planner.cli import main
from tests.conftest import user_system_toml


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_lead_times_plain_text(capsys, catalog):
    code, out, err = run(capsys, "catalog", "lead-times")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"Lead times ({len(catalog.items['lead_time'])} entries; months = weeks x 7 / 30.44)"
    assert lines[1].split() == ["equipment", "id", "weeks", "low", "high", "months", "confidence", "source"]
    row = next(line.split() for line in lines if line.startswith("large-power-transformer"))
    assert row[1:7] == ["lead-large-power-transformer", "128", "90", "261", "29", "third-party"]
    assert row[7] == "https://bixbitusa.io/?p=1081"
    cdu = next(line.split() for line in lines if line.startswith("cdu "))
    assert cdu[-2:] == ["assumption", "assumption"]  # an assumption is labelled, not shown as a URL


def test_lead_times_json(capsys, catalog):
    code, out, _ = run(capsys, "catalog", "lead-times", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == sorted(
        (r["id"] for r in rows), key=lambda i: (catalog.lead_time(i).equipment, catalog.lead_time(i).weeks)
    )
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == set(catalog.items["lead_time"])
    queue = by_id["lead-utility-interconnection"]
    assert queue["low_weeks"] < queue["weeks"] < queue["high_weeks"]
    assert queue["high_weeks"] == 7 * 365.25 / 7  # "7 year" in weeks
    assert queue["origin"] == "built-in:lead-times.toml" and queue["source"].startswith("https://")
    assert by_id["lead-chiller"]["low_weeks"] is None  # no low published


def test_lead_times_list_a_user_entry(capsys, user_dir):
    (user_dir / "ours.toml").write_text(
        '[[lead_time]]\nid = "our-ups"\nname = "UPS from our framework deal"\nequipment = "ups"\n'
        'lead_time = { value = "10 week", source = "https://example.com/deal", confidence = "vendor" }\n'
    )
    code, out, _ = run(capsys, "--catalog", str(user_dir), "catalog", "lead-times", "--json")
    assert code == 0
    ours = next(r for r in json.loads(out) if r["id"] == "our-ups")
    assert ours["weeks"] == 10.0 and ours["low_weeks"] is None and ours["origin"].endswith("ours.toml")


def test_list_shows_availability(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich folds cells at the default 80 columns
    code, out, _ = run(capsys, "catalog", "list", "--kind", "systems", "--json")
    assert code == 0
    systems = [r for r in json.loads(out) if r["kind"] == "system"]
    assert systems and all(r["available_from"]["source"] for r in systems)
    rubin = next(r for r in systems if r["id"] == "vera-rubin-nvl144")
    assert rubin["available_from"]["projected"] is True and rubin["available_until"] is None
    code, out, _ = run(capsys, "catalog", "list", "--kind", "systems")
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    assert "│ ~2026Q3 [2026Q3-2027Q1] │" in rows["vera-rubin-nvl144"]  # Aug 2026, range 2026Q3..2027Q1
    assert "│ 2025Q4 " in rows["trn3-ultraserver-gen2"]  # GA at re:Invent 2025


def test_list_lead_times_kind_and_a_system_without_dates(capsys, user_dir):
    code, out, _ = run(capsys, "catalog", "list", "--kind", "lead-times", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["kind"] == "lead_time" and r["lead_time_weeks"] > 0 for r in rows)
    (user_dir / "ours.toml").write_text(user_system_toml(id="undated-rack"))
    code, out, _ = run(capsys, "--catalog", str(user_dir), "catalog", "list", "--kind", "systems", "--json")
    row = next(r for r in json.loads(out) if r["id"] == "undated-rack")
    assert row["available_from"] is None


def test_show_marks_a_projected_date(capsys):
    code, out, _ = run(capsys, "catalog", "show", "trn4-ultraserver")
    assert code == 0
    assert "projected" in " ".join(out.split())
    code, out, _ = run(capsys, "catalog", "show", "trn4-ultraserver", "--json")
    start = json.loads(out)["entry"]["available_from"]
    assert start["projected"] is True and start["low"] == "2027-01-01" and start["value"] >= start["low"]
