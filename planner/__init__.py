"""dcplan decisions: scenarios, the Pyomo/HiGHS optimisation, layouts, plans, exports and the CLI.

Never imports textual or tui (a test enforces it).
"""
