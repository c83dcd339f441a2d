"""Vendor claims against the catalog's own figures: the Trainium table, verdicts, hostile claims."""

from __future__ import annotations

import textwrap

import pytest

from dcplan.models.claims import VERDICTS, check_claim, check_claims, claim_check_json, verdict
from tests.models.catalog_helpers import load_mine, only_problem


def _checks(catalog) -> dict:
    return {check.claim.id: check for check in check_claims(catalog)}


def _units(catalog, system_id: str):
    system = catalog.system(system_id)
    return system, catalog.chip(system.chip)


def test_trn3_gen2_vs_trn2_compute_is_the_spec_table_ratio(catalog):
    check = _checks(catalog)["trn3-gen2-vs-trn2-compute"]
    assert check.basis == "144 x 2517 TFLOPS / (64 x 1299 TFLOPS)"
    assert check.implied == pytest.approx(144 * 2517 / (64 * 1299))
    assert round(check.implied, 2) == 4.36
    # no range on either FP8 figure: the implied range is one point
    assert check.implied_low == pytest.approx(check.implied) == pytest.approx(check.implied_high)
    assert check.verdict == "agrees"  # 4.4 as stated (4.35..4.45) covers 4.36
    assert check.claim.source.startswith("https://") and check.claim.date.isoformat() == "2025-12-02"


def test_trainium_perf_per_watt_claims_get_the_verdicts_the_design_powers_give(catalog):
    trn3, trn3_chip = _units(catalog, "trn3-ultraserver-gen2")
    trn2, trn2_chip = _units(catalog, "trn2-ultraserver")
    compute3 = trn3.chips_per_unit.value * trn3_chip.fp8_dense.magnitude
    compute2 = trn2.chips_per_unit.value * trn2_chip.fp8_dense.magnitude
    p3, p2 = trn3.design_power, trn2.design_power
    implied = (compute3 / p3.magnitude) / (compute2 / p2.magnitude)
    low = (compute3 / p3.high.magnitude) / (compute2 / p2.low.magnitude)
    high = (compute3 / p3.low.magnitude) / (compute2 / p2.high.magnitude)
    # the figure: with the chosen 200 kW design power only +13 % FP8 per watt
    assert p3.magnitude == 200 and round(implied, 2) == 1.13
    checks = _checks(catalog)
    for claim_id in ("trn3-gen2-vs-trn2-perf-per-watt", "trn3-gen2-vs-trn2-energy-efficiency-4x"):
        check = checks[claim_id]
        assert (check.implied, check.implied_low, check.implied_high) == pytest.approx((implied, low, high))
        assert check.basis == "(144 x 2517 TFLOPS / 200 kW) / (64 x 1299 TFLOPS / 52 kW)"
    # 1.4x lies inside the range the uncertain Trn3 power (150-200 kW) allows; 4x does not
    assert low < 1.4 < high and checks["trn3-gen2-vs-trn2-perf-per-watt"].verdict == "agrees"
    assert high < 4 and checks["trn3-gen2-vs-trn2-energy-efficiency-4x"].verdict == "disagrees"
    # both efficiency versions are kept, each with its own source
    assert (
        checks["trn3-gen2-vs-trn2-perf-per-watt"].claim.source
        != checks["trn3-gen2-vs-trn2-energy-efficiency-4x"].claim.source
    )


def test_trainium_memory_claims(catalog):
    checks = _checks(catalog)
    trn3, trn3_chip = _units(catalog, "trn3-ultraserver-gen2")
    trn2, trn2_chip = _units(catalog, "trn2-ultraserver")
    memory = checks["trn3-gen2-vs-trn2-memory"]
    expected = (trn3.chips_per_unit.value * trn3_chip.hbm_capacity.magnitude) / (
        trn2.chips_per_unit.value * trn2_chip.hbm_capacity.magnitude
    )
    assert memory.implied == pytest.approx(expected) == pytest.approx(3.375)  # 144 x 144 GiB / (64 x 96 GiB)
    assert memory.verdict == "disagrees"
    bandwidth = checks["trn3-gen2-vs-trn2-memory-bandwidth"]
    assert bandwidth.implied == pytest.approx(144 * 4.9 / (64 * 2.9))
    assert bandwidth.implied_low == pytest.approx(144 * 4.9 / (64 * 3.0))  # Trn2's 3 TB/s high end
    assert bandwidth.verdict == "agrees"  # "~4x" read as 3.5..4.5
    bf16 = checks["trn3-gen2-vs-trn2-compute-bf16"]
    assert bf16.implied == pytest.approx(144 * 671 / (64 * 667)) and bf16.verdict == "disagrees"


def test_trainium4_claims_are_flagged_as_not_independent(catalog):
    checks = _checks(catalog)
    for claim_id in ("trn4-vs-trn3-fp4", "trn4-vs-trn3-fp8", "trn4-vs-trn3-memory-bandwidth"):
        check = checks[claim_id]
        assert check.verdict == "agrees" and "not independent" in check.note
        # the Trn4 UltraServer's chip count is an assumption (72-144): the range halves at its low end
        assert check.implied_low == pytest.approx(check.implied / 2)
    assert checks["trn3-gen2-vs-trn2-compute"].note == ""


