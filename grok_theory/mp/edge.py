"""Laws of the smallest eigenvalue of Σ_tr = XᵀX/N_tr (real Gaussian X): soft edge and hard edge.

At late times the finite-d_in learning curves are controlled by the smallest nonzero eigenvalue
ν_min of Σ_tr (THEORY.md §2: late times are dominated by the lower edge). Two asymptotic laws
(β = 1, real data), with m = max(N_tr, d_in), n = min(N_tr, d_in):

* soft edge (λ ≠ 1, m − n → ∞ proportionally): (μ₋ − N_tr ν_min)/σ₋ → TW₁, the GOE Tracy–Widom
  law, with μ₋ = (√m' − √n')², σ₋ = (√m' − √n')(1/√n' − 1/√m')^{1/3}, m' = m − ½, n' = n − ½
  (Feldheim & Sodin, GAFA 20 (2010) for the limit; the ½-shifts and the log scale below follow
  Ma, Bernoulli 18 (2012), who proves O(n^{−2/3}) accuracy for the largest eigenvalue). Used on
  the log scale, log(N_tr ν_min) ≈ log μ₋ − (σ₋/μ₋)·TW₁ (the same limit; the linear scale was
  measured 2–5× worse in Kolmogorov distance at d_in = 50–200, so the log scale is the one
  implemented; its measured error is in docs/models/finite_size.md — an approximation, not a theorem);
* hard edge (a = m − n fixed, n → ∞): P(n·λ_min(XᵀX) > x) → E₁(x; a) = det(I − C_x) on L²(0, 1),
  C_x(u, v) = √x J_a(2√(xuv)) (Forrester 2000; Desrosiers & Forrester 2006); a = 0 is Edelman's
  1 − exp(−x/2 − √x) (SIAM J. Matrix Anal. Appl. 9 (1988), Cor. 3.1), a = 1 gives e^{−x/2} and
  a = 3 e^{−x/2} I₁(2√x)/√x (derivation ``finite_size.hard_edge_a``).

:func:`smallest_eigenvalue_law` uses the hard-edge law with a = max(N_tr, d_in) − min(N_tr, d_in) for every a, scaled
by (√m' + √n')²/4 instead of n: this removes the O(1/n) error and puts the Bessel turning point on
the Marchenko–Pastur edge, so the law passes over to a Tracy–Widom law as a grows (derivation
``finite_size.hard_to_soft``); it was measured against exact samples for a = 0 … 2000
(docs/models/finite_size.md §2.4), where TW₁ fails for small a (KS 0.23 at d_in = 50, a = 1).

TW₁ is evaluated by Bornemann's method (Math. Comp. 79 (2010), 871–915, Eq. 4.6 / §7.1):
F₁(s) = det(I − K_s) on L²(0, ∞) with K_s(x, y) = ½ Ai((x + y)/2 + s) (Ferrari & Spohn 2005),
discretised by an m-point Gauss–Legendre rule on [0, L] (L past the Airy decay), converging
exponentially in m; the node count is doubled until two rules agree. ``dps`` gives mpmath
numbers (per-call precision, never the global one); float64 otherwise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
from scipy import integrate, interpolate, optimize, special

from grok_theory import _validate
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx

__all__ = ["tracy_widom_goe_cdf", "tracy_widom_goe_pdf", "tracy_widom_goe_moments", "tracy_widom_goe_quantile", "tracy_widom_goe_table",
           "hard_edge_cdf", "hard_edge_quantile", "hard_edge_table", "hard_edge_determinant", "HARD_A_MAX", "TW1_MEAN", "TW1_VAR", "SmallestEigenvalueLaw", "smallest_eigenvalue_law"]


def _airy_cut(digits: float) -> float:
    """z beyond which Ai(z) < 10^−digits (from Ai(z) ≤ e^{−(2/3) z^{3/2}}/(2√π z^{1/4}))."""
    return (1.5 * digits * math.log(10)) ** (2 / 3)


@lru_cache(maxsize=16)
def _leggauss(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


def _fredholm_float(s: float, m: int, derivative: bool = False) -> tuple[float, float]:
    """(det(I − K_s), d/ds det(I − K_s)) on an m-point Gauss–Legendre rule; the derivative from
    d/ds log det(I − K) = −tr((I − K)^{−1} ∂_s K), ∂_s K = ½ Ai'((x + y)/2 + s)."""
    x, w = _leggauss(m)
    L = 2 * (_airy_cut(18) - min(s, 0.0)) + 1.0
    x, w = (x + 1) * L / 2, w * L / 2
    z = (x[:, None] + x[None, :]) / 2 + s
    ai, aip = special.airy(z)[:2]
    sw = np.sqrt(w)
    a = np.eye(m) - 0.5 * sw[:, None] * ai * sw[None, :]
    det = float(np.linalg.det(a))
    if not derivative:
        return det, math.nan
    dk = 0.5 * sw[:, None] * aip * sw[None, :]
    return det, -det * float(np.trace(np.linalg.solve(a, dk)))


