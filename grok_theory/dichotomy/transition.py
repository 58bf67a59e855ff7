"""The kernel → rich transition of Lyu et al. (2024) solved in diagonal linear networks.

Regression (squared loss, n < d, X of full row rank). In the rescaled time s = λt − ln α the
kernel scale is β = 2e^{−2s} for every α, and the exact closed ODE of the diagonal network,

    dw/ds = −2w − (4/λ) √(w² + β²) ⊙ ∇ℒ(w),

has, as λ → 0, the α- and λ-free slow-manifold limit (derived in ``derivations/dichotomy/lyu2024.py``)

    dw/ds = 2(ŵ_D(s) − w),   ŵ_D = D Xᵀ(X D Xᵀ)⁻¹ y,   D = diag √(w² + β(s)²),

from w(−∞) = w₂ = Xᵀ(XXᵀ)⁻¹y (min-L² interpolant) to the min-L¹ interpolant as s → ∞: a
continuous-time iteratively-reweighted least squares. Consequences: the transition time is
t* = (ln α + s*)/λ with s* a property of the data alone, its width is Δs/λ = O(1/λ) and its
relative width Δs/(ln α + s*) ∝ 1/ln α.

The naive *quasi-static* guess w(s) ≈ argmin_{Xw=y} Σ √(w_k² + β²) (:func:`quasi_static_interpolant`)
is **wrong**: in the null space of X the restoring rate is 2 (in s), the same as the rate at
which β changes, so the null-space components lag; it is provided only to show the difference.

Classification (exponential loss) kernel phase: the margin follows q e^{q} ≈ 2β(t)‖x‖²/(nλ)
(n = 1), so at T⁻_c = (1−c) ln α/λ the output is log(α^{2c}/λ) + O(log log), not the paper's
log(α^{c}/λ) (Theorem 3.4); for depth L the proof gives log(α^{2(L−1)c}/λ).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq, minimize
from scipy.special import lambertw, ndtr

from grok_theory._validate import (ODE_RTOL_MIN, int_in_range, nonnegative, nonnegative_int, positive, positive_int,
                                   real_array, real_scalar, tolerance)

#: the range of the rescaled time s = λt − ln α a :class:`ReweightedFlow` integrates over (β = 2e^{−2s}
#: spans e^{±100}; outside it w(s) equals its limits w₂, w₁ to machine precision)
S_RANGE = (-50.0, 50.0)

#: largest support size k of :func:`sparse_test_accuracy` (it sums over the 2^k sign patterns)
MAX_SUPPORT = 20
from grok_theory.dichotomy.diagonal_net import _data, min_l1_interpolant, min_l2_interpolant

__all__ = [
    "reweighted_interpolant", "ReweightedFlow", "reweighted_flow", "progress", "crossing", "transition_time",
    "quasi_static_interpolant", "kernel_margin_quasistatic", "kernel_normaliser", "rich_margin_toy",
    "rich_norm_sparse_classification", "sparse_classification_data", "sparse_test_accuracy", "misgrokking_data",
    "misgrokking_test_accuracy",
]


def reweighted_interpolant(X, y, weights) -> np.ndarray:
    """ŵ_D = D Xᵀ(X D Xᵀ)⁻¹y = argmin_{Xv=y} Σ v_k²/D_k (weights D_k > 0)."""
    X, y = _data(X, y)
    D = np.broadcast_to(real_array("weights", weights), (X.shape[1],)) if np.size(weights) in (1, X.shape[1]) else None
    if D is None or np.any(D <= 0) or np.any(D < 1e-150 * D.max()):
        raise ValueError(f"weights must be {X.shape[1]} positive numbers within 1e150 of each other, got {weights!r}")
    D = D / D.max()  # ŵ_D is invariant under D → cD: keep X D Xᵀ in the float range
    return D * (X.T @ np.linalg.solve((X * D) @ X.T, y))


class ReweightedFlow:
    """The λ → 0 limit of the regression transition: dw/ds = 2(ŵ_D(s) − w), w(s₀) = w₂.

    Parameters
    ----------
    X, y : training data (n < d, full row rank).
    s_start, s_end : float
        Integration range in s = λt − ln α; at s_start the state is w₂ (error O(e^{4 s_start})).

    Attributes
    ----------
    w_kernel, w_rich : ndarray
        Min-L² (s → −∞) and min-L¹ (s → ∞) interpolants.
    """

    def __init__(self, X, y, s_start: float = -8.0, s_end: float = 12.0, rtol: float = 1e-11, atol: float = 1e-13):
        s_start, s_end = real_scalar("s_start", s_start), real_scalar("s_end", s_end)
        for name, v in (("s_start", s_start), ("s_end", s_end)):
            if not S_RANGE[0] <= v <= S_RANGE[1]:
                raise ValueError(f"{name} must lie in [{S_RANGE[0]:g}, {S_RANGE[1]:g}], got {v!r}")
        rtol, atol = tolerance("rtol", rtol, minimum=ODE_RTOL_MIN), tolerance("atol", atol)
        self.X, self.y = _data(X, y)
        n, d = self.X.shape
        if n >= d or np.linalg.matrix_rank(self.X) < n:
            raise ValueError(f"X must have full row rank with n < d (interpolation regime), got shape {self.X.shape} "
                             f"and rank {np.linalg.matrix_rank(self.X)}")
        if s_end <= s_start:
            raise ValueError(f"s_end must be > s_start, got s_start={s_start}, s_end={s_end}")
        self.w_kernel = min_l2_interpolant(self.X, self.y)
        self.w_rich = min_l1_interpolant(self.X, self.y)

        def rhs(s, w):
            beta = 2.0 * np.exp(-2.0 * s)
            return 2.0 * (reweighted_interpolant(self.X, self.y, np.hypot(w, beta)) - w)

        self._sol = solve_ivp(rhs, (s_start, s_end), self.w_kernel, method="DOP853", dense_output=True, rtol=rtol,
                              atol=atol)
        if not self._sol.success:
            raise RuntimeError(f"reweighted flow failed: {self._sol.message}")
        self.s_start, self.s_end = s_start, s_end

    def __call__(self, s) -> np.ndarray:
        """w(s), shape (len(s), d) (or (d,) for scalar s)."""
        s = real_array("s", s)
        if np.any(s < self.s_start) or np.any(s > self.s_end):
            raise ValueError(f"s must lie in [{self.s_start}, {self.s_end}], got {s}")
        return self._sol.sol(s).T

    def progress(self, s) -> np.ndarray:
        """φ(s) = ‖w(s) − w_rich‖₂ / ‖w_kernel − w_rich‖₂ (1 in the kernel phase, → 0 in the rich phase)."""
        return progress(self(s), self.w_kernel, self.w_rich)

    def crossing(self, level: float = 0.5) -> float:
        """s at which φ(s) = level (first crossing); s* = crossing(0.5)."""
        level = real_scalar("level", level)
        grid = np.linspace(self.s_start, self.s_end, 4001)
        return crossing(grid, self.progress(grid), level, refine=lambda s: float(self.progress(s)) - level)

    def width(self, upper: float = 0.9, lower: float = 0.1) -> float:
        """Δs between φ = upper and φ = lower (the transition width in λt)."""
        return self.crossing(lower) - self.crossing(upper)


def reweighted_flow(X, y, **kwargs) -> ReweightedFlow:
    """Build the λ → 0 limit flow (see :class:`ReweightedFlow`)."""
    return ReweightedFlow(X, y, **kwargs)


def progress(w, w_kernel, w_rich) -> np.ndarray:
    """φ = ‖w − w_rich‖₂ / ‖w_kernel − w_rich‖₂ along the last axis."""
    w = np.asarray(w, dtype=float)
    return np.linalg.norm(w - w_rich, axis=-1) / np.linalg.norm(np.asarray(w_kernel) - w_rich)


def crossing(x, values, level: float, refine=None) -> float:
    """First x where ``values`` crosses ``level`` (linear interpolation, or brentq on ``refine``)."""
    level = real_scalar("level", level)
    x, v = real_array("x", x).ravel(), real_array("values", values).ravel() - level
    if x.size != v.size:
        raise ValueError(f"x and values must have the same length, got {x.size} and {v.size}")
    idx = np.flatnonzero(np.sign(v[:-1]) != np.sign(v[1:]))
    if idx.size == 0:
        raise ValueError(f"level {level} is not crossed in the given range")
    i = idx[0]
    if refine is not None:
        return float(brentq(refine, x[i], x[i + 1], xtol=1e-13))
    return float(x[i] - v[i] * (x[i + 1] - x[i]) / (v[i + 1] - v[i]))


def transition_time(s_star: float, init_scale: float, weight_decay: float) -> float:
    """t* = (ln α + s*)/λ (continuous time; GD steps are t*/lr)."""
    return (np.log(positive("init_scale", init_scale)) + real_scalar("s_star", s_star)) / positive("weight_decay", weight_decay)


def quasi_static_interpolant(X, y, beta: float, w0=None) -> np.ndarray:
    """The naive adiabatic guess argmin_{Xw=y} Σ_k √(w_k² + β²) — *not* the dynamics (see module doc)."""
    X, y = _data(X, y)
    beta = positive("beta", beta)
    w2 = min_l2_interpolant(X, y)
    # parametrise w = w2 + N z with N a null-space basis of X
    _, sv, vt = np.linalg.svd(X)
    N = vt[np.sum(sv > 1e-12 * sv[0]):].T

    def obj(z):
        w = w2 + N @ z
        r = np.hypot(w, beta)
        return r.sum(), N.T @ (w / r)

    z0 = np.zeros(N.shape[1]) if w0 is None else N.T @ (np.asarray(w0) - w2)
    res = minimize(obj, z0, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 10000})
    return w2 + N @ res.x


# ---------------------------------------------------------------------------------------------
# classification: kernel-phase normaliser and rich-phase norms
# ---------------------------------------------------------------------------------------------

def kernel_margin_quasistatic(x_norm_sq: float, n: int, init_scale: float, weight_decay: float, t) -> np.ndarray:
    """Quasi-static kernel-phase margin q(t) = W₀(2β(t)‖x‖²/(nλ)) of the exponential loss (n = 1 data point,
    or n copies; from q̇ = −2λq + (4β‖x‖²/n) e^{−q} at q̇ = 0). Asymptotic: accurate to O(1) in q.
    """
    lam = positive("weight_decay", weight_decay)
    x_norm_sq, n = positive("x_norm_sq", x_norm_sq), positive("n", n)
    t = real_array("t", t, lower=0.0)
    with np.errstate(over="ignore"):  # an overflowing argument gives q = inf, not a warning
        beta = 2.0 * positive("init_scale", init_scale) ** 2 * np.exp(-2.0 * lam * t)
        return np.real(lambertw(2.0 * beta * x_norm_sq / (n * lam)))


def kernel_normaliser(init_scale: float, weight_decay: float, c: float, depth: float = 2.0,
                      printed: bool = False) -> float:
    """γ_ntk·Z(α): the kernel-phase output scale at T⁻_c of Lyu Theorem 3.4.

    ``printed=True``: the paper's log(α^c/λ). Otherwise the value the proof derives (Lemma C.5/Thm C.9),
    log(α^{2(L−1)c}/λ) with L = ``depth``; the two agree only at L = 3/2.
    """
    a, lam = positive("init_scale", init_scale), positive("weight_decay", weight_decay)
    if not 0 < c < 1:
        raise ValueError(f"c must lie in (0, 1), got {c!r}")
    k = 1.0 if printed else 2.0 * (positive("depth", depth) - 1.0)
    return k * c * np.log(a) - np.log(lam)


def rich_margin_toy(weight_decay: float, x_max: float = 2.0) -> float:
    """Rich end state w = (0, …, s, …) of the n = 1 exponential-loss toy: x_max e^{−x_max s} = λ/2 → ‖θ‖² = s.

    For x = (1, 2): s = ½ ln(4/λ) (the output margin is 2s = ln(4/λ)).
    """
    lam, x_max = positive("weight_decay", weight_decay), positive("x_max", x_max)
    return float(np.log(2.0 * x_max / lam) / x_max)


def rich_norm_sparse_classification(weight_decay: float, margins, weights=None) -> float:
    """Rich-phase ‖θ_∞‖ for logistic loss along a unit-L¹ direction with margins m_i.

    Solves (1/n) Σ m_i σ(−s m_i) = λ/2 (the KKT condition projected on the direction), ‖θ‖² = s; margins
    m_i > 0 (a separating direction) and λ < Σ p_i m_i (else the end state is θ = 0).
    ``weights`` are optional sample weights (e.g. population fractions) summing to 1.
    """
    lam = positive("weight_decay", weight_decay)
    m = np.atleast_1d(real_array("margins", margins)).ravel()
    if m.size == 0 or np.any(m <= 0):
        raise ValueError(f"margins must be a non-empty array of positive margins, got {margins!r}")
    p = np.full(m.size, 1.0 / m.size) if weights is None else np.atleast_1d(real_array("weights", weights, lower=0.0)).ravel()
    if p.size != m.size or not abs(p.sum() - 1) < 1e-9:
        raise ValueError(f"weights must be {m.size} non-negative numbers summing to 1, got {weights!r}")
    if lam / 2 >= float(np.sum(p * m)) / 2:
        raise ValueError(f"weight_decay must be < Σ p_i m_i = {float(np.sum(p * m)):.6g} (else θ_∞ = 0), "
                         f"got {weight_decay!r}")

    def f(s):
        return float(np.sum(p * m * np.exp(-np.logaddexp(0.0, s * m)))) - lam / 2

    hi = 1.0
    while f(hi) > 0:
        hi *= 2
    return float(np.sqrt(brentq(f, 0.0, hi, xtol=1e-14)))


# ---------------------------------------------------------------------------------------------
# the paper's classification experiments (Fig. 1a, 1b)
# ---------------------------------------------------------------------------------------------

def sparse_classification_data(n: int, d: int, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fig. 1a data: x ~ unif{±1}^d, w* = (signs on the first k coordinates, 0 elsewhere), y = sign⟨w*, x⟩.

    ``k`` must be odd (no ties). Returns (X, y, w_star).
    """
    n, d = positive_int("n", n), positive_int("d", d)
    k = int_in_range("k", k, 1, d)
    if k % 2 == 0:
        raise ValueError(f"k must be odd and 1 <= k <= d, got k={k!r}, d={d!r}")
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    w_star = np.zeros(d)
    w_star[:k] = rng.choice([-1.0, 1.0], size=k)
    X = rng.choice(np.array([-1.0, 1.0]), size=(n, d))
    return X, np.sign(X[:, :k] @ w_star[:k]), w_star


