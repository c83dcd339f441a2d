"""dcplan's Textual terminal UI; calls planner and models, never the reverse."""