def _fredholm_mp(s: Any, degree: int, ctx: Any, derivative: bool = False) -> tuple[Any, Any]:
    """The mpmath version of :func:`_fredholm_float` (3·2^(degree−1) Gauss–Legendre nodes), in the
    private context ``ctx`` (``s`` one of its numbers)."""
    nodes = [(ctx.convert(xi), ctx.convert(wi)) for xi, wi in _gl_ctx_nodes(degree, ctx.prec)]
    L = 2 * (ctx.mpf(_airy_cut(int(ctx.dps) + 5)) - min(s, 0)) + 1
    x = [(xi + 1) * L / 2 for xi, _ in nodes]
    sw = [ctx.sqrt(wi * L / 2) for _, wi in nodes]
    m = len(x)
    a = ctx.matrix(m, m)
    dk = ctx.matrix(m, m)
    for i in range(m):
        for j in range(i, m):
            z = (x[i] + x[j]) / 2 + s
            a[i, j] = a[j, i] = -sw[i] * sw[j] * ctx.airyai(z) / 2
            if derivative:
                dk[i, j] = dk[j, i] = sw[i] * sw[j] * ctx.airyai(z, derivative=1) / 2
        a[i, i] += 1
    det = ctx.det(a)
    if not derivative:
        return det, ctx.nan
    inv = ctx.inverse(a)
    return det, -det * ctx.fsum(inv[i, j] * dk[j, i] for i in range(m) for j in range(m))


def _mp_converged(s: Any, dps: int, derivative: bool) -> tuple[Any, Any]:
    ctx = context(prec_of(dps + 10))
    kept, _ = exact_scalar("s", s, lower=None)
    sm = to_ctx(kept, ctx)
    prev = None
    tol = ctx.mpf(10) ** (-dps - 3)
    for degree in range(3, 12):
        val = _fredholm_mp(sm, degree, ctx, derivative)
        if prev is not None and abs(val[0] - prev[0]) <= tol and (not derivative or abs(val[1] - prev[1]) <= tol):
            return val
        prev = val
    raise RuntimeError(f"TW1 quadrature did not converge at s={s!r}")  # pragma: no cover


def tracy_widom_goe_cdf(s: Any, dps: int | None = None) -> Any:
    """F₁(s) = P(TW₁ ≤ s), the GOE Tracy–Widom distribution (Bornemann's Fredholm quadrature).

    Float64: vectorised over ``s``, absolute error ≲ 1e-13 (node count raised from 32 until two
    rules agree to 5e-14; round-off in the determinant is ~1e-14). ``dps``: scalar ``s``, an mpmath number good to ``dps`` digits.
    """
    dps = _validate.dps_value(dps)
    if dps is not None:
        val = _mp_converged(s, dps, False)[0]
        return result(min(max(val, 0), 1), dps)
    arr = _validate.real_array("s", s)
    out = np.array([_F1(float(v)) for v in arr.ravel()]).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out


_FLOAT_NODES = (32, 48, 64, 96, 128, 192)


def _cdf_float(s: float, derivative: bool = False) -> tuple[float, float]:
    prev = None
    for m in _FLOAT_NODES:
        val = _fredholm_float(s, m, derivative)
        if prev is not None and abs(val[0] - prev[0]) <= 5e-14 and (not derivative or abs(val[1] - prev[1]) <= 5e-13):
            break
        prev = val
    return min(max(val[0], 0.0), 1.0), val[1]


def _F1(s: float) -> float:
    return _cdf_float(s)[0]


