"""Derivations of the dichotomy family (see grok_theory.dichotomy)."""
