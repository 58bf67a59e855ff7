"""Derivations of the thermal family (see grok_theory.thermal)."""
