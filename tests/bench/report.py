"""How every benchmark reports a figure: one ``BENCH {json}`` line with the load average."""

from __future__ import annotations

import json
import os
from typing import Any


def load_avg() -> str:
    """The 1, 5 and 15 minute load averages, '0.52/0.61/0.70'."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def emit(name: str, figures: dict[str, Any], results: dict[str, Any] | None = None) -> None:
    """Print ``BENCH {"bench": name, ...figures, "load_avg": ...}`` (and keep it in ``results``)."""
    if results is not None:
        results[name] = figures
    print(f"\nBENCH {json.dumps({'bench': name, **figures, 'load_avg': load_avg()}, default=str)}", flush=True)
