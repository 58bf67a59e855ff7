"""The linear two-layer network's GD in the eigenbasis of Σ = XᵀX/N equals the literal loop (to rounding)."""
from __future__ import annotations

import numpy as np
import pytest

from grok_theory.linear.two_layer import simulate_two_layer

FIELDS = ("train_loss", "gen_loss_test", "train_accuracy", "test_accuracy", "a0", "a1", "d0_norm2", "teacher_norm2")


@pytest.mark.parametrize("lam", [0.5, 1.6])  # full-rank and rank-deficient Σ
def test_spectral_equals_loop(lam):
    kw = dict(d_out=3, lr=0.2, t=[0, 7, 60, 300], seeds=[3, 4], n_test=50, progress=False)
    loop = simulate_two_layer(24, lam, 6, method="loop", **kw)
    spec = simulate_two_layer(24, lam, 6, **kw)  # auto: spectral for the linear net
    assert spec.params["method"] == "spectral" and loop.params["method"] == "loop"
    assert loop.train_loss[:, -1].max() < 0.1 * loop.train_loss[:, 0].min()  # the run does learn
    for f in FIELDS:
        np.testing.assert_allclose(getattr(spec, f), getattr(loop, f), rtol=1e-9, atol=1e-14, err_msg=f)


def test_spectral_refuses_tanh():
    assert simulate_two_layer(6, 0.5, 3, activation="tanh", t=[0, 2]).params["method"] == "loop"
    with pytest.raises(ValueError, match="method='spectral'.*tanh"):
        simulate_two_layer(6, 0.5, 3, activation="tanh", t=[0, 2], method="spectral")
    with pytest.raises(ValueError, match="method"):
        simulate_two_layer(6, 0.5, 3, method="eigen")