def tracy_widom_goe_pdf(s: Any, dps: int | None = None) -> Any:
    """F₁'(s): float64 from the derivative of the log-determinant (Jacobi's formula, same quadrature);
    with ``dps`` the same formula in mpmath."""
    dps = _validate.dps_value(dps)
    if dps is not None:
        return result(_mp_converged(s, dps, True)[1], dps)
    arr = _validate.real_array("s", s)
    out = np.array([_cdf_float(float(v), True)[1] for v in arr.ravel()]).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out


def tracy_widom_goe_quantile(q: float) -> float:
    """s with F₁(s) = q (Brent's method on the float64 F₁)."""
    q = _validate.real_scalar("q", q)
    if not 0 < q < 1:
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    return float(optimize.brentq(lambda s: _F1(s) - q, -12.0, 10.0, xtol=1e-13))


def tracy_widom_goe_moments() -> tuple[float, float]:
    """(mean, variance) of TW₁ by adaptive quadrature of the float64 F₁:
    mean = ∫₀^∞ (1 − F₁) − ∫_{−∞}^0 F₁, E[s²] = 2∫₀^∞ s(1 − F₁) − 2∫_{−∞}^0 s F₁."""
    f = _F1
    kw = dict(epsabs=1e-12, epsrel=1e-12, limit=200)
    m1 = integrate.quad(lambda s: 1 - f(s), 0, 12, **kw)[0] - integrate.quad(f, -14, 0, **kw)[0]
    m2 = 2 * integrate.quad(lambda s: s * (1 - f(s)), 0, 12, **kw)[0] - 2 * integrate.quad(lambda s: s * f(s), -14, 0, **kw)[0]
    return m1, m2 - m1 * m1


@lru_cache(maxsize=1)
def tracy_widom_goe_table() -> Callable[[Any], np.ndarray]:
    """A vectorised F₁: monotone cubic (PCHIP) interpolation of :func:`tracy_widom_goe_cdf` on a
    0.05-spaced grid over [−8, 8.5], 0 / 1 outside (F₁(−8) < 1e-11, 1 − F₁(8.5) < 1e-9). Measured
    interpolation error ≤ 1e-6 (test_finite_size). Built once per process (331 evaluations, ~5 s)."""
    grid = np.linspace(-8.0, 8.5, 331)
    vals = np.array([_F1(float(v)) for v in grid])
    spline = interpolate.PchipInterpolator(grid, vals, extrapolate=False)

    def f(s: Any) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        return np.where(s < grid[0], 0.0, np.where(s > grid[-1], 1.0, np.nan_to_num(spline(s))))

    return f


# -- the hard edge with parameter a = m − n ------------------------------------------------------
#
# Real Wishart W = XᵀX, X of size m × n (iid N(0, 1)), a = m − n ≥ 0 fixed, n → ∞:
#   P(n·λ_min(W) > x) → E₁(x; a) = det(I − C_x)  on L²(0, 1),   C_x(u, v) = √x·J_a(2√(x u v)),
# the β = 1 hard-edge gap probability (Forrester's LOE with weight λ^{(a−1)/2} e^{−λ/2}; the
# Fredholm form of Desrosiers & Forrester, Nucl. Phys. B 743 (2006) — the hard-edge analogue of
# Ferrari–Spohn's F₁ = det(I − ½Ai((x+y)/2 + s)) used above). Variable x = s/4 in Forrester's
# hard-edge scaling s = 4n·λ_min. Closed forms (derivation ``finite_size.hard_edge_a``):
#   a = 0: e^{−x/2 − √x} (Edelman 1988);  a = 1: e^{−x/2};  a = 3: e^{−x/2} I₁(2√x)/√x.
# The Fredholm determinant is discretised after u = t² (a similarity transform: kernel
# 2t√x J_a(2√x t t'), entire in t, t' for integer a) by Gauss–Legendre on [t₀, 1], where t₀ cuts
# off the region in which J_a is below 10^−digits (Kapteyn's bound J_a(a sech α) ≤ e^{a(tanh α − α)});
# the node count is doubled until two rules agree.
_HARD_CLOSED = (0, 1, 3)


