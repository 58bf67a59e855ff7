"""The generalised Marchenko–Pastur law: sample covariances of inputs with any population covariance.

For inputs ``x = Σ^{1/2} z`` with ``z ~ N(0, I_d)`` and ``N`` samples (``λ = d/N``), the
eigenvalues ν of ``A = XᵀX/N`` have, as ``d, N → ∞``, a deterministic limiting law determined
by the population spectrum ``H = Σ_k π_k δ_{σ_k}`` through the Silverstein equation. We use the
*renormalised variable* ``ζ(z) = −1/m̲(z)`` (``m̲`` the Stieltjes transform of the companion
``N × N`` Gram matrix), in which the Silverstein equation is explicit:

    z(ζ) = ζ (1 − λ Σ_k π_k σ_k/(σ_k − ζ)),                    (Silverstein–Choi 1995)

``ζ`` maps the upper half plane into itself, and on the support ζ(x + i0) is the unique root of
``z(ζ) = x`` with ``Im ζ > 0``. With weights ``w_k`` along Σ's eigendirections (the *weighted*
spectral measure ``(1/d) Tr[W f(A)]``; ``w ≡ 1`` is the law itself) ::

    m_W(z) = (1/d) Tr[W (A − z)^{-1}] = (1/z) Σ_k π_k w_k ζ/(σ_k − ζ)        (deterministic equivalent)
    ρ_W(x) = (1/(π x)) Σ_k π_k w_k σ_k Im ζ(x) / |σ_k − ζ(x)|²,
    atom_W  = Σ_k π_k w_k |ζ₀|/(σ_k + |ζ₀|)   at ν = 0 (λ > 1; ζ₀ < 0 the root of z(ζ₀) = 0),

and the support edges are the images ``z(ζ_c)`` of the real critical points
``z'(ζ_c) = 1 − λ Σ π σ²/(σ − ζ_c)² = 0`` (derivations ``structured.silverstein``,
``structured.weighted_density``). For ``Σ = I`` this is the Marchenko–Pastur law
(:class:`grok_theory.mp.law.MarchenkoPastur`): ``z(ζ) = ζ(1 − ζ − λ)/(1 − ζ)``.

Numerics. ``ζ(x + i0)`` is found by damped Newton from the edges' square-root expansion and
*certified* by a Kantorovich bound (:meth:`GeneralisedMarchenkoPastur.zeta`: a unique root in a
disc of radius ``2|F/F'|`` that lies in the upper half plane, so it is the root, by uniqueness).
Expectations integrate each support interval in the angle ``x = a + (b − a) sin²(θ/2)`` (the
density's square-root edges become smooth), by Gauss–Legendre in θ with nested doubling; a decay
``e^{−sν}`` is resolved at late times by truncating θ where ``e^{−s(x−a)}`` has dropped below the
target precision (node counts independent of ``s``). Precision is per call (``dps=``).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
from scipy import optimize

from grok_theory import _validate
from grok_theory.mp.precision import context, prec_of, result, takes_context, to_ctx

__all__ = ["GeneralisedMarchenkoPastur", "RootError"]

#: nested-rule relative agreement demanded on the float64 path
_RTOL = 1e-13
#: largest Gauss–Legendre order tried per piece (float64)
_MAX_ORDER = 2048
#: guard digits of the dps paths
_GUARD = 10
#: widest θ-panel of the dps quadrature: the Silverstein root's complex singularities lie near the
#: real axis between population atoms, so one Gauss–Legendre panel on [0, π] needs degree 9–10
#: (1536 nodes, whose computation at high precision dominated: 60 s at dps 20 for two atoms); 16
#: panels converge at low degree (3 s; the value agrees with 8 panels to 40 digits)
_MAX_PANEL = math.pi / 16


def _damped(z: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Newton step ``z − step``, halved (up to 30 times) where it would leave the upper half plane."""
    new = z - step
    for _ in range(30):
        bad = new.imag <= 0
        if not np.any(bad):
            break
        step = np.where(bad, step / 2, step)
        new = z - step
    return new, step


class RootError(ArithmeticError):
    """The Silverstein equation could not be solved (or certified) at some point."""


def _exact(value: Any) -> Any:
    """Keep exact inputs exact (int, Fraction, str, mpf, SymPy number) for the dps paths."""
    if isinstance(value, (int, Fraction, str, mpmath.mpf)):
        return value
    if hasattr(value, "is_number") and getattr(value, "is_number", False):
        import sympy

        return sympy.Rational(value) if value.is_Rational else value
    return float(value)


def _float(value: Any) -> float:
    """A parameter (exact or float) as the nearest float."""
    return float(to_ctx(value, context(64)))


@lru_cache(maxsize=64)
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return (x + 1) / 2, w / 2


