"""Exports and reports of a CapacityPlan: shared tables, charts, floor plan, XLSX, Markdown, HTML, diff.

Nothing here does engineering arithmetic: every figure is read from the plan and only
summed, converted between units or formatted. Heavy imports (matplotlib, openpyxl)
happen inside the functions that need them, so ``import dcplan.planner.report`` stays light.
"""
