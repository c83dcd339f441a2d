"""Sustained efficiency and goodput lookups, and hostile [[efficiency]] / [[goodput]] entries."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from dcplan.models.catalog import CatalogError, load_catalog
from dcplan.models.efficiency import (
    LATENCY_CLASSES,
    PRECISIONS,
    WORKLOAD_CLASSES,
    EfficiencyLookupError,
    Figure,
    goodput,
    sustained_efficiency,
)
from dcplan.models.errors import DcplanError
from tests.models.catalog_helpers import load_mine, only_problem


def _efficiency(entry_id: str, value: float, scope: str = "", latency: str = "", klass: str = "dense-pretraining"):
    lines = [
        "[[efficiency]]",
        f'id = "{entry_id}"',
        f'name = "{entry_id}"',
        scope,
        f'workload_class = "{klass}"',
        'precision = "bf16"',
        f'latency = "{latency}"' if latency else "",
        f'efficiency = {{ value = {value}, source = "assumption: test", confidence = "assumption" }}',
    ]
    return "\n".join(line for line in lines if line) + "\n\n"


def _load(folder: Path, text: str):
    return load_mine(folder, textwrap.dedent(text))


def test_vocabulary_is_the_design_one():
    assert WORKLOAD_CLASSES == ("dense-pretraining", "moe-pretraining", "post-training", "inference")
    assert LATENCY_CLASSES == ("interactive", "batch")
    assert PRECISIONS == ("bf16", "fp8", "fp4")


def test_every_builtin_system_has_a_figure_for_every_class_and_precision_it_supports(catalog):
    for system in catalog.entries("system"):
        chip = catalog.chip(system.chip)
        for klass in WORKLOAD_CLASSES:
            for latency in (None, *LATENCY_CLASSES) if klass == "inference" else (None,):
                for precision in PRECISIONS:
                    figure = sustained_efficiency(catalog, system, klass, precision, latency)
                    if chip.dense(precision) is None:
                        assert figure is None, (system.id, precision)
                        continue
                    assert isinstance(figure, Figure)
                    assert 0 < figure.low <= figure.value <= figure.high <= 1, (system.id, klass, precision)
                    assert figure.source and figure.confidence and figure.entry in catalog.items["efficiency"]


def test_published_h100_figure_beats_the_default(catalog):
    figure = sustained_efficiency(catalog, catalog.system("dgx-h100"), "dense-pretraining", "bf16")
    assert figure is not None
    assert figure.entry == "h100-dense-pretraining-bf16"
    assert (figure.low, figure.value, figure.high) == (0.38, 0.40, 0.43)
    assert figure.source == "https://arxiv.org/abs/2407.21783"
    family = sustained_efficiency(catalog, catalog.system("dgx-b200"), "dense-pretraining", "bf16")
    assert family is not None and family.entry == "nvidia-dense-pretraining-bf16"
    default = sustained_efficiency(catalog, catalog.system("dgx-b200"), "post-training", "bf16")
    assert default is not None and default.entry == "default-post-training-bf16"


def test_a_precision_the_chip_lacks_gives_none(catalog):
    hopper = catalog.system("dgx-h100")
    assert catalog.chip(hopper.chip).fp4_dense is None
    assert sustained_efficiency(catalog, hopper, "dense-pretraining", "fp4") is None
    assert sustained_efficiency(catalog, hopper, "dense-pretraining", "fp8") is not None


def test_most_specific_entry_wins_system_chip_family_default(user_dir):
    # post-training: the built-in catalog has only default entries for it
    text = (
        _efficiency("e-default", 0.11, klass="post-training")
        + _efficiency("e-family", 0.22, 'family = "nvidia"', klass="post-training")
        + _efficiency("e-chip", 0.33, 'chip = "h100-sxm"', klass="post-training")
        + _efficiency("e-system", 0.44, 'system = "dgx-h100"', klass="post-training")
    )
    catalog = _load(user_dir, text)

    def entry(system_id: str) -> str:
        figure = sustained_efficiency(catalog, catalog.system(system_id), "post-training", "bf16")
        assert figure is not None
        return figure.entry

    assert entry("dgx-h100") == "e-system"  # system beats chip, family and default
    assert entry("dgx-h200") == "e-family"  # another chip of the family
    assert entry("trn2-instance") == "e-default"  # the user's default loads after the built-in one
    # without the system entry the chip entry wins over family and default
    catalog = _load(user_dir, text.replace('system = "dgx-h100"', 'system = "dgx-b200"'))
    assert entry("dgx-h100") == "e-chip"


def test_latency_specific_inference_entry_beats_an_either_entry_at_the_same_level(user_dir):
    text = _efficiency("inf-any", 0.2, 'chip = "b200"', klass="inference") + _efficiency(
        "inf-batch", 0.35, 'chip = "b200"', latency="batch", klass="inference"
    )
    catalog = _load(user_dir, text)
    system = catalog.system("dgx-b200")
    batch = sustained_efficiency(catalog, system, "inference", "bf16", "batch")
    interactive = sustained_efficiency(catalog, system, "inference", "bf16", "interactive")
    either = sustained_efficiency(catalog, system, "inference", "bf16")
    assert batch is not None and batch.entry == "inf-batch" and batch.value == 0.35
    # an entry without latency applies to either latency class, and beats a less specific one
    assert interactive is not None and interactive.entry == "inf-any"
    assert either is not None and either.entry == "inf-any"


def test_figure_without_a_range_has_value_at_both_ends(user_dir):
    catalog = _load(user_dir, _efficiency("flat", 0.3, 'system = "dgx-b300"'))
    figure = sustained_efficiency(catalog, catalog.system("dgx-b300"), "dense-pretraining", "bf16")
    assert figure == Figure(0.3, 0.3, 0.3, "assumption: test", "assumption", "flat")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pretraining", "bf16", None), "workload class: expected one of dense-pretraining"),
        (("inference", "int8", None), "precision: expected one of bf16, fp8, fp4, got 'int8'"),
        (("inference", "fp8", "realtime"), "latency: expected one of interactive, batch"),
        (("dense-pretraining", "fp8", "batch"), "latency 'batch' is for the inference class only"),
    ],
)
def test_bad_lookup_words_are_one_line(catalog, args, message):
    with pytest.raises(EfficiencyLookupError) as info:
        sustained_efficiency(catalog, catalog.system("dgx-b200"), *args)
    assert isinstance(info.value, DcplanError)
    assert len(info.value.lines) == 1 and message in info.value.lines[0]


def test_no_entry_at_all_is_one_clear_line():
    catalog = load_catalog(use_env=False)
    catalog.items["efficiency"].clear()
    catalog.items["goodput"].clear()
    alpha = catalog.system("trn2-ultraserver")
    with pytest.raises(EfficiencyLookupError, match=r"no \[\[efficiency\]\] entry covers dense-pretraining at fp8"):
        sustained_efficiency(catalog, alpha, "dense-pretraining", "fp8")
    with pytest.raises(EfficiencyLookupError, match=r"no \[\[goodput\]\] curve for family 'trainium'"):
        goodput(catalog, alpha, 1000)


GOODPUT = """
[[goodput]]
id = "trn-goodput"
name = "test curve"
family = "trainium"
points = [
    { chips = 100, goodput = { value = 0.98, low = 0.96, high = 0.99, source = "https://example.com/a", confidence = "vendor" } },
    { chips = 10000, goodput = { value = 0.90, low = 0.80, high = 0.94, source = "assumption: test b", confidence = "assumption" } },
]
"""


def test_goodput_interpolates_in_log_chips_and_clamps(user_dir):
    catalog = _load(user_dir, GOODPUT)
    trn = catalog.system("trn2-ultraserver")
    middle = goodput(catalog, trn, 1000)  # log10 halfway between 100 and 10,000
    assert middle.value == pytest.approx(0.94)
    assert middle.low == pytest.approx(0.88) and middle.high == pytest.approx(0.965)
    assert middle.source == "https://example.com/a ; assumption: test b"
    assert middle.confidence == "assumption" and middle.entry == "trn-goodput"
    quarter = goodput(catalog, trn, 10 ** (2 + 0.5))
    assert quarter.value == pytest.approx(0.98 - 0.08 / 4)
    below, above = goodput(catalog, trn, 1), goodput(catalog, trn, 5e6)
    assert (below.value, below.low, below.high, below.source) == (0.98, 0.96, 0.99, "https://example.com/a")
    assert (above.value, above.confidence) == (0.90, "assumption")
    on_point = goodput(catalog, trn, 10000)
    assert on_point.value == pytest.approx(0.90) and on_point.source == "assumption: test b"
    # a family without its own curve falls back to the built-in default curve
    assert goodput(catalog, catalog.system("dgx-h100"), 16384).entry == "default-goodput"


def test_builtin_goodput_matches_llama3_at_16k(catalog):
    figure = goodput(catalog, catalog.system("dgx-h100"), 16384)
    assert figure.value == pytest.approx(0.90)
    assert "datacenterdynamics" in figure.source
    sizes = [8, 100, 1024, 5000, 16384, 65536, 131072, 10**6, 10**7]
    values = [goodput(catalog, catalog.system("dgx-h100"), n).value for n in sizes]
    assert values == sorted(values, reverse=True), "goodput falls as jobs grow"


@pytest.mark.parametrize("chips", [0, -5, math.nan, math.inf, "many", True, None])
def test_goodput_refuses_a_bad_job_size_in_one_line(catalog, chips):
    with pytest.raises(EfficiencyLookupError) as info:
        goodput(catalog, catalog.system("dgx-h100"), chips)
    assert len(info.value.lines) == 1 and "job chips: expected a positive number" in info.value.lines[0]


HOSTILE = {
    "efficiency above one": (
        _efficiency("e", 1.5),
        "efficiency 'e' field 'efficiency.value': Input should be less than or equal to 1",
    ),
    "zero efficiency": (_efficiency("e", 0), "field 'efficiency.value': Input should be greater than 0"),
    "two scopes": (
        _efficiency("e", 0.3, 'system = "dgx-h100"\nchip = "h100-sxm"'),
        "give at most one of system, chip and family, got system and chip",
    ),
    "latency on training": (_efficiency("e", 0.3, latency="batch"), "latency is for inference entries only"),
    "unknown class": (
        _efficiency("e", 0.3, klass="pretraining"),
        "field 'workload_class': Input should be 'dense-pretraining'",
    ),
    "unknown system": (
        _efficiency("e", 0.3, 'system = "dgx-h1000"'),
        "efficiency 'e' field 'system': unknown system 'dgx-h1000'",
    ),
    "unknown chip": (_efficiency("e", 0.3, 'chip = "h100"'), "efficiency 'e' field 'chip': unknown chip 'h100'"),
    "unknown family": (
        _efficiency("e", 0.3, 'family = "nvdia"'),
        "efficiency 'e' field 'family': no system has family 'nvdia'",
    ),
    "goodput not increasing": (
        GOODPUT.replace("chips = 10000", "chips = 100"),
        "points must be in strictly increasing chips, got [100, 100]",
    ),
    "goodput above one": (GOODPUT.replace("value = 0.98", "value = 1.2"), "points[0].goodput.value"),
    "goodput zero chips": (GOODPUT.replace("chips = 100,", "chips = 0,"), "points[0].chips"),
    "goodput unknown family": (GOODPUT.replace('"trainium"', '"tranium"'), "no system has family 'tranium'"),
    "goodput no points": (
        '[[goodput]]\nid = "g"\nname = "g"\npoints = []\n',
        "goodput 'g' field 'points': List should have at least 1 item",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_entries_give_one_clear_line(user_dir, case):
    text, expected = HOSTILE[case]
    line = only_problem(user_dir, textwrap.dedent(text))
    assert "mine.toml" in line and expected in line, line


@pytest.mark.parametrize("case", ["unknown system", "unknown family", "efficiency above one"])
def test_lazy_load_reports_a_bad_entry_when_read_with_the_eager_words(user_dir, case):
    text, expected = HOSTILE[case]
    (user_dir / "mine.toml").write_text(text)
    catalog = load_catalog([user_dir], use_env=False, lazy=True)
    assert catalog.system("dgx-h100").id == "dgx-h100"  # the rest of the catalog stays usable
    with pytest.raises(CatalogError) as info:
        catalog.get("efficiency", "e")
    assert len(info.value.lines) == 1 and expected in info.value.lines[0]


UNBENCHMARKED = ["trn3-ultraserver-gen1", "trn3-ultraserver-gen2", "helios"]


@pytest.mark.parametrize("system_id", UNBENCHMARKED)
def test_unbenchmarked_systems_get_explicit_assumptions_with_wide_ranges(catalog, system_id):
    system = catalog.system(system_id)
    for klass in WORKLOAD_CLASSES:
        for precision in PRECISIONS:
            figure = sustained_efficiency(catalog, system, klass, precision)
            assert figure is not None
            assert figure.confidence == "assumption", (klass, precision, figure.entry)
            assert figure.source.startswith("assumption:")
            assert figure.high / figure.low >= 1.75, (klass, precision, figure)
    job = goodput(catalog, system, 16384)
    assert job.confidence == "assumption" and job.entry != "default-goodput"
    assert job.high - job.low >= 0.15


def test_size_stays_lazy_about_efficiency_entries_it_never_reads(user_dir, capsys):
    from dcplan.planner.cli import main

    (user_dir / "mine.toml").write_text(HOSTILE["efficiency above one"][0])
    args = ["size", "--catalog", str(user_dir), "--system", "dgx-h100", "--count", "2", "--json"]
    assert main(args) == 0  # the lazy load never validates [[efficiency]] rows `size` does not read
    capsys.readouterr()
    assert main(["catalog", "validate", str(user_dir)]) == 2  # the eager check still finds it
    assert "efficiency.value" in capsys.readouterr().err


@pytest.mark.parametrize("system_id", ["trn3-ultraserver-gen2", "trn3-ultraserver-gen1"])
def test_trainium3_fp4_gains_no_interactive_throughput_over_fp8(catalog, system_id):
    """Trainium3's MXFP4 peak equals its MXFP8 peak, so FP4 must not deliver more per chip
    for interactive serving: its latency-specific entry wins over the latency-free chip entry
    (which would otherwise outrank the interactive default and favour FP4)."""
    system = catalog.system(system_id)
    chip = catalog.chip(system.chip)
    assert chip.dense("fp4").magnitude == chip.dense("fp8").magnitude
    fp4 = sustained_efficiency(catalog, system, "inference", "fp4", "interactive")
    fp8 = sustained_efficiency(catalog, system, "inference", "fp8", "interactive")
    assert fp4 is not None and fp8 is not None
    assert fp4.entry == "trainium3-inference-interactive-fp4"
    assert fp4.value <= fp8.value
    either = sustained_efficiency(catalog, system, "inference", "fp4")
    assert either is not None and either.entry == "trainium3-inference-fp4"