def sparse_test_accuracy(w, w_star, k: int) -> np.ndarray:
    """Test accuracy of sign⟨w, x⟩ on the Fig. 1a distribution (ties count ½).

    Exact over the 2^k support patterns x_S; the off-support sum ⟨w_{S^c}, x_{S^c}⟩ is replaced by
    its CLT Gaussian N(0, ‖w_{S^c}‖²) (accurate when no single off-support weight dominates).
    ``w`` may have shape (m, d).
    """
    k = int_in_range("k", k, 1, MAX_SUPPORT)
    w = np.atleast_2d(real_array("w", w))
    if w.shape[1] < k:
        raise ValueError(f"w must have at least k = {k} coordinates, got shape {w.shape}")
    patterns = np.array(np.meshgrid(*[[-1.0, 1.0]] * k, indexing="ij")).reshape(k, -1).T
    labels = np.sign(patterns @ np.asarray(w_star, dtype=float)[:k])
    signal = labels[None, :] * (w[:, :k] @ patterns.T)
    sigma = np.linalg.norm(w[:, k:], axis=1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(sigma > 0, ndtr(signal / np.where(sigma > 0, sigma, 1.0)), 0.5 * (1 + np.sign(signal)))
    return p.mean(axis=1)


def misgrokking_data(n: int, d: int, gamma: float = 25.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fig. 1b data: unit w* random; z ~ N(0, I_d); x = z + (γ/2) sign⟨z, w*⟩ w*, y = sign⟨z, w*⟩."""
    n, d, gamma = positive_int("n", n), positive_int("d", d), nonnegative("gamma", gamma)
    rng = np.random.default_rng(nonnegative_int("seed", seed))
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    Z = rng.standard_normal((n, d))
    y = np.sign(Z @ w_star)
    return Z + 0.5 * gamma * y[:, None] * w_star[None, :], y, w_star


def misgrokking_test_accuracy(w, w_star, gamma: float = 25.0) -> np.ndarray:
    """Exact test accuracy on the Fig. 1b distribution.

    With a = ⟨w, w*⟩ and b = ‖w − a w*‖: ``y⟨w, x⟩ = a(|ζ| + γ/2) + bξ``, ζ, ξ ~ N(0, 1) independent, so
    ``accuracy = E_{|ζ|}[Φ(a(|ζ| + γ/2)/b)]`` (a half-normal average, by quadrature).
    """
    w = np.atleast_2d(real_array("w", w))
    w_star, gamma = real_array("w_star", w_star), nonnegative("gamma", gamma)
    out = np.empty(w.shape[0])
    for i, wi in enumerate(w):
        a = float(wi @ w_star)
        b = float(np.linalg.norm(wi - a * w_star))
        if b == 0:
            out[i] = 1.0 if a > 0 else (0.5 if a == 0 else 0.0)
            continue
        f = lambda z: 2 * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi) * ndtr(a * (z + 0.5 * gamma) / b)  # noqa: E731
        out[i] = quad(f, 0, np.inf, epsabs=1e-12)[0]
    return out
