"""Derivations of the mp family (see grok_theory.mp)."""
