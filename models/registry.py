"""pint's unit registry, built faster from dcplan's definitions file (models/units.txt).

The file is pint's own definition format; this module only changes how pint reads it at
start-up (see ``DefinitionsRegistry``). The registry dcplan uses is made in models/units.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dcplan.models import without_array_probes

with without_array_probes():  # pint without dask (see dcplan.models.without_array_probes)
    import pint
    from pint.delegates.base_defparser import ParserConfig
    from pint.delegates.txt_defparser import plain as txt_plain
    from pint.facets.plain.registry import RegistryCache


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
        config = ParserConfig(self.non_int_type)
        blocks: list[str] = []
        in_block = False
        for raw in Path(file).read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("@") or in_block:
                blocks.append(line)
                in_block = line != "@end"
                continue
            self.define(_parse_line(line, config))
        self.define("\n".join(blocks))
        return None

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