class GeneralisedMarchenkoPastur:
    """Limiting eigenvalue law of ``XᵀX/N`` for inputs with population spectrum ``Σ π_k δ_{σ_k}``.

    Parameters
    ----------
    lam : real > 0, ≠ 1
        λ = d/N. (At λ = 1 the lower edge is a hard edge at 0 with a ν^{-1/2} density; not
        supported here — use :class:`~grok_theory.mp.law.MarchenkoPastur` for Σ = I.)
    values : sequence of real > 0
        Population eigenvalues σ_k (the atoms of H). Exact inputs (int, Fraction, str, mpf)
        stay exact on the ``dps`` paths.
    weights : sequence of real ≥ 0, optional
        Their probabilities π_k (normalised to sum 1); equal by default (σ_k = the d
        eigenvalues of a finite Σ).

    Attributes
    ----------
    lam : float
    sigma, pi : ndarray
        Distinct atoms (sorted) and their probabilities.
    support : list of (float, float)
        Intervals of the continuous part (several for separated population atoms).
    lower, upper : float
        Lowest and highest edge.
    atom : float
        Mass ``(1 − 1/λ)⁺`` at ν = 0.

    Notes
    -----
    Silverstein & Choi (1995), Silverstein (1995); the weighted forms are the deterministic
    equivalent ``(A − z)^{-1} ≍ −(1/z)(I + m̲(z) Σ)^{-1}`` (Couillet & Liao 2022, Thm 2.6).
    """

    def __init__(self, lam: Any, values: Sequence[Any], weights: Sequence[Any] | None = None) -> None:
        lam_f = _validate.positive("lam", _float(lam) if isinstance(lam, (str, Fraction, mpmath.mpf)) else lam)
        if lam_f == 1:
            raise ValueError("lam must be > 0 and != 1 for GeneralisedMarchenkoPastur (lam = 1 has a hard edge "
                             "at 0), got 1")
        vals = list(np.atleast_1d(np.asarray(values, dtype=object)).ravel())
        if not vals:
            raise ValueError("values must contain at least one population eigenvalue, got []")
        vf = np.array([_float(v) for v in vals])
        if not np.all(np.isfinite(vf)) or np.any(vf <= 0):
            bad = vf[~(np.isfinite(vf) & (vf > 0))][0]
            raise ValueError(f"values must be finite reals > 0, got {bad!r}")
        if weights is None:
            wts = [Fraction(1, len(vals))] * len(vals)
        else:
            wts = list(np.atleast_1d(np.asarray(weights, dtype=object)).ravel())
            if len(wts) != len(vals):
                raise ValueError(f"weights must have one entry per value ({len(vals)}), got {len(wts)}")
        wf = np.array([_float(w) for w in wts])
        if not np.all(np.isfinite(wf)) or np.any(wf < 0) or wf.sum() <= 0:
            raise ValueError(f"weights must be finite reals >= 0 with a positive sum, got {list(wf)!r}")
        order = np.argsort(vf, kind="stable")
        # merge exactly equal atoms; exact inputs are kept (per atom, the list of raw weights)
        sig, pi, sig_x, pi_x = [], [], [], []
        for i in order:
            if wf[i] == 0:
                continue
            if sig and vf[i] == sig[-1]:
                pi[-1] += wf[i]
                pi_x[-1].append(_exact(wts[i]))
                continue
            sig.append(vf[i])
            pi.append(wf[i])
            sig_x.append(_exact(vals[i]))
            pi_x.append([_exact(wts[i])])
        self.lam = float(lam_f)
        self._lam_x = _exact(lam)
        self.sigma = np.array(sig)
        self.pi = np.array(pi) / np.sum(pi)
        self._sigma_x = tuple(sig_x)
        self._pi_x = tuple(tuple(p) for p in pi_x)
        self.atom = max(0.0, 1.0 - 1.0 / self.lam)
        self._crit = self._critical_points()
        # edges: z at the (float) critical points evaluated at 30 digits, so each lower edge is
        # known as hi + lo (late-time factors e^{−s a} need a to better than float64)
        self._ctx_arrays: dict[Any, tuple[Any, list, list]] = {}
        ctx = context(prec_of(30))
        lo_edges = [self.z_of(ctx.mpf(l)) for l, _ in self._crit]
        self.support = [(float(a), float(self.z_of(ctx.mpf(r)))) for a, (_, r) in zip(lo_edges, self._crit)]
        self._edge_lo_err = [float(a - float(a)) for a in lo_edges]
        self.lower, self.upper = self.support[0][0], self.support[-1][1]
        self._zeta0 = self._zeta_zero() if self.lam > 1 else 0.0
        self._rule: NodeSet | None = None

    # -- construction helpers ------------------------------------------------------------------
    @classmethod
    def identity(cls, lam: Any) -> "GeneralisedMarchenkoPastur":
        """Σ = I: the Marchenko–Pastur law."""
        return cls(lam, [1])

    @classmethod
    def power_law(cls, lam: Any, alpha: float, d: int, normalise: bool = True) -> "GeneralisedMarchenkoPastur":
        """Population eigenvalues ``σ_k ∝ k^{-alpha}``, k = 1..d (equal weights 1/d).

        The finite-d spectrum itself (what a simulation with ``d_in = d`` samples); with
        ``normalise`` the mean ``Tr Σ/d`` is 1 (the isotropic case's scale).
        """
        alpha = _validate.nonnegative("alpha", alpha)
        d = _validate.positive_int("d", d)
        sig = np.arange(1, d + 1, dtype=float) ** (-alpha)
        if normalise:
            sig = sig / sig.mean()
        return cls(lam, sig)

    @classmethod
    def continuous(cls, lam: Any, quantile: Callable[[np.ndarray], np.ndarray], n: int) -> "GeneralisedMarchenkoPastur":
        """A continuous population law H discretised at its ``n`` midpoint quantiles ``H^{-1}((j − ½)/n)``.

        The discretisation error is measured by comparing n with 2n (see the docs page): for a
        smooth H it decreases like n^{-2} away from the edges.
        """
        n = _validate.positive_int("n", n)
        u = (np.arange(n) + 0.5) / n
        return cls(lam, np.asarray(quantile(u), dtype=float))

    def __repr__(self) -> str:
        return (f"GeneralisedMarchenkoPastur(lam={self._lam_x!r}, {len(self.sigma)} atoms in "
                f"[{self.sigma[0]:.4g}, {self.sigma[-1]:.4g}]; support {len(self.support)} interval(s) in "
                f"[{self.lower:.6g}, {self.upper:.6g}])")

    # -- the Silverstein map -------------------------------------------------------------------
    def _arrays(self, ctx: Any = None) -> tuple[Any, Any, Any]:
        """(λ, σ, π): float64 arrays, or lists of numbers of the mpmath context ``ctx`` (exact inputs
        converted at its precision)."""
        if ctx is not None:
            # per context (each is one thread's, at one fixed precision): the integrands call this per node
            cached = self._ctx_arrays.get(ctx)
            if cached is None:
                raw = [ctx.fsum(to_ctx(q, ctx) for q in p) for p in self._pi_x]
                total = ctx.fsum(raw)
                cached = self._ctx_arrays[ctx] = (to_ctx(self._lam_x, ctx), [to_ctx(s, ctx) for s in self._sigma_x],
                                                  [r / total for r in raw])
            return cached
        return self.lam, self.sigma, self.pi

    def z_of(self, zeta: Any) -> Any:
        """``z(ζ) = ζ(1 − λ Σ π σ/(σ − ζ))`` (numpy arrays, complex allowed, or an mpmath number)."""
        if hasattr(zeta, "_mpf_") or hasattr(zeta, "_mpc_"):
            ctx = zeta.context
            lam, sig, pi = self._arrays(ctx)
            return zeta * (1 - lam * ctx.fsum(p * s / (s - zeta) for s, p in zip(sig, pi)))
        zeta = np.asarray(zeta)
        return zeta * (1 - self.lam * (self.pi * self.sigma / (self.sigma - zeta[..., None])).sum(-1))

    def _dz(self, zeta: Any) -> Any:
        """``z'(ζ) = 1 − λ Σ π σ²/(σ − ζ)²``."""
        zeta = np.asarray(zeta)
        return 1 - self.lam * (self.pi * self.sigma**2 / (self.sigma - zeta[..., None]) ** 2).sum(-1)

    def _d2z(self, zeta: Any) -> Any:
        zeta = np.asarray(zeta)
        return -2 * self.lam * (self.pi * self.sigma**2 / (self.sigma - zeta[..., None]) ** 3).sum(-1)

    def _critical_points(self) -> list[tuple[float, float]]:
        """Pairs (ζ_left, ζ_right) of real critical points bounding each support interval.

        ``S(ζ) = λ Σ π σ²/(σ − ζ)²`` is convex between consecutive atoms; the support's edges are
        z at the roots of S = 1: one below σ_1, one above σ_K, and 0 or 2 in each gap (a gap
        whose two-neighbour lower bound ``(A^{1/3} + B^{1/3})³/L²`` exceeds 1 has none).
        """
        lam, sig, pi = self.lam, self.sigma, self.pi

        def S(z: float) -> float:
            return float(lam * np.sum(pi * sig**2 / (sig - z) ** 2)) - 1.0

        def dS(z: float) -> float:
            return float(2 * lam * np.sum(pi * sig**2 / (sig - z) ** 3))

        def root(f: Callable[[float], float], a: float, b: float) -> float:
            return optimize.brentq(f, a, b, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)

        # below σ_1: S increases from 0 to ∞
        span = sig[-1] * (1 + lam) + 1.0
        lo = sig[0] - span
        while S(lo) > 0:
            lo -= 2 * span
        left = [root(S, lo, np.nextafter(sig[0], -np.inf) if S(np.nextafter(sig[0], -np.inf)) > 0 else sig[0] * (1 - 1e-15))]
        pairs_gaps: list[tuple[float, float]] = []
        A = lam * pi * sig**2
        for j in range(len(sig) - 1):
            L = sig[j + 1] - sig[j]
            if (np.cbrt(A[j]) + np.cbrt(A[j + 1])) ** 3 / L**2 > 1.0 + 1e-12:
                continue
            eps_a, eps_b = sig[j] + L * 1e-15 + abs(sig[j]) * 1e-15, sig[j + 1] - L * 1e-15 - abs(sig[j + 1]) * 1e-15
            m = root(dS, eps_a, eps_b)
            if S(m) >= 0:
                continue
            pairs_gaps.append((root(S, eps_a, m), root(S, m, eps_b)))
        hi = sig[-1] + span
        while S(hi) > 0:
            hi += 2 * span
        right = root(S, sig[-1] * (1 + 1e-15) + 1e-300, hi)
        # support intervals: [z(r_0), z(l_1)], [z(r_1), z(l_2)], ..., [z(r_m), z(l_K)]
        lefts = [left[0]] + [b for _, b in pairs_gaps]
        rights = [a for a, _ in pairs_gaps] + [right]
        return list(zip(lefts, rights))

    def _zeta_zero(self) -> float:
        """ζ₀ < 0 with z(ζ₀) = 0, ζ₀ ≠ 0 (λ > 1): the root of λ Σ π σ/(σ − ζ) = 1 below 0."""
        f = lambda z: float(self.lam * np.sum(self.pi * self.sigma / (self.sigma - z))) - 1.0  # noqa: E731
        lo = -1.0
        while f(lo) > 0:
            lo *= 2
        return optimize.brentq(f, lo, self._crit[0][0], xtol=1e-300, rtol=4 * np.finfo(float).eps)

    # -- ζ(x + i0) on the support --------------------------------------------------------------
    def _interval_of(self, x: np.ndarray) -> np.ndarray:
        """Index of the support interval containing each x (−1 outside)."""
        idx = np.full(x.shape, -1)
        for i, (a, b) in enumerate(self.support):
            idx[(x > a) & (x < b)] = i
        return idx

    def _initial(self, x: np.ndarray, i: int) -> np.ndarray:
        """Square-root interpolation between the two edges' expansions ζ ≈ ζ_c + i√(2|x − e|/|z''|)."""
        (la, rb), (a, b) = self._crit[i], self.support[i]
        u = np.clip((x - a) / (b - a), 0.0, 1.0)
        ha = math.sqrt(2 * (b - a) / abs(float(self._d2z(la))))
        hb = math.sqrt(2 * (b - a) / abs(float(self._d2z(rb))))
        return la + (rb - la) * u + 1j * ((1 - u) * ha + u * hb) * np.sqrt(u * (1 - u))

    def _newton(self, x: np.ndarray, z0: np.ndarray, iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
        """Damped Newton for z(ζ) = x keeping Im ζ > 0; returns (ζ, converged mask)."""
        zeta = z0.astype(complex)
        done = np.zeros(x.shape, dtype=bool)
        for _ in range(iters):
            act = np.flatnonzero(~done)
            if not act.size:
                break
            zt = zeta[act]
            F = self.z_of(zt) - x[act]
            dF = self._dz(zt)
            new, step = _damped(zt, F / dF)
            zeta[act] = new
            # converged at rounding level: the root is known to ~eps·|x|/|F'| (ill-conditioned at edges)
            done[act] = np.abs(step) <= np.maximum(4e-16 * np.abs(new), 16e-16 * (np.abs(x[act]) + 1) / np.abs(dF))
        return zeta, done & (zeta.imag > 0)

    def zeta(self, x: Any, certify: bool = False) -> np.ndarray:
        """``ζ(x + i0)`` for real x inside the support (float64, vectorised; complex array).

        With ``certify`` a Kantorovich bound is checked at every point: with F = z(ζ) − x,
        ``β = |F/F'|`` and ``M ≥ |F''|`` on the disc of radius 2β (from the atoms' distances), the
        condition ``2βM/|F'| ≤ 1`` guarantees a unique root within 2β; the disc must lie in the
        upper half plane (Im ζ > 2β), so the root is *the* root of the Silverstein equation.
        Raises :class:`RootError` otherwise.
        """
        x = np.asarray(_validate.real_array("x", x), dtype=float)
        flat = x.ravel()
        out = np.full(flat.shape, np.nan + 0j)
        idx = self._interval_of(flat)
        for i in np.unique(idx[idx >= 0]):
            rows = np.flatnonzero(idx == i)
            z, ok = self._newton(flat[rows], self._initial(flat[rows], i))
            if not np.all(ok):
                z = self._continuation(flat[rows], z, ok, i)
            out[rows] = z
        if certify:
            self._certify(flat[idx >= 0], out[idx >= 0])
        return out.reshape(x.shape)

    def zeta_theta(self, i: int, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ζ at ``x = a + (b − a) sin²(θ/2)`` on interval i, solved relative to the nearer edge e.

        With u = ζ − ζ_e and z'(ζ_e) = 0, ``z(ζ_e + u) − e = −λ u² Σ π σ²/((σ − ζ_e)²(σ − ζ_e − u))``
        exactly, so ``x − e`` (given exactly by θ) is matched without cancellation even where x
        rounds to the edge (late-time nodes). Returns (ζ, x − a).
        """
        (la, rb), (a, b) = self._crit[i], self.support[i]
        theta = np.asarray(theta, dtype=float)
        low = theta <= np.pi / 2
        delta_a = (b - a) * np.sin(theta / 2) ** 2
        target = np.where(low, delta_a, -(b - a) * np.cos(theta / 2) ** 2)
        ze = np.where(low, la, rb)
        sig, lam = self.sigma, self.lam
        cw = self.pi * sig**2 / (sig - ze[:, None]) ** 2
        u = self._initial(a + delta_a, i) - ze
        d2 = np.where(low, float(self._d2z(la)), float(self._d2z(rb)))
        near = np.abs(target) < 1e-4 * (b - a)
        u = np.where(near, np.sqrt(2 * target / d2 + 0j), u)
        u = np.where(u.imag > 0, u, np.abs(u) * 1j)
        done = np.zeros(theta.shape, dtype=bool)
        self._iterations = 0
        for _ in range(200):
            act = np.flatnonzero(~done)
            if not act.size:
                break
            self._iterations += 1
            uu, c, tg = u[act], cw[act], target[act]
            r = 1 / (sig - ze[act, None] - uu[:, None])
            s1 = (c * r).sum(-1)
            s2 = (c * r * r).sum(-1)
            g = -lam * uu * uu * s1 - tg
            dg = -lam * (2 * uu * s1 + uu * uu * s2)
            new, step = _damped(uu, g / dg)  # Im u = Im ζ (ζ_e is real)
            u[act] = new
            # the step just taken was below 1e-11 relative: in the quadratic regime the error left is ~1e-22
            done[act] = np.abs(step) <= 1e-11 * np.abs(new)
        if not np.all(done):
            # stagnation at rounding level is accepted when the residual is at rounding level
            r = 1 / (sig - ze[:, None] - u[:, None])
            res = np.abs(-lam * u * u * (cw * r).sum(-1) - target)
            if np.any(res[~done] > 1e-13 * np.abs(target[~done]) + 1e-15 * (b - a)) or np.any(u.imag <= 0):
                raise RootError(f"Silverstein equation (edge-relative) did not converge on interval {i}")
        return ze + u, delta_a

    def _continuation(self, x: np.ndarray, z: np.ndarray, ok: np.ndarray, i: int) -> np.ndarray:
        """Points where Newton failed: walk from the nearest solved point (or edge) in small steps."""
        order = np.argsort(x)
        xs, zs, oks = x[order], z[order].copy(), ok[order].copy()
        a, b = self.support[i]
        for j in np.flatnonzero(~oks):
            good = np.flatnonzero(oks)
            if good.size:
                k = good[np.argmin(np.abs(good - j))]
                x0, z0 = xs[k], zs[k]
            else:
                x0 = a + (b - a) * 1e-6
                z0 = self._initial(np.array([x0]), i)[0]
            for xx in np.linspace(x0, xs[j], 65)[1:]:
                zz, o = self._newton(np.array([xx]), np.array([z0]))
                if not o[0]:
                    raise RootError(f"Silverstein equation: Newton continuation failed at x={xx!r} (lam={self.lam})")
                z0 = zz[0]
            zs[j], oks[j] = z0, True
        out = np.empty_like(z)
        out[order] = zs
        return out

    def _certify(self, x: np.ndarray, zeta: np.ndarray) -> None:
        F = self.z_of(zeta) - x
        dF = self._dz(zeta)
        with np.errstate(divide="ignore", invalid="ignore"):
            self._certify_bound(x, zeta, F, dF)

    def _certify_bound(self, x: np.ndarray, zeta: np.ndarray, F: np.ndarray, dF: np.ndarray) -> None:
        beta = np.abs(F / dF) + 4e-16 * np.abs(zeta)  # rounding of F itself
        r = 2 * beta
        dist = np.min(np.abs(self.sigma - zeta[:, None]), axis=1) - r
        M = 2 * self.lam * (self.pi * self.sigma**2 / np.maximum(np.abs(self.sigma - zeta[:, None]) - r[:, None], 1e-300) ** 3).sum(-1)
        good = (dist > 0) & (2 * beta * M / np.abs(dF) <= 1) & (zeta.imag > r)
        if not np.all(good):
            k = np.flatnonzero(~good)[0]
            raise RootError(f"Silverstein root at x={x[k]!r} not certified (beta={beta[k]:.3g}, Im zeta={zeta[k].imag:.3g})")

    def _zeta_mp(self, x: Any, guess: complex) -> Any:
        """ζ(x + i0) at the precision of ``x``'s context: Newton from the float64 root, Kantorovich-certified."""
        ctx = x.context
        lam, sig, pi = self._arrays(ctx)
        z = ctx.mpc(guess)
        tol = ctx.mpf(2) ** (-ctx.prec + 4)
        for _ in range(200):
            F = z * (1 - lam * ctx.fsum(p * s / (s - z) for s, p in zip(sig, pi))) - x
            dF = 1 - lam * ctx.fsum(p * s * s / (s - z) ** 2 for s, p in zip(sig, pi))
            step = F / dF
            z -= step
            if z.imag <= 0:
                z = ctx.mpc(z.real, abs(step))
            if abs(step) <= tol * max(abs(z), (abs(x) + 1) / abs(dF)):
                break
        else:
            raise RootError(f"Silverstein equation: Newton did not converge at x={x} (dps={ctx.dps})")
        F = z * (1 - lam * ctx.fsum(p * s / (s - z) for s, p in zip(sig, pi))) - x
        dF = 1 - lam * ctx.fsum(p * s * s / (s - z) ** 2 for s, p in zip(sig, pi))
        beta = abs(F / dF) + tol * abs(z)
        r = 2 * beta
        if z.imag <= r or min(abs(s - z) for s in sig) <= r:
            raise RootError(f"Silverstein root at x={x} not certified (Im zeta={ctx.nstr(z.imag, 5)})")
        M = 2 * lam * ctx.fsum(p * s * s / (abs(s - z) - r) ** 3 for s, p in zip(sig, pi))
        if 2 * beta * M > abs(dF):
            raise RootError(f"Silverstein root at x={x} not certified (Kantorovich condition fails)")
        return z

    # -- the Stieltjes transform, density and atom ---------------------------------------------
    def _weights(self, weights: Any, ctx: Any = None) -> Any:
        """Per-atom weights w_k along Σ's eigendirections (default 1), validated; aligned with sigma.

        With an mpmath context ``ctx``: a list of its numbers (a callable gets σ_k at its precision).
        """
        mp = ctx is not None
        if weights is None:
            return [ctx.mpf(1)] * len(self.sigma) if mp else np.ones(len(self.sigma))
        if callable(weights):
            if mp:
                return [ctx.convert(weights(s)) for s in self._arrays(ctx)[1]]
            w = np.asarray(weights(self.sigma), dtype=float)
        else:
            w = np.asarray(weights, dtype=float)
        if w.shape != self.sigma.shape or not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be a finite array of shape {self.sigma.shape} (one per distinct atom) "
                             f"or a function of sigma, got shape {np.shape(w)}")
        return [ctx.mpf(float(v)) for v in w] if mp else w

    def atom_mass(self, weights: Any = None, dps: int | None = None) -> Any:
        """Mass of the atom at ν = 0 of the weighted measure: ``Σ π w |ζ₀|/(σ + |ζ₀|)`` (0 for λ < 1)."""
        dps = _validate.dps_value(dps)
        if self.lam < 1:
            return result(0, dps) if dps else 0.0
        if dps is None:
            w = self._weights(weights)
            z0 = -self._zeta0
            return float(np.sum(self.pi * w * z0 / (self.sigma + z0)))
        return result(self._atom_mass_mp(weights, context(prec_of(dps + _GUARD))), dps)

    def _atom_mass_mp(self, weights: Any, ctx: Any) -> Any:
        z0 = -self._zeta0_mp(ctx)
        lam, sig, pi = self._arrays(ctx)
        w = self._weights(weights, ctx)
        return ctx.fsum(p * ww * z0 / (s + z0) for s, p, ww in zip(sig, pi, w))

    def _zeta0_mp(self, ctx: Any) -> Any:
        lam, sig, pi = self._arrays(ctx)
        f = lambda z: lam * ctx.fsum(p * s / (s - z) for s, p in zip(sig, pi)) - 1  # noqa: E731
        return ctx.findroot(f, (ctx.mpf(self._zeta0) * (1 + ctx.mpf(2) ** -30),
                                ctx.mpf(self._zeta0) * (1 - ctx.mpf(2) ** -30)), solver="anderson")

    def stieltjes(self, z: Any, weights: Any = None) -> Any:
        """``m_W(z) = (1/d) Tr[W (A − z)^{-1}] = (1/z) Σ π w ζ(z)/(σ − ζ(z))`` for Im z > 0 (float64).

        ζ(z) is the fixed point of ``ζ = z/(1 − λ Σ π σ/(σ − ζ))`` in the upper half plane,
        reached by the contractive iteration on m̲ = −1/ζ and polished by Newton.
        """
        z = np.asarray(z, dtype=complex)
        if np.any(z.imag <= 0):
            raise ValueError("z must have Im z > 0 (use pdf/zeta for boundary values on the real axis)")
        w = self._weights(weights)
        mb = -1 / z  # m̲ at infinity
        for _ in range(20000):
            new = -1 / (z - self.lam * (self.pi * self.sigma / (1 + self.sigma * mb[..., None])).sum(-1))
            if np.all(np.abs(new - mb) <= 1e-10 * np.abs(new)):
                mb = new
                break
            mb = new
        zeta = -1 / mb
        for _ in range(20):
            zeta = zeta - (self.z_of(zeta) - z) / self._dz(zeta)
        return (self.pi * w * zeta[..., None] / (self.sigma - zeta[..., None])).sum(-1) / z

    def pdf(self, x: Any, weights: Any = None, dps: int | None = None) -> Any:
        """Density of the continuous part of the (weighted) law,
        ``ρ_W(x) = (1/(πx)) Σ π w σ Im ζ/|σ − ζ|²`` (0 outside the support)."""
        dps = _validate.dps_value(dps)
        if dps is None:
            x = _validate.real_array("x", x)
            flat = np.atleast_1d(x).ravel()
            out = np.zeros(flat.shape)
            inside = self._interval_of(flat) >= 0
            if np.any(inside):
                out[inside] = self._density(flat[inside], self.zeta(flat[inside]), self._weights(weights))
            return float(out[0]) if x.ndim == 0 else out.reshape(x.shape)
        ctx = context(prec_of(dps + _GUARD))
        xm = to_ctx(x, ctx)
        xf = float(xm)
        if self._interval_of(np.array([xf]))[0] < 0:
            return result(0, dps)
        return result(self._density_mp(xm, self._zeta_mp(xm, complex(self.zeta(xf))), self._weights(weights, ctx)), dps)

    def _density(self, x: np.ndarray, zeta: np.ndarray, w: np.ndarray) -> np.ndarray:
        s = self.sigma
        return (self.pi * w * s / np.abs(s - zeta[:, None]) ** 2).sum(-1) * zeta.imag / (np.pi * x)

    def _density_mp(self, x: Any, zeta: Any, w: list) -> Any:
        ctx = x.context
        _, sig, pi = self._arrays(ctx)
        return ctx.fsum(p * ww * s / abs(s - zeta) ** 2 for s, p, ww in zip(sig, pi, w)) * zeta.imag / (ctx.pi * x)

    # -- expectations --------------------------------------------------------------------------
    def cut(self, i: int, s: float, digits: float) -> float:
        """Angle θ_c ≤ π beyond which ``e^{−s(x − a)}`` < 10^{-digits} on interval i (x = a + (b−a) sin²(θ/2))."""
        a, b = self.support[i]
        if s <= 0:
            return math.pi
        q = digits * math.log(10) / (s * (b - a))
        return math.pi if q >= 1 else 2 * math.asin(math.sqrt(q))

    def nodes(self, i: int, theta_c: float, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Gauss–Legendre nodes of interval i in θ ∈ [0, θ_c]: (x, ζ(x + i0), dx/dθ·weight, θ)."""
        a, b = self.support[i]
        u, w = _gauss_legendre(n)
        theta = theta_c * u
        x = a + (b - a) * np.sin(theta / 2) ** 2
        zeta = self.zeta(x)
        return x, zeta, w * theta_c * (b - a) / 2 * np.sin(theta), theta

    def expect(self, f: Callable[[Any], Any], weights: Any = None, dps: int | None = None, *, s: Any = 0.0) -> Any:
        """``E_W[f(ν) e^{−sν}] = (1/d) Tr[W f(A) e^{−sA}]`` over the (weighted) law, atom included.

        Parameters
        ----------
        f : callable ``f(nu)`` or ``f(nu, ctx)``
            Vectorised over a float64 array (float64 path) or called with one number of a private
            mpmath context at the working precision (``dps``). Module functions such as
            ``mpmath.exp`` run at the global precision; with a second parameter ``ctx`` (numpy on
            the float64 path, the working mpmath context with ``dps``) use ``ctx.exp`` etc. (as in
            :meth:`MarchenkoPastur.expect <grok_theory.mp.law.MarchenkoPastur.expect>`).
        weights : array (one per atom of ``sigma``) or callable of σ, optional
            Teacher/covariance weights w_k; default 1 (the law itself).
        dps : int, optional
            Digits of an mpmath result (Gauss–Legendre at increasing order, each node's ζ
            solved and certified at the working precision, until two orders agree).
        s : float ≥ 0
            Decay ``e^{−sν}`` resolved by truncating each interval where it has dropped below
            the target precision (f must not grow faster than it decays).
        """
        if not callable(f):
            raise TypeError(f"f must be callable, got {f!r}")
        dps = _validate.dps_value(dps)
        if takes_context(f):  # f(nu, ctx): numpy on the float64 path, the private context with dps
            f_ctx = f
            f = (lambda nu: f_ctx(nu, np)) if dps is None else (lambda nu: f_ctx(nu, nu.context))
        if dps is None:
            s = _validate.nonnegative("s", s)
            return self._expect_float(f, self._weights(weights), s)
        return self._expect_mp(f, weights, dps, s)

    def rule(self) -> "NodeSet":
        """The composite angle rule of the continuous part (built once per law; see :class:`NodeSet`)."""
        if self._rule is None:
            self._rule = NodeSet(self)
        return self._rule

    def _expect_float(self, f: Callable[[Any], Any], w: np.ndarray, s: float) -> float:
        total = 0.0
        if self.atom > 0:
            total += self.atom_mass(w) * float(np.asarray(f(np.zeros(1)), dtype=float).ravel()[0])
        rule = self.rule()
        dens = rule.density(w)
        vals = []
        for nodes in (rule, rule.check):
            fx = np.asarray(f(nodes.x), dtype=float)
            if fx.shape != nodes.x.shape:
                raise ValueError(f"f must be vectorised: f(array of shape {nodes.x.shape}) returned shape {fx.shape}")
            d = dens if nodes is rule else nodes.density(w)
            terms = fx * np.exp(-s * nodes.delta) * d * nodes.w
            vals.append((terms, nodes))
        (t_full, r_full), (t_half, r_half) = vals
        err = 0.0
        for i, a in enumerate(rule.edges_lo):
            full = float(np.sum(t_full[r_full.interval == i]))
            half = float(np.sum(t_half[r_half.interval == i]))
            mag = float(np.sum(np.abs(t_full[r_full.interval == i])))
            if abs(full - half) > 1e-11 * max(mag, 1e-300):
                raise ArithmeticError(f"E[f e^(-s nu)] not resolved on interval {i} (s={s}); f may be singular "
                                      "or s beyond the rule's grading")
            total += full * math.exp(-s * a) * math.exp(-s * rule.edges_lo_err[i])
        return total

    def _expect_mp(self, f: Callable[[Any], Any], weights: Any, dps: int, s: Any) -> mpmath.mpf:
        ctx = context(prec_of(dps + _GUARD))
        # mpmath.quad's target is its context's precision: the panels are integrated at dps + 3
        # digits, the integrand evaluated at dps + _GUARD
        qctx = context(prec_of(dps + 3))
        sm = to_ctx(s, ctx)
        if sm < 0:
            raise ValueError(f"s must be >= 0, got {s!r}")
        w = self._weights(weights, ctx)
        total = ctx.mpf(0)
        if self.atom > 0:
            total += self._atom_mass_mp(weights, ctx) * ctx.convert(f(ctx.mpf(0)))
        crit = self._critical_mp(ctx)
        panels = self.rule().panels
        for i, (za, zb) in enumerate(crit):
            a, b = self.z_of(za), self.z_of(zb)
            cut = self.cut(i, float(sm), dps + 3)
            # no cut: the whole interval up to θ = π exactly (float π is 1.2e-16 short, which at
            # dps > 45 is visible: the integrand vanishes like (π − θ)²)
            theta_c = qctx.pi if cut == math.pi else qctx.mpf(cut)
            lam_m, sig_m, pi_m = self._arrays(ctx)
            rule = self.rule()
            sel = rule.interval == i
            th_i, zr_i, zi_i = rule.theta[sel], rule.zeta[sel].real, rule.zeta[sel].imag
            cws = [[p_ * q * q / (q - ze) ** 2 for q, p_ in zip(sig_m, pi_m)] for ze in (za, zb)]

            def g(theta_q: Any, i: int = i, a: Any = a, b: Any = b, za: Any = za, zb: Any = zb) -> Any:
                # ζ relative to the nearer edge e: −λu² Σ π σ²/((σ−ζ_e)²(σ−ζ_e−u)) = x − e (no cancellation)
                theta = ctx.convert(theta_q)
                low = theta <= ctx.pi / 2
                ze, cw = (za, cws[0]) if low else (zb, cws[1])
                delta = (b - a) * ctx.sin(theta / 2) ** 2
                target = delta if low else -(b - a) * ctx.cos(theta / 2) ** 2
                tf = float(theta)
                if abs(float(target)) < 1e-6 * float(b - a):  # the edge's square-root expansion
                    u = ctx.sqrt(2 * target / self._d2z(float(ze)).item())
                    u = ctx.mpc(abs(u.real), abs(u.imag)) if u.imag < 0 else u
                else:  # the float64 rule's ζ, interpolated in θ
                    u = ctx.mpc(complex(np.interp(tf, th_i, zr_i), np.interp(tf, th_i, zi_i))) - ze
                tol = ctx.mpf(2) ** (-ctx.prec + 6)
                for _ in range(100):
                    r = [1 / (q - ze - u) for q in sig_m]
                    s1 = ctx.fsum(c_ * r_ for c_, r_ in zip(cw, r))
                    s2 = ctx.fsum(c_ * r_ * r_ for c_, r_ in zip(cw, r))
                    step = (-lam_m * u * u * s1 - target) / (-lam_m * (2 * u * s1 + u * u * s2))
                    u -= step
                    if abs(step) <= tol * abs(u):
                        break
                else:
                    raise RootError(f"Silverstein equation (edge-relative, dps={ctx.dps}) did not converge")
                zeta = ze + u
                if zeta.imag <= 0:
                    raise RootError(f"Silverstein root left the upper half plane at theta={theta}")
                x = a + delta
                return qctx.convert(ctx.convert(f(x)) * ctx.exp(-sm * delta) * self._density_mp(x, zeta, w)
                                    * (b - a) / 2 * ctx.sin(theta))

            # panel by panel on the float64 rule's panels (graded at the edges, refined on the bumps
            # of a discrete spectrum), truncated where e^{−s(x−a)} < 10^{−dps−3}
            # the geometric grading (needed for late-time peaks and two-point corners, not for an
            # analytic single integrand) is merged below the peak width and near θ = π
            width = 4 / math.sqrt(float(sm) * float(b - a) + 1)
            keep = [p_ for p_ in panels[i] if max(math.pi / 64, width) < p_ < 15 * math.pi / 16]
            grid = [0.0] + keep + [math.pi]
            # and no panel wider than _MAX_PANEL
            grid = [x for lo_, hi_ in zip(grid[:-1], grid[1:])
                    for x in np.linspace(lo_, hi_, max(1, math.ceil((hi_ - lo_) / _MAX_PANEL)) + 1)[:-1].tolist()] + [math.pi]
            val, err = ctx.mpf(0), ctx.mpf(0)
            for lo_, hi_ in zip(grid[:-1], grid[1:]):
                if lo_ >= float(theta_c):
                    break
                v, e = qctx.quad(g, [qctx.mpf(lo_), theta_c if hi_ == math.pi else min(qctx.mpf(hi_), theta_c)], method="gauss-legendre",
                                 error=True, maxdegree=10)
                val, err = val + ctx.convert(v), err + ctx.convert(e)
            if err > abs(val) * ctx.mpf(10) ** (-dps) and err > ctx.mpf(10) ** (-dps):
                raise ArithmeticError(f"E[f] at dps={dps}: quadrature error estimate {ctx.nstr(err, 3)} too large")
            total += val * ctx.exp(-sm * a)
        return result(total, dps)

    def _critical_mp(self, ctx: Any) -> list[tuple[Any, Any]]:
        """The critical points at ``ctx``'s precision (Newton on S(ζ) = 1 from the float roots)."""
        lam, sig, pi = self._arrays(ctx)
        S = lambda z: lam * ctx.fsum(p * q * q / (q - z) ** 2 for q, p in zip(sig, pi)) - 1  # noqa: E731
        return [(ctx.findroot(S, ctx.mpf(l)), ctx.findroot(S, ctx.mpf(r))) for l, r in self._crit]

    def edges(self, dps: int | None = None) -> list[tuple[Any, Any]]:
        """Support intervals; with ``dps``, the edges z(ζ_c) at that precision."""
        dps = _validate.dps_value(dps)
        if dps is None:
            return list(self.support)
        ctx = context(prec_of(dps + _GUARD))
        return [(result(self.z_of(l), dps), result(self.z_of(r), dps)) for l, r in self._critical_mp(ctx)]

    def moment(self, k: int, weights: Any = None) -> float:
        """``(1/d) Tr[W A^k]`` by quadrature (float64)."""
        k = _validate.nonnegative_int("k", k)
        return self.expect(lambda x: x**k, weights)


#: geometric grading of the panels toward θ = 0 (lower edges; late-time peaks) and θ = π
_GRADE_LO, _GRADE_HI = 26, 6
#: grading toward the lower edges of the other intervals (their late-time share is e^{−s(a_i − a_0)})
_GRADE_OTHER = 8
#: Gauss–Legendre points per panel (the check rule uses half as many)
_PANEL_N = 20


class NodeSet:
    """Composite Gauss–Legendre rule in the angle θ of every support interval, with ζ at its nodes.

    Each interval ``[a, b]`` is mapped by ``x = a + (b − a) sin²(θ/2)``; θ ∈ [0, π] is cut into
    panels graded geometrically toward both edges (``π 2^{-j}``, j ≤ 26, so a decay ``e^{−s(x−a)}``
    is resolved for ``s(b − a)`` up to ~1e30 with a bounded number of nodes, and point
    singularities of two-point kernels at the corners are resolved as by hp-quadrature) and
    bisected where ``_PANEL_N`` and ``_PANEL_N/2`` points disagree on the density beyond 1e-14 of
    the interval's mass (the bumps a discrete population spectrum leaves in the bulk). ``check``
    is the same panels with half the points: the error estimate of every sum.
    """

    def __init__(self, law: GeneralisedMarchenkoPastur, panels: list[np.ndarray] | None = None, n: int = _PANEL_N) -> None:
        self.law = law
        self.edges_lo = [a for a, _ in law.support]
        self.edges_lo_err = list(law._edge_lo_err)
        if panels is None:
            panels = [self._adapt(i) for i in range(len(law.support))]
        self.panels = panels
        xs, ws, zs, iv, ths, ds = [], [], [], [], [], []
        u, w = _gauss_legendre(n)
        for i, ((a, b), p) in enumerate(zip(law.support, panels)):
            lo, hi = p[:-1], p[1:]
            theta = (lo[:, None] + (hi - lo)[:, None] * u).ravel()
            wt = ((hi - lo)[:, None] * w).ravel()
            zeta, delta = law.zeta_theta(i, theta)
            xs.append(a + delta)
            ds.append(delta)
            ws.append(wt * (b - a) / 2 * np.sin(theta))
            zs.append(zeta)
            iv.append(np.full(theta.shape, i))
            ths.append(theta)
        self.x, self.w, self.zeta = np.concatenate(xs), np.concatenate(ws), np.concatenate(zs)
        self.interval, self.theta = np.concatenate(iv), np.concatenate(ths)
        self.a = np.array(self.edges_lo)[self.interval]
        #: x − a at the nodes, exact (x itself may round to the edge)
        self.delta = np.concatenate(ds)
        self.check = NodeSet(law, panels, n // 2) if n == _PANEL_N else None

    def _adapt(self, i: int) -> np.ndarray:
        law = self.law
        a, b = law.support[i]
        lo_levels = _GRADE_LO if i == 0 else _GRADE_OTHER
        grid = np.concatenate(([0.0], np.pi * 2.0 ** -np.arange(lo_levels, 0, -1),
                               np.pi - np.pi * 2.0 ** -np.arange(2, _GRADE_HI + 1), [np.pi]))
        rules = (_gauss_legendre(_PANEL_N), _gauss_legendre(_PANEL_N // 2))
        ones = np.ones(len(law.sigma))

        def panel_values(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
            out = []
            for u, w in rules:
                th = lo[:, None] + (hi - lo)[:, None] * u
                zeta, delta = law.zeta_theta(i, th.ravel())
                dens = law._density(a + delta, zeta, ones).reshape(th.shape)
                out.append(((hi - lo)[:, None] * w * dens * np.sin(th)).sum(1))
            return np.array(out)

        panels = {(lo, hi): v for lo, hi, v in zip(grid[:-1], grid[1:], panel_values(grid[:-1], grid[1:]).T)}
        for _ in range(40):
            total = sum(v[0] for v in panels.values())
            bad = [k for k, v in panels.items() if abs(v[0] - v[1]) > 1e-14 * total]
            if not bad:
                return np.array(sorted({x for k in panels for x in k}))
            lo = np.array([k[0] for k in bad])
            hi = np.array([k[1] for k in bad])
            mid = (lo + hi) / 2
            vals = panel_values(np.concatenate((lo, mid)), np.concatenate((mid, hi)))
            for k in bad:
                del panels[k]
            for j, (l, h) in enumerate(zip(np.concatenate((lo, mid)), np.concatenate((mid, hi)))):
                panels[(l, h)] = vals[:, j]
        raise ArithmeticError(f"the density on [{a}, {b}] could not be resolved by composite panels")

    def density(self, weights: np.ndarray) -> np.ndarray:
        """ρ_W at the nodes."""
        return self.law._density(self.x, self.zeta, weights)


class TwoPoint:
    """Deterministic equivalent of the two-point form ``(1/d) Tr[Σ φ(A) W ψ(A)]`` (W diagonal in Σ's basis).

    With ``c_k = σ_k w_k``, the two-resolvent deterministic equivalent is (derivation
    ``structured.two_point``; the left weight must be Σ itself — for a general pair of weights
    the equivalent has a second, non-factorising term)

        G(z₁, z₂) = (1/d) Tr[Σ R(z₁) W R(z₂)] ≍ w(ζ₁) w(ζ₂) (p(ζ₁) − p(ζ₂))/(z₁ − z₂),
        w = ζ/z,   p(ζ) = Σ π (c/σ) ζ/(σ − ζ),

    and on the real axis (Cauchy integrals of φ, ψ around the support)

        F(φ, ψ) = c₀₀ φ(0)ψ(0) + φ(0)∫ψ k₀ + ψ(0)∫φ k₀ + ∫ φψ k_d + ∬ φ(x)ψ(y) K(x, y),
        k_d = (1/π)|w|² Im p,   K = (1/π²)[Im w_y Im(w_x Δp) − Im p_y Im(w̄_y Δw)],
        c₀₀ = ζ₀² p'(ζ₀)/z'(ζ₀),   k₀(y) = (ζ₀/π) Im[ζ_y (p(ζ₀) − p(ζ_y))]/y²  (atom terms, λ > 1),

    with Δp, Δw the divided differences (x ≠ y) or derivatives (x = y) of the +i0 boundary
    values, written as cancellation-free rational sums in ζ:
    ``Δp = T_c/E``, ``Δw = λ T_σ/(e_x e_y E)``, ``T_c(ζ₁, ζ₂) = Σ π c/((σ − ζ₁)(σ − ζ₂))``,
    ``E = (x − y)/(ζ_x − ζ_y) = 1 − λ T_{σ²}``, ``e = 1 − λ Σ π σ/(σ − ζ)``.
    K is bounded, with degree-0 homogeneous singularities at the corners (a, a), (b, b) of each
    interval, resolved by the geometric grading of the node set's panels. For W = I the
    resolvent identity makes K ≡ 0 and k_d = ρ_Σ (a check of the construction).

    Parameters
    ----------
    nodes : NodeSet
    weights : array
        w_k per distinct atom of the law (aligned with ``law.sigma``).
    """

    def __init__(self, nodes: NodeSet, weights: np.ndarray) -> None:
        law = nodes.law
        self.nodes, self.law = nodes, law
        sig, pi, lam = law.sigma, law.pi, law.lam
        c = sig * np.asarray(weights, dtype=float)
        zeta, x, om = nodes.zeta, nodes.x, nodes.w
        M = len(x)
        e = 1 - lam * (pi * sig / (sig - zeta[:, None])).sum(-1)
        w = 1 / e
        absd2 = np.abs(sig - zeta[:, None]) ** 2
        tc_diag = (pi * c / absd2).sum(-1)
        im_p = zeta.imag * tc_diag
        self.kd = im_p * np.abs(w) ** 2 / np.pi
        Vc = (pi * c / (sig - zeta[:, None])).sum(-1)
        Vs = (pi * sig / (sig - zeta[:, None])).sum(-1)
        dmin = np.min(np.sqrt(absd2), axis=1)
        K = np.empty((M, M))
        block = max(1, (1 << 21) // M)
        for j0 in range(0, M, block):
            sl = slice(j0, min(M, j0 + block))
            zj, zl = zeta[sl, None], zeta[None, :]
            dz = zj - zl
            # divided differences by partial fractions lose ~log10(dmin/|Δζ|) digits: direct sums below 1e-3
            near = np.abs(dz) < 1e-3 * np.minimum(dmin[sl, None], dmin[None, :])
            with np.errstate(divide="ignore", invalid="ignore"):
                Tc = (Vc[sl, None] - Vc[None, :]) / dz
                Ts = (Vs[sl, None] - Vs[None, :]) / dz
                E = (x[sl, None] - x[None, :]) / dz
            jj, ll = np.nonzero(near)
            if jj.size:
                r = 1 / ((sig - zeta[sl][jj, None]) * (sig - zeta[ll, None]))
                Tc[jj, ll] = (pi * c * r).sum(-1)
                Ts[jj, ll] = (pi * sig * r).sum(-1)
                E[jj, ll] = 1 - lam * (pi * sig**2 * r).sum(-1)
            dp = Tc / E
            dw = lam * Ts / (e[sl, None] * e[None, :] * E)
            K[sl] = (w.imag[None, :] * (w[sl, None] * dp).imag - im_p[None, :] * (np.conj(w)[None, :] * dw).imag) / np.pi**2
        self.K = K
        self.omega = om
        self.c00 = 0.0
        self.k0 = np.zeros(M)
        if law.atom > 0:
            z0 = law._zeta0
            tc00 = float(np.sum(pi * c / (sig - z0) ** 2))
            self.c00 = z0 * z0 * tc00 / float(law._dz(z0))
            Tc0 = (pi * c / ((sig - z0) * (sig - zeta[:, None]))).sum(-1)
            p_diff = (z0 - zeta) * Tc0
            self.k0 = z0 / np.pi * (zeta * p_diff).imag / x**2

    def form(self, phi: np.ndarray, psi: np.ndarray, phi0: float = 0.0, psi0: float = 0.0,
             keep: np.ndarray | None = None) -> float:
        """F(φ, ψ) from node values φ, ψ (continuous part) and φ(0), ψ(0) (the atom, λ > 1).

        ``keep`` restricts the continuous sums to a node subset (late times: the nodes where
        the decay has not yet dropped below the target precision).
        """
        om, kd, k0 = self.omega, self.kd, self.k0
        if keep is not None:
            om, kd, k0, phi, psi = om[keep], kd[keep], k0[keep], phi[keep], psi[keep]
            K = self.K[np.ix_(keep, keep)]
        else:
            K = self.K
        a, b = om * phi, om * psi
        out = float(np.sum(a * psi * kd) + a @ K @ b)
        if self.law.atom > 0:
            out += self.c00 * phi0 * psi0 + phi0 * float(np.sum(k0 * b)) + psi0 * float(np.sum(k0 * a))
        return out

    def forms(self, phi: np.ndarray, psi: np.ndarray, phi0: Any = 0.0, psi0: Any = 0.0) -> np.ndarray:
        """:meth:`form` for many rows at once: ``phi``, ``psi`` of shape (T, M) or (M,) → (T,)."""
        phi, psi = np.atleast_2d(phi), np.atleast_2d(psi)
        a, b = phi * self.omega, psi * self.omega
        out = np.sum(a * psi * self.kd, axis=1) + np.sum((a @ self.K) * b, axis=1)
        if self.law.atom > 0:
            out = out + self.c00 * phi0 * psi0 + phi0 * (b @ self.k0) + psi0 * (a @ self.k0)
        return out
