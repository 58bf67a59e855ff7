"""The linear teacher–student model of Levi, Beck & Bar-Sinai (2024) and its views.

* :mod:`~grok_theory.linear.model` — :class:`TeacherStudent`: learning curves, accuracies, limits;
* :mod:`~grok_theory.linear.curve_family`, :mod:`~grok_theory.linear.grokking` — crossing and
  grokking times, phase diagrams (one vectorised solver);
* :mod:`~grok_theory.linear.late_time`, :mod:`~grok_theory.linear.asymptotics` — the derived
  late-time series and the papers' printed asymptotics;
* :mod:`~grok_theory.linear.simulate`, :mod:`~grok_theory.linear.two_layer` — real gradient descent
  on sampled data (one- and two-layer);
* :mod:`~grok_theory.linear.landscape`, :mod:`~grok_theory.linear.large_init`,
  :mod:`~grok_theory.linear.fixed_norm` (Omnigrok), :mod:`~grok_theory.linear.robustness`
  (Tan & Huang), :mod:`~grok_theory.linear.ridge_grokking` (Xu, Vardi & Safran).
"""
from grok_theory._lazy import lazy_exports

_EXPORTS = {
    "TeacherStudent": "grok_theory.linear.model",
    "accuracy_from_loss": "grok_theory.linear.model",
    "loss_at_accuracy": "grok_theory.linear.model",
    "crossing_time": "grok_theory.linear.grokking",
    "grokking_time": "grok_theory.linear.grokking",
    "GrokkingTime": "grok_theory.linear.grokking",
    "phase_diagram": "grok_theory.linear.grokking",
    "PhaseDiagram": "grok_theory.linear.grokking",
    "d_out_max": "grok_theory.linear.grokking",
    "threshold": "grok_theory.linear.grokking",
    "simulate_linear": "grok_theory.linear.simulate",
    "SimulationResult": "grok_theory.linear.simulate",
    "grokking_time_distribution": "grok_theory.linear.finite_size",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
