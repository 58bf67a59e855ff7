"""Overparameterised symmetric matrix completion with weight decay (Lyu et al. 2024, §3.3.3).

Model: W = UUᵀ − VVᵀ with U, V ∈ R^{d×d}, f(θ; (i, j)) = W_ij, loss (Eq. 5)
ℒ_λ = (1/n) Σ_k (W_{i_k j_k} − y_k)² + (λ/2)(‖U‖_F² + ‖V‖_F²), from U(0) = V(0) = αI.

With G = ∂ℒ/∂W and M = G + Gᵀ, gradient flow is U̇ = −(M + λ)U, V̇ = (M − λ)V, and
(derived in ``derivations/dichotomy/lyu2024.py``, id ``lyu2024.mc_invariant``)

* UᵀV = α² e^{−2λt} I exactly;
* Ẇ = −2λW − {M, √(W² + β²I)}, β = 2α²e^{−2λt} (matrix analogue of the diagonal network);
* ‖θ‖² = tr √(W² + β²I) = Σ_i √(σ_i(W)² + β²), a smoothed nuclear norm.

Kernel regime (Cor. 3.11): the NTK features of distinct unordered pairs are orthogonal, so the
kernel predictor equals X* on Ω ∪ Ωᵀ and 0 elsewhere (:func:`kernel_predictor`). Rich regime:
the minimiser of the convex surrogate (Eq. 42) (1/n)Σ(W_Ω − y)² + (λ/2)‖W‖_* over symmetric W
(:func:`nuclear_norm_completion`), which tends to the min-nuclear-norm completion as λ → 0.

Example (Fig. 3): the multiplication table X*_ij = ij/d², i, j = 0, …, d−1, with 5% of the d²
ordered pairs observed (the authors' split: the first n of a random permutation; test = the rest).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.integrate import solve_ivp

from grok_theory._validate import (choice, gd_times, int_in_range, nonnegative, nonnegative_int, positive, positive_int,
                                   real_array, tolerance, ODE_RTOL_MIN)
from grok_theory._display import field_html, field_repr

#: integrators :func:`gradient_flow` accepts
ODE_METHODS = ("RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA")
#: most FISTA iterations :func:`nuclear_norm_completion` runs (each costs one d×d eigendecomposition)
MAX_ITERATIONS = 1_000_000

__all__ = [
    "CompletionProblem", "multiplication_table", "multiplication_problem", "CompletionTrajectory",
    "gradient_flow", "gradient_descent", "kernel_predictor", "plateau_test_mse", "nuclear_norm_completion",
    "smoothed_nuclear_norm", "rank_one_rich_state", "expected_plateau_test_mse",
]


#: largest table side :func:`multiplication_table` builds (d² entries are held in memory)
MAX_D = 4000


def multiplication_table(d: int) -> np.ndarray:
    """X*_ij = ij/d² for i, j = 0, …, d−1 (rank one: X* = uuᵀ, u = (0, 1/d, …, (d−1)/d))."""
    u = np.arange(int_in_range("d", d, 1, MAX_D)) / d
    return np.outer(u, u)


@dataclass(frozen=True)
class CompletionProblem:
    """Observed entries of a symmetric target.

    Attributes
    ----------
    target : ndarray (d, d)
        Ground truth X* (symmetric).
    rows, cols : ndarray of int
        Observed ordered pairs (i_k, j_k), k = 1…n.
    test_rows, test_cols : ndarray of int
        Test pairs (the unobserved ordered pairs).
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    target: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    test_rows: np.ndarray
    test_cols: np.ndarray

    @property
    def d(self) -> int:
        return self.target.shape[0]

    @property
    def n(self) -> int:
        return self.rows.size

    @property
    def y(self) -> np.ndarray:
        return self.target[self.rows, self.cols]

    def train_loss(self, W: np.ndarray) -> np.ndarray:
        """(1/n)Σ(W_Ω − y)² for W of shape (..., d, d)."""
        return np.mean((W[..., self.rows, self.cols] - self.y) ** 2, axis=-1)

    def test_loss(self, W: np.ndarray) -> np.ndarray:
        """Mean squared error over the test pairs."""
        return np.mean((W[..., self.test_rows, self.test_cols] - self.target[self.test_rows, self.test_cols]) ** 2, axis=-1)

    def residual(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        """s_k = (UUᵀ − VVᵀ)_{i_k j_k} − y_k, without forming W."""
        r, c = self.rows, self.cols
        return np.einsum("kj,kj->k", U[r], U[c]) - np.einsum("kj,kj->k", V[r], V[c]) - self.y

    def apply_gradient(self, residual: np.ndarray, U: np.ndarray) -> np.ndarray:
        """M U for M = G + Gᵀ, via precomputed incidence matrices (no sparse matrix assembly)."""
        Pr, Pc = self._incidence
        s = (2.0 / self.n) * residual[:, None]
        return Pr @ (s * U[self.cols]) + Pc @ (s * U[self.rows])

    @property
    def _incidence(self):
        cache = self.__dict__.get("_inc")
        if cache is None:
            k = np.arange(self.n)
            cache = (sparse.csr_matrix((np.ones(self.n), (self.rows, k)), shape=(self.d, self.n)),
                     sparse.csr_matrix((np.ones(self.n), (self.cols, k)), shape=(self.d, self.n)))
            object.__setattr__(self, "_inc", cache)
        return cache


def multiplication_problem(d: int = 97, fraction: float = 0.05, seed: int = 0) -> CompletionProblem:
    """Fig. 3 setup: the multiplication table with round(fraction·d²) random ordered pairs observed."""
    d = int_in_range("d", d, 1, MAX_D)
    if not 0 < positive("fraction", fraction) < 1:
        raise ValueError(f"fraction must lie in (0, 1), got {fraction!r}")
    seed = nonnegative_int("seed", seed)
    perm = np.random.default_rng(seed).permutation(d * d)
    n = int(round(fraction * d * d))
    if n < 1:
        raise ValueError(f"fraction·d² must give at least one observation, got fraction={fraction}, d={d}")
    return CompletionProblem(multiplication_table(d), perm[:n] // d, perm[:n] % d, perm[n:] // d, perm[n:] % d)


@dataclass(frozen=True)
class CompletionTrajectory:
    """Recorded trajectory: times, train/test loss, ‖θ‖², UᵀV and (optionally) W."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    norm_sq: np.ndarray
    invariant_error: np.ndarray  # max |UᵀV − α²e^{−2λt}I| / (α²e^{−2λt})
    norm_formula: np.ndarray  # tr √(W² + β²I)
    W: np.ndarray | None
    params: dict = field(default_factory=dict)

    @property
    def norm(self) -> np.ndarray:
        return np.sqrt(self.norm_sq)


def _observables(problem: CompletionProblem, U: np.ndarray, V: np.ndarray, alpha: float, lam: float, t: float):
    W = U @ U.T - V @ V.T
    c = alpha * alpha * np.exp(-2.0 * lam * t)
    inv = np.max(np.abs(U.T @ V - c * np.eye(problem.d))) / c
    return W, float(np.sum(U * U) + np.sum(V * V)), float(inv), float(smoothed_nuclear_norm(W, 2.0 * c))


def _trajectory(problem, records, keep_w, params) -> CompletionTrajectory:
    ts, Ws, norms, invs, forms = zip(*records)
    W = np.array(Ws)
    return CompletionTrajectory(np.array(ts), problem.train_loss(W), problem.test_loss(W), np.array(norms),
                                np.array(invs), np.array(forms), W if keep_w else None, params)


def gradient_flow(problem: CompletionProblem, init_scale: float, weight_decay: float, t, rtol: float = 1e-8,
                  atol: float = 1e-10, keep_w: bool = False, method: str = "RK23") -> CompletionTrajectory:
    """Gradient flow U̇ = −(M + λ)U, V̇ = (M − λ)V from U = V = αI (explicit Runge–Kutta on U, V).

    ``t`` are record times (continuous time = lr × GD steps). The step size is limited by the
    stability of the fast fit modes (rate ≈ (2/n)(λ_i + λ_j) of √(W² + β²)), not by accuracy, so
    the cheap explicit ``RK23`` is the default (cost ∝ horizon × fit rate).
    """
    alpha, lam = positive("init_scale", init_scale), nonnegative("weight_decay", weight_decay)
    rtol, atol = tolerance("rtol", rtol, minimum=ODE_RTOL_MIN), tolerance("atol", atol)
    choice("method", method, ODE_METHODS)
    t = np.atleast_1d(real_array("t", t, lower=0.0)).ravel()
    if t.size == 0 or np.any(np.diff(t) < 0):
        raise ValueError(f"t must be a non-empty, non-decreasing sequence of non-negative times, got {t!r}")
    d = problem.d

    def rhs(_, z):
        U, V = z[: d * d].reshape(d, d), z[d * d:].reshape(d, d)
        res = problem.residual(U, V)
        return np.concatenate([(-problem.apply_gradient(res, U) - lam * U).ravel(),
                               (problem.apply_gradient(res, V) - lam * V).ravel()])

    z0 = np.concatenate([alpha * np.eye(d).ravel(), alpha * np.eye(d).ravel()])
    if t[-1] == 0:  # nothing to integrate: every record time is the initial state
        times, states = t, np.tile(z0, (t.size, 1))
    else:
        sol = solve_ivp(rhs, (0.0, float(t[-1])), z0, method=method, t_eval=t, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"matrix-completion flow failed: {sol.message}")
        times, states = sol.t, sol.y.T
    records = []
    for time, z in zip(times, states):
        W, nrm, inv, form = _observables(problem, z[: d * d].reshape(d, d), z[d * d:].reshape(d, d), alpha, lam, time)
        records.append((time, W, nrm, inv, form))
    return _trajectory(problem, records, keep_w,
                       dict(init_scale=alpha, weight_decay=lam, method="flow", d=d, n=problem.n))


def gradient_descent(problem: CompletionProblem, init_scale: float, weight_decay: float, lr: float, steps,
                     keep_w: bool = False) -> CompletionTrajectory:
    """Full-batch GD on Eq. 5 (the authors' ``train_mc.py``): U ← U − η(M + λ)U, V ← V + η(M − λ)V.

    ``steps`` are record steps; the trajectory's ``t`` is lr × steps.
    """
    alpha, lam, eta = positive("init_scale", init_scale), nonnegative("weight_decay", weight_decay), positive("lr", lr)
    steps = gd_times("steps", steps)
    if np.any(np.diff(steps) < 0):
        raise ValueError(f"steps must be non-decreasing, got {steps!r}")
    d = problem.d
    U, V = alpha * np.eye(d), alpha * np.eye(d)
    records, k = [], 0
    for target in steps:
        while k < target:
            res = problem.residual(U, V)
            U, V = U - eta * (problem.apply_gradient(res, U) + lam * U), V + eta * (problem.apply_gradient(res, V) - lam * V)
            k += 1
        W, nrm, _, form = _observables(problem, U, V, alpha, lam, eta * k)
        c = alpha * alpha * (1 - eta * lam) ** (2 * k)  # GD's own decay of UᵀV (O(η²) drift from the fit)
        inv = float(np.max(np.abs(U.T @ V - c * np.eye(d))) / c)
        records.append((eta * k, W, nrm, inv, form))
    return _trajectory(problem, records, keep_w,
                       dict(init_scale=alpha, weight_decay=lam, lr=eta, method="gd", d=d, n=problem.n))


def smoothed_nuclear_norm(W: np.ndarray, beta: float) -> float:
    """tr √(W² + β²I) = Σ_i √(λ_i(W)² + β²) for symmetric W (= ‖θ‖² on the gradient-flow path)."""
    ev = np.linalg.eigvalsh(0.5 * (W + W.T))
    return float(np.sum(np.hypot(ev, beta)))


def kernel_predictor(problem: CompletionProblem) -> np.ndarray:
    """Cor. 3.11: the min-norm NTK interpolant — X* on Ω ∪ Ωᵀ, zero elsewhere."""
    W = np.zeros_like(problem.target)
    W[problem.rows, problem.cols] = problem.y
    W[problem.cols, problem.rows] = problem.y
    return W


def plateau_test_mse(problem: CompletionProblem) -> float:
    """Test MSE of the kernel predictor: mean over test pairs of X*_ij² 1[(j, i) ∉ Ω]."""
    return float(problem.test_loss(kernel_predictor(problem)))


def nuclear_norm_completion(problem: CompletionProblem, weight_decay: float, iterations: int = 5000,
                            tol: float = 1e-11, W0: np.ndarray | None = None) -> np.ndarray:
    """argmin over symmetric W of (1/n)Σ(W_Ω − y)² + (λ/2)‖W‖_* (Lyu Eq. 42; FISTA, eigenvalue soft-threshold).

    Its minimiser is the rich-regime end state of the flow (min over factorisations of
    ‖U‖² + ‖V‖² is ‖W‖_*, Eq. 44).
    """
    lam = positive("weight_decay", weight_decay)
    iterations = int_in_range("iterations", iterations, 1, MAX_ITERATIONS)
    tol = tolerance("tol", tol, allow_zero=True)
    d, n, rows, cols, y = problem.d, problem.n, problem.rows, problem.cols, problem.y
    step = n / 4.0  # 1/L: the symmetric-space Hessian of the data term is ≤ 4/n

    def grad(W):
        G = np.zeros((d, d))
        np.add.at(G, (rows, cols), 2.0 / n * (W[rows, cols] - y))
        return 0.5 * (G + G.T)

    def prox(Z):
        ev, vec = np.linalg.eigh(0.5 * (Z + Z.T))
        ev = np.sign(ev) * np.maximum(np.abs(ev) - step * lam / 2, 0.0)
        return (vec * ev) @ vec.T

    W = kernel_predictor(problem) if W0 is None else real_array("W0", W0)
    if W.shape != (d, d):
        raise ValueError(f"W0 must have shape ({d}, {d}), got {W.shape}")
    Z, tk = W.copy(), 1.0
    for _ in range(iterations):
        W_new = prox(Z - step * grad(Z))
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * tk * tk))
        Z = W_new + ((tk - 1) / t_new) * (W_new - W)
        if np.max(np.abs(W_new - W)) < tol:
            return W_new
        W, tk = W_new, t_new
    return W


def rank_one_rich_state(problem: CompletionProblem, weight_decay: float) -> tuple[float, float]:
    """Scalar ansatz W = cX* for the rich end state: c = 1 − λ‖X*‖_*/(4m), m = mean of X*² over Ω.

    Returns (c, ‖θ_∞‖ = √(c‖X*‖_*)). Exact only if the minimiser of Eq. 42 is a multiple of X*;
    compare with :func:`nuclear_norm_completion`.
    """
    lam = positive("weight_decay", weight_decay)
    nuc = float(np.sum(np.abs(np.linalg.eigvalsh(problem.target))))
    m = float(np.mean(problem.y ** 2))
    c = 1.0 - lam * nuc / (4.0 * m)
    return c, float(np.sqrt(max(c, 0.0) * nuc))


def expected_plateau_test_mse(d: int, n: int) -> float:
    """Exact mean over uniformly random Ω (n ordered pairs of d², the authors' split) of the kernel plateau.

    For the multiplication table, with N = d², S₂ = Σ_i i², S₄ = Σ_i i⁴ (i < d):
    E[plateau] = [(N − n − 1)/(N − 1)·(S₂² − S₄) + S₄] / (N d⁴)  (derivation ``lyu2024.mc_plateau``):
    a test pair (i, j) keeps X*_ij² unless (j, i) ∈ Ω, and P((i,j), (j,i) ∉ Ω) = (N−n)(N−n−1)/(N(N−1)) for i ≠ j.
    """
    d, n = positive_int("d", d), positive_int("n", n)
    N = d * d
    if n >= N - 1:
        raise ValueError(f"n must be < d² − 1 = {N - 1}, got {n}")
    i = np.arange(d, dtype=float)
    S2, S4 = float(np.sum(i**2)), float(np.sum(i**4))
    return ((N - n - 1) / (N - 1) * (S2 * S2 - S4) + S4) / (N * float(d) ** 4)