def _hard_edge_closed(x: float, a: int) -> float:
    if a == 0:
        return math.exp(-x / 2 - math.sqrt(x))
    if a == 1:
        return math.exp(-x / 2)
    r = 2 * math.sqrt(x)  # a = 3: e^{−x/2} I₁(2√x)/√x = ₀F₁(; 2; x) e^{−x/2}
    return float(special.ive(1, r) * math.exp(r - x / 2) / math.sqrt(x)) if x > 0 else 1.0


def _bessel_cut(a: int, digits: float) -> float:
    """z₀ with J_a(z) ≤ 10^−digits for 0 ≤ z ≤ z₀ (Kapteyn: J_a(a sech α) ≤ e^{a(tanh α − α)}); 0 if none."""
    target = digits * math.log(10)
    if a == 0:
        return 0.0
    alpha = optimize.brentq(lambda al: a * (al - math.tanh(al)) - target, 1e-12, target / a + 2.0)
    return a / math.cosh(alpha)


def _hard_nodes_float(x: float, a: int, m: int) -> tuple[np.ndarray, np.ndarray, float]:
    r = 2 * math.sqrt(x)
    t0 = min(_bessel_cut(a, 20) / r, 1.0) if r > 0 else 1.0
    t, w = _leggauss(m)
    return t0 + (t + 1) * (1 - t0) / 2, w * (1 - t0) / 2, t0


def _hard_det_float(x: float, a: int, m: int, sign: int = -1) -> float:
    """det(I + sign·C_x) on an m-point rule (sign = +1 only for the check det(I − C)det(I + C) = E₂)."""
    if x <= 0:
        return 1.0
    t, w, t0 = _hard_nodes_float(x, a, m)
    if t0 >= 1.0:
        return 1.0
    r = 2 * math.sqrt(x)
    k = r * t[:, None] * special.jv(a, r * np.outer(t, t)) * w[None, :]
    return float(np.linalg.det(np.eye(m) + sign * k))


def _hard_float(x: float, a: int) -> float:
    prev = None
    for m in _FLOAT_NODES:
        val = _hard_det_float(x, a, m)
        if prev is not None and abs(val - prev) <= 5e-14:
            break
        prev = val
    return min(max(val, 0.0), 1.0)


@lru_cache(maxsize=64)
def _gl_ctx_nodes(degree: int, prec: int) -> tuple:
    """Gauss–Legendre nodes/weights on [−1, 1] (3·2^(degree−1) points) at ``prec`` bits, from a
    private context (never the global one)."""
    from mpmath.calculus.quadrature import GaussLegendre

    from grok_theory.mp.precision import context

    return tuple(GaussLegendre(context(prec)).calc_nodes(degree, prec))


def _hard_det_mp(x: Any, a: int, degree: int, prec: int, digits: int, sign: int = -1) -> Any:
    from grok_theory.mp.precision import context

    ctx = context(prec)
    r = 2 * ctx.sqrt(x)
    t0 = min(ctx.mpf(_bessel_cut(a, digits + 5)) / r, ctx.one)
    if t0 >= 1:
        return ctx.one
    half = (1 - t0) / 2
    nodes = [(t0 + (ti + 1) * half, wi * half) for ti, wi in _gl_ctx_nodes(degree, prec)]
    m = len(nodes)
    mat = ctx.matrix(m, m)
    for i, (ti, _) in enumerate(nodes):
        for j in range(i, m):
            tj = nodes[j][0]
            jb = ctx.besselj(a, r * ti * tj)
            mat[i, j] = sign * r * ti * jb * nodes[j][1]
            if j != i:
                mat[j, i] = sign * r * tj * jb * nodes[i][1]
        mat[i, i] += 1
    return ctx.det(mat)


def _hard_mp(x: Any, a: int, dps: int, sign: int = -1) -> Any:
    """1 − det(I − C_x) (sign = −1) or det(I + C_x) (sign = +1, for the check det(I − C)det(I + C) = E₂)."""
    from grok_theory.mp.precision import context, prec_of, result, to_ctx

    prec = prec_of(dps + 10)
    ctx = context(prec)
    xm = to_ctx(x, ctx)
    if xm <= 0:
        return result(ctx.zero, dps)
    tol = ctx.mpf(10) ** (-dps - 3)
    prev = None
    for degree in range(3, 10):
        val = _hard_det_mp(xm, a, degree, prec, dps + 10, sign)
        if prev is not None and abs(val - prev) <= tol:
            return result(val if sign > 0 else 1 - min(max(val, ctx.zero), ctx.one), dps)
        prev = val
    raise RuntimeError(f"hard-edge quadrature did not converge at x={x!r}, a={a!r}")  # pragma: no cover


