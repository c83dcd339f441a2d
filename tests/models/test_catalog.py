"""Catalog schema, loader, user overrides, bad input and schema drift."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dcplan.models.catalog import BUILTIN_DIR, CatalogError, System, catalog_json_schema, load_catalog
from tests.conftest import user_system_toml

SCHEMA_FILE = BUILTIN_DIR / "catalog.schema.json"

REQUIRED_SYSTEMS = [
    "trn2-instance",
    "trn2-ultraserver",
    "trn3-ultraserver-gen1",
    "trn3-ultraserver-gen2",
    "trn4-ultraserver",
    "dgx-h100",
    "dgx-h200",
    "dgx-b200",
    "dgx-b300",
    "gb200-nvl72",
    "gb300-nvl72",
    "vera-rubin-nvl144",
]


def _load_user(folder: Path, text: str, name: str = "mine.toml"):
    (folder / name).write_text(text)
    return load_catalog([folder], use_env=False)


def test_builtin_catalog_has_required_entries(catalog):
    for system_id in REQUIRED_SYSTEMS:
        assert isinstance(catalog.system(system_id), System)
    assert {k for k in catalog.items["cooling"]} >= {"room-air", "contained-air", "rdhx", "dlc-cdu", "immersion"}
    assert len(catalog.items["site"]) >= 3
    operators = {site.operator for site in catalog.entries("site")}
    assert "aws" in operators and "owned" in operators


def test_trn3_gen2_has_144_chips_and_sources_for_every_number(catalog):
    system = catalog.system("trn3-ultraserver-gen2")
    assert system.chips_per_unit.value == 144
    assert system.deployable_by == ["aws"]
    dumped = system.model_dump(mode="json")
    numeric = [v for v in dumped.values() if isinstance(v, dict)]
    assert len(numeric) > 15
    for value in numeric:
        assert value["source"] and value["confidence"] in {"vendor", "third-party", "derived", "assumption"}


def test_every_builtin_number_has_provenance(catalog):
    for _kind, item in catalog:
        for name, value in item.entry.model_dump(mode="json").items():
            if isinstance(value, dict) and "value" in value:
                assert value.get("source"), f"{item.entry.id}.{name} has no source"


def test_projected_hardware_is_flagged(catalog):
    for system_id in ("trn4-ultraserver", "vera-rubin-nvl144"):
        assert catalog.system(system_id).status == "projected"


def test_uncertain_figures_carry_ranges(catalog):
    trn3 = catalog.system("trn3-ultraserver-gen2")
    assert trn3.chip_power.low is not None and trn3.chip_power.high is not None
    assert trn3.racks_per_unit.low == 1 and trn3.racks_per_unit.high == 2


def test_user_folder_adds_and_overrides(user_dir):
    catalog = _load_user(user_dir, user_system_toml(id="gb300-nvl72", design="150 kW"))
    item = catalog.items["system"]["gb300-nvl72"]
    assert item.origin == user_dir / "mine.toml"
    assert item.overrides == (BUILTIN_DIR / "nvidia-blackwell.toml",)
    assert item.entry.design_power.magnitude == 150
    added = _load_user(user_dir, user_system_toml(id="our-rack"), name="mine.toml")
    assert "our-rack" in added.items["system"]


def test_environment_variable_adds_folders(user_dir, monkeypatch):
    (user_dir / "mine.toml").write_text(user_system_toml(id="env-rack"))
    monkeypatch.setenv("DCPLAN_CATALOG", os.pathsep.join([str(user_dir)]))
    assert "env-rack" in load_catalog().items["system"]


def test_override_must_keep_kind(user_dir):
    with pytest.raises(CatalogError, match="an override must be the same kind"):
        _load_user(user_dir, user_system_toml(id="dlc-cdu"))


BAD_INPUTS = {
    "malformed TOML": ("[[system]\nid = 3", "malformed TOML"),
    "wrong dimension": (
        user_system_toml(design="5 kg"),
        "system 'test-rack' field 'design_power.value': expected a power such as '132 kW', got '5 kg' (a mass)",
    ),
    "bare number": (
        user_system_toml(design="140"),
        "field 'design_power.value': a bare number (140) needs a unit",
    ),
    "negative power": (user_system_toml(design="-140 kW"), "field 'design_power.value': expected a positive power"),
    "zero power": (user_system_toml(design="0 kW"), "field 'design_power.value': expected a positive power"),
    "zero chips": (user_system_toml(chips=0), "field 'chips_per_unit.value': Input should be greater than 0"),
    "negative weight": (user_system_toml(weight="-1400 kg"), "field 'weight.value': expected a positive mass"),
    "missing source": (user_system_toml(weight_source=""), "field 'weight.source': is required but missing"),
    "typical above nameplate": (
        user_system_toml(typical="160 kW", design="140 kW"),
        "typical_power 160 kW is above nameplate_power 150 kW",
    ),
    "capture above one": (
        user_system_toml(capture=1.2),
        "field 'liquid_capture_fraction.value': Input should be less than or equal to 1",
    ),
    "capture below zero": (
        user_system_toml(capture=-0.1),
        "field 'liquid_capture_fraction.value': Input should be greater than or equal to 0",
    ),
    "unknown cooling": (user_system_toml(cooling='"ice-bath"'), "field 'cooling': unknown cooling 'ice-bath'"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_clear_line(user_dir, case):
    text, expected = BAD_INPUTS[case]
    with pytest.raises(CatalogError) as info:
        _load_user(user_dir, text)
    lines = info.value.lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(user_dir / "mine.toml")) or "mine.toml" in lines[0]
    assert expected in lines[0], lines[0]


def test_duplicate_ids_in_one_folder(user_dir):
    (user_dir / "a.toml").write_text(user_system_toml(id="twin"))
    with pytest.raises(CatalogError) as info:
        _load_user(user_dir, user_system_toml(id="twin"), name="b.toml")
    assert any("duplicate id (also defined in" in line and "b.toml" in line for line in info.value.lines)


def test_unreadable_folder(tmp_path):
    with pytest.raises(CatalogError, match="catalog folder does not exist"):
        load_catalog([tmp_path / "missing"], use_env=False)
    a_file = tmp_path / "file.toml"
    a_file.write_text("")
    with pytest.raises(CatalogError, match="catalog path is not a folder"):
        load_catalog([a_file], use_env=False)


def test_folder_without_permission(user_dir, monkeypatch):
    """A folder the process may not list (root can list anything, so the OS error is injected)."""
    from pathlib import Path

    real_iterdir = Path.iterdir

    def denied(self):
        if self == user_dir:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(CatalogError, match="cannot read catalog folder: Permission denied"):
        load_catalog([user_dir], use_env=False)


def test_nothing_is_loaded_half_way(user_dir):
    good_and_bad = (
        user_system_toml(id="good-one")
        + user_system_toml(id="bad-one", design="5 kg").split("[sources]")[1].split("\n", 2)[2]
    )
    (user_dir / "mine.toml").write_text(good_and_bad)
    with pytest.raises(CatalogError):
        load_catalog([user_dir], use_env=False)


def test_unknown_table_and_field(user_dir):
    with pytest.raises(CatalogError, match=r"unknown table \[\[sytem\]\]"):
        _load_user(user_dir, "[[sytem]]\nid = 'x'\n")
    with pytest.raises(CatalogError, match="field 'colour': is not a known field"):
        _load_user(user_dir, user_system_toml() + 'colour = "green"\n')


def test_source_forms(user_dir):
    text = user_system_toml().replace('source = "mine"', 'source = "somewhere"', 1)
    with pytest.raises(CatalogError, match="source must be a URL"):
        _load_user(user_dir, text)
    derived_wrong = user_system_toml().replace(
        'chip_power = { value = "1400 W", source = "mine", confidence = "vendor" }',
        'chip_power = { value = "1400 W", source = "derived: 2 x 700 W", confidence = "vendor" }',
    )
    with pytest.raises(CatalogError, match="needs confidence = 'derived'"):
        _load_user(user_dir, derived_wrong)


def test_range_must_bracket_value(user_dir):
    text = user_system_toml().replace(
        'chip_power = { value = "1400 W", source = "mine"',
        'chip_power = { value = "1400 W", low = "1500 W", source = "mine"',
    )
    with pytest.raises(CatalogError, match=r"low \(1.5 kW\) is above value \(1.4 kW\)"):
        _load_user(user_dir, text)


def test_value_unit_mapping_form(user_dir):
    text = user_system_toml().replace(
        'design_power = { value = "140 kW", source = "mine", confidence = "vendor" }',
        'design_power = { value = 0.14, low = 0.13, high = 0.15, unit = "MW", source = "mine", confidence = "vendor" }',
    )
    system = _load_user(user_dir, text).system("test-rack")
    assert system.design_power.magnitude == pytest.approx(140)
    assert system.design_power.high.magnitude == pytest.approx(150)


def test_dump_reload_round_trip(catalog):
    for system in catalog.entries("system"):
        assert System.model_validate(system.model_dump(mode="json")) == system


def test_committed_json_schema_matches_models():
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == json.loads(json.dumps(catalog_json_schema())), (
        "catalogs/catalog.schema.json is stale: run `dcplan catalog schema > catalogs/catalog.schema.json`"
    )


def test_builtin_files_validate_against_json_schema():
    import tomllib

    import jsonschema

    schema = catalog_json_schema()
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        jsonschema.validate(data, schema)


# --- issue 10: files that are not catalog files, values beyond bounds, error types --------


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: os.mkfifo(p), "a FIFO (named pipe)"),
        (lambda p: p.mkdir(), "a folder"),
        (lambda p: os.symlink(p.name, p), "a symlink loop"),
        (lambda p: os.symlink("missing.toml", p), "a dangling symlink"),
    ],
)
def test_a_toml_name_that_is_not_a_regular_file_is_reported(user_dir, make, kind):
    """Defect 11: these were skipped without a word (a FIFO could also block the read)."""
    (user_dir / "good.toml").write_text(user_system_toml())
    make(user_dir / "x.toml")
    with pytest.raises(CatalogError) as info:
        load_catalog([user_dir], use_env=False)
    assert info.value.lines == [
        f"{user_dir / 'x.toml'}: is not a regular file ({kind}); catalog files must be TOML files"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[[chip]]\nid = '\xff'\n", "not UTF-8 text (invalid byte 0xff at offset 15)"),
        (bytes(range(256)), "not UTF-8 text"),
        (("x = " + "[" * 3000 + "]" * 3000).encode(), "nested too deeply"),
    ],
)
def test_unreadable_catalog_text_is_one_line(user_dir, content, message):
    """Defect 10: invalid UTF-8 was a UnicodeDecodeError, deep nesting a RecursionError."""
    (user_dir / "mine.toml").write_bytes(content)
    with pytest.raises(CatalogError) as info:
        load_catalog([user_dir], use_env=False)
    assert len(info.value.lines) == 1 and message in info.value.lines[0]
    assert info.value.file is not None and info.value.file.endswith("mine.toml")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"design": "1e308 kW"}, "field 'design_power.value': expected a power of at most 1e9 kW"),
        ({"chips": "1e12"}, "field 'chips_per_unit.value': Input should be less than or equal to 1000000"),
        ({"id": "r" * 10_000}, "field 'id': expected an id of at most 64 characters, got 'rrrr"),
        ({"id": "Big Rack"}, "expected an id of lower-case letters, digits"),
    ],
)
def test_implausible_values_are_refused(user_dir, changes, message):
    """Defect 12: accepted before."""
    (user_dir / "mine.toml").write_text(user_system_toml(**changes))
    with pytest.raises(CatalogError) as info:
        load_catalog([user_dir], use_env=False)
    assert len(info.value.lines) == 1 and message in info.value.lines[0], info.value.lines
    assert len(info.value.lines[0]) < 400


def test_catalog_errors_are_dcplan_errors_with_a_location(user_dir):
    from dcplan.models.catalog import UnknownIdError
    from dcplan.models.errors import DcplanError

    assert issubclass(CatalogError, DcplanError)
    assert issubclass(UnknownIdError, DcplanError) and issubclass(UnknownIdError, KeyError)
    (user_dir / "mine.toml").write_text(user_system_toml(design="5 kg"))
    with pytest.raises(CatalogError) as info:
        load_catalog([user_dir], use_env=False)
    error = info.value
    assert error.file.endswith("mine.toml") and error.entry == "system 'test-rack'"
    assert error.field == "design_power.value" and error.expected == "a power such as '132 kW'" and error.got == "5 kg"


def test_extend_catalog_layers_a_folder_without_changing_the_base(catalog, user_dir):
    from dcplan.models.catalog import extend_catalog

    (user_dir / "mine.toml").write_text(user_system_toml(id="gb300-nvl72", design="141 kW"))
    merged = extend_catalog(catalog, [user_dir])
    assert merged.system("gb300-nvl72").design_power.magnitude == 141
    assert catalog.system("gb300-nvl72").design_power.magnitude != 141
    assert merged.items["system"]["gb300-nvl72"].overrides[-1] == BUILTIN_DIR / "nvidia-blackwell.toml"


def test_problems_of_several_folders_come_in_one_error_located_at_the_first(tmp_path):
    """Every folder's problems are reported at once; the error keeps the first one's location."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "mine.toml").write_text(user_system_toml(design="5 kg"))
    (second / "a.toml").write_text(user_system_toml(id="twin"))
    (second / "b.toml").write_text(user_system_toml(id="twin"))
    with pytest.raises(CatalogError) as info:
        load_catalog([first, second], use_env=False)
    lines = info.value.lines
    assert len(lines) == 2, lines
    assert "mine.toml" in lines[0] and "design_power" in lines[0]
    assert "duplicate id (also defined in" in lines[1] and "b.toml" in lines[1]
    assert info.value.file.endswith("mine.toml") and info.value.field == "design_power.value"


def test_a_duplicate_before_a_bad_file_drops_the_location(tmp_path):
    """The location belongs to the first problem only: when it is not a parsed file's, none is kept."""
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "a.toml").write_text(user_system_toml(id="twin"))
    (folder / "b.toml").write_text(user_system_toml(id="twin"))
    (folder / "c.toml").write_text(user_system_toml(id="other", design="5 kg"))
    with pytest.raises(CatalogError) as info:
        load_catalog([folder], use_env=False)
    lines = info.value.lines
    assert "duplicate id" in lines[0] and "c.toml" in lines[1], lines
    assert info.value.file is None
