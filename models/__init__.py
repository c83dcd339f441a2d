"""dcplan physics: units, catalogs and unit-aware models of power, heat, space and energy.

This package never imports pyomo, textual, planner or tui (a test enforces it).
"""

import sys as _sys

# pint probes for dask and scipy when first imported, for array types dcplan never puts
# inside quantities. The dask probe costs ~100 ms; the scipy one makes Pyomo, imported
# later, eagerly load scipy.stats/sparse/spatial (~0.5 s). Both stay hidden while pint is
# first imported (here, before any submodule can import it) and importable afterwards.
_HIDDEN = [_name for _name in ("dask", "scipy") if _name not in _sys.modules]
for _name in _HIDDEN:
    _sys.modules[_name] = None  # type: ignore[assignment]
try:
    import pint as _pint  # noqa: F401
finally:
    for _name in _HIDDEN:
        del _sys.modules[_name]
