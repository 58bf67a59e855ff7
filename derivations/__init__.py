"""The literate derivations of grok-theory, one subpackage per model family (installed as grok_theory.derivations)."""
