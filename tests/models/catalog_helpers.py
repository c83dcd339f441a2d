"""Helpers for tests that load a user catalog folder holding one file, mine.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcplan.models.catalog import Catalog, CatalogError, load_catalog


def load_mine(folder: Path, text: str) -> Catalog:
    """The built-in catalog with ``folder/mine.toml`` (holding ``text``) layered over it."""
    (folder / "mine.toml").write_text(text)
    return load_catalog([folder], use_env=False)


def only_problem(folder: Path, text: str) -> str:
    """The one problem line loading ``text`` gives (fails if it loads, or gives several)."""
    with pytest.raises(CatalogError) as info:
        load_mine(folder, text)
    assert len(info.value.lines) == 1, info.value.lines
    return info.value.lines[0]
