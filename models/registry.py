"""pint's unit registry, built faster from dcplan's definitions file (models/units.txt).

The file is pint's own definition format; this module only changes how pint reads it at
start-up (see ``DefinitionsRegistry``). The registry dcplan uses is made in models/units.py.

The unit expressions of the definitions ("1.75 * inch", "foot ** 3 / minute") are read from
``EXPRESSIONS_FILE``, a table pint's own expression parser wrote (``expression_table``;
regenerate with ``python -m dcplan.models.registry``): without it pint's tokenizer runs ~180
times per start, and the registry's build takes 11.5 ms instead of 4.4 ms (best of 7 in one
process, load 2.8; 37-47 ms against 20-24 ms in a fresh process at load 3.6). An expression
missing from the table, or a table that cannot be read or was written by another pint, goes
to pint's parser as before. The file is data shipped with dcplan, never written at run time;
tests/models/test_unit_expressions.py holds it equal to the installed pint's parse, and
tests/models/test_unit_registry.py every definition of the registry to pint's own parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dcplan.models import without_array_probes

with without_array_probes():  # pint without dask (see dcplan.models.without_array_probes)
    import pint
    from pint.delegates.base_defparser import ParserConfig
    from pint.delegates.txt_defparser import plain as txt_plain
    from pint.facets.plain.registry import RegistryCache
    from pint.util import ParserHelper

#: pint's parse of each unit expression in the definitions: text -> [scale, {unit: exponent}]
EXPRESSIONS_FILE = Path(__file__).with_name("units.expressions.json")
EXPRESSIONS_FORMAT = 1


@dataclass(frozen=True)
class TabledParserConfig(ParserConfig):
    """pint's parser configuration, answering an expression from ``table`` when it is there.

    ``ParserHelper(scale, units)`` is the object pint's ``ParserHelper.from_string`` returns
    for the expression (a scale times a product of units to integer or float powers).
    """

    table: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_scaled_units_container(self, s: str) -> Any:
        found = self.table.get(s) if self.non_int_type is float else None
        if found is None:
            return super().to_scaled_units_container(s)
        scale, units = found
        return ParserHelper(scale, units, non_int_type=self.non_int_type)


@lru_cache(maxsize=4)
def read_expression_table(path: Path = EXPRESSIONS_FILE) -> dict[str, Any]:
    """The shipped expression table, or an empty one if it is missing or not of this format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != EXPRESSIONS_FORMAT or data.get("pint") != pint.__version__:
        return {}  # another pint might parse an expression otherwise: its own parser decides
    table = data.get("expressions")
    if not isinstance(table, dict):
        return {}
    return {text: entry for text, entry in table.items() if _is_entry(entry)}


