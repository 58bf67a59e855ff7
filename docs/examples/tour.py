"""A five-minute tour of grok-theory as a library (run: python docs/examples/tour.py).

The linear teacher-student model of Levi, Beck & Bar-Sinai (ICLR 2024): exact learning curves,
the grokking time, a check against real gradient descent, the paper's asymptotic formula, a
small phase diagram and, if matplotlib is installed, one of the paper's figures.
The test suite runs this script (tests/test_tour.py); its output is pasted in docs/user_guide.md.
"""
from __future__ import annotations

import sys
import tempfile

import mpmath
import numpy as np

from grok_theory import MarchenkoPastur
from grok_theory.linear.asymptotics import levi2024_eq12
from grok_theory.linear.grokking import d_out_max, grokking_time, phase_diagram
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import simulate_linear


def main() -> None:
    # 1. The Marchenko-Pastur law of the training covariance (lam = d_in / N_tr)
    law = MarchenkoPastur(0.9)
    print("1.", law, f"support [{law.lower:.5f}, {law.upper:.5f}], E[nu^2] = {law.moment(2)}")

    # 2. Exact learning curves (Levi Eqs. 7-8): gradient flow, d_out = 1, eta = 0.01
    model = TeacherStudent(0.9, lr=0.01)
    t = np.array([0, 1e3, 1e4, 1e5])
    print("2.", model)
    for ti, tr, ge, acc in zip(t, model.train_loss(t), model.gen_loss(t), model.gen_accuracy(t, eps=1e-3)):
        print(f"   t = {ti:8.0f}: L_tr = {tr:.4e}  L_gen = {ge:.4e}  gen. accuracy = {acc:.4f}")

    # 3. The grokking time: both losses reach eps/4 (accuracy erf(sqrt 2) = 95.45 %)
    g = grokking_time(model, eps=1e-3)
    print("3.", g)
    print(f"   to 30 digits: delta = {mpmath.nstr(grokking_time(model, eps=1e-3, dps=30).delta, 30)}")
    print(f"   Levi Eq. 12 (eps -> 0 limit): {levi2024_eq12(0.9, 0.01):.6g}")

    # 4. Real full-batch GD on sampled data next to the exact discrete-GD theory
    sim = simulate_linear(300, lam=0.9, t=[0, 1000, 10000], seeds=range(4))
    theory = TeacherStudent(sim.params["lam"], lr=0.01, dynamics="gd")
    print("4.", sim)
    for k, ti in enumerate(sim.t):
        print(f"   t = {ti:6d}: sim L_gen = {sim.mean('gen_loss')[k]:.4e} +- {sim.sem('gen_loss')[k]:.1e}"
              f"   theory = {theory.gen_loss(float(ti)):.4e}")

    # 5. Where grokking is slowest in d_out (Levi Fig. 2), and a small phase diagram (Fig. 4)
    d, delta = d_out_max(0.9, 1e-2)
    print(f"5. d_out_max(lam = 0.9, eps = 1e-2) = {d} with delta = {delta:.6g} steps")
    pd = phase_diagram(("lam", [0.3, 0.6, 0.9, 1.2]), ("weight_decay", [0.0, 1e-3, 1e-2]), criterion="accuracy")
    print("  ", pd)

    # 6. A figure of the paper (needs the plot extra: pip install 'grok-theory[plot]')
    try:
        from grok_theory.figures.reproduce import render
    except ImportError:  # pragma: no cover
        return
    try:
        with tempfile.TemporaryDirectory() as out:
            paths = render(["fig6"], out, quick=True, formats=("png",), log=lambda msg: None)
            print("6. drew", paths[0].name)
    except ImportError as exc:
        print("6. skipped:", exc, file=sys.stderr)


if __name__ == "__main__":
    main()