def hard_edge_cdf(x: Any, a: int = 0, dps: int | None = None, method: str = "auto") -> Any:
    """lim P(n·λ_min(XᵀX) ≤ x), X real Gaussian m × n, a = m − n fixed: the β = 1 hard-edge law.

    1 − det(I − C_x) on L²(0, 1), C_x(u, v) = √x J_a(2√(x u v)) (Desrosiers & Forrester 2006;
    Forrester 2000 for the Painlevé form). For a = 0 this is Edelman's 1 − e^{−x/2−√x}.

    Parameters
    ----------
    x : float or array ≥ 0
    a : int ≥ 0
        m − n = max(N_tr, d_in) − min(N_tr, d_in).
    dps : int, optional
        Scalar ``x``: an mpmath number good to ``dps`` digits (absolute), by the Fredholm
        determinant in a private context; node count doubled until two rules agree.
    method : {"auto", "fredholm"}
        "auto" uses the closed forms for a ∈ {0, 1, 3} in float64 (``_HARD_CLOSED``), the
        Fredholm determinant otherwise; "fredholm" always the determinant (float64 absolute
        error ≲ 1e-14 against the closed forms, tests/test_hard_edge.py).
    """
    a = _validate.nonnegative_int("a", a)
    _validate.choice("method", method, ("auto", "fredholm"))
    dps = _validate.dps_value(dps)
    if dps is not None:
        from grok_theory.mp.precision import exact_scalar, vectorize

        return vectorize("x", x, lambda v: _hard_mp(exact_scalar("x", v, lower=0.0)[0], a, dps))
    arr = _validate.real_array("x", x, lower=0.0)
    if method == "auto" and a in _HARD_CLOSED:
        f = lambda v: _hard_edge_closed(v, a)  # noqa: E731
    else:
        f = lambda v: _hard_float(v, a)  # noqa: E731
    out = np.array([1.0 - f(float(v)) for v in arr.ravel()]).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out


def hard_edge_determinant(x: Any, a: int, sign: int = -1, dps: int | None = None) -> Any:
    """det(I + sign·C_x) on L²(0, 1), C_x(u, v) = √x J_a(2√(x u v)), for scalar x ≥ 0.

    sign = −1 is the hard-edge survival E₁(x; a) = 1 − :func:`hard_edge_cdf`; the product of the two
    signs is the β = 2 (Bessel-kernel) gap probability, since the Bessel kernel is C_x² — the
    independent check used in tests/test_hard_edge.py. Float64, or mpmath with ``dps``.
    """
    a = _validate.nonnegative_int("a", a)
    if sign not in (-1, 1):
        raise ValueError(f"sign must be -1 or 1, got {sign!r}")
    dps = _validate.dps_value(dps)
    if dps is not None:
        from grok_theory.mp.precision import exact_scalar, result

        val = _hard_mp(exact_scalar("x", x, lower=0.0)[0], a, dps, sign)
        return val if sign > 0 else result(1 - val, dps)
    xv = _validate.real_scalar("x", x)
    if xv < 0:
        raise ValueError(f"x must be >= 0, got {x!r}")
    if sign < 0:
        return _hard_float(xv, a)
    prev = None
    for m in _FLOAT_NODES:
        val = _hard_det_float(xv, a, m, 1)
        if prev is not None and abs(val - prev) <= 5e-14 * max(1.0, abs(val)):
            break
        prev = val
    return val


def hard_edge_quantile(q: Any, a: int = 0) -> Any:
    """Inverse of :func:`hard_edge_cdf`. a = 0: u = √x solves u²/2 + u = −log(1 − q) (closed
    form); a ≥ 1: Brent's method on the float64 law."""
    a = _validate.nonnegative_int("a", a)
    q = _validate.real_array("q", q, lower=0.0)
    if np.any(q >= 1):
        raise ValueError(f"q must be in [0, 1), got {q!r}")
    if a == 0:
        u = -1 + np.sqrt(1 - 2 * np.log1p(-q))
        out = u * u
    else:
        out = np.array([_hard_quantile(float(v), a) for v in q.ravel()]).reshape(q.shape)
    return float(out) if out.ndim == 0 else out


