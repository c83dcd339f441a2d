"""Defect 27: nothing dcplan reads at start-up from a cache folder can run code or serve a
stale catalog.

dcplan keeps no on-disk catalog cache (a safe JSON one saved ~0-40 ms, measured), so these
tests pin what a user relies on: files planted in any cache folder are never read, an edit
is always seen (even one that keeps size and mtime), and loading writes nothing there.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from dcplan.models.catalog import load_catalog
from tests.conftest import REPO, user_system_toml


class _Planted:
    """Unpickling this creates ``marker``: the proof that a cache file was executed."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def _cache_folders(tmp_path: Path, monkeypatch) -> list[Path]:
    """Point every cache location dcplan ever used (DCPLAN_CACHE_DIR, XDG_CACHE_HOME,
    ~/.cache) into tmp_path and return the dcplan folders there."""
    explicit = tmp_path / "explicit-cache"
    xdg = tmp_path / "xdg"
    home = tmp_path / "home"
    monkeypatch.setenv("DCPLAN_CACHE_DIR", str(explicit))
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.setenv("HOME", str(home))
    folders = [explicit, xdg / "dcplan", home / ".cache" / "dcplan"]
    for folder in folders:
        folder.mkdir(parents=True)
    return folders


def _plant(folders: list[Path], marker: Path) -> None:
    """Overwrite whatever dcplan left in the folders, and add the names it would look for,
    with a pickle that creates ``marker`` when loaded."""
    payload = pickle.dumps(_Planted(marker))
    for folder in folders:
        names = {p.name for p in folder.iterdir()} | {"catalog.pickle", "catalog.json", "catalog-0.pickle"}
        for name in names:
            (folder / name).write_bytes(payload)


def test_a_planted_pickle_in_the_cache_folder_is_never_executed(tmp_path, monkeypatch, user_dir):
    folders = _cache_folders(tmp_path, monkeypatch)
    marker = tmp_path / "pwned"
    (user_dir / "mine.toml").write_text(user_system_toml(id="planted-test"))
    load_catalog([user_dir], use_env=False)  # whatever the first run leaves behind gets replaced
    _plant(folders, marker)
    catalog = load_catalog([user_dir], use_env=False)
    assert not marker.exists(), "a file planted in the cache folder was unpickled"
    assert catalog.system("planted-test").name == "Our test rack"


def test_the_cli_never_executes_a_planted_cache_file(tmp_path, monkeypatch):
    """As a user runs it: two `dcplan catalog list` runs with a hostile file in between."""
    folders = _cache_folders(tmp_path, monkeypatch)
    marker = tmp_path / "pwned"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = [sys.executable, "-m", "dcplan.planner.cli", "catalog", "list"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert first.returncode == 0, first.stderr
    _plant(folders, marker)
    second = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert second.returncode == 0, second.stderr
    assert not marker.exists(), "dcplan catalog list executed a planted cache file"
    assert second.stdout == first.stdout


def test_an_edit_that_keeps_size_and_mtime_is_not_served_stale(tmp_path, monkeypatch, user_dir):
    _cache_folders(tmp_path, monkeypatch)
    path = user_dir / "mine.toml"
    path.write_text(user_system_toml(id="same-size", design="140 kW"))
    stamp = path.stat()
    assert load_catalog([user_dir], use_env=False).system("same-size").design_power.magnitude == 140
    path.write_text(user_system_toml(id="same-size", design="141 kW"))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size and path.stat().st_mtime_ns == stamp.st_mtime_ns
    assert load_catalog([user_dir], use_env=False).system("same-size").design_power.magnitude == 141


def test_loading_writes_nothing_into_any_cache_folder(tmp_path, monkeypatch, user_dir):
    folders = _cache_folders(tmp_path, monkeypatch)
    (user_dir / "mine.toml").write_text(user_system_toml(id="no-trace"))
    load_catalog([user_dir], use_env=False)
    load_catalog(use_env=False)
    assert [p for folder in folders for p in folder.iterdir()] == []


@pytest.mark.parametrize("junk", [b"", b"\x80\x04garbage", b'{"format": 1}', b"\x00" * 1000])
def test_garbage_in_a_cache_folder_changes_nothing(tmp_path, monkeypatch, junk):
    folders = _cache_folders(tmp_path, monkeypatch)
    for folder in folders:
        for name in ("catalog.json", "catalog-0.pickle", "catalog-0.json"):
            (folder / name).write_bytes(junk)
    catalog = load_catalog(use_env=False)
    assert catalog.system("trn3-ultraserver-gen2").id == "trn3-ultraserver-gen2"
