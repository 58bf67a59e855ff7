"""The angle rule: Marchenko–Pastur expectations as periodic integrals.

With ``u = sin²(θ/2)`` and ``ν(θ) = λ₋ + 4√λ u = 1 + λ − 2√λ cos θ`` the measure ``ν p(ν) dν``
of the Marchenko–Pastur law is exactly ``(2/π) sin²θ dθ`` on ``[0, π]`` (derivation
``mp.semicircle``), so for any ``f``

    E[f(ν) e^{−sν}] = atom·f(0) + e^{−sλ₋} (2/π) ∫₀^π w(θ) e^{−2κu} dθ,
    w = f(ν) sin²θ/ν,  κ = 2s√λ,  λ₋ = (1 − √λ)².                                   (A)

The integrand is even and 2π-periodic in θ, so the trapezoid rule with ``n`` intervals on
``[0, π]`` (Gauss–Chebyshev of the second kind) converges geometrically: if the integrand is
analytic with modulus ≤ M(y) on the strip ``|Im θ| ≤ y``, the error of (2/π)∫₀^π is at most
``4 M(y) / (e^{2ny} − 1)`` (Trefethen & Weideman, SIAM Rev. 56 (2014), Thm. 3.2). The
majorants used here are explicit, so the node count is chosen *and certified* from this bound:

* ``e^{−κ(1 − cos θ)}`` ≤ ``e^{κ(cosh y − 1)}``; ``|sin θ|² ≤ cosh² y``;
* ``|ν| ≥ 2√λ (cosh δ − cosh y)`` with ``δ = |ln λ|/2`` (the pole of ``1/ν``); at λ = 1,
  ``sin²θ/ν = cos²(θ/2)`` is entire;
* ``|ν|^{p−1} ≤ (1 + λ + 2√λ cosh y)^{p−1}``.

At late times (large κ) the integrand is a narrow peak at the lower edge θ = 0: nodes whose
factor ``e^{−2κu}`` is below the target are skipped, and the skipped tail is bounded by
``2 max|w| e^{−2κu_first skipped}``. The number of evaluated nodes then stays O(digits)
however large ``s`` is, and, every term being non-negative for ``f ≥ 0``, the result keeps
full *relative* precision far below the float64 range (``e^{−sλ₋}`` is applied separately,
or returned as a logarithm).

For ``f = 1`` (``E[e^{−sν}]``) the only singularities of (A) are the simple poles of ``1/ν`` at
``θ = ±iδ``, ``δ = |ln λ|/2``, where ``G = sin²θ e^{−κ(1−cos θ)}`` takes the value
``−sinh²δ e^{sλ₋}``. Their contribution to the trapezoid error is known exactly (residue
calculus; for ``1/ν`` alone it is the classical ``T_N − I = 2I/(e^{Nδ} − 1)``): with
``q = min(λ, 1/λ) = e^{−2δ}``, ::

    (2/π)∫₀^π w e^{−2κu} dθ = T_n + (|1 − λ|/λ) e^{sλ₋} qⁿ/(1 − qⁿ) + R_n,                (C)

and the remainder ``R_n`` is bounded by the strip bound on ``|Im θ| = y > δ`` (beyond the
poles: ``|ν| ≥ 2√λ (cosh y − cosh δ)``). The *pole-corrected* rule (C) therefore needs no
pole resolution; ``n`` is only raised until the correction is at most the value itself
(no digits cancel).

Near λ = 1 the pole of ``1/ν`` approaches the real axis and (A) needs ``O(1/|ln λ|)`` nodes.
For ``p = 0`` the *subtracted* form, exact for every λ (atom included),

    E[e^{−sν}] = 1 + (2/π) ∫₀^π (e^{−sν} − 1)/ν · sin²θ dθ,                         (B)

has an entire integrand; it cancels (loses ``log₁₀(1/E[e^{−sν}]) ≤ s/ln 10`` digits, by
Jensen) but needs no pole resolution, so it is used when it is the cheaper of the two.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
from mpmath.libmp import fone, mpf_exp, mpf_mul, mpf_sub, mpf_sum, round_nearest

from grok_theory.mp.precision import context

__all__ = [
    "QuadratureError",
    "Majorant",
    "node_count",
    "error_bound",
    "evaluated_nodes",
    "rule_float",
    "rule_mp",
    "node_u",
    "u_nodes",
    "edge_rule_mp",
    "log_pole_correction",
    "pole_corrected_count",
    "NODE_COUNTS",
    "MAX_NODES",
    "MAX_EVALUATED",
]

LN10 = math.log(10.0)
#: admissible interval counts: multiples of 4 (so halves are nested and even), ~6% apart
NODE_COUNTS = np.unique(4 * np.ceil(np.geomspace(2, 2**40, 480) / 4).astype(np.int64))
#: largest interval count n (only the nodes inside the late-time peak are ever evaluated)
MAX_NODES = 1 << 40
#: largest number of nodes one rule may evaluate
MAX_EVALUATED = 1 << 22
#: sentinel for "more nodes than MAX_NODES"
TOO_MANY = -1
#: cap of the nested (uncertified-majorant) mp rule: beyond it the integrand is not smooth
MAX_NESTED_NODES = 1 << 16
_Y = np.geomspace(1e-7, 30.0, 240)


class QuadratureError(ArithmeticError):
    """The requested accuracy could not be certified."""


class Majorant:
    """``log M(y)``: a bound of the (2/π)-normalised integrand on the strip ``|Im θ| ≤ y``.

    Parameters
    ----------
    lam : float
    kappa : ndarray
        Peak sharpness ``2s√λ`` of the factor ``e^{−2κu}`` (0 when the rule carries none).
    power : int or None
        ``ν^{power−1} sin²θ`` weight (``power = 0`` means ``sin²θ/ν``); ``None`` for the
        subtracted form (B) with decay ``s``.
    s : ndarray, optional
        Decay rate, only for the subtracted form.
    pole_corrected : bool
        For ``power = 0``: bound of the remainder of the pole-corrected rule (C), on strips
        beyond the poles of ``1/ν`` (``y > δ``) instead of inside them.
    """

    def __init__(self, lam: float, kappa: np.ndarray, power: int | None, s: np.ndarray | None = None,
                 pole_corrected: bool = False) -> None:
        self.lam, self.kappa, self.power, self.s = lam, np.atleast_1d(kappa), power, s
        self.gap = abs(math.log(lam)) / 2 if (lam != 1 and power == 0) else math.inf
        self.pole_corrected = pole_corrected and math.isfinite(self.gap)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Array of shape (len(kappa), len(y)) of log-majorants (inf beyond the pole)."""
        lam, sq = self.lam, math.sqrt(self.lam)
        ch = np.cosh(y)[None, :]
        out = 2 * np.log(ch) + np.zeros((len(self.kappa), 1))
        if self.power is None:  # (e^{-sν} - 1)/ν ≤ s·exp(max(0, -s Re ν))
            s = np.atleast_1d(self.s)[:, None]
            with np.errstate(divide="ignore"):
                out = out + np.log(s) + np.maximum(0.0, s * (2 * sq * ch - 1 - lam))
        else:
            out = out + self.kappa[:, None] * (ch - 1)
            if self.power >= 1:
                out = out + (self.power - 1) * np.log(1 + lam + 2 * sq * ch)
        if self.power == 0:
            if lam == 1:
                out = out - 2 * np.log(ch) + np.log((1 + ch) / 2)
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    sep = 2 * sq * (math.cosh(self.gap) - ch) * (-1 if self.pole_corrected else 1)
                    out = np.where(sep > 0, out - np.log(np.where(sep > 0, sep, 1.0)), np.inf)
        return out


