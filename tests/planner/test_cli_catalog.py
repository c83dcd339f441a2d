"""`dcplan catalog ...` end to end (in-process through main(), plus a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dcplan.planner.cli import main
from tests.conftest import user_system_toml


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_trn3_gen2_json(capsys):
    code, out, _ = run(capsys, "catalog", "show", "trn3-ultraserver-gen2", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "system"
    assert data["entry"]["chips_per_unit"]["value"] == 144
    assert data["origin"]["label"] == "built-in:aws-trainium.toml"
    design = data["entry"]["design_power"]
    assert design["unit"] == "kW" and design["value"] == 200 and design["low"] == 150
    for name, value in data["entry"].items():
        if isinstance(value, dict) and "value" in value:
            assert value["source"] and value["confidence"], name


def test_show_human_lists_fields_with_units(capsys):
    code, out, _ = run(capsys, "catalog", "show", "gb300-nvl72")
    assert code == 0
    assert "design_power" in out and "kW" in out and "vendor" in out


def test_show_human_prints_list_fields(capsys, monkeypatch):
    """A list field prints its items ("[aws]"), which rich markup would otherwise swallow."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "catalog", "show", "trn3-ultraserver-gen2")
    assert code == 0
    deployable = next(line for line in out.splitlines() if "deployable_by" in line)
    cooling = next(line for line in out.splitlines() if [c.strip() for c in line.split("│")[1:2]] == ["cooling"])
    assert "[aws]" in deployable, deployable
    assert "[dlc-cdu, dlc-l2a]" in cooling, cooling


def test_show_flags_projected(capsys):
    code, out, _ = run(capsys, "catalog", "show", "vera-rubin-nvl144")
    assert code == 0 and "projected" in out


def test_show_unknown_id_suggests(capsys):
    code, _, err = run(capsys, "catalog", "show", "trn3-ultraserver-gen3")
    assert code == 2
    assert err.count("\n") == 1 and "did you mean 'trn3-ultraserver-gen2'" in err


