"""Teacher–student derivations re-run, and the derived integrand agrees with TeacherStudent."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from grok_theory.derivations.linear import teacher_student as ts
from grok_theory.linear.model import TeacherStudent


@pytest.fixture(scope="module")
def derivations():
    return {d.id: d for d in ts.derivations()}


def test_ids(derivations):
    """(Every registered derivation is re-verified in tests/test_verify.py.)"""
    assert list(derivations) == ["levi2024.mode_solution_gd", "levi2024.mode_solution_flow", "levi2024.eq15",
                                 "levi2024.eq21", "levi2024.init_scale", "levi2024.label_noise_gen_loss",
                                 "levi2024.train_noise_floor", "levi2024.eq16", "levi2024.d_out_rescaling"]


def test_derived_integrand_vs_implementation(derivations):
    """E_MP of the SymPy-derived integrand (lambdified) equals TeacherStudent.gen_loss."""
    integrand = derivations["levi2024.eq15"].result.rhs / sp.Symbol("E_MP")
    params = dict(lam=0.8, d_out=2, lr=0.02, weight_decay=0.03, init_scale=1.3, teacher_scale=0.6, label_noise=0.2)
    model = TeacherStudent(**params)
    for t in (0.0, 40.0, 900.0):
        subs = {ts.lam: params["lam"], ts.d: params["d_out"], ts.g: params["weight_decay"] / 2,
                ts.alpha: params["init_scale"], ts.tau: params["teacher_scale"], ts.sigma: params["label_noise"]}
        h_expr = sp.exp(-2 * params["lr"] / params["d_out"] * (ts.nu + params["weight_decay"] / 2) * t)
        f = sp.lambdify(ts.nu, integrand.subs(subs).subs(ts.h, h_expr), "numpy")
        value = model.law.expect(lambda x: np.broadcast_to(f(x), np.shape(x)).astype(float))
        assert value == pytest.approx(model.gen_loss(t), rel=1e-12)