def node_count(majorant: Majorant, nepers: np.ndarray | float, strict: bool = True) -> np.ndarray:
    """Smallest admissible ``n`` whose strip bound is below ``e^{−nepers}`` (per κ).

    Uses ``4M(y)/(e^{2ny} − 1) ≤ 8 M(y) e^{−2ny}`` for ``e^{2ny} ≥ 2`` and minimises over y.
    Counts above ``MAX_NODES`` raise :class:`QuadratureError`, or with ``strict=False`` are
    returned as ``TOO_MANY``.
    """
    logm = majorant(_Y)
    need = (np.atleast_1d(nepers)[:, None] + math.log(8.0) + logm) / (2 * _Y[None, :])
    need = np.maximum(need, math.log(2.0) / (2 * _Y[None, :]))
    n = np.ceil(np.nanmin(need, axis=1)) + 2
    too_many = ~np.isfinite(n) | (n > NODE_COUNTS[-1])
    if strict and np.any(too_many):
        raise QuadratureError(f"the angle rule would need more than {MAX_NODES} nodes")
    out = NODE_COUNTS[np.searchsorted(NODE_COUNTS, np.where(too_many, 0, n))]
    return np.where(too_many, TOO_MANY, out)


def error_bound(majorant: Majorant, n: int) -> float:
    """``log`` of the certified trapezoid error bound ``min_y 4M(y)/(e^{2ny} − 1)`` (one κ)."""
    logm = majorant(_Y)[0]
    x = 2 * n * _Y
    log_expm1 = x + np.log(-np.expm1(-x))  # log(e^x − 1) without overflow
    return float(np.min(math.log(4.0) + logm - log_expm1))


