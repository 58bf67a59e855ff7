"""grok-theory: the exactly solvable theory of grokking.

Levi, Beck & Bar-Sinai (ICLR 2024) showed that a linear student learning a linear teacher on
Gaussian inputs already groks; its learning curves are expectations over the
Marchenko–Pastur law. This package computes them exactly (float64 or any precision),
derives them with SymPy, and checks them against simulations of real gradient descent.

Layers (dependencies point one way: engine ← models ← symbolic / figures ← cli):

* :mod:`grok_theory.mp` — the random-matrix engine (Marchenko–Pastur law, angle rule, reference quadrature);
* :mod:`grok_theory.linear` — the linear teacher–student model and its views (curves, grokking
  times, late-time series, printed asymptotics, simulations, two-layer nets, Omnigrok, Tan–Huang, Xu);
* :mod:`grok_theory.dichotomy` — Lyu et al.'s diagonal networks and matrix completion;
* :mod:`grok_theory.symbolic` — derivation records, registry, ``verify``, LaTeX export;
* :mod:`grok_theory.figures` — one module per paper and ``reproduce``; :mod:`grok_theory.cli`.

The names used most are importable from here; they load on first use, so ``import grok_theory`` is cheap.
"""
from grok_theory._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "MarchenkoPastur": "grok_theory.mp.law",
    "narayana_moment": "grok_theory.mp.law",
    "QuadratureError": "grok_theory.mp.angle_rule",
    "TeacherStudent": "grok_theory.linear.model",
    "accuracy_from_loss": "grok_theory.linear.model",
    "crossing_time": "grok_theory.linear.grokking",
    "grokking_time": "grok_theory.linear.grokking",
    "phase_diagram": "grok_theory.linear.grokking",
    "d_out_max": "grok_theory.linear.grokking",
    "simulate_linear": "grok_theory.linear.simulate",
    "Derivation": "grok_theory.symbolic.records",
}
__all__ = [*_EXPORTS, "__version__"]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