def _hard_quantile(q: float, a: int) -> float:
    if q == 0:
        return 0.0
    cdf = (lambda v: 1 - _hard_edge_closed(v, a)) if a in _HARD_CLOSED else (lambda v: 1 - _hard_float(v, a))
    hi = max(1.0, a * a / 4.0)
    while cdf(hi) < q:
        hi *= 2
    return float(optimize.brentq(lambda v: cdf(v) - q, 0.0, hi, xtol=1e-14 * hi, rtol=1e-13))


@lru_cache(maxsize=32)
def hard_edge_table(a: int) -> Callable[[Any], np.ndarray]:
    """A vectorised hard-edge cdf for parameter ``a``: PCHIP interpolation of :func:`hard_edge_cdf`
    in the variable y = √x on a grid from where the cdf is < 1e-13 to where it is > 1 − 1e-13 (400
    points; 0 / 1 outside). Measured interpolation error in tests/test_hard_edge.py."""
    a = _validate.nonnegative_int("a", a)
    lo = math.sqrt(_hard_quantile(1e-13, a)) if a >= 2 else 0.0
    hi = math.sqrt(_hard_quantile(1 - 1e-13, a))
    grid = np.linspace(lo, hi, 400)
    vals = np.asarray(hard_edge_cdf(grid * grid, a), dtype=float)
    spline = interpolate.PchipInterpolator(grid, vals, extrapolate=False)

    def f(x: Any) -> np.ndarray:
        y = np.sqrt(np.maximum(np.asarray(x, dtype=float), 0.0))
        return np.where(y < lo, 0.0, np.where(y > hi, 1.0, np.nan_to_num(spline(y))))

    return f


@dataclass(frozen=True)
class SmallestEigenvalueLaw:
    """Asymptotic law of ν_min (smallest nonzero eigenvalue of Σ_tr) for one (d_in, N_tr).

    ``kind="soft"``: log ν_min = center − scale·TW₁ (Ma's log scale, see the module docstring);
    ``kind="hard"``: (ν_min/scale)^power follows the hard-edge law with parameter ``a`` (cdf
    :func:`hard_edge_cdf`); power = 1 is the linear scaling ν_min = scale·X (center unused).
    """

    d_in: int
    n_train: int
    kind: str
    center: float
    scale: float
    a: int = 0
    power: float = 1.0

    def _hard_x(self, x: np.ndarray) -> np.ndarray:
        return (np.maximum(x, 0) / self.scale) ** self.power

    def cdf(self, x: Any) -> Any:
        """P(ν_min ≤ x); vectorised through :func:`tracy_widom_goe_table` / :func:`hard_edge_table`."""
        x = np.asarray(x, dtype=float)
        if self.kind == "hard":
            out = hard_edge_cdf(self._hard_x(x)) if self.a == 0 else hard_edge_table(self.a)(self._hard_x(x))
            return float(out) if np.ndim(out) == 0 else out
        with np.errstate(divide="ignore"):
            return 1 - tracy_widom_goe_table()((self.center - np.log(np.maximum(x, 0))) / self.scale)

    def quantile(self, q: Any) -> Any:
        if self.kind == "hard":
            return self.scale * np.asarray(hard_edge_quantile(q, self.a)) ** (1 / self.power) if np.ndim(q) \
                else self.scale * hard_edge_quantile(q, self.a) ** (1 / self.power)
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        out = np.array([math.exp(self.center - self.scale * tracy_widom_goe_quantile(1 - v)) for v in qs])
        return float(out[0]) if np.ndim(q) == 0 else out

    def _moment(self, k: int) -> float:
        if self.kind == "hard":
            # E ν^k = scale^k E X^r, r = k/power; E X^r = ∫₀^∞ r x^{r−1} P(X > x) dx = ∫ 2r y^{2r−1} P(X > y²) dy
            r = k / self.power
            if self.a == 0 and self.power == 1:
                return self.scale**k * integrate.quad(lambda x: k * x ** (k - 1) * math.exp(-x / 2 - math.sqrt(x)), 0, math.inf)[0]
            hi = math.sqrt(_hard_quantile(1 - 1e-13, self.a))
            y = np.linspace(0.0, hi, 8001)
            g = 2 * r * y ** (2 * r - 1) * (1 - hard_edge_table(self.a)(y * y))
            return float(self.scale**k * integrate.simpson(g, x=y))
        # E e^{k(center − scale·s)} over TW₁, by parts on the tabulated F₁: ∫ k·scale·e^{k(c − scale s)} F₁(s) ds
        s = np.linspace(-8.0, 8.5, 6601)
        g = k * self.scale * np.exp(k * (self.center - self.scale * s)) * tracy_widom_goe_table()(s)
        return float(np.exp(k * (self.center - self.scale * s[-1])) + integrate.trapezoid(g, s))

    @property
    def mean(self) -> float:
        return self._moment(1)

    @property
    def std(self) -> float:
        m1 = self._moment(1)
        return math.sqrt(max(self._moment(2) - m1 * m1, 0.0))


