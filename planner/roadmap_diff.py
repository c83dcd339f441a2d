"""`dcplan diff` for roadmap plans: two periods of one plan, or two roadmap plans.

- Two periods (``--period A --against B``): the periods' CapacityPlans through the
  single-period diff (planner.report.diff.diff_plans: mix, power, cost, workloads, racks
  moved/added/removed, matched by position and system).
- Two roadmap plans: per period label present in either, the timeline figures of A and B
  (units, MW energised and used, capex, opex, delivered PFLOPS) and the change; then the
  roadmap totals (cumulative delivered, NPV TCO, residual value). ``--period`` picks one
  period of each (``--against`` another of B) for the full single-period diff instead.
"""

from __future__ import annotations

from typing import Any

from dcplan.models.errors import DcplanError
from dcplan.planner.plan import CapacityPlan
from dcplan.planner.roadmap_plan import PeriodPlan, RoadmapPlan

#: timeline figures compared per period: (key, unit)
PERIOD_FIGURES = (
    ("units", "units"),
    ("energised_mw", "MW"),
    ("used_mw", "MW"),
    ("capex_musd", "MUSD"),
    ("opex_musd", "MUSD"),
    ("delivered_pflops", "PFLOPS"),
)
TOTALS = (
    ("cumulative_delivered_pflop_days", "PFLOP-days"),
    ("npv_tco_musd", "MUSD"),
    ("residual_value_musd", "MUSD"),
)


class PeriodChoiceError(DcplanError):
    """A --period / --against that the plan does not have: one line."""


def period_of(plan: RoadmapPlan, label: str, name: str, flag: str) -> PeriodPlan:
    """The period of ``plan`` labelled ``label`` (e.g. "2027Q1"); one line naming what exists."""
    for period in plan.periods:
        if period.period == label.strip():
            return period
    shown = label if len(label) <= 20 else label[:20] + "..."
    if not plan.periods:
        raise PeriodChoiceError(f"{flag}: {name} has no periods (no plan: {plan.diagnosis.summary})", field=flag)
    labels = [p.period for p in plan.periods]
    span = f"{labels[0]}..{labels[-1]}" if len(labels) > 1 else labels[0]
    raise PeriodChoiceError(
        f"{flag}: {name} has no period {shown!r} (its periods: {span})", field=flag, expected=span, got=shown
    )


def _point(plan: RoadmapPlan, label: str) -> dict[str, float] | None:
    for point in plan.timeline:
        if point.period == label:
            figures = {key: float(getattr(point, key, 0.0)) for key, _ in PERIOD_FIGURES if key != "units"}
            figures["units"] = float(sum(point.units_by_generation.values()) + sum(point.cloud_units.values()))
            return figures
    return None


def _line(figure: str, unit: str, a: float | None, b: float | None) -> dict[str, Any]:
    delta = None if a is None or b is None else b - a
    ratio = None if delta is None or not a else delta / abs(a)
    return {"figure": figure, "unit": unit, "a": a, "b": b, "delta": delta, "delta_ratio": ratio}


def diff_roadmaps(a: RoadmapPlan, b: RoadmapPlan) -> dict[str, Any]:
    """Period by period and in total, what changed from roadmap A to roadmap B."""
    labels = [p.period for p in a.timeline]
    labels += [p.period for p in b.timeline if p.period not in labels]
    periods: list[dict[str, Any]] = []
    for label in sorted(labels):
        pa, pb = _point(a, label), _point(b, label)
        lines = [
            _line(key, unit, None if pa is None else pa[key], None if pb is None else pb[key])
            for key, unit in PERIOD_FIGURES
        ]
        periods.append({"period": label, "in_a": pa is not None, "in_b": pb is not None, "figures": lines})
    totals = [_line(key, unit, float(getattr(a, key)), float(getattr(b, key))) for key, unit in TOTALS]
    same = all(line["delta"] == 0 for p in periods for line in p["figures"]) and all(
        line["delta"] == 0 for line in totals
    )
    return {
        "kind": "roadmaps",
        "a": {"scenario_name": a.scenario_name, "status": a.solver.status, "periods": len(a.periods)},
        "b": {"scenario_name": b.scenario_name, "status": b.solver.status, "periods": len(b.periods)},
        "same": same,
        "periods": periods,
        "totals": totals,
    }


def pick_plans(
    a: CapacityPlan | RoadmapPlan,
    b: CapacityPlan | RoadmapPlan | None,
    period: str | None,
    against: str | None,
    names: tuple[str, str | None],
) -> tuple[CapacityPlan, CapacityPlan, tuple[str, str]] | None:
    """The two single-period plans to diff, with their display names; None for two whole
    roadmaps (diff_roadmaps). One line for a choice that does not fit the files."""
    name_a, name_b = names
    if b is None:
        if not isinstance(a, RoadmapPlan) or period is None or against is None:
            raise PeriodChoiceError(
                "diff: give two plans, or one roadmap plan with --period A --against B", field="--period"
            )
        pa, pb = period_of(a, period, name_a, "--period"), period_of(a, against, name_a, "--against")
        return pa.plan, pb.plan, (f"{name_a} {pa.period}", f"{name_a} {pb.period}")
    assert name_b is not None
    if not isinstance(a, RoadmapPlan) and not isinstance(b, RoadmapPlan) and (period or against):
        raise PeriodChoiceError(
            "--period: both plans are single-period plans (it picks a roadmap's period)", field="--period"
        )
    if not isinstance(a, RoadmapPlan) and period is not None and against is not None:
        raise PeriodChoiceError(
            f"--period: {name_a} is a single-period plan (--against picks B's period)", field="--period"
        )
    if not isinstance(b, RoadmapPlan) and against is not None:
        raise PeriodChoiceError(f"--against: {name_b} is a single-period plan", field="--against")
    if period is None and against is not None:
        raise PeriodChoiceError("--against: give --period too (the period of A it is compared with)", field="--against")
    sides: list[tuple[CapacityPlan, str]] = []
    for plan, name, label, flag in ((a, name_a, period, "--period"), (b, name_b, against or period, "--against")):
        if isinstance(plan, RoadmapPlan):
            if label is None:
                if isinstance(a, RoadmapPlan) and isinstance(b, RoadmapPlan):
                    return None
                raise PeriodChoiceError(
                    f"{name} is a roadmap plan: give --period (and --against) to compare one of its periods",
                    field="--period",
                )
            chosen = period_of(plan, label, name, flag)
            sides.append((chosen.plan, f"{name} {chosen.period}"))
        else:
            sides.append((plan, name))
    (plan_a, shown_a), (plan_b, shown_b) = sides
    return plan_a, plan_b, (shown_a, shown_b)
