"""The random-matrix engine: the Marchenko–Pastur law and its quadratures.

* :mod:`~grok_theory.mp.law` — :class:`MarchenkoPastur`: density, moments, Stieltjes transform,
  and E[f(ν) e^{−sν}] in float64 or to any precision;
* :mod:`~grok_theory.mp.angle_rule` — the pole-corrected Gauss–Chebyshev rule behind it;
* :mod:`~grok_theory.mp.reference` — an independent raw-density quadrature (the checks' reference).
"""
from grok_theory._lazy import lazy_exports

_EXPORTS = {
    "MarchenkoPastur": "grok_theory.mp.law",
    "narayana_moment": "grok_theory.mp.law",
    "QuadratureError": "grok_theory.mp.angle_rule",
    "sample_spectrum": "grok_theory.mp.wishart",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
