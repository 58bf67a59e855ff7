"""Large-initialisation grokking: null-space decay law, generalisation time, critical data size."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from grok_theory.linear import large_init as li
from grok_theory.derivations.linear import omnigrok
from grok_theory.linear.model import TeacherStudent

BASE = TeacherStudent(2.0, lr=0.05, weight_decay=1e-2, init_scale=10.0, dynamics="gd")


@pytest.fixture(scope="module")
def derivs():
    return {d.id: d for d in omnigrok.derivations()}


def test_null_norm_is_the_late_norm_excess():
    """Independent: the MP weight-norm curve of TeacherStudent minus its limit, at late t."""
    t = np.array([3000.0, 6000.0])
    assert li.null_norm2(BASE, t) == pytest.approx(BASE.weight_norm(t) - BASE.weight_norm_limit(), rel=1e-9)


@pytest.mark.parametrize("gamma", [1e-2, 3e-3, 1e-3])
@pytest.mark.parametrize("alpha", [1.0, 3.0, 10.0, 30.0])
def test_law_matches_exact_time(gamma, alpha):
    m = replace(BASE, weight_decay=gamma, init_scale=alpha)
    assert li.generalisation_time_law(m, 1e-3) == pytest.approx(li.generalisation_time(m, 1e-3), rel=1e-9)


def test_time_scaling_in_alpha_gamma_lr():
    t = {a: li.generalisation_time(replace(BASE, init_scale=a), 1e-3) for a in (3.0, 30.0)}
    assert t[30.0] - t[3.0] == pytest.approx(2 * math.log(10) / (2 * li.null_rate(BASE)), rel=1e-9)  # slope in ln α
    # t·ηγ is fixed up to the discrete-GD factor x/(−ln(1−x)), x = ηγ/d_out
    for lr, g in ((0.05, 1e-3), (0.02, 1e-2), (0.08, 3e-3)):
        m = replace(BASE, lr=lr, weight_decay=g)
        x = lr * g
        assert li.generalisation_time(m, 1e-3) * (-math.log1p(-x)) == pytest.approx(
            li.generalisation_time(BASE, 1e-3) * (-math.log1p(-0.05 * 1e-2)), rel=1e-9)


def test_omnigrok_time_mapping():
    a = 1 - 1 / BASE.lam
    w0, wc = BASE.init_scale * math.sqrt(a / 2), math.sqrt(BASE.d_out * 1e-3)
    assert li.omnigrok_time(w0, wc, BASE.lr, BASE.weight_decay) == pytest.approx(li.generalisation_time_law(BASE, 1e-3), rel=1e-12)
    flow = li.omnigrok_time(w0, wc, BASE.lr, BASE.weight_decay, dynamics="flow")
    assert flow == pytest.approx(math.log(w0 / wc) / (BASE.lr * BASE.weight_decay), rel=1e-12)


def test_omnigrok_time_validation():
    assert li.omnigrok_time(1.0, 2.0, 0.1, 0.01) == 0.0  # already below w_c
    assert li.omnigrok_time(2.0, 1.0, 0.1, 0.0) == math.inf  # nothing decays without weight decay
    with pytest.raises(ValueError, match="dynamics"):
        li.omnigrok_time(2.0, 1.0, 0.1, 0.01, dynamics="sgd")
    with pytest.raises(ValueError, match="lr"):
        li.omnigrok_time(2.0, 1.0, 0.0, 0.01)
    with pytest.raises(ValueError, match="weight_decay"):
        li.omnigrok_time(2.0, 1.0, 0.1, -0.01)
    with pytest.raises(ValueError, match="d_out"):
        li.omnigrok_time(2.0, 1.0, 0.1, 0.01, d_out=0)
    with pytest.raises(ValueError, match="discrete GD"):
        li.omnigrok_time(2.0, 1.0, 1.0, 2.0)


def test_critical_lam_for_discrete_gd_model():
    """λ_c lies beyond the GD stability limit of lr = 0.15 (λ ≈ 2.4): the t → ∞ limit ignores the dynamics."""
    gd = TeacherStudent(2, lr=0.15, dynamics="gd")
    lam_c = li.critical_lam(gd, 0.8)
    assert lam_c == pytest.approx(li.critical_lam(replace(gd, dynamics="flow"), 0.8), rel=1e-13)
    assert lam_c == pytest.approx(5.0, rel=1e-12)  # L_gen(∞) = 1 − 1/λ without noise or weight decay


def test_train_time_independent_of_gamma():
    """γ ≪ 2λ₋ = 0.343: the memorisation time changes by less than γ/(2λ₋)."""
    tt = [li.train_time(replace(BASE, weight_decay=g), 1e-3) for g in (0.0, 1e-3, 1e-2)]
    lower = BASE.law.lower
    assert abs(tt[2] / tt[0] - 1) < 1e-2 / (2 * lower)
    assert abs(tt[1] / tt[0] - 1) < 1e-3 / (2 * lower)


def test_critical_data_size_log_divergence():
    delta = 0.3
    lam_c = li.critical_lam(BASE, delta)
    assert lam_c == pytest.approx(1 / (1 - delta / 0.5), rel=1e-3)  # σ = 0, small γ: r²(1 − 1/λ_c) ≈ δ
    times = []
    for e in (1e-2, 1e-3, 1e-4):
        m = replace(BASE, lam=lam_c * (1 - e))
        tg = li.generalisation_time(m, delta, "absolute")
        amp = (1 - 1 / m.lam) * m.init_scale**2 / 2
        assert tg == pytest.approx(math.log(amp / (delta - m.gen_loss_limit())) / (2 * li.null_rate(m)), rel=1e-9)
        times.append(tg)
    assert times[0] < times[1] < times[2]
    assert li.generalisation_time(replace(BASE, lam=lam_c * 1.01), delta, "absolute") == math.inf


def test_trade_off():
    to = li.trade_off(BASE, [1e-3, 1e-2, 1e-1], delta=1e-3, eps=1e-3)
    assert np.all(np.diff(to.t_gen) < 0) and np.all(np.diff(to.gen_limit) > 0)
    assert to.t_gen[0] / to.t_gen[1] == pytest.approx(10, rel=1e-3)
    assert math.isinf(to.t_train[2])  # L_tr(∞) = ridge floor > eps/4 at γ = 0.1


def test_validation():
    with pytest.raises(ValueError, match="delta"):
        li.generalisation_time(BASE, -1.0)
    with pytest.raises(ValueError, match="criterion"):
        li.generalisation_time(BASE, 1e-3, "relative")
    assert li.generalisation_time_law(replace(BASE, weight_decay=0.0), 1e-3) == math.inf