# TW₁ mean and variance as published (Bornemann 2010, Table 10); the tests recompute them with
# tracy_widom_goe_moments() from this module's F₁
#: mean of the GOE Tracy–Widom law TW₁ (Bornemann 2010, Table 10)
TW1_MEAN = -1.2065335745820
#: variance of TW₁ (Bornemann 2010, Table 10)
TW1_VAR = 1.6077810345810


#: the "auto" rule uses the hard-edge law for a = max(N_tr, d_in) − min(N_tr, d_in) ≤ HARD_A_MAX (measured: docs/models/finite_size.md §2.4)
HARD_A_MAX = math.inf


def smallest_eigenvalue_law(d_in: int, n_train: int, kind: str = "auto") -> SmallestEigenvalueLaw:
    """The asymptotic law of ν_min of Σ_tr = XᵀX/N_tr (real Gaussian X).

    Parameters
    ----------
    d_in, n_train : int ≥ 1
    kind : {"auto", "hard", "soft", "edelman"}
        "hard": the β = 1 hard-edge law with parameter a = m − n (m = max, n = min of d_in, N_tr)
        in the finite-n scaling x = ((√m' + √n')²/4)·N_tr ν_min, m' = m − ½, n' = n − ½ (exact
        at a = 1; O(n⁻²) at a = 3, derivation ``finite_size.hard_edge_a``); it puts the Bessel
        turning point x = a²/4 at the Marchenko–Pastur edge, so for a → ∞ it tends to a
        Tracy–Widom law at the right place. "soft": TW₁ on Ma's log scale (λ ≠ 1 only).
        "edelman": the earlier a = 0 law with scaling d_in² ν_min (kept for comparison).
        "auto": "hard" for a ≤ :data:`HARD_A_MAX`, "soft" beyond (measured where each holds:
        docs/models/finite_size.md §2.2).
    """
    d_in = _validate.positive_int("d_in", d_in)
    n_train = _validate.positive_int("n_train", n_train)
    _validate.choice("kind", kind, ("auto", "hard", "soft", "edelman"))
    m, n = max(d_in, n_train), min(d_in, n_train)
    a = m - n
    if kind == "auto":
        kind = "hard" if a <= HARD_A_MAX else "soft"
    if kind == "edelman":
        if a != 0:
            raise ValueError(f"kind='edelman' needs d_in == n_train, got d_in={d_in}, n_train={n_train}")
        return SmallestEigenvalueLaw(d_in, n_train, "hard", 0.0, 1.0 / (n * n))
    mp_, np_ = math.sqrt(m - 0.5), math.sqrt(n - 0.5)
    if kind == "hard":
        return SmallestEigenvalueLaw(d_in, n_train, "hard", 0.0, 4.0 / ((mp_ + np_) ** 2 * n_train), a, 1.0)
    if a == 0:
        raise ValueError(f"kind='soft' needs d_in != n_train (no soft edge at λ = 1), got d_in = n_train = {d_in}")
    mu = (mp_ - np_) ** 2
    sigma = (mp_ - np_) * (1 / np_ - 1 / mp_) ** (1 / 3)
    return SmallestEigenvalueLaw(d_in, n_train, "soft", math.log(mu / n_train), sigma / mu)
