"""The lazily loaded catalog (``load_catalog(lazy=True)``, used by `dcplan size`).

Every file is still read and checked as a whole at load; an entry is validated, and the ids
it names checked, when it is first read, with the same error (lines and location) the eager
load gives for it. The eager load (`dcplan catalog validate`, ``load_catalog()``) is unchanged.
"""

from __future__ import annotations

import json

import pytest

from dcplan.models.catalog import CatalogError, extend_catalog, load_catalog
from dcplan.models.catalog import loader as catalog_loader
from dcplan.models.catalog.loader import PendingItem
from dcplan.planner.cli import main
from tests.conftest import user_system_toml
from tests.models.test_catalog import BAD_INPUTS


def _error(load) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load()
    return info.value


def _located(error: CatalogError) -> tuple:
    return (error.lines, error.file, error.entry, error.field, error.expected, error.got)


def test_lazy_catalog_holds_the_same_entries_and_validates_only_what_is_read(catalog, monkeypatch):
    seen: list[str] = []
    validate = catalog_loader.validate_pending
    monkeypatch.setattr(catalog_loader, "validate_pending", lambda row: seen.append(row.id) or validate(row))
    lazy = load_catalog(use_env=False, lazy=True)
    assert seen == []
    assert {k: sorted(v) for k, v in lazy.items.items()} == {k: sorted(v) for k, v in catalog.items.items()}
    assert all(isinstance(item, PendingItem) for _kind, by_id in lazy.items.items() for item in by_id.values())
    assert lazy.system("trn3-ultraserver-gen2") == catalog.system("trn3-ultraserver-gen2")
    lazy.system("trn3-ultraserver-gen2")  # validated once, then kept
    assert seen == ["trn3-ultraserver-gen2"]
    for kind, item in lazy:  # every entry, read: equal to the eager one, same origin and overrides
        eager = catalog.items[kind][item.entry.id]
        assert (item.origin, item.overrides) == (eager.origin, eager.overrides)
        assert item.entry.model_dump(mode="json") == eager.entry.model_dump(mode="json")


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_a_bad_entry_fails_when_read_with_the_eager_error(user_dir, case):
    text, expected = BAD_INPUTS[case]
    (user_dir / "mine.toml").write_text(text)
    eager = _error(lambda: load_catalog([user_dir], use_env=False))
    if case == "malformed TOML":  # a whole-file problem: still found at load
        assert _located(_error(lambda: load_catalog([user_dir], use_env=False, lazy=True))) == _located(eager)
        return
    lazy = load_catalog([user_dir], use_env=False, lazy=True)
    assert lazy.system("trn3-ultraserver-gen2").id == "trn3-ultraserver-gen2"  # the rest of the catalog works
    error = _error(lambda: lazy.system("test-rack"))
    assert _located(error) == _located(eager)
    assert len(error.lines) == 1 and expected in error.lines[0]
    assert _located(_error(lambda: lazy.system("test-rack"))) == _located(eager)  # every read, not only the first


def test_an_entry_with_several_problems_lists_them_all_as_the_eager_load_does(user_dir):
    (user_dir / "mine.toml").write_text(user_system_toml(design="5 kg", weight="-1400 kg", chips=0))
    eager = _error(lambda: load_catalog([user_dir], use_env=False))
    lazy = load_catalog([user_dir], use_env=False, lazy=True)
    assert len(eager.lines) == 3
    assert _located(_error(lambda: lazy.get("system", "test-rack"))) == _located(eager)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (user_system_toml(id="test-rack"), "duplicate id (also defined in"),
        (user_system_toml(id="dlc-cdu"), "an override must be the same kind"),
        (user_system_toml(id="Not An Id"), "expected an id of lower-case letters"),
        ('[[system]]\nname = "no id"\n', "system #1 field 'id': is required but missing"),
        ("[[toaster]]\nid = 'x'\n", "unknown table [[toaster]]"),
        ("system = 3\n", "must be an array of tables"),
    ],
)
def test_whole_file_and_id_problems_are_still_found_at_load(user_dir, second, message):
    (user_dir / "a.toml").write_text(user_system_toml())
    (user_dir / "b.toml").write_text(second)
    eager = _error(lambda: load_catalog([user_dir], use_env=False))
    lazy = _error(lambda: load_catalog([user_dir], use_env=False, lazy=True))
    assert _located(lazy) == _located(eager)
    assert any(message in line for line in lazy.lines), lazy.lines


def test_unknown_references_fail_when_the_entry_is_read(user_dir):
    (user_dir / "mine.toml").write_text(user_system_toml(cooling='"ice-bath"'))
    eager = _error(lambda: load_catalog([user_dir], use_env=False))
    lazy = load_catalog([user_dir], use_env=False, lazy=True)
    error = _error(lambda: lazy.system("test-rack"))
    assert _located(error) == _located(eager)
    assert "field 'cooling': unknown cooling 'ice-bath'" in error.lines[0]


def _renamed_cooling(new_id: str) -> str:
    """The built-in 'dlc-cdu' architecture (with the file's [sources]) under another id."""
    text = (catalog_loader.BUILTIN_DIR / "cooling.toml").read_text(encoding="utf-8")
    head, *tables = text.split("\n[[cooling]]\n")
    (table,) = [t for t in tables if t.startswith('id = "dlc-cdu"')]
    return head + "\n[[cooling]]\n" + table.replace('id = "dlc-cdu"', f'id = "{new_id}"', 1)


def test_references_are_checked_against_the_catalog_the_item_is_in(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "mine.toml").write_text(user_system_toml(cooling='"my-loop"'))
    (second / "loop.toml").write_text(_renamed_cooling("my-loop"))
    lazy = load_catalog([first], use_env=False, lazy=True)
    layered = extend_catalog(lazy, [second])
    assert layered.system("test-rack").cooling == ["my-loop"]
    with pytest.raises(CatalogError, match="unknown cooling 'my-loop'"):  # the base is not changed
        lazy.system("test-rack")
    assert load_catalog([first, second], use_env=False).system("test-rack") == layered.system("test-rack")


def test_size_reads_only_what_it_needs_and_names_a_bad_entry_it_reads(user_dir, capsys):
    (user_dir / "mine.toml").write_text(user_system_toml(design="5 kg"))
    sized = ["size", "--catalog", str(user_dir), "--count", "2", "--json"]
    assert main([*sized, "--system", "trn3-ultraserver-gen2"]) == 0
    assert json.loads(capsys.readouterr().out)["system"] == "trn3-ultraserver-gen2"
    assert main([*sized, "--system", "test-rack"]) == 2
    record = json.loads(capsys.readouterr().err)
    assert record["entry"] == "system 'test-rack'" and record["field"] == "design_power.value", record
    assert record["file"].endswith("mine.toml") and len(record["messages"]) == 1, record
    assert main(["catalog", "validate", str(user_dir)]) == 2  # the eager check still finds it
    assert "design_power.value" in capsys.readouterr().err
