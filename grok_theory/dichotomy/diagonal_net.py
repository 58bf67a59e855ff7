"""Diagonal linear networks with weight decay: the exactly tractable model of Lyu et al. (2024).

Model (Lyu, Jin, Li, Du, Lee & Hu, ICLR 2024, arXiv 2311.18817, Eq. 4): parameters
θ = (u, v) ∈ R^d × R^d, effective weight w = u⊙u − v⊙v, output f(θ; x) = ⟨w, x⟩. Training
minimises ℒ_λ(θ) = ℒ(w) + (λ/2)(‖u‖² + ‖v‖²) with ℒ(w) = (1/n) Σ_i ℓ(⟨w, x_i⟩; y_i) (Eqs. 2–3),
from u(0) = v(0) = α·1.

Normalisations. The paper writes θ(0) = α θ̄_init with θ̄_init = (1, 1), so u_k(0) = v_k(0) = α
(this module's ``init_scale``). The authors' code (``DiagonalNet``) sets u = v = α_code/√(2d),
so α_code = ‖θ(0)‖₂ is the *initial parameter norm* (the "initial norm 128" of Fig. 1):
α = α_code/√(2d); see :func:`init_scale_from_norm`.

Exact structure of gradient flow (derived in ``derivations/dichotomy/lyu2024.py``), with g = ∇_w ℒ and
G(t) = ∫₀ᵗ g ds:

* u_k = α e^{−λt − 2G_k}, v_k = α e^{−λt + 2G_k}, so u_k v_k = α² e^{−2λt} (any loss);
* w_k = −β(t) sinh 4G_k with β(t) = 2α² e^{−2λt}, and ẇ = −2λw − 4√(w² + β²) ⊙ g;
* ‖θ‖² = Σ_k √(w_k² + β²);
* g = (1/n) Xᵀ ℓ'(Xw), hence G = Xᵀρ/n with ρ̇ = ℓ'(Xw(ρ, t)): gradient flow is an *n*-dimensional
  ODE for ρ (n = number of samples), integrated here with an implicit Radau method and its exact
  Jacobian. :func:`gradient_flow_parameters` integrates (u, v) directly, as an independent
  reference.

Rescaled time s = λt − ln α makes β = 2e^{−2s} independent of α; see :mod:`grok_theory.dichotomy.transition`
for the λ → 0 transition law.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import linprog

from grok_theory._validate import (choice, gd_times, int_in_range, nonnegative, positive, positive_int, real_array,
                                   tolerance, ODE_RTOL_MIN)
from grok_theory._display import field_html, field_repr

#: integrators :func:`gradient_flow` accepts
ODE_METHODS = ("RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA")
#: most iterations :func:`l1_regularized` runs
MAX_ITERATIONS = 1_000_000

__all__ = [
    "LOSSES", "loss_value", "loss_derivatives", "init_scale_from_norm", "initial_norm", "kernel_scale",
    "parameter_norm", "DiagonalTrajectory", "gradient_flow", "gradient_flow_parameters", "gradient_descent",
    "min_l2_interpolant", "min_l1_interpolant", "max_l2_margin", "max_l1_margin", "l1_regularized",
    "l1_kkt_residual", "loss_gradient",
]

#: losses: ``squared`` ℓ = (ŷ − y)² (regression); ``exponential`` e^{−yŷ} (the paper's theory);
#: ``logistic`` log(1 + e^{−yŷ}) (the paper's experiments)
LOSSES = ("squared", "exponential", "logistic")


def _data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.atleast_2d(real_array("X", X))
    y = real_array("y", y).reshape(-1)
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X must be a non-empty (n, d) matrix, got shape {X.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries; they must match")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def loss_value(loss: str, pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample loss ℓ(ŷ; y) for ``loss`` in :data:`LOSSES`."""
    choice("loss", loss, LOSSES)
    pred, y = np.asarray(pred, dtype=float), np.asarray(y, dtype=float)
    if loss == "squared":
        return (pred - y) ** 2
    if loss == "exponential":
        return np.exp(-y * pred)
    return np.logaddexp(0.0, -y * pred)


