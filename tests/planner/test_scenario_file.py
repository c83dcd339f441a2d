"""Format-preserving scenario files: edits in place keep comments and order; saves always read back."""

from __future__ import annotations

import os
import stat
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcplan.models.errors import DcplanError
from dcplan.planner.scenario import DEMO_SCENARIO, SCENARIO_DIR, scenario_to_toml
from dcplan.planner.scenario_file import (
    ScenarioFileError,
    TargetExistsError,
    add_item,
    apply_edit,
    dumps,
    is_package_data,
    load_document,
    new_document,
    parse_document,
    proposed_save_path,
    remove_item,
    save_atomic,
    sync,
)

SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))
TABLES = ("site", "hall", "row", "candidate", "cloud", "workload", "share")

# Names a planner may paste: every control character, quotes, backslashes, TOML syntax, unicode.
HOSTILE_TEXTS = [
    "".join(chr(c) for c in range(0x20)),
    "\x7f delete",
    'say "hi"',
    "back\\slash\\",
    "C:\\new\\table",
    "line one\nline two\r\n",
    "tab\there",
    "'''",
    '"""',
    "# not a comment",
    "] [[hall]] [",
    "key = 1",
    "Zürich – 北京 – 🚀",
    "\u2028\u2029\ufeff",
    "x" * 10_000,
    "",
]


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "#" in line]


def key_order(data: dict) -> list:
    """Every table's keys in file order, tables in file order."""
    out: list = [list(data)]
    for key, value in data.items():
        if isinstance(value, dict):
            out.append((key, list(value)))
        elif isinstance(value, list):
            out.extend((key, i, list(v)) for i, v in enumerate(value) if isinstance(v, dict))
    return out


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_load_and_dump_unchanged_is_byte_identical(path):
    document, data = load_document(path)
    assert dumps(document) == path.read_text(encoding="utf-8")
    assert data == tomllib.loads(path.read_text(encoding="utf-8"))


def test_edit_a_hall_cap_changes_only_that_line():
    original = DEMO_SCENARIO.read_text(encoding="utf-8")
    document, data = load_document(DEMO_SCENARIO)
    apply_edit(document, ("hall", 0, "it_power_cap"), "41.5 MW")
    text = dumps(document)
    changed = [(a, b) for a, b in zip(original.splitlines(), text.splitlines(), strict=True) if a != b]
    assert changed == [('it_power_cap = "36 MW"', 'it_power_cap = "41.5 MW"')]
    back = tomllib.loads(text)
    assert back["hall"][0]["it_power_cap"] == "41.5 MW"
    assert comment_lines(text) == comment_lines(original)
    assert key_order(back) == key_order(data)


def test_an_end_of_line_comment_survives_replacing_its_value():
    document, _ = load_document(DEMO_SCENARIO)
    index = next(i for i, c in enumerate(document["candidate"]) if c.get("system") == "gb300-nvl72")
    apply_edit(document, ("candidate", index, "max_units"), 300)
    assert "max_units = 300          # assumption: the campus's GB300 allocation" in dumps(document)


def test_new_keys_go_to_their_own_table_and_removed_keys_vanish():
    document, _ = load_document(DEMO_SCENARIO)
    apply_edit(document, ("scenario", "description"), "added")
    apply_edit(document, ("hall", 1, "area"), None)
    apply_edit(document, ("hall", 1, "area"), None)  # removing twice is not an error
    back = tomllib.loads(dumps(document))
    assert list(back["scenario"])[-1] == "description" and back["scenario"]["description"] == "added"
    assert "area" not in back["hall"][1] and "area" in back["hall"][0]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("table", TABLES)
def test_add_and_remove_an_item_in_every_table(path, table):
    original = path.read_text(encoding="utf-8")
    document, data = load_document(path)
    before = len(data.get(table, []))
    index = add_item(document, table, {"id": "added-one", "note": 'quote " and \\ and \x01'})
    back = tomllib.loads(dumps(document))
    assert index == before and len(back[table]) == before + 1
    assert back[table][index] == {"id": "added-one", "note": 'quote " and \\ and \x01'}
    remove_item(document, table, index)
    assert dumps(document).rstrip("\n") == original.rstrip("\n")  # back where we started
    # removing every item drops the table (no stray `table = []`)
    for i in reversed(range(len(tomllib.loads(dumps(document)).get(table, [])))):
        remove_item(document, table, i)
    text = dumps(document)
    assert table not in tomllib.loads(text) and f"{table} = []" not in text
    with pytest.raises(ScenarioFileError):
        remove_item(document, table, 0)


def test_items_of_an_inline_array_of_tables_stay_inline():
    document, _ = parse_document('site = [{ id = "a" }]\n[scenario]\nid = "x"\n')
    add_item(document, "site", {"id": "b"})
    apply_edit(document, ("site", 0, "id"), "c")
    assert tomllib.loads(dumps(document))["site"] == [{"id": "c"}, {"id": "b"}]
    with pytest.raises(ScenarioFileError, match="not an array of tables"):
        add_item(parse_document("hall = 5\n")[0], "hall", {"id": "a"})


