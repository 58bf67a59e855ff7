"""Figures of the papers, one module per paper (:mod:`levi`, :mod:`late_time`, :mod:`omnigrok`,
:mod:`dichotomy`), collected by :mod:`~grok_theory.figures.reproduce` (needs the ``plot`` extra)."""
