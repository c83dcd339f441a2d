"""NVLink Fusion rack slots, density build classes and NVLink switch trays over a roadmap
(issue 14, item 4 and the density part of item 3): the inputs and the roadmap hook.

Inputs (``slot_inputs``, called by ``planner.roadmap_inputs`` into ``extras["slots"]``):

- a row template with ``slot = X`` hosts only systems rack-slot class X admits
  (``dcplan.models.slots.slot_fit``): the others' options are blocked in every period,
  each with its reason (``blocked``: option key -> why).
- ``density`` classes per row template: ``(rack_kw, capex_usd per row)`` sorted by kW.
- switch trays: NVLink switch trays one unit of a system draws (from the slot class of the
  option's row, else the largest any catalog slot lists for the system) and the supply per
  period ``floor(trays_per_year x y)`` (the scenario's, else the catalog slot's default).

The hook (``slot_hook``, in ``planner.roadmap_model.ROADMAP_HOOKS``):

- blocked options: ``units[o, t] <= 0`` for every t.
- density, per template r with classes k = 0..C-1 (ascending rack_kw_k [kW], capex_k
  [MUSD per row]), integer columns ``cls[r, k, t]`` (rows standing in class k; linking
  name ``density_rows``), ``bld`` (rows built into class k in t, new or rebuilt:
  ``density_build``), ``lv`` (rows of class k rebuilt into a higher class in t:
  ``density_rebuilt``), indexed ``(t, r, k)``:
  ``cls[k, t] - cls[k, t-1] - bld[k, t] + lv[k, t] = 0``;
  ``S_k[t] = sum_(j >= k) cls[j, t]`` never falls (``S_k[t] - S_k[t-1] >= 0``: a row is
  never downgraded or demolished, so a row that leaves class k is rebuilt higher);
  ``S_0[t] <= count_r``; an option o needs class ``k_o = min{k: rack_kw_k >= rack_kw_o}``
  and ``sum_(o: k_o >= k) rows[o, t] <= S_k[t]`` for every k (a higher class hosts lower
  racks). An option no class can host is blocked.
  capex_t += sum_k capex_k bld[k, t] (a rebuild re-pays the whole higher class, on top of
  the row's busway and PDUs, which the roadmap core charges once); residual +=
  ``capex_k x share(t)`` per row built in t minus ``capex_k x share(0)`` per row rebuilt
  away (exact for a row first built at the start; share(t) = max(0, 1 - (E - s_t) / L_fac)).
- trays: ``sum_o trays_o x add[o, t] <= supply_t``. With the WHAT-IF
  ``mixed_fusion_domain`` (a Trainium4 + GPU scale-up domain, not publicly described) a
  Trainium4 unit is assumed to share the NVLink switch trays of the GPU racks in its domain,
  so the supply row is not written; the plan notes say so.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from dcplan.models.catalog import Catalog
from dcplan.models.errors import DcplanError
from dcplan.models.slots import slot_fit
from dcplan.planner.modeldata import ModelData, Pruned

USD_PER_MUSD = 1e6
MIXED_DOMAIN_NOTE = (
    "WHAT-IF mixed_fusion_domain: Trainium4 units may share one NVLink scale-up domain with GPU units "
    "(not publicly described); their NVLink switch trays are assumed to come with the GPU racks, so the "
    "switch-tray supply does not limit them"
)


class SlotInputError(DcplanError):
    """A slot, density or switch-tray input that cannot be planned (one line)."""


@dataclass(frozen=True)
class DensityClass:
    """A row build class: racks up to ``rack_kw`` [kW]; ``capex_usd`` per row built for it."""

    rack_kw: float
    capex_usd: float


@dataclass
class SlotInputs:
    """Slot, density and tray inputs of a roadmap (``RoadmapInputs.extras["slots"]``)."""

    row_slots: dict[str, str] = field(default_factory=dict)  # row template -> rack-slot class id
    blocked: dict[str, str] = field(default_factory=dict)  # option key -> why it cannot be installed
    pruned: list[Pruned] = field(default_factory=list)  # the same, for the plan's pruned list
    density: dict[str, list[DensityClass]] = field(default_factory=dict)  # row template -> ascending classes
    trays: dict[str, int] = field(default_factory=dict)  # option key -> switch trays per unit
    tray_supply: list[int] | None = None  # per period; None: no tray supply row
    mixed_fusion_domain: bool = False
    notes: list[str] = field(default_factory=list)


def plain_number(
    value: Any,
    unit: str,
    what: str,
    *,
    expected: str = "",
    noun: str = "value",
    positive: bool = False,
    error: type[DcplanError] = SlotInputError,
) -> float:
    """A plain float in ``unit`` from a pint quantity, a "140 kW" string or a number; a
    non-finite, negative (or, with ``positive``, zero) value is refused in one line."""
    from dcplan.models.units import Q_

    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            quantity = Q_(value) if isinstance(value, str) else value
            number = float(quantity.to(unit).magnitude)
    except Exception as problem:  # pint raises several kinds; the user sees one line
        raise error(f"{what}: expected {expected or 'a quantity in ' + unit}, got {value!r} ({problem})") from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise error(f"{what}: expected a finite {'positive' if positive else 'non-negative'} {noun}, got {value!r}")
    return number


def density_classes(row_id: str, raw: Any) -> list[DensityClass]:
    """The ``[[row]] density`` list as classes sorted by rack kW; refuse duplicates and junk."""
    classes: list[DensityClass] = []
    for i, entry in enumerate(raw or []):
        get = entry.get if isinstance(entry, dict) else lambda name, e=entry: getattr(e, name, None)
        where = f"row {row_id!r} density[{i}]"
        kw, capex = get("rack_kw"), get("capex")
        if kw is None or capex is None:
            raise SlotInputError(f"{where}: needs rack_kw and capex")
        rack_kw = plain_number(kw, "kW", f"{where} rack_kw", noun="power", positive=True)
        classes.append(DensityClass(rack_kw, plain_number(capex, "USD", f"{where} capex")))
    classes.sort(key=lambda c: c.rack_kw)
    for low, high in itertools.pairwise(classes):
        if high.rack_kw <= low.rack_kw * (1 + 1e-9):
            raise SlotInputError(f"row {row_id!r} density: two classes for {low.rack_kw:g} kW racks")
    return classes


def needed_class(classes: list[DensityClass], rack_kw: float) -> int | None:
    """The lowest class index whose rack_kw covers ``rack_kw`` [kW], or None."""
    for k, c in enumerate(classes):
        if rack_kw <= c.rack_kw * (1 + 1e-9):
            return k
    return None


def _tray_figures(catalog: Catalog, data: ModelData, row_slots: dict[str, str]) -> tuple[dict[str, int], set[str]]:
    """(option key -> trays per unit, slot ids the trays come from)."""
    slots = [item.entry for item in catalog.items["rack_slot"].values()]
    trays: dict[str, int] = {}
    used: set[str] = set()
    for o in data.options:
        named = row_slots.get(o.row)
        pool = [s for s in slots if s.id == named] if named else slots
        best = max(((s.trays_per_unit(o.system), s.id) for s in pool), default=(0, ""))  # type: ignore[attr-defined]
        if best[0] > 0:
            trays[o.key] = best[0]
            used.add(best[1])
    return trays, used


def _tray_supply(
    catalog: Catalog, used: set[str], per_year: float | None, period_years: float, periods: int
) -> list[int] | None:
    """Trays per period ``floor(per_year x y + 1e-9)``: the scenario's figure, else the largest
    catalog default among the slots the trays come from; None when neither gives one."""
    if per_year is None:
        defaults = [
            float(s.tray_supply_per_year.magnitude)  # type: ignore[attr-defined]
            for sid in sorted(used)
            if (s := catalog.rack_slot(sid)).tray_supply_per_year is not None
        ]
        per_year = max(defaults) if defaults else None
    if per_year is None:
        return None
    return [math.floor(per_year * period_years + 1e-9)] * periods


def slot_inputs(
    scenario: Any,
    catalog: Catalog,
    data: ModelData,
    *,
    period_years: float,
    periods: int,
    tray_supply_per_year: float | None = None,
) -> SlotInputs:
    """The slot/density/tray inputs of ``scenario`` over ``data`` (the union ModelData).

    Reads ``[[row]] slot`` / ``density`` and ``[roadmap] mixed_fusion_domain`` (SCHEMA's
    fields; absent fields mean none). ``tray_supply_per_year`` overrides the catalog's.
    """
    out = SlotInputs()
    roadmap = getattr(scenario, "roadmap", None)
    out.mixed_fusion_domain = bool(getattr(roadmap, "mixed_fusion_domain", False))
    for row in scenario.row:
        slot_id = getattr(row, "slot", None)
        if slot_id:
            if slot_id not in catalog.items["rack_slot"]:
                known = ", ".join(sorted(catalog.items["rack_slot"])) or "none"
                raise SlotInputError(f"row {row.id!r} slot: unknown rack slot {slot_id!r} (known: {known})")
            out.row_slots[row.id] = slot_id
        classes = density_classes(row.id, getattr(row, "density", None))
        if classes and slot_id:
            _check_band(row.id, classes, catalog.rack_slot(slot_id))
        if classes:
            out.density[row.id] = classes
    _block_options(out, catalog, data)
    out.trays, used = _tray_figures(catalog, data, out.row_slots)
    if out.mixed_fusion_domain:  # the what-if is named in the plan whenever it is switched on
        out.notes.append(MIXED_DOMAIN_NOTE)
    if out.trays:
        out.tray_supply = _tray_supply(catalog, used, tray_supply_per_year, period_years, periods)
        if out.tray_supply is None and not out.mixed_fusion_domain:
            out.notes.append("NVLink switch trays: no supply given, so they do not limit units")
    return out


def _check_band(row_id: str, classes: list[DensityClass], slot: Any) -> None:
    """A slot row's build classes stay inside the slot's kW band: a class above it builds a
    row no rack of the slot can use."""
    top = float(slot.max_rack_power.magnitude)
    for c in classes:
        if c.rack_kw > top * (1 + 1e-9):
            raise SlotInputError(
                f"row {row_id!r} density: a {c.rack_kw:g} kW class is above rack slot {slot.id}'s {top:g} kW band"
            )


def roadmap_notes(extras: dict[str, Any]) -> list[str]:
    """The plan notes of the slot and cloud extensions (what-if labels, unlimited supplies)."""
    return [note for part in extras.values() for note in getattr(part, "notes", [])]


def _block_options(out: SlotInputs, catalog: Catalog, data: ModelData) -> None:
    """Block options a row's slot does not admit, or no density class of the row can host."""
    for o in data.options:
        reason = None
        slot_id = out.row_slots.get(o.row)
        if slot_id is not None:
            reason = slot_fit(catalog.rack_slot(slot_id), catalog.system(o.system)).reason
        classes = out.density.get(o.row)
        if reason is None and classes and needed_class(classes, o.coeff.rack_kw) is None:
            reason = f"{o.coeff.rack_kw:,.0f} kW per rack exceeds row {o.row}'s densest build class ({classes[-1].rack_kw:,.0f} kW)"
        if reason is not None:
            out.blocked[o.key] = reason
            out.pruned.append(Pruned(o.row, o.system, o.cooling, reason))


