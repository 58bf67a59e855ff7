"""Max-margin geometry of the constant-label logistic model (Beck, Levi & Bar-Sinai, arXiv 2410.04489).

With every label −1 and a bias b, gradient descent on the logistic (or exponential) loss of
f = Sᵀx + b converges in direction to the hard-margin SVM in the extended space w = (S, b)
(Soudry et al. 2018, Thm 3; Beck et al. §3.2):

    w_SVM = argmin ‖S‖² + b²  subject to  Sᵀx_i + b <= −1 for all i.

If 0 ∈ conv{x_i} the solution is (0, −1) (perfect generalisation). Otherwise, with M the
max-margin of the *bias-free* problem, M = max_{‖u‖=1} min_i uᵀx_i = dist(0, conv{x_i}) and u*
its direction, w_SVM = (−M u*, −1)/(1 + M²) [derived in ``beck2025.svm``], so b/‖S‖ → −1/M and
for x ~ N(0, σ² I) the limiting population accuracy is

    A_∞ = Φ(1/(σ M)) = ½[1 + erf(1/(σ M √2))]                    (Beck et al. Prop. 3.2(2)),

with M the margin of the raw sample (scale σ).

Large-d limits (N, d → ∞, λ = d/N), for unit-variance data z = x/σ:

* separable side (λ > ½): M/σ → κ(λ), the Gardner (1988) stability at capacity 1/λ,
  λ = E[(Z + κ)₊²] = (1 + κ²)Φ(κ) + κ φ(κ);
* inseparable side (λ < ½): the bias-free minimiser S_∞ = argmin (1/N) Σ e^{Sᵀx_i} (the limit of S
  in conformal time, Beck et al. Eq. 8) has σ‖S_∞‖ → r(λ), with (r, c) the solution of the
  M-estimation fixed point (El Karoui et al. 2013 with loss e^v and no signal)
  E[1/(1 + W(c e^{rZ}))] = 1 − λ,  E[W(c e^{rZ})²] = λ r²  (W: Lambert W, Z ~ N(0, 1)),
  and the minimum value Z_∞ = min (1/N) Σ e^{Sᵀx_i} → E[W(c e^{rZ})]/c.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from grok_theory import _validate as v
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx
from grok_theory.separability.counting import _sample, is_separable

__all__ = ["gardner_lambda", "gardner_margin", "MaxMargin", "max_margin", "extended_svm", "limiting_accuracy",
           "BiasFreeLimit", "bias_free_limit", "bias_free_minimum"]


def _num(name: str, value: Any, ctx: Any = None) -> Any:
    """A parameter as float (``ctx`` None: float64 path) or as a number of the private context
    ``ctx`` (dps path), converted exactly from the value as given (int, Fraction, str, mpf, SymPy)."""
    kept, as_float = exact_scalar(name, value, lower=None)
    v.real_scalar(name, as_float)
    if ctx is None:
        return as_float
    return to_ctx(kept, ctx)


def gardner_lambda(kappa: Any, dps: int | None = None) -> Any:
    """λ at which κ is the large-d max-margin: λ(κ) = E[(Z + κ)₊²] = (1 + κ²)Φ(κ) + κφ(κ).

    Gardner's capacity α_c(κ) = 1/λ(κ) for unit-variance patterns (Gardner 1988, Eq. 31);
    λ(0) = ½ is Cover's/Wendel's threshold.
    """
    dps = v.dps_value(dps)
    if dps is None:
        from scipy.special import ndtr

        k = v.real_array("kappa", kappa)
        return (1 + k * k) * ndtr(k) + k * np.exp(-k * k / 2) / np.sqrt(2 * np.pi)
    ctx = context(prec_of(dps + 10))
    k = _num("kappa", kappa, ctx)
    return result((1 + k * k) * ctx.ncdf(k) + k * ctx.npdf(k), dps)


def gardner_margin(lam: Any, dps: int | None = None) -> Any:
    """Large-d max-margin κ(λ) >= 0 of N unit-variance Gaussian points from the origin, λ = d/N.

    Solves λ = (1 + κ²)Φ(κ) + κφ(κ) (see :func:`gardner_lambda`); κ = 0 for λ <= ½ (the sample
    is almost surely not separable). For x ~ N(0, σ²I) the margin is σκ(λ). Near the threshold
    κ ≈ √(π/2)(λ − ½).

    Parameters
    ----------
    lam : float (or exact number in the dps path)
        d/N > 0.
    dps : int, optional
        Decimal digits (mpmath); ``None`` for float64 (vectorised).
    """
    dps = v.dps_value(dps)
    if dps is None:
        lam_arr = v.real_array("lam", lam)
        if np.any(lam_arr <= 0):
            raise ValueError(f"lam must be > 0, got {lam!r}")
        out = np.array([float(gardner_margin(float(x), dps=17)) for x in lam_arr.ravel()]).reshape(lam_arr.shape)
        return out if out.ndim else float(out)
    ctx = context(prec_of(dps + 10))
    lam_v = _num("lam", lam, ctx)
    if lam_v <= 0:
        raise ValueError(f"lam must be > 0, got {lam!r}")
    if lam_v <= ctx.mpf(1) / 2:
        return result(ctx.mpf(0), dps)
    g = lambda k: (1 + k * k) * ctx.ncdf(k) + k * ctx.npdf(k) - lam_v  # noqa: E731
    k0 = ctx.sqrt(lam_v) if lam_v > 2 else (lam_v - ctx.mpf(1) / 2) * ctx.sqrt(ctx.pi / 2)
    return result(ctx.findroot(g, k0, tol=ctx.mpf(10) ** (-(dps + 5))), dps)


@dataclass(frozen=True)
class MaxMargin:
    """Hard-margin solution of the bias-free problem for one sample.

    Attributes
    ----------
    separable : bool
        0 ∉ conv{x_i} (decided by the separability LP).
    margin : float
        M = max_{‖u‖=1} min_i uᵀx_i = dist(0, conv{x_i}) (0 if not separable).
    direction : ndarray (d,)
        The unit u* attaining it (uᵀx_i >= M for all i); zeros if not separable. The student
        S aligns with −u* (all labels are −1).
    """

    separable: bool
    margin: float
    direction: np.ndarray


def max_margin(x: Any) -> MaxMargin:
    """Max-margin separation of a sample from the origin, by a QP (Lawson–Hanson LDP via NNLS).

    Least-distance programming (Lawson & Hanson 1974, ch. 23): min ‖v‖ subject to x v >= 1 is
    solved through the non-negative least-squares problem min_{α>=0} ‖Eα − e_{d+1}‖ with
    E = [xᵀ; 1ᵀ]; with r = Eα − e_{d+1}, v = −r_{1..d}/r_{d+1}, and M = 1/‖v‖. Separability is
    decided first by the LP of :func:`~grok_theory.separability.counting.is_separable`.
    """
    from scipy.optimize import nnls

    x = _sample(x)
    n, d = x.shape
    if not is_separable(x):
        return MaxMargin(False, 0.0, np.zeros(d))
    e = np.vstack([x.T, np.ones((1, n))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    alpha, _ = nnls(e, f, maxiter=50 * max(n, d + 1))
    r = e @ alpha - f
    vec = -r[:d] / r[d]
    norm = float(np.linalg.norm(vec))
    return MaxMargin(True, 1.0 / norm, vec / norm)


def extended_svm(x: Any) -> np.ndarray:
    """w_SVM = (S, b) in R^{d+1}: min ‖S‖² + b² subject to Sᵀx_i + b <= −1 (all labels −1).

    (0, …, 0, −1) if 0 ∈ conv{x_i}; else (−M u*, −1)/(1 + M²) with (M, u*) from :func:`max_margin`.
    """
    mm = max_margin(x)
    if not mm.separable:
        w = np.zeros(mm.direction.shape[0] + 1)
        w[-1] = -1.0
        return w
    m = mm.margin
    return np.concatenate([-m * mm.direction, [-1.0]]) / (1 + m * m)


def limiting_accuracy(margin: Any, sigma: Any, dps: int | None = None) -> Any:
    """A_∞ = ½[1 + erf(1/(σM√2))] (Beck et al. Prop. 3.2(2)); 1 for M = 0 (inseparable sample).

    ``margin`` is the raw margin M of the sample (its points have scale σ), so for large d
    M ≈ σκ(λ) and A_∞ ≈ Φ(1/(σ²κ(λ))).
    """
    dps = v.dps_value(dps)
    v.positive("sigma", _num("sigma", sigma))  # exact inputs (str, Fraction, ...) are kept for the dps path
    if dps is None:
        from scipy.special import ndtr

        m = v.real_array("margin", margin, lower=0.0)
        with np.errstate(divide="ignore"):
            return ndtr(1.0 / (float(sigma) * m))
    ctx = context(prec_of(dps + 5))
    m, s = _num("margin", margin, ctx), _num("sigma", sigma, ctx)
    if m < 0:
        raise ValueError(f"margin must be >= 0, got {margin!r}")
    return result(ctx.mpf(1) if m == 0 else (1 + ctx.erf(1 / (s * m * ctx.sqrt(2)))) / 2, dps)


@dataclass(frozen=True)
class BiasFreeLimit:
    """Large-d solution of min_S (1/N) Σ e^{Sᵀz_i}, z_i ~ N(0, I_d), λ = d/N < ½.

    Attributes
    ----------
    lam : number
    norm : number
        r = ‖S_∞‖ for unit-variance data (σ‖S_∞‖ for data of scale σ).
    log_c : number
        log of the proximal parameter c of the fixed point.
    z_min : number
        Z_∞ = min (1/N) Σ e^{Sᵀz_i} → E[W(c e^{rZ})]/c.
    """

    lam: Any
    norm: Any
    log_c: Any
    z_min: Any


_ZCUTS = (-40, -10, -4, -1.5, 0, 1.5, 4, 10, 40)


def _u_at(y: float) -> float:
    """The root u of e^u + u = y (u = log W(e^y)), float64 Newton."""
    u = y if y < 1 else np.log(y)
    for _ in range(100):
        step = (np.exp(u) + u - y) / (np.exp(u) + 1)
        u -= step
        if abs(step) < 1e-15 * max(1.0, abs(u)):
            break
    return float(u)


def _moments_float(r: float, a: float) -> np.ndarray:
    """[E 1/(1+W), E W², E W] for W = W(e^{a + rZ}), Z ~ N(0,1) (scipy quad in u = log W).

    With u = log W the Lambert function disappears: a + rZ = e^u + u, so
    E[g(W)] = (1/r) ∫ φ((e^u + u − a)/r) g(e^u)(1 + e^u) du, and E[1/(1 + W)] = (1/r) ∫ φ(·) du.
    """
    from scipy.integrate import quad

    pts = [_u_at(a + k * r) for k in _ZCUTS]
    out = np.zeros(3)
    for i, g in enumerate((lambda e: 1.0, lambda e: e * e * (1 + e), lambda e: e * (1 + e))):
        f = lambda u: np.exp(-0.5 * ((np.exp(u) + u - a) / r) ** 2) * g(np.exp(u))  # noqa: E731
        out[i] = sum(quad(f, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0] for lo, hi in zip(pts[:-1], pts[1:]))
    return out / (r * np.sqrt(2 * np.pi))


def _moments_mp(ctx: Any, r: Any, a: Any) -> tuple[list[Any], list[list[Any]]]:
    """The fixed-point residuals F = (E 1/(1+W) − ·, E W²/r² − ·) pieces and their Jacobian, mpmath.

    Returns ([E1, E2, E_W], [[∂E1/∂r, ∂E1/∂a], [∂E2/∂r, ∂E2/∂a]]) with E1 = E[1/(1+W)], E2 = E[W²];
    the derivatives are taken under the integral: ∂_a φ(z)/r = φ(z) z/r², ∂_r φ(z)/r = φ(z)(z² − 1)/r².
    All in the private mpmath context ``ctx`` (its precision).
    """
    def u_at(y):
        return y - ctx.lambertw(ctx.exp(y)).real

    pts = [u_at(a + k * r) for k in _ZCUTS]
    z = lambda u: (ctx.exp(u) + u - a) / r  # noqa: E731
    g2 = lambda u: ctx.exp(2 * u) * (1 + ctx.exp(u))  # noqa: E731
    q = lambda f: ctx.quad(f, pts) / r  # noqa: E731
    e1 = q(lambda u: ctx.npdf(z(u)))
    e2 = q(lambda u: ctx.npdf(z(u)) * g2(u))
    ew = q(lambda u: ctx.npdf(z(u)) * ctx.exp(u) * (1 + ctx.exp(u)))
    d1a = q(lambda u: ctx.npdf(z(u)) * z(u)) / r
    d1r = q(lambda u: ctx.npdf(z(u)) * (z(u) ** 2 - 1)) / r
    d2a = q(lambda u: ctx.npdf(z(u)) * z(u) * g2(u)) / r
    d2r = q(lambda u: ctx.npdf(z(u)) * (z(u) ** 2 - 1) * g2(u)) / r
    return [e1, e2, ew], [[d1r, d1a], [d2r, d2a]]


@lru_cache(maxsize=256)
def _solve_float(lam: float) -> tuple[float, float]:
    """(r, a) of the fixed point in float64 (scipy root), continued in log(½ − λ) from λ = 0.05."""
    from scipy.optimize import fsolve

    def resid(p, lam_k):
        r, a = np.exp(p[0]), p[1]
        m = _moments_float(r, a)
        return [m[0] - (1 - lam_k), m[1] / (r * r) - lam_k]

    lam0 = min(lam, 0.05)
    w = lam0 / (1 - lam0)
    p = np.array([np.log(np.sqrt(lam0) * (1 + lam0)), np.log(w) + w])
    path = [lam0]
    if lam > lam0:
        n = int(np.ceil(abs(np.log((0.5 - lam) / (0.5 - lam0))) / 0.8)) + 1
        path += list(0.5 - (0.5 - lam0) * ((0.5 - lam) / (0.5 - lam0)) ** (np.arange(1, n + 1) / n))
    prev = lam0
    for lam_k in path:
        ratio = np.sqrt((0.5 - prev) / (0.5 - lam_k))
        with warnings.catch_warnings():  # "xtol too small": convergence is judged by the residual below
            warnings.simplefilter("ignore", RuntimeWarning)
            p = fsolve(resid, p + np.log(ratio) * np.array([1.0, 1.0]) if lam_k != prev else p, args=(lam_k,),
                       xtol=1e-14)
        prev = lam_k
    r, a = float(np.exp(p[0])), float(p[1])
    err = np.max(np.abs(resid(p, lam)))
    if not err < 1e-10:
        raise ArithmeticError(f"bias_free_limit: fixed point not converged at lam={lam} (residual {err:.1e})")
    return r, a


def bias_free_limit(lam: Any, dps: int | None = None) -> BiasFreeLimit:
    """Large-d limit of the bias-free minimiser S_∞ (the inseparable phase, λ < ½).

    Solves E[1/(1 + W(c e^{rZ}))] = 1 − λ and E[W(c e^{rZ})²] = λ r² for (r, c) and returns
    r = σ‖S_∞‖, log c and Z_∞ = E[W(c e^{rZ})]/c. The equations are the unregularised
    M-estimation fixed point (El Karoui et al. 2013) for the loss e^v with no signal; the
    derivation ``beck2025.s_inf`` checks them on the quadratic loss and against sampled
    minimisers. The float64 path uses scipy quadrature in u = log W and ``fsolve`` continued in
    log(½ − λ); the dps path refines it by Newton with the Jacobian as mpmath integrals.

    Parameters
    ----------
    lam : float in (0, ½)  (or an exact number in the dps path)
    dps : int, optional
        Decimal digits; ``None`` for float64.
    """
    dps = v.dps_value(dps)
    lam_f = v.real_scalar("lam", _num("lam", lam))
    if not 0 < lam_f < 0.5:
        raise ValueError(f"lam must be in (0, 1/2) (the inseparable phase), got {lam!r}")
    r, a = _solve_float(lam_f)
    if dps is None:
        return BiasFreeLimit(lam_f, r, a, float(_moments_float(r, a)[2] / np.exp(a)))
    ctx = context(prec_of(dps + 10))
    lam_v = _num("lam", lam, ctx)
    r, a = ctx.mpf(r), ctx.mpf(a)
    tol = ctx.mpf(10) ** (-(dps + 3))
    for _ in range(12):
        (e1, e2, ew), jac = _moments_mp(ctx, r, a)
        f1, f2 = e1 - (1 - lam_v), e2 - lam_v * r * r
        j = ctx.matrix([[jac[0][0], jac[0][1]], [jac[1][0] - 2 * lam_v * r, jac[1][1]]])
        step = ctx.lu_solve(j, ctx.matrix([f1, f2]))
        r, a = r - step[0], a - step[1]
        if abs(step[0]) < tol * r and abs(step[1]) < tol * max(1, abs(a)):
            break
    else:
        raise ArithmeticError(f"bias_free_limit: Newton did not reach {dps} digits at lam={lam}")
    z_min = _moments_mp(ctx, r, a)[0][2] / ctx.exp(a)
    return BiasFreeLimit(result(lam_v, dps), result(r, dps), result(a, dps), result(z_min, dps))


def bias_free_minimum(x: Any) -> tuple[np.ndarray, float]:
    """S_∞ = argmin_S (1/N) Σ e^{Sᵀx_i} and the minimum Z_∞ for an inseparable sample (Newton, scipy).

    The limit of S(t) in the inseparable phase (Beck et al. Prop. 3.2(1): in conformal time S
    follows this bias-free problem). Raises ValueError if the sample is separable (no minimum).
    """
    from scipy.optimize import minimize

    x = _sample(x)
    if is_separable(x):
        raise ValueError("x is separable from the origin: (1/N) Σ exp(Sᵀx_i) has no minimiser (S_∞ diverges)")
    n, d = x.shape

    def fun(s):
        f = x @ s
        m = f.max()
        e = np.exp(f - m)
        z = e.mean()
        # minimise log Z: same minimiser, better conditioned
        return m + np.log(z), x.T @ e / e.sum()

    def hess(s):
        f = x @ s
        e = np.exp(f - f.max())
        p = e / e.sum()
        mean = x.T @ p
        return (x.T * p) @ x - np.outer(mean, mean)

    res = minimize(fun, np.zeros(d), jac=True, hess=hess, method="trust-exact", options={"gtol": 1e-11, "maxiter": 500})
    s = res.x
    return s, float(np.exp(x @ s).mean())