@pytest.mark.parametrize("name", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_hostile_names_save_and_read_back(name):
    document, _ = load_document(DEMO_SCENARIO)
    apply_edit(document, ("scenario", "name"), name)
    apply_edit(document, ("hall", 0, "plant"), name)
    back = tomllib.loads(dumps(document))
    assert back["scenario"]["name"] == name and back["hall"][0]["plant"] == name
    # the writer for a plain mapping too (the old one wrote raw control characters)
    data = tomllib.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    data["scenario"]["name"] = name
    data["row"][0]["cooling"] = [name, "dlc-cdu"]
    assert tomllib.loads(scenario_to_toml(data)) == data


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40), st.text(max_size=10))
def test_any_text_saves_and_reads_back(name, key_text):
    document = new_document({"scenario": {"id": "x", "name": name}, "site": [{"id": "s", "residency": key_text}]})
    apply_edit(document, ("site", 0, "operator"), name)
    back = tomllib.loads(dumps(document))
    assert back["scenario"]["name"] == name and back["site"][0] == {"id": "s", "residency": key_text, "operator": name}


def test_what_toml_cannot_hold_is_refused_naming_the_field():
    document, _ = load_document(DEMO_SCENARIO)
    apply_edit(document, ("hall", 2, "plant"), "lone \ud800 surrogate")
    with pytest.raises(ScenarioFileError, match=r"\[\[hall\]\] #3 field plant: contains U\+D800"):
        dumps(document)
    document, _ = load_document(DEMO_SCENARIO)
    apply_edit(document, ("row", 0, "count"), 2**70)
    with pytest.raises(ScenarioFileError, match=r"\[\[row\]\] #1 field count: .*64-bit"):
        dumps(document)
    with pytest.raises(ScenarioFileError, match="finite"):
        apply_edit(document, ("scenario", "discount_rate"), float("nan"))
    with pytest.raises(ScenarioFileError, match="no such item"):
        apply_edit(document, ("hall", 99, "id"), "x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scenario\nid = 1", "malformed TOML"),
        ("x = 1\nx = 2\n", "malformed TOML"),
        ("a = " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ],
)
def test_malformed_text_is_one_dcplan_error(text, message):
    with pytest.raises(ScenarioFileError, match=message) as caught:
        parse_document(text, "bad.toml")
    assert caught.value.lines[0].startswith("bad.toml: ")


def test_load_refuses_a_fifo_binary_and_a_folder_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    outcome: dict = {}

    def attempt():
        for path in (fifo, binary, tmp_path):
            try:
                load_document(path)
            except DcplanError as exc:
                outcome[path] = str(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "loading a FIFO blocked"
    assert "FIFO" in outcome[fifo] and "UTF-8" in outcome[binary] and "folder" in outcome[tmp_path]


def test_sync_brings_a_file_document_to_edited_data_keeping_comments():
    original = DEMO_SCENARIO.read_text(encoding="utf-8")
    document, data = load_document(DEMO_SCENARIO)
    data["hall"][0]["it_power_cap"] = "38 MW"
    del data["hall"][3]
    data["workload"].append({"id": "new-work", "chips": 10, "software": ["cuda"]})
    data["scenario"]["description"] = "edited"
    sync(document, data)
    text = dumps(document)
    assert tomllib.loads(text) == data
    assert comment_lines(original)[:6] == comment_lines(text)[:6]
    assert "max_units = 450          # assumption" in text


# saving --------------------------------------------------------------------------------
def test_save_atomic_creates_and_refuses_to_replace_without_overwrite(tmp_path):
    target = tmp_path / "s.toml"
    assert save_atomic(target, "a = 1\n", overwrite=False) == target
    assert target.read_text() == "a = 1\n"
    with pytest.raises(TargetExistsError):
        save_atomic(target, "a = 2\n", overwrite=False)
    assert target.read_text() == "a = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]  # no temp file left


def test_save_atomic_refuses_when_the_file_appears_meanwhile(tmp_path, monkeypatch):
    """The refusal is the kernel's (link/O_EXCL), not an exists() check that can race."""
    target = tmp_path / "s.toml"
    real_link = os.link

    def racing_link(src, dst):
        Path(dst).write_text("theirs\n")  # another process wins the race
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(TargetExistsError):
        save_atomic(target, "mine\n", overwrite=False)
    assert target.read_text() == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]


def test_save_atomic_overwrite_keeps_mode_and_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    save_atomic(link, "new\n", overwrite=True)
    assert link.is_symlink() and real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.toml", "real.toml"]


def test_save_atomic_removes_its_temp_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "s.toml"
    target.write_text("old\n")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ScenarioFileError, match="No space left"):
        save_atomic(target, "new\n", overwrite=True)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]


def test_save_atomic_refuses_a_folder_and_a_missing_folder(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ScenarioFileError, match="is a folder"):
        save_atomic(tmp_path / "dir.toml", "x\n", overwrite=True)
    with pytest.raises(ScenarioFileError, match="No such file"):
        save_atomic(tmp_path / "missing" / "s.toml", "x\n", overwrite=False)


def test_shipped_files_are_recognised_and_a_copy_is_proposed_in_the_working_folder(tmp_path):
    assert is_package_data(DEMO_SCENARIO)
    assert is_package_data(os.path.relpath(DEMO_SCENARIO))
    assert not is_package_data(tmp_path / "aws-hybrid-campus.toml")
    assert proposed_save_path(DEMO_SCENARIO, tmp_path) == tmp_path / "aws-hybrid-campus.toml"
    link = tmp_path / "looks-local.toml"
    link.symlink_to(DEMO_SCENARIO)
    assert is_package_data(link)  # a symlink into the package is the package


@pytest.mark.parametrize("name", ["a\x00b.toml", "x" * 10_000, ""])
def test_hostile_file_names_are_one_dcplan_error(tmp_path, name):
    with pytest.raises(DcplanError):
        load_document(name)
    with pytest.raises(DcplanError):
        save_atomic(name if name else tmp_path, "a = 1\n", overwrite=True)
    assert list(tmp_path.iterdir()) == []
