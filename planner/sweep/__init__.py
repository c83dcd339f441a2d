"""Uncertainty and what-if sweeps: many full solves of one scenario, locally or on Dask.

A sweep turns one scenario into many *samples*. Each sample fixes every uncertain input
to one value and is solved in full (``plan_scenario`` with marginals and infeasibility
diagnosis off, HiGHS with one thread), by the pure function ``run_sample(spec)``. The
same function runs in local worker processes (``concurrent.futures.ProcessPoolExecutor``,
the default), in this process (``workers=0``, for debugging and tests), or on a Dask
distributed cluster (``scheduler="tls://host:port"`` with ``DaskTls`` files, plain
``tcp://``, or ``"local"``: a LocalCluster on 127.0.0.1), so the results are identical.
A Dask client unpickles what the workers send back, so an untrusted cluster can run code
here: use TLS (or ``local``) and trusted workers. A cluster with no worker for
``worker_timeout_s`` stops the sweep (``SweepRunError``) rather than waiting for ever.

Uncertain inputs
----------------
- **Catalog ranges.** Every catalog figure with a ``low``/``high`` range on the entries the
  scenario uses: candidate (and cloud-offer) systems and their chips, the coolings of the
  rows that a candidate supports and the plants that reject their heat, the scenario's
  sites, the power chain and its PDU/UPS/transformer/generator, the rows' busways, the
  coolant fluids and the planning defaults. A range with one end only runs from that end
  to the value. Figures the planner never reads are skipped (``NOT_IN_PLAN``), and so are
  the chip compute figures of other precisions than the scenario's.
- **``--vary FIELD=LOW:HIGH``** ranges on scenario fields (``scenario.budget``,
  ``site.<id>.utility_power``, ``hall.<id>.it_power_cap``, ``workload.<id>.demand``,
  ``candidate.<system>.max_units``, ``share.<family|software>.min`` ...) or on any scalar
  catalog figure (``system.<id>.capex``); a ``--vary`` on a catalog figure replaces its
  catalog range. Both ends are read with the field's own unit rules.

Consistency kept where the schema demands it:

- A system's ``idle <= typical <= design <= nameplate``. The catalog derives typical
  (0.78 x design) and idle (25 % of design) from the design figure, and their ranges from
  the design range, so sampling them on their own would both double-count one
  uncertainty and break the order (a typical near its high end with a design near its
  low end). So the highest of design/typical/idle that has a range is the *driver*, and
  the ones below it are scaled by the driver's sampled/base ratio (they are not inputs of
  their own). ``nameplate_power`` is drawn on its own and raised to the sampled design
  power where it would fall below it; any explicit ``--vary`` on these fields is clipped
  into the same order.
- A system's whole-number figures (``chips_per_unit``, ``racks_per_unit``,
  ``max_units_per_rack``) are discrete design alternatives (e.g. one 72-chip rack or two
  racks of 72), so they take one of their distinct ``low``/``value``/``high`` values,
  drawn together (one draw) so the low design of one goes with the low design of the other.
- A multi-rack unit's mass is sampled *per rack* and multiplied by the sampled rack count:
  ``weight = weight_per_rack x racks_per_unit``, with the per-rack range the catalog range
  divided by the catalog's rack count (Trn3 Gen2: 2,400-3,000 kg over 2 racks, so
  1,200-1,500 kg per rack). Drawn on their own, a one-rack alternative of a two-rack unit
  would carry both racks' mass on one footprint (2.7 t on 0.72 m^2, over any slab), which
  made half the demo's samples infeasible for a reason no real design has. The unit's
  power is *not* scaled: it is set by its chips (chips x chip power x overhead) whatever
  the rack count, so the power per rack (unit power / racks) follows from the joint draw.
  A system with a ranged rack count but a fixed weight gets the same per-rack scaling; a
  ``--vary`` on ``weight`` is the unit's mass as given.
- Monthly climate arrays are sampled *as a whole*: one draw moves all twelve months
  between their ``low`` and ``high`` curves (reported as the annual mean). Wet bulbs are
  clipped to at most the dry bulbs (monthly and design-day).

Sampling
--------
Latin hypercube (``scipy.stats.qmc.LatinHypercube(d, seed)``, scrambled by default or
centred with ``--lhs centred``: see ``design.lhs_matrix``) on the unit cube, mapped
uniformly to ``[low, high]`` (whole numbers: uniformly over the whole numbers; discrete
alternatives: uniformly over the alternatives), or a full factorial grid of ``N`` levels
per ``--vary`` input (catalog figures then stay at their values), or the design of a
variance-based sensitivity method (``--sensitivity sobol|morris``, SALib: see
``sensitivity``). Every design goes through the same unit-cube -> values mapping.

Results
-------
P10/P50/P90 over the samples that have a plan; how often each system is chosen; a
tornado ranking (Spearman rank correlation of each input with the objective, plus the
"swing": mean objective of the samples in the top third of the input minus the bottom
third, in the objective's units); a robust choice (see ``robust_check``); and with
``--sensitivity`` the Sobol (S1, ST) or Morris (mu*, sigma) indices with 95 % confidence.
Each tornado row carries its input's confidence; ``unproven`` is the share of the summed
swing that comes from performance figures no benchmark backs (efficiency and goodput
assumptions, claim haircuts: ``stats.unproven_share``). Goodput curves are sampled as one
array input per curve, its points moving together.

Modules
-------
``inputs`` (uncertain inputs: catalog ranges), ``vary`` (``--vary`` parsing), ``design``
(unit cube -> consistent values), ``sample`` (one sample, a pure function of its spec),
``backends`` (in-process, local processes, Dask, TLS; retries), ``runner`` (the whole
sweep: ``SweepConfig``, ``SweepDesign``, ``SweepResult``), ``stats`` (summaries, tornado),
``robust`` (robust mix), ``sensitivity`` (Sobol/Morris with SALib), ``errors``. This
package re-exports their public names.
"""

