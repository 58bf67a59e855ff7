"""Derivations of the linear family (see grok_theory.linear)."""