def log_pole_correction(log_weight: float, log_lam: float, lower: float, s: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log of the pole term of (C), ``(|1 − λ|/λ) e^{sλ₋} qⁿ/(1 − qⁿ)``, float64 (λ ≠ 1).

    ``log_weight = log(|1 − λ|/λ)`` and ``log_lam = log λ`` are passed in, computed from λ as
    given (:attr:`MarchenkoPastur._log_pole_weight`): from the float64 λ, ``1 − λ`` loses all
    but ~10 digits at λ = 1 + 1e-6 given exactly.
    """
    nq = np.asarray(n, dtype=float) * -abs(log_lam)
    return log_weight + s * lower + nq - np.log(-np.expm1(nq))


def pole_corrected_count(log_weight: float, log_lam: float, lower: float, s: np.ndarray,
                         log_value: np.ndarray) -> np.ndarray:
    """Smallest n (real) with the pole term of (C) at most ``e^{log_value}`` (λ ≠ 1).

    From ``e^{2nδ} − 1 ≥ (|1 − λ|/λ) e^{sλ₋ − log_value}``.
    """
    log_r = log_weight + s * lower - log_value
    return np.logaddexp(0.0, log_r) / abs(log_lam)


def evaluated_nodes(n: np.ndarray | int, kappa: np.ndarray | float, nepers: np.ndarray | float) -> np.ndarray:
    """Number of nodes ``j ≥ 1`` with ``2κ u_j ≤ nepers`` (the rest are skipped), ≤ n − 1."""
    kappa = np.asarray(kappa, dtype=float)
    with np.errstate(divide="ignore"):
        ucut = np.where(kappa > 0, np.minimum(1.0, np.asarray(nepers) / np.maximum(2.0 * kappa, 1e-300)), 1.0)
    j = np.ceil((2 * np.asarray(n) / np.pi) * np.arcsin(np.sqrt(ucut))).astype(np.int64) + 1
    return np.minimum(np.asarray(n) - 1, j)


# ---------------------------------------------------------------------------------------
# float64


@lru_cache(maxsize=64)
def u_nodes(n: int, count: int) -> np.ndarray:
    """u_j = sin²(jπ/(2n)) for j = 1..count (float64, read-only)."""
    u = np.sin(np.arange(1, count + 1) * (np.pi / (2 * n))) ** 2
    u.setflags(write=False)
    return u


def rule_float(
    kappa: np.ndarray,
    weight: Callable[[np.ndarray], np.ndarray],
    n: np.ndarray,
    nepers: np.ndarray | float,
    edge: float = 0.0,
    block: int = 1 << 21,
) -> np.ndarray:
    """``(2/π)∫₀^π w e^{−2κu} dθ`` by the n-interval trapezoid rule, vectorised over κ.

    ``weight(u)`` returns ``w`` at an array of nodes ``u``; ``edge`` is its limit at
    ``u = 0`` (non-zero only at λ = 1, where ν vanishes at the lower edge), which enters
    with half weight. Nodes with ``2κu > nepers`` are skipped (rows sharing ``n`` share the
    node set of the widest row).
    """
    out = np.empty(kappa.shape, dtype=float)
    counts = evaluated_nodes(n, kappa, nepers)
    if np.any(counts > MAX_EVALUATED):
        raise QuadratureError(f"the angle rule would evaluate more than {MAX_EVALUATED} nodes")
    for nn in np.unique(n):
        rows = np.flatnonzero(n == nn)
        count = int(counts[rows].max())
        u = u_nodes(int(nn), count)
        w = weight(u)
        step = max(1, block // count)
        for a in range(0, len(rows), step):
            sel = rows[a : a + step]
            # numpy's pairwise summation along a row: an error O(log n·ε) that does not depend on
            # the BLAS (a matrix–vector product lost 1.3e-13 over 10⁶ nodes on one BLAS thread)
            out[sel] = ((np.exp(np.outer(-2.0 * kappa[sel], u)) * w).sum(axis=1) + 0.5 * edge) * (2.0 / nn)
    return out


# ---------------------------------------------------------------------------------------
# mpmath


@lru_cache(maxsize=64)
def node_u(n: int, count: int, prec: int) -> tuple:
    """u_j = sin²(jπ/(2n)), j = 0..count, as raw mpmath numbers (``_mpf_`` tuples) rounded to
    ``prec`` bits (wrap them with ``ctx.make_mpf``; raw tuples belong to no context or thread).

    The sines come from the three-term recurrence sin((j+1)h) = 2cos h sin(jh) − sin((j−1)h)
    evaluated with 20 guard bits (its error grows only linearly in j).
    """
    ctx = context(prec + 20 + int(math.log2(count + 2)))
    h = ctx.pi / (2 * n)
    c2 = 2 * ctx.cos(h)
    s_prev, s_cur = ctx.mpf(0), ctx.sin(h)
    sines = [s_prev, s_cur]
    for _ in range(count - 1):
        s_prev, s_cur = s_cur, c2 * s_cur - s_prev
        sines.append(s_cur)
    return tuple(mpf_mul(x._mpf_, x._mpf_, prec, round_nearest) for x in sines)


def rule_mp(
    ctx: Any,
    kappa: Any,
    weights: Sequence[tuple],
    n: int,
    edge: Any = 0,
    shift: Any = None,
) -> tuple[Any, Any, Any]:
    """One trapezoid sum in the context ``ctx`` over the nodes ``j = 1..len(weights)``.

    ``weights`` are raw mpmath numbers (``_mpf_`` tuples). The terms are ``w_j e^{−2κu_j}``, or
    ``(shift·e^{−2κu_j} − 1) w_j`` when ``shift`` is given (the subtracted form (B), with
    ``shift = e^{−sλ₋}``). Returns ``(full, half, decay)``: the n-interval sum, its nested
    n/2-interval sum, and ``e^{−2κ u_{J+1}}`` (the largest factor among skipped nodes; 0 if
    none was skipped).
    """
    count = len(weights)
    prec = ctx.prec
    u = node_u(n, min(n, count + 1), prec)
    m2k = -2 * ctx.convert(kappa)
    # raw mpmath.libmp arithmetic (no wrapper objects): each e^{−2κu_j} and product is rounded
    # to the working precision; the sums are exact, then rounded
    rnd, k2 = round_nearest, m2k._mpf_
    if kappa:
        exps = [mpf_exp(mpf_mul(k2, x, prec, rnd), prec, rnd) for x in u[1 : count + 1]]
    else:
        exps = [fone] * count
    if shift is not None:
        sh = ctx.convert(shift)._mpf_
        exps = [mpf_sub(mpf_mul(sh, e, prec, rnd), fone, prec, rnd) for e in exps]
    terms = [mpf_mul(w, e, prec, rnd) for w, e in zip(weights, exps)]
    edge_half = (ctx.convert(edge) / 2)._mpf_
    full = ctx.make_mpf(mpf_sum([edge_half] + terms, prec, rnd))
    half = ctx.make_mpf(mpf_sum([edge_half] + terms[1::2], prec, rnd))
    decay = ctx.exp(m2k * ctx.make_mpf(u[count + 1])) if count < n - 1 else ctx.mpf(0)
    return full * 2 / n, half * 4 / n, decay


def edge_rule_mp(
    ctx: Any,
    F: Callable[[Any], Any],
    lam: float,
    params: dict[str, Any],
    digits: int,
    s_lo: float = 0.0,
    s_hi: float = 0.0,
    max_evaluated: int = MAX_NESTED_NODES,
    pole_correct: bool = True,
    s_scale: float = 0.0,
) -> tuple[Any, Any]:
    """``(2/π)∫₀^π F(ν) sin²θ/ν dθ`` (the continuous part of E[F]) in the context ``ctx``.

    For a function ``F`` analytic on a neighbourhood of ``[0, λ₊]`` with no known majorant:
    the pole-corrected trapezoid rule (C) with ``F(0)`` times the pole term of ``1/ν`` (the
    residue of ``F sin²θ/ν`` at ν = 0 is ``F(0)`` times that of ``sin²θ/ν``), certified by the
    agreement of the n-interval rule with its nested half (geometric convergence: accepted when
    the relative difference r satisfies r² ≤ 10^{−digits−1}), n doubled otherwise.

    Late-time peaks: ``F`` decays at least like ``e^{−s_lo(ν−λ₋)}`` away from the lower edge and,
    if ``s_hi > 0``, also has a peak at the upper edge decaying like ``e^{−s_hi(λ₊−ν)}``
    (oscillating discrete GD); nodes in between whose factor is below the target are not
    evaluated, and the first skipped node on each side checks the skipped tail. ``s_scale``:
    the rate of the fastest exponential ``e^{−s_scale·ν}`` inside ``F`` when ``F`` does not decay
    as a whole (no node is skipped then); it only sets the initial node count. Returns the
    value and the sum of the magnitudes of its terms (the scale of any cancellation).
    """
    lower, sq = params["lower"], params["sqrt"]
    c = 4 * sq
    upper = params["upper"]
    prec = ctx.prec
    tol = ctx.mpf(10) ** (-digits - 1)
    k_lo, k_hi = 2 * math.sqrt(lam) * s_lo, 2 * math.sqrt(lam) * s_hi
    kappa = max(k_lo, k_hi, 2 * math.sqrt(lam) * s_scale)
    nepers = (digits + 3) * LN10 + 1.5 * math.log1p(kappa)
    # the plain rule (strips inside the pole of 1/ν) or the pole-corrected one (strips beyond
    # it; worth it only while the integrand grows little there, i.e. not at late times)
    # the nested check needs the half rule good to about half the digits: start from twice the
    # count that gives it (or the count for all digits, if larger), then double exactly (nested)
    half_nepers = 0.5 * (digits + 3) * LN10 + 1.5 * math.log1p(kappa) + 3.0
    n_plain, n_corr = (
        int(max(node_count(maj, nepers, strict=False)[0], 2 * node_count(maj, half_nepers, strict=False)[0]))
        if node_count(maj, half_nepers, strict=False)[0] != TOO_MANY else TOO_MANY
        for maj in (Majorant(lam, np.array([kappa]), 0, pole_corrected=pc) for pc in (False, True)))
    pole = lam != 1 and pole_correct and n_corr != TOO_MANY and (n_plain == TOO_MANY or n_corr < n_plain)
    n = n_corr if pole else n_plain
    if n == TOO_MANY:
        raise QuadratureError(f"the angle rule would need more than {MAX_NODES} nodes at lam={lam}, s={max(s_lo, s_hi):.3g}")
    n = max(8, n)
    if pole:
        q = params["lam"] if params["lam"] < 1 else 1 / params["lam"]
        pole_coef = abs(1 - params["lam"]) / params["lam"]
    f0 = ctx.mpf(0)
    if pole or lower == 0:
        # F's value at ν = 0 weights the pole term of 1/ν; where F itself is singular there,
        # the plain rule's nested agreement has to resolve the pole
        try:
            f0 = ctx.convert(F(ctx.mpf(0)))
        except (ZeroDivisionError, ValueError):
            f0 = None
        if f0 is not None and not ctx.isfinite(f0):
            f0 = None
        if f0 is None:
            if lower == 0:
                raise QuadratureError("the integrand is singular at the lower edge nu = 0 (lam = 1)")
            if n_plain == TOO_MANY:
                raise QuadratureError(f"the integrand is singular at nu = 0 and lam={lam} is too close to 1")
            pole, f0, n = False, ctx.mpf(0), max(8, n_plain)
    cache: dict[tuple[int, int], Any] = {}
    skip = nepers + 10
    evaluated = 0

    us: dict[int, tuple] = {}

    def term(j: int, nn: int) -> Any:
        """F(ν_j) sin²θ_j/ν_j for node j of the nn-interval rule (cached by the reduced j/nn)."""
        nonlocal evaluated
        g = math.gcd(j, nn)
        key = (j // g, nn // g)
        val = cache.get(key)
        if val is None:
            jj = min(j, nn - j)
            uj = ctx.make_mpf(us[nn][jj])
            sin2 = 4 * uj * (1 - uj)
            nu = lower + c * uj if j == jj else upper - c * uj
            val = F(nu) * sin2 / nu
            cache[key] = val
            evaluated += 1
            if evaluated > max_evaluated:
                raise QuadratureError(
                    f"could not certify {digits} digits with {max_evaluated} evaluations of the integrand "
                    f"(lam={lam}, s={max(s_lo, s_hi):.3g}); is it smooth on the support?")
        return val

    while True:
        j_lo = int(evaluated_nodes(n, k_lo, skip)) if s_lo > 0 else n - 1
        j_hi = int(evaluated_nodes(n, k_hi, skip)) if s_hi > 0 else 0
        if min(j_lo + j_hi, n - 1) > max_evaluated:
            # (the rules are nested: this one's nodes are all evaluated by the end of the step.
            # Checked before they are built, as their table alone could exhaust the memory)
            raise QuadratureError(
                f"could not certify {digits} digits with {max_evaluated} evaluations of the integrand "
                f"(lam={lam}, s={max(s_lo, s_hi):.3g}): the next rule needs {min(j_lo + j_hi, n - 1)} nodes")
        us[n] = node_u(n, min(n // 2 + 1, max(j_lo, j_hi) + 2), prec)
        if j_lo + j_hi >= n - 2:
            js = list(range(1, n))
            skipped: list[int] = []
        else:
            js = list(range(1, j_lo + 1)) + list(range(n - j_hi, n))
            skipped = [j_lo + 1] + ([n - j_hi - 1] if s_hi > 0 else [])
        terms = {j: term(j, n) for j in js}

        edge = f0 / 2 if lower == 0 else 0
        full = (ctx.fsum(terms.values()) + edge) * 2 / n
        half = (ctx.fsum(v for j, v in terms.items() if j % 2 == 0) + edge) * 4 / n
        mag = (ctx.fsum(abs(v) for v in terms.values()) + abs(edge)) * 2 / n
        if pole:
            full += f0 * pole_coef * q**n / (1 - q**n)
            half += f0 * pole_coef * q ** (n // 2) / (1 - q ** (n // 2))
        if skipped:
            n_skip = n - 1 - len(js)
            tail = max(abs(term(j, n)) for j in skipped) * n_skip * 2 / n
            if tail > tol * abs(full) / 10:
                skip += 5 * LN10
                continue
        if full == 0 and half == 0 and mag == 0 and f0 == 0:
            return full, mag  # F vanishes at every node and at 0 (mpmath numbers do not underflow)
        if full == 0:
            raise QuadratureError("the integrand sums to 0 at every node; cannot certify a relative accuracy")
        r = abs(full - half) / abs(full)
        if r * r <= tol and r < ctx.mpf(10) ** (-3):
            return full, mag
        n *= 2  # nested: every node of the n-interval rule is one of the 2n-interval rule (cached)
        if n > MAX_NODES:
            raise QuadratureError(f"the angle rule would need more than {MAX_NODES} nodes at lam={lam}")