def test_every_builtin_claim_has_a_verdict_and_its_json_form(catalog):
    checks = check_claims(catalog)
    assert len(checks) == len(catalog.items["claim"]) >= 10
    for check in checks:
        assert check.verdict in VERDICTS
        row = claim_check_json(check)
        assert row["id"] == check.claim.id and row["verdict"] == check.verdict and row["basis"]
        if check.implied is not None:
            assert check.implied_low <= check.implied <= check.implied_high


@pytest.mark.parametrize(
    ("ratio", "bound", "low", "high", "expected"),
    [
        (4.4, "about", 4.36, 4.36, "agrees"),  # 4.35..4.45
        (4.4, "about", 4.30, 4.34, "disagrees"),
        (4.0, "about", 3.375, 3.375, "disagrees"),  # 3.5..4.5
        (4.0, "about", 3.5, 3.5, "agrees"),
        (1.4, "about", 1.13, 1.13, "disagrees"),
        (1.4, "about", 0.98, 1.63, "agrees"),
        (6.0, "at-least", 3.0, 5.99, "disagrees"),
        (6.0, "at-least", 3.0, 6.0, "agrees"),
        (2.0, "up-to", 2.01, 3.0, "disagrees"),
        (2.0, "up-to", 1.5, 3.0, "agrees"),
    ],
)
def test_verdict_rule(catalog, ratio, bound, low, high, expected):
    claim = catalog.claim("trn3-gen2-vs-trn2-compute").model_copy(update={"ratio": ratio, "bound": bound})
    assert verdict(claim, low, high) == expected


CLAIM = """
[[claim]]
id = "mine"
name = "my claim"
subject = "{subject}"
baseline = "trn2-ultraserver"
metric = "{metric}"
{precision}
ratio = {ratio}
{extra}
source = "{source}"
date = {date}
"""


def _claim(**changes: str) -> str:
    fields = {
        "subject": "trn3-ultraserver-gen2",
        "metric": "compute",
        "precision": 'precision = "fp8"',
        "ratio": "4.4",
        "extra": "",
        "source": "https://example.com/claim",
        "date": '"2025-12-02"',
    }
    return textwrap.dedent(CLAIM.format(**{**fields, **changes}))


def test_a_user_claim_is_checked_and_a_toml_date_works(user_dir):
    catalog = load_mine(user_dir, _claim(date="2024-12-03", metric="memory", precision=""))
    check = check_claim(catalog, catalog.claim("mine"))
    assert check.claim.date.isoformat() == "2024-12-03" and check.verdict == "disagrees"


def test_a_precision_the_baseline_lacks_gives_no_data(user_dir):
    catalog = load_mine(user_dir, _claim(precision='precision = "fp4"'))
    check = check_claim(catalog, catalog.claim("mine"))
    assert (check.verdict, check.implied, check.implied_low, check.implied_high) == ("no data", None, None, None)
    assert check.basis == "trainium2 (on trn2-ultraserver) has no dense fp4 figure"


def test_a_claim_whose_system_is_gone_gives_no_data(catalog, user_dir):
    claim = load_mine(user_dir, _claim()).claim("mine").model_copy(update={"subject": "trn9-ultraserver"})
    check = check_claim(catalog, claim)
    assert check.verdict == "no data" and "unknown system id 'trn9-ultraserver'" in check.basis


HOSTILE = {
    "zero ratio": (_claim(ratio="0"), "field 'ratio': Input should be greater than 0"),
    "negative ratio": (_claim(ratio="-4"), "field 'ratio': Input should be greater than 0"),
    "infinite ratio": (_claim(ratio="inf"), "field 'ratio'"),
    "nan ratio": (_claim(ratio="nan"), "field 'ratio'"),
    "huge ratio": (_claim(ratio="1e6"), "field 'ratio': Input should be less than or equal to 1000"),
    "text ratio": (_claim(ratio='"four"'), "field 'ratio'"),
    "compute without precision": (_claim(precision=""), "a compute claim needs precision (bf16 | fp8 | fp4)"),
    "same systems": (_claim(subject="trn2-ultraserver"), "subject and baseline are the same system"),
    "unknown subject": (_claim(subject="trn3-ultraservr"), "claim 'mine' field 'subject': unknown system"),
    "bad date": (_claim(date='"2025-13-40"'), "field 'date'"),
    "bad metric": (_claim(metric="vibes"), "field 'metric': Input should be 'compute'"),
    "bad bound": (_claim(extra='bound = "roughly"'), "field 'bound'"),
    "bad source": (_claim(source="AWS said so"), "source must be a URL"),
    "unknown field": (_claim(extra='verdict = "agrees"'), "field 'verdict': is not a known field"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_claims_give_one_clear_line(user_dir, case):
    text, expected = HOSTILE[case]
    line = only_problem(user_dir, text)
    assert "mine.toml" in line and expected in line, line
