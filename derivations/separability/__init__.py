"""Derivations of the separability family (see grok_theory.separability)."""
