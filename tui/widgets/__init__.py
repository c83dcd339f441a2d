"""Reusable widgets: quantity inputs, utilisation bars and the floor-plan renderer."""
