"""The limits planner.marginals values, their relaxation steps, their matrix row families
and model units, and the binding limits that are inputs rather than planning limits.
"""

from __future__ import annotations

from dcplan.planner.marginals_swing import SWING_LIMIT, SWING_ROW_FAMILY, SWING_STEP

#: One step of relaxation per limit, in the limit's unit (shares: one percentage point).
STEPS: dict[str, tuple[float, str]] = {
    "utility power (design day)": (1.0, "MW"),
    "hall IT power": (1.0, "MW"),
    "hall liquid plant": (1.0, "MW"),
    "hall air plant": (1.0, "MW"),
    "hall whitespace": (100.0, "m2"),
    "capex budget": (100.0, "MUSD"),
    "annual opex budget": (10.0, "MUSD"),
    SWING_LIMIT: SWING_STEP,
}
SHARE_STEP = 0.01

#: The matrix row family of each limit of STEPS (planner.matrix names), and model units
#: per unit of the limit (the LP counts power in kW, area in m2 and money in MUSD).
ROW_FAMILIES = {
    "utility power (design day)": "site_utility_power",
    "hall IT power": "hall_it_power",
    "hall liquid plant": "hall_liquid_plant",
    "hall air plant": "hall_air_plant",
    "hall whitespace": "hall_area",
    "capex budget": "budget",
    "annual opex budget": "opex_budget",
    SWING_LIMIT: SWING_ROW_FAMILY,
}
MODEL_UNITS = {"MW": 1000.0, "m2": 1.0, "MUSD": 1.0}

#: Binding limits that are properties of the inputs rather than planning limits.
NOT_PLANNING_LIMITS = {
    "row busway per feed": "not valued: the busway's feed rating is a property of the row template, "
    "not a planning limit",
    "hall rows": "not valued: a hall's rows are its row templates' counts, a layout input rather than a "
    "planning limit (add a row to a template and solve again to value it)",
}

__all__ = ["MODEL_UNITS", "NOT_PLANNING_LIMITS", "ROW_FAMILIES", "SHARE_STEP", "STEPS"]