def _is_entry(entry: Any) -> bool:
    """``[scale, {unit: exponent}]`` with numbers where numbers belong."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)):
        return False
    numbers = (entry[0], *entry[1].values())
    return all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers)


class DefinitionsRegistry(pint.UnitRegistry):
    """pint's UnitRegistry, reading its definitions file (models/units.txt) one line at a time.

    pint's file parser (flexparser) offers every line to each of its ~11 statement classes
    in turn, through generic block machinery: ~60 % of the registry's build. A line of the
    file is one of four kinds, told apart by its first characters exactly as
    pint tells them apart; the line goes straight to pint's own parser for that kind (the
    same ``from_string_and_config`` pint calls), so every definition is the object pint
    makes. The three ``@defaults``/``@system`` blocks go through pint's full parser, in
    one call. tests/models/test_unit_definitions.py checks the result against pint's parse.
    """

    _compatible_built: bool

    def load_definitions(self, file: Any, is_resource: bool = False) -> Any:
        if is_resource or not isinstance(file, str | Path):
            return super().load_definitions(file, is_resource)
        self.define_lines(Path(file).read_text(encoding="utf-8").splitlines())
        return None

    def define_lines(self, lines: Iterable[str]) -> None:
        """Define each line (pint's definition syntax, ``#`` comments), as ``define`` would."""
        config = TabledParserConfig(self.non_int_type, table=read_expression_table())
        statements, blocks = split_definitions(lines)
        for line in statements:
            self.define(_parse_line(line, config))
        if blocks:
            self.define("\n".join(blocks))

    def _build_cache(self, loaded_files: Any = None) -> None:
        """At start-up, only an empty cache: pint fills a unit's root units and dimensionality
        the first time it converts it (``_get_root_units``/``_get_dimensionality`` look up,
        else compute and store), so the walk over all ~380 names (~40 % of the build) is
        spent on the ~20 units a run uses. Later calls (context caches) are pint's own."""
        if self._initialized:
            super()._build_cache(loaded_files)
            return
        self._cache = RegistryCache()
        self._caches[()] = self._cache
        self._compatible_built = False

    def _get_compatible_units(self, input_units: Any, *args: Any, **kwargs: Any) -> Any:
        """pint's table of units per dimensionality is built by its full cache walk: run it
        the first time compatible units are asked for (dcplan itself never asks)."""
        if not self._compatible_built:
            self._compatible_built = True
            super()._build_cache()
        return super()._get_compatible_units(input_units, *args, **kwargs)


def split_definitions(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """(one-line definitions, the lines of the ``@defaults``/``@system`` blocks), comments and
    blank lines dropped: a line of a block is everything from a line starting ``@`` to ``@end``."""
    statements: list[str] = []
    blocks: list[str] = []
    in_block = False
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@") or in_block:
            blocks.append(line)
            in_block = line != "@end"
        else:
            statements.append(line)
    return statements, blocks


def _parse_line(line: str, config: Any) -> Any:
    """One definition line as pint's own statement object (the first class that takes it, in
    pint's order: derived dimension, dimension, prefix, unit); pint's syntax error raised."""
    for statement in (
        txt_plain.DerivedDimensionDefinition,
        txt_plain.DimensionDefinition,
        txt_plain.PrefixDefinition,
        txt_plain.UnitDefinition,
    ):
        parsed = statement.from_string_and_config(line, config)
        if isinstance(parsed, Exception):
            raise parsed
        if parsed is not None:
            return parsed
    raise pint.DefinitionSyntaxError(f"cannot read unit definition {line!r}")


def expression_table(lines: Iterable[str]) -> dict[str, Any]:
    """Every unit expression the definition ``lines`` hand pint's parser, with pint's parse
    of it: ``{"format", "pint", "expressions": {text: [scale, {unit: exponent}]}}``."""
    found: dict[str, Any] = {}

    @dataclass(frozen=True)
    class Recording(ParserConfig):
        def to_scaled_units_container(self, s: str) -> Any:
            parsed = ParserHelper.from_string(s, self.non_int_type)
            found[s] = [parsed.scale, dict(parsed.items())]
            return parsed

    config = Recording(float)  # type: ignore[arg-type]  # pint's own default, typed as Number
    for line in split_definitions(lines)[0]:
        _parse_line(line, config)
    return {"format": EXPRESSIONS_FORMAT, "pint": pint.__version__, "expressions": found}


def write_expression_table() -> None:
    """Regenerate ``EXPRESSIONS_FILE`` from models/units.txt and models/units.py's own lines."""
    from dcplan.models import units

    lines = [*units.DEFINITIONS_FILE.read_text(encoding="utf-8").splitlines(), *units._DEFINITIONS]
    table = expression_table(lines)
    rows = [
        f" {json.dumps(text, ensure_ascii=False)}: {json.dumps(entry, ensure_ascii=False)}"
        for text, entry in sorted(table.pop("expressions").items())
    ]
    head = json.dumps(table)[:-1]  # one expression a line, so a change to units.txt reads as a short diff
    EXPRESSIONS_FILE.write_text(head + ', "expressions": {\n' + ",\n".join(rows) + "\n}}\n", encoding="utf-8")


if __name__ == "__main__":
    write_expression_table()
