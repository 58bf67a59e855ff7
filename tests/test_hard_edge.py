"""The β = 1 hard-edge law with parameter a = |N_tr − d_in| and the hard-to-soft crossover (issue 19).

Independent references: the closed forms at a = 0 (Edelman), 1 and 3 (derived in
derivations/linear/hard_edge.py from the Laguerre orthogonal density), the β = 2 identity
det(I − C)det(I + C) = E₂ = e^{−x} det[I_{j−k}(2√x)], the exact finite-n laws at a = 1, 3, exact
(bidiagonal) samples, and the stored real ensembles of tests/data/finite_size_hard_edge.json
(scripts/finite_size_hard_edge.py).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

from grok_theory.linear.finite_size import edge_crossing_time, grokking_time_distribution
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp import edge
from grok_theory.mp.precision import context, prec_of
from grok_theory.mp.wishart import sample_spectrum

DATA_FILE = Path(__file__).parent / "data" / "finite_size_hard_edge.json"


def _data() -> dict:
    return json.loads(DATA_FILE.read_text())


def _closed(x: float, a: int) -> float:
    """Survival E₁(x; a) for a ∈ {0, 1, 3}, written out independently of the module."""
    if a == 0:
        return math.exp(-x / 2 - math.sqrt(x))
    if a == 1:
        return math.exp(-x / 2)
    return math.exp(-x / 2) * special.iv(1, 2 * math.sqrt(x)) / math.sqrt(x)


@pytest.mark.parametrize("a", [0, 1, 3])
def test_fredholm_float_vs_closed_forms(a):
    xs = np.array([1e-3, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0])
    got = edge.hard_edge_cdf(xs, a, method="fredholm")
    want = np.array([1 - _closed(v, a) for v in xs])
    assert np.max(np.abs(got - want)) < 2e-14


def test_fredholm_mpmath_vs_closed_form():
    v = edge.hard_edge_cdf("2", 3, dps=20)
    ctx = context(prec_of(40))
    ref = 1 - ctx.exp(-1) * ctx.besseli(1, 2 * ctx.sqrt(2)) / ctx.sqrt(2)
    assert abs(ctx.mpf(v) - ref) < ctx.mpf(10) ** -20
    assert abs(float(v) - edge.hard_edge_cdf(2.0, 3, method="fredholm")) < 1e-14


@pytest.mark.parametrize("a", [2, 4])
def test_square_root_of_bessel_kernel(a):
    """det(I − C_x)det(I + C_x) = E₂^hard(x; a) = e^{−x} det[I_{j−k}(2√x)] (β = 2; an independent formula)."""
    for x in (0.5, 3.0, 8.0):
        r = 2 * math.sqrt(x)
        e2 = math.exp(-x) * np.linalg.det(np.array([[special.iv(j - k, r) for k in range(a)] for j in range(a)]))
        prod = edge.hard_edge_determinant(x, a, -1) * edge.hard_edge_determinant(x, a, 1)
        assert prod == pytest.approx(e2, rel=1e-12)


def test_finite_n_scaling_exact_a3():
    """The exact a = 3 law at n = 40 vs the hard-edge law in the scaling (√m' + √n')²/4: error O(n⁻²)
    (measured 6.4e-5; the plain scaling 4n gives 1.4e-2)."""
    n = 40
    ys = np.linspace(1e-4, 30 / n, 200)
    exact = np.array([math.exp(-n * y / 2) * sum(math.comb(n, j) * y**j / math.factorial(j + 1) for j in range(n + 1))
                      for y in ys])
    c = (math.sqrt(n + 2.5) + math.sqrt(n - 0.5)) ** 2 / 4
    law = 1 - edge.hard_edge_cdf(c * ys, 3, method="fredholm")
    plain = 1 - edge.hard_edge_cdf(n * ys, 3)
    assert np.max(np.abs(law - exact)) < 1e-4
    assert np.max(np.abs(plain - exact)) > 1e-2


def test_quantile_table_and_validation():
    q = np.array([0.05, 0.5, 0.95])
    xq = edge.hard_edge_quantile(q, 2)
    np.testing.assert_allclose(edge.hard_edge_cdf(xq, 2), q, atol=1e-12)
    tab = edge.hard_edge_table(2)
    xs = np.linspace(0.01, 30, 300)
    assert np.max(np.abs(tab(xs) - edge.hard_edge_cdf(xs, 2))) < 1e-6
    with pytest.raises(ValueError, match="a"):
        edge.hard_edge_cdf(1.0, -1)
    with pytest.raises(ValueError, match="kind"):
        edge.smallest_eigenvalue_law(50, 51, "bessel")
    with pytest.raises(ValueError, match="soft"):
        edge.smallest_eigenvalue_law(50, 50, "soft")
    with pytest.raises(ValueError, match="edelman"):
        edge.smallest_eigenvalue_law(50, 51, "edelman")


@pytest.mark.parametrize("d, n", [(50, 51), (50, 56), (200, 202), (60, 30)])
def test_hard_law_vs_exact_samples(d, n):
    """3000 exact ν_min (bidiagonal; λ > 1: smallest nonzero) vs the law chosen by the rule ("auto" = hard edge
    with a = |N_tr − d_in|): KS below the 1 % critical value plus 0.01 (largest measured asymptotic error in the
    stored table is 0.018 at 10⁴ samples)."""
    law = edge.smallest_eigenvalue_law(d, n)
    assert law.kind == "hard" and law.a == abs(n - d)
    nu = sample_spectrum(d, n, 3000, rng=17, smallest=1)[:, 0]
    assert stats.kstest(nu, law.cdf).statistic < 1.63 / math.sqrt(3000) + 0.01
    lo, hi = np.quantile(nu, [0.5 - 2.58 * 0.5 / math.sqrt(3000), 0.5 + 2.58 * 0.5 / math.sqrt(3000)])  # 99 % order-statistic CI
    assert lo <= law.quantile(0.5) <= hi
    assert abs(law.mean - nu.mean()) < 4 * nu.std() / math.sqrt(3000) + 0.01 * nu.mean()


# -- stored ensembles ----------------------------------------------------------------------------------------------
def test_stored_edge_table_where_each_law_holds():
    """The stored 10⁴-sample table: the hard-edge law holds everywhere measured (KS ≤ 0.02), the soft law fails
    for a ≤ 2 (KS > 0.1)."""
    rows = _data()["edge"]
    hard = [r for r in rows if r["kind"] == "hard"]
    assert {r["d_in"] for r in hard} >= {50, 200, 1000}
    assert max(r["ks_stat"] for r in hard) < 0.02
    soft_small_a = [r for r in rows if r["kind"] == "soft" and r["a"] <= 2]
    assert soft_small_a and min(r["ks_stat"] for r in soft_small_a) > 0.1


def _overlap(a: list, b: list) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _z(a: dict, b: dict) -> float:
    """|a − b| of two sample quantiles in units of the standard error of the difference, each
    standard error read off its order-statistic 95 % interval (width / 3.92)."""
    se = math.hypot(*((x["ci"][1] - x["ci"][0]) / 3.92 for x in (a, b)))
    return abs(a["value"] - b["value"]) / se if se > 0 else (0.0 if a["value"] == b["value"] else math.inf)


def test_stored_dense_matches_bidiagonal():
    """Real data sets (dense eigvalsh) at d_in = 1000 and 2000 (five λ each) vs bidiagonal spectra, as stored:
    every quantile q0.1, q0.5, q0.9 agrees within 4 standard errors of the difference and no KS p-value is
    below 0.001; and a fresh 300-set prediction of the median t_gen at d_in = 1000, λ = 1 falls in the real
    data's interval widened by its own sampling error. (With 28 quantities × 3 quantiles, asking every pair of
    95 % intervals to overlap fails about 4 times in 10 under the null; 4 standard errors: 1 in 200.)"""
    rows = _data()["dense"]
    assert sum(r["d_in"] == 1000 for r in rows) == 5 and sum(r["d_in"] == 2000 for r in rows) == 5
    assert all(r["sets_real"] >= 2000 for r in rows)
    for r in rows:
        for k in ("nu_min", "t_train", "t_gen"):
            x = r[k]
            if x["real"]["never"] > 0.9:
                continue
            for q in ("q0.1", "q0.5", "q0.9"):
                assert _z(x["real"][q], x["pred"][q]) < 4, (r["d_in"], r["lam"], k, q)
            assert x["ks_p"] > 1e-3, (r["lam"], k)
    r = next(r for r in rows if r["n_train"] == r["d_in"] == 1000)
    pred = grokking_time_distribution(TeacherStudent(1.0, lr=0.01, dynamics="gd"), 1e-3, 1000, n_sets=300, rng=5)
    assert _overlap(list(pred.t_gen.quantile_interval(0.5)), r["t_gen"]["real"]["q0.5"]["ci"])


def test_stored_large_d_vs_edge_law():
    """Ensembles of 2000 data sets at d_in = 1000, 2000: the edge-law t_gen (hard edge, a = |N_tr − d_in|) recomputed
    now equals the stored one, and at λ = 1 it reproduces the ensemble's median to 20 % (measured −3 %, +4 %;
    at a = 10, 20 one-mode dominance fails: −19 %, −51 %, docs §3.1)."""
    rows = [r for r in _data()["large"] if r["t_gen"]["never"] < 0.5]
    assert {r["d_in"] for r in rows} == {1000, 2000}
    for r in rows:
        if r["a"] == 0:
            m = TeacherStudent(r["lam"], lr=0.01, dynamics="gd")
            med = edge_crossing_time(m, "gen", 1e-3, r["d_in"], 0.5)
            assert med == pytest.approx(r["t_gen"]["edge"][1], rel=1e-6)
            assert med == pytest.approx(r["t_gen"]["q0.5"]["value"], rel=0.2)
