"""dcplan physics: units, catalogs and unit-aware models of power, heat, space and energy.

This package never imports pyomo, textual, planner or tui (a test enforces it). Importing
it imports nothing else either (``dcplan --help`` and ``dcplan.models.errors`` stay light):
pint comes in with ``dcplan.models.units``.
"""

from __future__ import annotations

import sys as _sys
from collections.abc import Iterator
from contextlib import contextmanager

#: Optional array libraries pint probes for when it is first imported, for array types
#: dcplan never puts inside quantities. The dask probe imports dask (~100-150 ms: pint.compat
#: does ``find_spec("dask")`` then ``import dask.base``); the scipy one makes Pyomo, imported
#: later, eagerly load scipy.stats/sparse/spatial (~0.5 s).
ARRAY_PROBES = ("dask", "scipy")


@contextmanager
def without_array_probes() -> Iterator[None]:
    """Hide ``ARRAY_PROBES`` from imports inside the block, then unhide them.

    Uses the import system's documented module-cache rule: a ``None`` value in
    ``sys.modules`` makes ``import name`` raise ModuleNotFoundError and
    ``importlib.util.find_spec(name)`` return None, so pint sees "not installed". The
    entries are removed afterwards, so ``import dask`` works normally later in the same
    process (sweeps); only pint's own dask-array support (quantities wrapping dask arrays,
    which dcplan never makes) stays off. A probe already imported is left as it is.
    """
    hidden = [name for name in ARRAY_PROBES if name not in _sys.modules]
    for name in hidden:
        _sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if _sys.modules.get(name, 0) is None:
                del _sys.modules[name]
