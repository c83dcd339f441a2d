"""dcplan.models.files: the one way user-named files are read, and the nesting guard."""

from __future__ import annotations

import os
import sys

import pytest

from dcplan.models.errors import DcplanError, InputFileError
from dcplan.models.files import MAX_NESTING, nesting_exceeds, read_text


def _nested(depth: int) -> object:
    value: object = 1
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("depth", [0, 1, MAX_NESTING])
def test_nesting_within_the_limit_is_accepted(depth):
    assert not nesting_exceeds(_nested(depth))


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000, 200_000])
def test_nesting_beyond_the_limit_is_found_without_recursion(depth):
    # 5,000 and 200,000 levels would overflow a recursive walk at the default recursion limit
    assert nesting_exceeds(_nested(depth))


def test_a_wide_shallow_value_is_not_deep():
    assert not nesting_exceeds({"rows": [{"id": str(i), "x": [1, 2, 3]} for i in range(10_000)]})


def test_files_that_are_not_text_files_are_one_clear_error(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"name = '\xff\xfe'")
    cases = {
        fifo: "FIFO",
        tmp_path: "is a folder",
        binary: "not UTF-8 text",
        tmp_path / "missing.toml": "no such",
        "a\x00b.toml": "NUL character",  # os calls raise ValueError for it
        "x" * 10_000: "too long",  # and the message shows the name cut short
    }
    for path, words in cases.items():
        with pytest.raises(InputFileError) as info:
            read_text(path, "scenario file")
        assert isinstance(info.value, DcplanError) and words in info.value.lines[0]
        assert len(info.value.lines[0]) < 400


def test_starting_dcplan_writes_and_reads_no_cache_files(tmp_path):
    """Defect 27: no pickle cache anywhere, including pint's own (it pickles into ~/.cache/pint)."""
    import subprocess

    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = "import dcplan.models.units, dcplan.models.catalog; dcplan.models.catalog.load_catalog(use_env=False)"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
