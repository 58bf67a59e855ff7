"""Lyu et al. (2023): early/late implicit-bias dichotomy.

* :mod:`~grok_theory.dichotomy.diagonal_net` — diagonal linear networks, gradient flow, interpolants;
* :mod:`~grok_theory.dichotomy.transition` — the kernel-to-rich transition law and its timing;
* :mod:`~grok_theory.dichotomy.matrix_completion` — the matrix-completion example.
"""
