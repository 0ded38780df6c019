"""Simulated government portals and the report documents they serve."""