def loss_derivatives(loss: str, pred: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and second derivatives (ℓ', ℓ'') of the per-sample loss with respect to ŷ.

    Classification losses assume labels y ∈ {−1, +1} (so y² = 1).
    """
    choice("loss", loss, LOSSES)
    pred, y = np.asarray(pred, dtype=float), np.asarray(y, dtype=float)
    if loss == "squared":
        return 2.0 * (pred - y), np.full_like(pred, 2.0)
    q = y * pred
    if loss == "exponential":
        e = np.exp(-q)
        return -y * e, e
    s = _sigmoid(-q)
    return -y * s, s * (1.0 - s)


def loss_gradient(loss: str, X, y, w) -> np.ndarray:
    """g = ∇_w ℒ(w) = (1/n) Xᵀ ℓ'(Xw)."""
    X, y = _data(X, y)
    return X.T @ loss_derivatives(loss, X @ np.asarray(w, dtype=float), y)[0] / X.shape[0]


def init_scale_from_norm(init_norm: float, d: int) -> float:
    """Paper's α from the authors' α_code = ‖θ(0)‖₂: α = α_code/√(2d) (u = v = α·1)."""
    return positive("init_norm", init_norm) / np.sqrt(2 * positive_int("d", d))


def initial_norm(init_scale: float, d: int) -> float:
    """‖θ(0)‖₂ = α√(2d) for u(0) = v(0) = α·1."""
    return positive("init_scale", init_scale) * np.sqrt(2 * positive_int("d", d))


def kernel_scale(init_scale: float, weight_decay: float, t) -> np.ndarray:
    """β(t) = 2α² e^{−2λt} = 2 u_k v_k, the scale separating kernel (``|w| ≪ β``) and rich (``|w| ≫ β``) regimes."""
    a, lam = positive("init_scale", init_scale), nonnegative("weight_decay", weight_decay)
    with np.errstate(over="ignore", under="ignore"):
        return 2.0 * a * a * np.exp(-2.0 * lam * real_array("t", t))


def parameter_norm(w, beta) -> np.ndarray:
    """Exact ‖θ‖₂ = (Σ_k √(w_k² + β²))^{1/2} of gradient flow from u = v = α·1 (``w`` shape (..., d))."""
    w = real_array("w", w)
    beta = real_array("beta", beta, lower=0.0)
    return np.sqrt(np.sum(np.hypot(w, beta[..., None] if beta.ndim else beta), axis=-1))


@dataclass(frozen=True)
class DiagonalTrajectory:
    """A recorded trajectory of a diagonal network.

    Attributes
    ----------
    t : ndarray, shape (m,)
        Continuous time (for GD: ``lr × steps``).
    w : ndarray, shape (m, d)
        Effective weights u⊙u − v⊙v.
    norm_sq : ndarray, shape (m,)
        ‖θ‖² = ‖u‖² + ‖v‖² computed from u and v themselves.
    uv : ndarray, shape (m, d)
        The products u_k v_k (conserved up to e^{−2λt} under gradient flow).
    params : dict
        The run's parameters.
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    t: np.ndarray
    w: np.ndarray
    norm_sq: np.ndarray
    uv: np.ndarray
    params: dict = field(default_factory=dict)

    @property
    def norm(self) -> np.ndarray:
        """‖θ(t)‖₂."""
        return np.sqrt(self.norm_sq)

    def predict(self, X) -> np.ndarray:
        """Outputs ⟨w(t), x⟩, shape (m, n_points)."""
        return self.w @ np.atleast_2d(np.asarray(X, dtype=float)).T

    def kernel_deviation(self) -> np.ndarray:
        """‖(e^{λt}/α)θ(t) − θ̄_init‖₂, the paper's kernel-regime measure (T_max, Lemmas C.5/D.2).

        Gradient flow from u = v = α·1 gives (e^{λt}/α)(u, v) = (e^{−2G}, e^{2G}) with
        4G = −asinh(w/β), so the deviation is exact from w and β = 2α²e^{−2λt}.
        """
        beta = kernel_scale(self.params["init_scale"], self.params["weight_decay"], self.t)[:, None]
        G = -np.arcsinh(self.w / beta) / 4.0
        return np.sqrt(np.sum(np.expm1(-2.0 * G) ** 2 + np.expm1(2.0 * G) ** 2, axis=1))

    def rescaled_time(self) -> np.ndarray:
        """s = λt − ln α (α- and λ-free time of the transition law)."""
        return self.params["weight_decay"] * self.t - np.log(self.params["init_scale"])


def _times(t) -> np.ndarray:
    t = np.atleast_1d(real_array("t", t))
    if t.ndim != 1 or t.size == 0 or np.any(t < 0) or np.any(np.diff(t) < 0):
        raise ValueError(f"t must be a non-empty, finite, non-negative, non-decreasing sequence of times, got {t!r}")
    return t


def gradient_flow(X, y, loss: str, init_scale: float, weight_decay: float, t, rtol: float = 1e-10,
                  atol: float | None = None, method: str = "Radau") -> DiagonalTrajectory:
    """Exact-structure integration of gradient flow on ℒ_λ from u = v = α·1.

    Integrates the n-dimensional ODE ρ̇ = ℓ'(X w), w = α²(e^{−2λt − 4G} − e^{−2λt + 4G}),
    G = Xᵀρ/n (Radau, exact Jacobian −(4/n) diag(ℓ'') X diag(√(w²+β²)) Xᵀ), which is equivalent
    to u̇ = −2g⊙u − λu, v̇ = 2g⊙v − λv (Lyu et al. Eq. 3 gradient flow).

    Parameters
    ----------
    X : array, shape (n, d); y : array, shape (n,)
        Training data (y ∈ {±1} for classification losses).
    loss : {"squared", "exponential", "logistic"}
    init_scale : float
        α > 0 (u(0) = v(0) = α·1; see :func:`init_scale_from_norm` for the authors' normalisation).
    weight_decay : float
        λ ≥ 0 (ℒ_λ = ℒ + (λ/2)‖θ‖²).
    t : sequence of float
        Record times, non-decreasing, ≥ 0.
    method : str
        ``"Radau"`` (implicit, exact n×n Jacobian: accurate and robust to the stiff kernel phase) or
        an explicit scipy method (``"RK45"``, ``"DOP853"``) for large d·n where the Jacobian's
        O(n²d) cost dominates (classification at paper scale, whose loss curvature decays).
    rtol, atol : float
        Tolerances of the integrator on ρ (default ``atol`` = 10⁻³ rtol/(1 + 2α²), since
        ρ = O(1/β(0)) in the kernel phase).

    Returns
    -------
    DiagonalTrajectory
        ``uv`` is the exact invariant α²e^{−2λt} (the structure used); ``norm_sq`` is β cosh 4G.
    """
    X, y = _data(X, y)
    choice("loss", loss, LOSSES)
    alpha, lam = positive("init_scale", init_scale), nonnegative("weight_decay", weight_decay)
    rtol = tolerance("rtol", rtol, minimum=ODE_RTOL_MIN)
    atol = None if atol is None else tolerance("atol", atol)
    choice("method", method, ODE_METHODS)
    t = _times(t)
    n = X.shape[0]
    log_a2 = 2.0 * np.log(alpha)

    def state(rho, time):
        # w = u² − v² = −β sinh 4G and u² + v² = β cosh 4G, without cancellation for any α
        G = X.T @ rho / n
        big = np.exp(log_a2 - 2.0 * lam * time + 4.0 * np.abs(G))
        small = np.exp(-8.0 * np.abs(G))
        return -np.sign(G) * big * -np.expm1(-8.0 * np.abs(G)), big * (1.0 + small)

    def rhs(time, rho):
        return loss_derivatives(loss, X @ state(rho, time)[0], y)[0]

    def jac(time, rho):
        w, s = state(rho, time)
        curv = loss_derivatives(loss, X @ w, y)[1]
        return -(4.0 / n) * (curv[:, None] * X) @ (s[:, None] * X.T)

    if atol is None:  # ρ ~ 1/β in the kernel phase: scale the absolute tolerance with it
        atol = 1e-3 * rtol / (1.0 + 2.0 * alpha * alpha)
    extra = {"jac": jac} if method in ("Radau", "BDF", "LSODA") else {}
    if t[-1] == 0:  # nothing to integrate: every record time is the initial state
        rhos = np.zeros((t.size, n))
    else:
        sol = solve_ivp(rhs, (0.0, float(t[-1])), np.zeros(n), method=method, t_eval=t, rtol=rtol, atol=atol, **extra)
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        rhos = sol.y.T
    w, s = np.empty((t.size, X.shape[1])), np.empty((t.size, X.shape[1]))
    for i, (time, rho) in enumerate(zip(t, rhos)):
        w[i], s[i] = state(rho, time)
    beta = kernel_scale(alpha, lam, t)
    return DiagonalTrajectory(t, w, s.sum(1), np.broadcast_to((beta / 2)[:, None], w.shape).copy(),
                              dict(loss=loss, init_scale=alpha, weight_decay=lam, method="flow", n=n, d=X.shape[1],
                                   integrator=method))


def gradient_flow_parameters(X, y, loss: str, u0, v0, weight_decay: float, t, rtol: float = 1e-11,
                             atol: float = 1e-13) -> DiagonalTrajectory:
    """Reference integration of u̇ = −2g⊙u − λu, v̇ = 2g⊙v − λv in the raw parameters (small d).

    Arbitrary initial vectors ``u0``, ``v0``; no use of the exact structure (Radau on 2d states).
    """
    X, y = _data(X, y)
    choice("loss", loss, LOSSES)
    lam = nonnegative("weight_decay", weight_decay)
    rtol, atol = tolerance("rtol", rtol, minimum=ODE_RTOL_MIN), tolerance("atol", atol)
    d, n = X.shape[1], X.shape[0]
    u0, v0 = real_array("u0", u0), real_array("v0", v0)
    if u0.size not in (1, d) or v0.size not in (1, d):
        raise ValueError(f"u0 and v0 must be scalars or length-{d} vectors, got shapes {u0.shape}, {v0.shape}")
    u0, v0 = np.broadcast_to(u0.ravel(), (d,)), np.broadcast_to(v0.ravel(), (d,))
    t = _times(t)

    def rhs(_, z):
        u, v = z[:d], z[d:]
        g = X.T @ loss_derivatives(loss, X @ (u * u - v * v), y)[0] / n
        return np.concatenate([-2.0 * g * u - lam * u, 2.0 * g * v - lam * v])

    z0 = np.concatenate([u0, v0])
    if t[-1] == 0:  # nothing to integrate
        ys = np.tile(z0[:, None], (1, t.size))
    else:
        sol = solve_ivp(rhs, (0.0, float(t[-1])), z0, method="Radau", t_eval=t, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        ys = sol.y
    u, v = ys[:d].T, ys[d:].T
    return DiagonalTrajectory(t, u * u - v * v, (u * u + v * v).sum(1), u * v,
                              dict(loss=loss, weight_decay=lam, method="flow-parameters", n=n, d=d))


def gradient_descent(X, y, loss: str, init_scale: float, weight_decay: float, lr: float, steps) -> DiagonalTrajectory:
    """Full-batch GD on ℒ_λ: u ← u − η(2g⊙u + λu), v ← v − η(−2g⊙v + λv) (the authors' SGD with weight decay).

    ``steps`` is a non-decreasing sequence of record steps; the trajectory's ``t`` is ``lr × steps``.
    Per step u_k v_k ← u_k v_k[(1 − ηλ)² − 4η² g_k²]: the flow invariant holds to O(η²) per step.
    """
    X, y = _data(X, y)
    choice("loss", loss, LOSSES)
    alpha, lam, eta = positive("init_scale", init_scale), nonnegative("weight_decay", weight_decay), positive("lr", lr)
    if np.ndim(steps) > 1:
        raise ValueError(f"steps must be a 1-D sequence of GD steps, got shape {np.shape(steps)}")
    steps = gd_times("steps", steps)
    if np.any(np.diff(steps) < 0):
        raise ValueError(f"steps must be non-decreasing, got {steps!r}")
    n, d = X.shape
    u, v = np.full(d, alpha), np.full(d, alpha)
    W, N, UV = [], [], []
    k = 0
    for target in steps:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported as a ValueError below
            while k < target:
                g = X.T @ loss_derivatives(loss, X @ (u * u - v * v), y)[0] / n
                u, v = u - eta * (2.0 * g * u + lam * u), v - eta * (-2.0 * g * v + lam * v)
                k += 1
                if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))):
                    raise ValueError(f"lr={eta!r} is unstable: GD diverged at step {k} (kernel-phase stability needs "
                                     f"lr·(4β/n)·ℓ''·‖X‖₂² < 2 with β = 2α²: small lr at large α)")
        W.append(u * u - v * v)
        N.append(float(u @ u + v @ v))
        UV.append(u * v)
    return DiagonalTrajectory(eta * steps.astype(float), np.array(W), np.array(N), np.array(UV),
                              dict(loss=loss, init_scale=alpha, weight_decay=lam, lr=eta, method="gd", n=n, d=d))


# ---------------------------------------------------------------------------------------------
# the limiting predictors: kernel (L²) and rich (L¹)
# ---------------------------------------------------------------------------------------------

def min_l2_interpolant(X, y) -> np.ndarray:
    """w₂ = Xᵀ(XXᵀ)⁻¹y: the kernel-regime regression predictor (Lyu Thm 3.9 with NTK features (2x, −2x))."""
    X, y = _data(X, y)
    return X.T @ np.linalg.solve(X @ X.T, y)


def min_l1_interpolant(X, y) -> np.ndarray:
    """argmin ‖w‖₁ s.t. Xw = y (basis pursuit; the rich-regime limit λ → 0 for regression), by linprog."""
    X, y = _data(X, y)
    d = X.shape[1]
    res = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    if not res.success:
        raise RuntimeError(f"basis pursuit failed: {res.message}")
    return res.x[:d] - res.x[d:]


def max_l2_margin(X, y, tol: float = 1e-12) -> np.ndarray:
    """Unit max-L²-margin direction w*₂ = argmax_{‖w‖₂=1} min_i y_i⟨w, x_i⟩ (Lyu Cor. 3.6).

    Solves the hard-margin SVM dual max Σa − ½‖Zᵀa‖², a ≥ 0 (Z rows y_i x_i) by an active-set
    iteration (exact linear solves on the support), then checks primal feasibility.
    """
    X, y = _data(X, y)
    tol = tolerance("tol", tol, allow_zero=True)
    Z = y[:, None] * X
    Q = Z @ Z.T
    n = Q.shape[0]
    active = np.ones(n, dtype=bool)
    for _ in range(10 * n + 10):
        a = np.zeros(n)
        a[active] = np.linalg.lstsq(Q[np.ix_(active, active)], np.ones(active.sum()), rcond=None)[0]
        if np.any(a[active] < -tol):
            # drop the most negative multiplier
            idx = np.flatnonzero(active)
            active[idx[np.argmin(a[active])]] = False
            continue
        margins = Q @ a
        viol = (~active) & (margins < 1 - 1e-10)
        if not viol.any():
            w = Z.T @ a
            return w / np.linalg.norm(w)
        active[np.flatnonzero(viol)[np.argmin(margins[viol])]] = True
    raise RuntimeError("max-L2-margin active-set iteration did not converge")


def max_l1_margin(X, y) -> np.ndarray:
    """Max-L¹-margin direction (unit L¹ norm): argmin ‖w‖₁ s.t. y_i⟨w, x_i⟩ ≥ 1, normalised (linprog).

    The global optimum of the rich-regime problem of Lyu Cor. 3.7 (min ‖u‖² + ‖v‖² s.t. margins ≥ 1).
    """
    X, y = _data(X, y)
    Z = y[:, None] * X
    d = X.shape[1]
    res = linprog(np.ones(2 * d), A_ub=-np.hstack([Z, -Z]), b_ub=-np.ones(X.shape[0]), bounds=(0, None),
                  method="highs")
    if not res.success:
        raise RuntimeError(f"max-L1-margin LP failed: {res.message}")
    w = res.x[:d] - res.x[d:]
    return w / np.abs(w).sum()


def l1_regularized(X, y, loss: str, weight_decay: float, iterations: int = 20000, tol: float = 1e-13,
                   w0=None) -> np.ndarray:
    """argmin_w ℒ(w) + (λ/2)‖w‖₁: the rich-regime end state (Lasso / L¹-regularised logistic regression).

    At this minimiser ‖θ‖² = ‖w‖₁ (min_{u²−v²=w} ‖u‖² + ‖v‖² = ‖w‖₁), so it is the global
    minimiser of ℒ_λ over θ. Solved by FISTA with backtracking.
    """
    X, y = _data(X, y)
    lam = positive("weight_decay", weight_decay)
    choice("loss", loss, LOSSES)
    iterations = int_in_range("iterations", iterations, 1, MAX_ITERATIONS)
    tol = tolerance("tol", tol, allow_zero=True)
    n, d = X.shape
    thr = lam / 2.0

    def f(w):
        return float(loss_value(loss, X @ w, y).mean())

    def grad(w):
        return X.T @ loss_derivatives(loss, X @ w, y)[0] / n

    def prox(z, step):
        return np.sign(z) * np.maximum(np.abs(z) - step * thr, 0.0)

    w = np.zeros(d) if w0 is None else real_array("w0", w0).reshape(-1).copy()
    if w.size != d:
        raise ValueError(f"w0 must have length d = {d}, got {w.size}")
    z, tk = w.copy(), 1.0
    L = max(np.linalg.norm(X, 2) ** 2 / n, 1e-12)
    for _ in range(iterations):
        gz, fz = grad(z), f(z)
        while True:
            w_new = prox(z - gz / L, 1.0 / L)
            diff = w_new - z
            if f(w_new) <= fz + gz @ diff + 0.5 * L * diff @ diff + 1e-15:
                break
            L *= 2.0
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * tk * tk))
        z = w_new + ((tk - 1) / t_new) * (w_new - w)
        if np.max(np.abs(w_new - w)) < tol * max(1.0, np.max(np.abs(w_new))):
            w = w_new
            break
        if (w_new - w) @ (w_new - z) > 0:  # adaptive restart
            tk, z = 1.0, w_new.copy()
        else:
            tk = t_new
        w = w_new
    return w


def l1_kkt_residual(X, y, loss: str, weight_decay: float, w) -> float:
    """Largest violation of the KKT conditions of min ℒ(w) + (λ/2)‖w‖₁, in units of λ/2.

    Conditions: g_k = −(λ/2) sign w_k where w_k ≠ 0, ``|g_k| ≤ λ/2`` where w_k = 0 (g = ∇ℒ).
    """
    lam = positive("weight_decay", weight_decay)
    w = real_array("w", w)
    g = loss_gradient(loss, X, y, w)
    on = w != 0
    res_on = np.abs(g[on] + 0.5 * lam * np.sign(w[on]))
    res_off = np.maximum(np.abs(g[~on]) - 0.5 * lam, 0.0)
    with np.errstate(over="ignore"):  # a residual beyond the float range is inf
        return float(np.float64(max(res_on.max(initial=0.0), res_off.max(initial=0.0))) / (0.5 * lam))
