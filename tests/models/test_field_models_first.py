"""Catalog entries build the models their fields name first (models/catalog/base.py
``build_field_models_first``): each ``Sourced*`` schema is generated once per process and
reused by every entry kind, instead of afresh inside each kind that names it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

# Counts pydantic's schema generations per model (a model not yet built has its schema made) while a lazy catalog's entries are read
# (what `dcplan size` reads), in a fresh process so that no model is built yet.
_COUNT = """
import collections, json
from pydantic._internal import _generate_schema as gs
from dcplan.models.catalog import load_catalog
made = collections.Counter()
original = gs.GenerateSchema._model_schema
def counted(self, cls):
    if not cls.__pydantic_complete__:  # a built model's schema is reused, not generated
        made[cls.__name__] += 1
    return original(self, cls)
gs.GenerateSchema._model_schema = counted
catalog = load_catalog(lazy=True, use_env=False)
system = catalog.system("trn3-ultraserver-gen2")
catalog.cooling(system.cooling[0]); catalog.site("ashburn-va"); catalog.defaults
print(json.dumps(made))
"""


def test_each_sourced_schema_is_generated_once_for_all_entry_kinds():
    done = subprocess.run([sys.executable, "-c", _COUNT], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"System", "Cooling", "Site", "SourcedPositivePower", "SourcedTemperature"} <= set(made)
    assert max(made.values()) == 1, {name: n for name, n in made.items() if n > 1}


def test_an_entry_validates_the_same_after_its_field_models_were_built_alone():
    """The reused schemas validate as the inline ones did: a bad figure in a system row is
    the same error whichever way the schema was built."""
    script = """
import json
from dcplan.models.catalog.base import build_field_models_first
from dcplan.models.catalog.schema import Cooling
from dcplan.models.catalog.sourced import SourcedTemperature
from pydantic import ValidationError
row = {"id": "c", "name": "C", "kind": "dlc-cdu", "air_supply_temp": {"value": "35 parsecs", "source": "assumption: x y", "confidence": "assumption"}}
def errors():
    try:
        Cooling.model_validate(row)
    except ValidationError as exc:
        return [(e["loc"], e["msg"]) for e in exc.errors()]
if __import__("sys").argv[1] == "first":
    build_field_models_first(Cooling)
    assert SourcedTemperature.__pydantic_complete__
print(json.dumps(errors()))
"""
    runs = [
        subprocess.run([sys.executable, "-c", script, how], cwd=REPO, capture_output=True, text=True, timeout=120)
        for how in ("first", "inline")
    ]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    first, inline = (json.loads(run.stdout) for run in runs)
    assert first == inline and first  # the same, non-empty list of problems