@pytest.mark.parametrize(
    ("kind", "expected"), [("systems", "system"), ("cooling", "cooling"), ("power", "ups"), ("sites", "site")]
)
def test_list_kinds(capsys, kind, expected):
    code, out, _ = run(capsys, "catalog", "list", "--kind", kind, "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and any(row["kind"] == expected for row in rows)


def test_list_bad_kind(capsys):
    code, _, err = run(capsys, "catalog", "list", "--kind", "toasters")
    assert code == 2 and "--kind: expected one of" in err


def test_user_catalog_override_shows_winner(capsys, user_dir):
    (user_dir / "ours.toml").write_text(user_system_toml(id="gb300-nvl72", design="145 kW"))
    code, out, _ = run(capsys, "--catalog", str(user_dir), "catalog", "show", "gb300-nvl72", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["origin"]["file"].endswith("ours.toml")
    assert data["overrides"][0].endswith("nvidia-blackwell.toml")
    code, out, _ = run(capsys, "catalog", "list", "--kind", "systems", "--json", "--catalog", str(user_dir))
    row = next(r for r in json.loads(out) if r["id"] == "gb300-nvl72")
    assert row["overrides"] == ["built-in:nvidia-blackwell.toml"]


def test_validate_good_and_bad(capsys, user_dir):
    (user_dir / "ours.toml").write_text(user_system_toml(id="fine-rack"))
    code, out, _ = run(capsys, "catalog", "validate", str(user_dir))
    assert code == 0 and out.startswith("ok:")
    (user_dir / "ours.toml").write_text(user_system_toml(id="fine-rack", capture=1.5))
    code, _, err = run(capsys, "catalog", "validate", str(user_dir))
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "ours.toml: system 'fine-rack' field 'liquid_capture_fraction.value'" in err


def test_validate_builtin(capsys):
    code, out, _ = run(capsys, "catalog", "validate")
    assert code == 0 and "ok:" in out


def test_schema_is_json(capsys):
    code, out, _ = run(capsys, "catalog", "schema")
    assert code == 0
    assert json.loads(out)["title"] == "dcplan catalog file"


def test_real_process_bad_input_has_no_traceback(tmp_path):
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "broken.toml").write_text('[[system]]\nid = "x"\ndesign_power = "5 kg"\n[[[')
    proc = subprocess.run(
        [sys.executable, "-m", "dcplan.planner.cli", "--catalog", str(folder), "catalog", "list"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "broken.toml: malformed TOML" in proc.stderr


def test_validate_json(capsys, user_dir):
    (user_dir / "ours.toml").write_text(user_system_toml(id="fine-rack"))
    code, out, err = run(capsys, "catalog", "validate", str(user_dir), "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["ok"] is True and data["entries"] > 1
    (user_dir / "ours.toml").write_text(user_system_toml(id="fine-rack", capture=1.2))
    code, out, err = run(capsys, "catalog", "validate", str(user_dir), "--json")
    record = json.loads(err)
    assert code == 2 and out == "" and record["exit_code"] == 2
    assert record["entry"] == "system 'fine-rack'" and record["field"] == "liquid_capture_fraction.value"


def test_catalog_alone_prints_its_help(capsys):
    code, out, err = run(capsys, "catalog")
    assert code == 0 and err == "" and "Commands" in out and "validate" in out


def test_list_performance_kinds(capsys):
    code, out, _ = run(capsys, "catalog", "list", "--kind", "performance", "--json")
    assert code == 0
    kinds = {row["id"]: row["kind"] for row in json.loads(out)}
    assert kinds["default-goodput"] == "goodput"
    assert kinds["h100-dense-pretraining-bf16"] == "efficiency"
    assert kinds["trn3-gen2-vs-trn2-compute"] == "claim"


def test_show_goodput_lists_one_row_per_job_size(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "catalog", "show", "default-goodput")
    assert code == 0
    assert "points[16,384 chips]" in out and "0.9" in out and "third-party" in out


def test_claims_json_is_one_document_with_every_claim(capsys):
    code, out, _ = run(capsys, "catalog", "claims", "--json")
    assert code == 0
    data = json.loads(out)
    rows = {row["id"]: row for row in data["claims"]}
    assert sum(data["counts"].values()) == len(rows) == len(data["claims"])
    compute = rows["trn3-gen2-vs-trn2-compute"]
    assert compute["basis"] == "144 x 2517 TFLOPS / (64 x 1299 TFLOPS)"
    assert round(compute["implied"], 2) == 4.36 and compute["claimed"] == 4.4 and compute["verdict"] == "agrees"
    assert rows["trn3-gen2-vs-trn2-energy-efficiency-4x"]["verdict"] == "disagrees"
    assert data["counts"]["disagrees"] == sum(1 for row in rows.values() if row["verdict"] == "disagrees") >= 2
    for row in rows.values():
        assert row["source"].startswith("http") and len(row["date"]) == 10


def test_claims_table_shows_claimed_implied_and_verdict(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "catalog", "claims")
    assert code == 0
    line = next(row for row in out.splitlines() if "trn3-gen2-vs-trn2-perf-per-watt" in row)
    assert "1.4x" in line and "1.13x (0.98..1.63)" in line and "agrees" in line
    assert "(144 x 2517 TFLOPS / 200 kW) / (64 x 1299 TFLOPS / 52 kW)" in line
    assert "disagrees" in out and "Vendor claims vs the catalog" in out
    trn4 = next(row for row in out.splitlines() if "trn4-vs-trn3-fp4" in row)
    assert "(a catalog figure used comes from the claim's own source" in trn4


def test_claims_reads_a_user_catalog_and_refuses_a_hostile_claim(capsys, user_dir):
    claim = (
        '[[claim]]\nid = "mine"\nname = "mine"\nsubject = "gb300-nvl72"\nbaseline = "gb200-nvl72"\n'
        'metric = "compute"\nprecision = "fp4"\nratio = 1.5\nsource = "https://example.com/gb300"\ndate = 2025-03-18\n'
    )
    (user_dir / "claims.toml").write_text(claim)
    code, out, _ = run(capsys, "catalog", "claims", "--json", "--catalog", str(user_dir))
    assert code == 0
    mine = next(row for row in json.loads(out)["claims"] if row["id"] == "mine")
    assert mine["implied"] == 1.5 and mine["verdict"] == "agrees"  # 72 x 15000 / (72 x 10000)
    (user_dir / "claims.toml").write_text(claim.replace("ratio = 1.5", "ratio = -1.5"))
    code, out, err = run(capsys, "catalog", "claims", "--catalog", str(user_dir))
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "claim 'mine' field 'ratio'" in lines[0]