from __future__ import annotations

from dcplan.planner.sweep.backends import (
    LOCAL_SCHEDULER,
    LOOPBACK,
    MAX_ATTEMPTS,
    DaskTls,
    FailedAttempt,
    ProgressFn,
    dask_security,
    default_workers,
    execute,
    local_cluster_kwargs,
    make_backend,
)
from dcplan.planner.sweep.design import MAX_GRID_POINTS, grid_matrix, lhs_matrix, sample_assignments
from dcplan.planner.sweep.errors import InjectedFailure, SweepInputError, SweepRunError
from dcplan.planner.sweep.inputs import (
    COUNT_FIELDS,
    NOT_IN_PLAN,
    OVERRIDDEN_BY_SCENARIO,
    POWER_ORDER,
    PRECISION_FIELDS,
    ROADMAP_ONLY,
    Domain,
    Follower,
    Target,
    UncertainInput,
    catalog_inputs,
    used_entries,
)
from dcplan.planner.sweep.robust import candidate_mixes, robust_check
from dcplan.planner.sweep.runner import (
    SWEEP_SCHEMA_VERSION,
    SweepConfig,
    SweepDesign,
    SweepResult,
    prepare_sweep,
    resolve_catalog_dirs,
    run_sweep,
)
from dcplan.planner.sweep.sample import (
    SOLUTION_STATUSES,
    Assignment,
    SampleResult,
    SampleSpec,
    apply_catalog_values,
    apply_scenario_values,
    base_catalog,
    prime_catalog,
    run_sample,
    warm_worker,
)
from dcplan.planner.sweep.sensitivity import (
    DEFAULT_BASE_SAMPLES,
    SENSITIVITY_METHODS,
    sensitivity,
    sensitivity_indices,
    sensitivity_matrix,
)
from dcplan.planner.sweep.stats import OUTPUTS, infeasible_text, spearman, summarise, tornado, unproven_share
from dcplan.planner.sweep.vary import SCENARIO_TABLES, VARY_EXAMPLE, merge_inputs, parse_vary

__all__ = [
    "COUNT_FIELDS",
    "DEFAULT_BASE_SAMPLES",
    "LOCAL_SCHEDULER",
    "LOOPBACK",
    "MAX_ATTEMPTS",
    "MAX_GRID_POINTS",
    "NOT_IN_PLAN",
    "OUTPUTS",
    "OVERRIDDEN_BY_SCENARIO",
    "POWER_ORDER",
    "PRECISION_FIELDS",
    "ROADMAP_ONLY",
    "SCENARIO_TABLES",
    "SENSITIVITY_METHODS",
    "SOLUTION_STATUSES",
    "SWEEP_SCHEMA_VERSION",
    "VARY_EXAMPLE",
    "Assignment",
    "DaskTls",
    "Domain",
    "FailedAttempt",
    "Follower",
    "InjectedFailure",
    "ProgressFn",
    "SampleResult",
    "SampleSpec",
    "SweepConfig",
    "SweepDesign",
    "SweepInputError",
    "SweepResult",
    "SweepRunError",
    "Target",
    "UncertainInput",
    "apply_catalog_values",
    "apply_scenario_values",
    "base_catalog",
    "candidate_mixes",
    "catalog_inputs",
    "dask_security",
    "default_workers",
    "execute",
    "grid_matrix",
    "infeasible_text",
    "lhs_matrix",
    "local_cluster_kwargs",
    "make_backend",
    "merge_inputs",
    "parse_vary",
    "prepare_sweep",
    "prime_catalog",
    "resolve_catalog_dirs",
    "robust_check",
    "run_sample",
    "run_sweep",
    "sample_assignments",
    "sensitivity",
    "sensitivity_indices",
    "sensitivity_matrix",
    "spearman",
    "summarise",
    "tornado",
    "unproven_share",
    "used_entries",
    "warm_worker",
]
