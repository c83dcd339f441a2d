"""dcplan physics: units, catalogs and unit-aware models of power, heat, space and energy.

This package never imports pyomo, textual, planner or tui (a test enforces it).
"""