def prune_blocked(data: ModelData, inputs: SlotInputs) -> ModelData:
    """``data`` without the blocked options, their reasons in ``pruned`` (for callers that
    build periods after the slot inputs; the hook's bounds give the same plan)."""
    from dataclasses import replace

    from dcplan.planner.delivered import supply_groups

    if not inputs.blocked:
        return data
    kept = [o for o in data.options if o.key not in inputs.blocked]
    # no workload pair, eligible supply or supply group may name a removed option
    eligible = {w: [k for k in keys if k not in inputs.blocked] for w, keys in data.eligible.items()}
    pairs = {wk: pair for wk, pair in data.pairs.items() if wk[1] not in inputs.blocked}
    return replace(
        data,
        options=kept,
        pruned=[*data.pruned, *inputs.pruned],
        eligible=eligible,
        pairs=pairs,
        supply_groups=supply_groups(eligible, pairs),
    )


# -- the roadmap hook ----------------------------------------------------------------------


def slot_hook(b: Any) -> None:
    """Blocked options, density classes and the switch-tray supply (module docstring)."""
    inputs = b.inputs.extras.get("slots")
    if not isinstance(inputs, SlotInputs):
        return
    for t in range(len(b.periods)):
        for key in inputs.blocked:
            for col in (b.block_col(t, "units", key), b.linking_col("add", (t, key))):
                if col is not None:
                    b.set_upper(col, 0.0)
    for row_id, classes in inputs.density.items():
        density_rows(b, row_id, classes)
    _tray_rows(b, inputs)


def density_rows(b: Any, row_id: str, classes: list[DensityClass]) -> None:
    """The density family of one row template (module docstring): density_rows / _build /
    _rebuilt columns,
    stock, no-downgrade, count and cover rows, capex and residual on the builds."""
    options = [o for o in b.periods[0].data.options if o.row == row_id]
    if not options:
        return
    count = float(options[0].rows_available)
    need = {o.key: needed_class(classes, o.coeff.rack_kw) for o in options}
    share0 = facility_share(b, 0)
    for t in range(len(b.periods)):
        idx = [(t, row_id, k) for k in range(len(classes))]
        stand = b.add_columns("density_rows", idx, 0.0, count, integer=True)
        built = b.add_columns("density_build", idx, 0.0, count, integer=True)
        left = b.add_columns("density_rebuilt", idx, 0.0, count if t > 0 else 0.0, integer=True)
        for k, c in enumerate(classes):
            terms = {stand[k]: 1.0, built[k]: -1.0, left[k]: 1.0}
            if t > 0:
                terms[b.linking_col("density_rows", (t - 1, row_id, k))] = -1.0
            b.add_row("density_stock", idx[k], terms, 0.0, 0.0)
            above = {stand[j]: 1.0 for j in range(k, len(classes))}
            if t > 0:
                for j in range(k, len(classes)):
                    above[b.linking_col("density_rows", (t - 1, row_id, j))] = -1.0
                b.add_row("density_keep", idx[k], above, 0.0, math.inf)
            cover = {stand[j]: -1.0 for j in range(k, len(classes))}
            for o in options:
                col = b.block_col(t, "rows", o.key)
                if col is not None and (need[o.key] or 0) >= k:
                    cover[col] = 1.0
            b.add_row("density_cover", idx[k], cover, -math.inf, 0.0)
            musd = c.capex_usd / USD_PER_MUSD
            if musd > 0:
                b.capex[t][built[k]] = b.capex[t].get(built[k], 0.0) + musd
                share = facility_share(b, t)
                b.residual[built[k]] = b.residual.get(built[k], 0.0) + musd * share
                b.residual[left[k]] = b.residual.get(left[k], 0.0) - musd * share0
        b.add_row("density_count", (t, row_id), dict.fromkeys(stand, 1.0), -math.inf, count)


def facility_share(b: Any, t: int) -> float:
    """max(0, 1 - (E - s_t) / L_fac): the book value at the horizon end of plant built in t."""
    from dcplan.planner.roadmap_families import facility_residual_share

    return facility_residual_share(b, t)


def _tray_rows(b: Any, inputs: SlotInputs) -> None:
    if inputs.mixed_fusion_domain or inputs.tray_supply is None:
        return
    for t, supply in enumerate(inputs.tray_supply[: len(b.periods)]):
        terms = {c: float(n) for key, n in inputs.trays.items() if (c := b.linking_col("add", (t, key))) is not None}
        if terms:
            b.add_row("switch_trays", (t, "nvlink"), terms, -math.inf, float(supply))


def _register() -> None:
    from dcplan.planner.roadmap_model import register_hook  # imported late: roadmap_model imports this module

    register_hook(slot_hook)


_register()
