"""Learning curves of many teacher–student models at once, on one Marchenko–Pastur law.

A phase diagram needs the first crossing times of ~10⁴ models; evaluating their curves one
model and one call at a time is dominated by per-call overhead. :class:`CurveFamily` evaluates
``log L_tr`` or ``log L_gen`` for many *problems* — a (model, which) pair — sharing λ,
vectorised over problems and times. It applies the angle rule of
:mod:`grok_theory.mp.angle_rule` (form (A), peak-adapted node sets, nested-rule doubling, as in
:meth:`MarchenkoPastur.expect <grok_theory.mp.law.MarchenkoPastur.expect>`) to the whole mode
integrand of the model (``grok_theory.linear.model`` module docstring):

    L(t) = atom·F(0, t) + (2/π)∫₀^π F(ν, t) sin²θ/ν dθ,   F = Σ_k C_k(ν) h(ν, t)^k + N(ν, t),

with the model's coefficients ``C_k ≥ 0`` (k = 0, 1, 2; :meth:`TeacherStudent.mode_coefficients`)
and label-noise part ``N`` (:meth:`TeacherStudent._noise_term`), which is expanded in powers of
h as well (``F = Σ_k K_k h^k``, :meth:`CurveFamily._coefficients`), so that the noise needs no
nodes of its own: the k = 0 term is time-independent (computed once per model) and the
k = 1, 2 terms decay like the clean ones. The decaying parts are summed
with the lower-edge factor ``h(λ₋, t)^k`` taken out (log space), ``h(ν, t) = e^{t φ(ν)}`` with
``φ = −c(ν+g)`` (flow) or ``log(1 − c(ν+g))`` (GD), so that

    Σ_k C_k h^k = Σ_k e^{k t φ(λ₋)} C_k e^{k t ψ(ν)},   ψ = φ(ν) − φ(λ₋) ≤ 0.

For gradient flow ``e^{t ψ}`` depends on (c, t) only, so on a time grid shared by many
models the sums are one matrix product per node set (``log_curve_grid``).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grok_theory.mp.angle_rule import MAX_EVALUATED, QuadratureError, evaluated_nodes
from grok_theory.mp.angle_rule import u_nodes
from grok_theory.mp.law import COARSE_COUNTS, float64_nepers, tabulated_counts
from grok_theory.linear.model import TeacherStudent

__all__ = ["CurveFamily", "FALLBACK"]

#: nested-rule agreement demanded (as in ``mp_law._expect_float``: the finer rule is then good
#: to ~1e-16 by geometric convergence)
_NESTED_RTOL = 1e-8
#: node doublings tried before giving up
_MAX_DOUBLINGS = 14
#: largest interval count of the (full-support) label-noise part; beyond it the model's curve is used
_MAX_NOISE_NODES = 1 << 16
#: interval count marking rows evaluated by the model's own curve instead
FALLBACK = -1
#: elements per vectorised block
_BLOCK = 1 << 20


class CurveFamily:
    """``log L(t)`` of many (model, which) problems sharing λ, vectorised over problems and t.

    The solver reads a model only through its public interface: ``law`` (the
    :class:`~grok_theory.mp.law.MarchenkoPastur` law), ``lr``, ``d_out``, ``c``, ``g``,
    ``teacher_scale``, ``init_scale``, ``label_noise``, ``dynamics``, ``oscillates`` and
    :meth:`~TeacherStudent.edge_rate`; a sibling model class providing these takes the same path.

    Parameters
    ----------
    models : sequence of TeacherStudent
        All with the same ``lam``.
    whiches : sequence of {"train", "gen"}
        One per model.
    """

    def __init__(self, models: Sequence[TeacherStudent], whiches: Sequence[str]) -> None:
        if len(models) != len(whiches) or not models:
            raise ValueError("models and whiches must be non-empty and of equal length")
        law = models[0].law
        if any(m.law != law for m in models):
            raise ValueError("every model of a CurveFamily must have the same lam")
        for w in whiches:
            if w not in ("train", "gen"):
                raise ValueError(f"which must be 'train' or 'gen', got {w!r}")
        for m in models:
            if m.oscillates:
                raise ValueError(f"lr={m.lr!r}: discrete-GD modes oscillate (lr > d_out/(2(lam_+ + weight_decay/2)) = "
                                 f"{m.d_out / (2 * (m.law.upper + m.g)):.6g}); their curves exist at whole steps only, "
                                 "and crossing times are not solved for them")
        self.models = list(models)
        self.law = law
        self.lam, self.lower, self.atom, self.sqrt = law.lam, law.lower, law.atom, law._sqrt
        arr = lambda f: np.array([f(m) for m in models], dtype=float)  # noqa: E731
        self.train = np.array([w == "train" for w in whiches])
        self.c = arr(lambda m: m.c)
        self.g = arr(lambda m: m.g)
        self.tau2 = arr(lambda m: m.teacher_scale**2)
        self.a2 = arr(lambda m: m.init_scale**2)
        self.s2 = arr(lambda m: m.label_noise**2)
        self.d = arr(lambda m: m.d_out)
        self.gd = np.array([m.dynamics == "gd" for m in models])
        #: decay rate of h per unit t at the lower edge (model.edge_rate(1))
        self.rate = arr(lambda m: m.edge_rate(1))
        #: φ(λ₋) = log h(λ₋, t)/t and φ(0)
        self.phi_edge = np.where(self.gd, np.log1p(-self.c * (self.lower + self.g)), -self.c * (self.lower + self.g))
        self.phi_null = np.where(self.gd, np.log1p(-self.c * self.g), -self.c * self.g)
        #: label noise summed in w = 1 − h directly (gen, λ = 1, γ = 0), else expanded in h
        self.direct_noise = (self.s2 > 0) & (self.lower == 0) & (self.g == 0) & ~self.train
        self.hnoise = (self.s2 > 0) & ~self.direct_noise
        self._n0 = int(tabulated_counts(self.lam, 0, np.zeros(1), factor=2)[0])
        self.static = self._static_sums()

    def __repr__(self) -> str:
        n_train = int(self.train.sum())
        return (f"CurveFamily(lam={self.lam:.6g}, {len(self.models)} problems: {n_train} train, "
                f"{len(self.models) - n_train} gen; {int(self.gd.sum())} discrete GD)")

    # -- the model's mode functions, vectorised over problems ------------------------------------
    def _coefficients(self, p: np.ndarray, nu: np.ndarray, static: bool = True) -> tuple[np.ndarray | None, ...]:
        """K_0, K_1, K_2 with Σ_k K_k h^k the mode integrand F, rows = problems ``p``.

        K_k = C_k + N_k: the clean coefficients C_k ≥ 0 (model.mode_coefficients) plus the
        label-noise part (model._noise_term) expanded in h with w = 1 − h, r = g/(ν+g), r̄ = 1 − r:

        * gen: λσ² nf w² → N = λσ² nf·(1, −2, 1), nf = ν/(ν+g)² (0 at ν = 0);
        * train: λσ²(ν nf w² − 2q w) + σ² with ν nf = r̄², q = r̄ →
          N = (σ²(1 − λ) + λσ² r², 2λσ² r r̄, λσ² r̄²).

        Written in r and r̄, the values at ν = 0 are the continuous limits (the λ = 1 edge) and
        agree with the null modes' σ² (train) and 0 (gen) where h(0) = 1 (λ > 1 without weight
        decay; with it r(0) = 1). The train form has no cancelling terms for g = 0.
        Problems with ``direct_noise`` (gen at λ = 1 without weight decay, where E[nf] diverges)
        get N = 0 here: their noise part is summed in w directly (:meth:`_noise_part`).
        With ``static=False`` K_0 is not computed (returned as None).
        """
        g = self.g[p][:, None]
        if np.all(nu > 0):  # nodes: g = 0 gives r = 0, r̄ = 1 by itself
            inv = 1 / (nu + g)
            r, rc = g * inv, nu * inv
        else:  # ν = 0 (edge, atom): (r, r̄) = (1, 0) for g > 0 and (0, 1) for g = 0
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(g > 0, g / (nu + g), 0.0)
                rc = np.where(g > 0, nu / (nu + g), 1.0)
        train = self.train[p][:, None]
        tr = train.astype(float)
        weight = nu * tr + (1 - tr)
        t2d, a2d = (self.tau2[p] / (2 * self.d[p]))[:, None], (self.a2[p] / (2 * self.d[p]))[:, None]
        wt = weight * t2d
        k0 = wt * r * r if static else None
        k1 = 2 * wt * r * rc
        k2 = wt * rc * rc + weight * a2d
        if np.any(self.hnoise[p]):
            s2 = np.where(self.hnoise[p], self.s2[p], 0.0)[:, None]
            ls2 = self.lam * s2
            with np.errstate(divide="ignore", invalid="ignore"):
                nf = np.where(nu > 0, nu / (nu + g) ** 2, 0.0)
            if static:
                k0 = k0 + np.where(train, s2 * (1 - self.lam) + ls2 * r * r, ls2 * nf)
            k1 = k1 + np.where(train, 2 * ls2 * r * rc, -2 * ls2 * nf)
            k2 = k2 + np.where(train, ls2 * rc * rc, ls2 * nf)
        return k0, k1, k2

    def _noise(self, p: np.ndarray, nu: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Label-noise part N(ν) of the gen loss (model._noise_term) given w = 1 − h."""
        g = self.g[p][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            nf = np.where(nu > 0, nu / (nu + g) ** 2, 0.0)
        return self.lam * self.s2[p][:, None] * nf * w * w

    def _psi(self, p: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """ψ = φ(ν) − φ(λ₋) at ν − λ₋ = ``delta`` (rows = problems)."""
        x = self.rate[p][:, None] * delta
        if not np.any(self.gd[p]):
            return -x
        with np.errstate(invalid="ignore"):
            return np.where(self.gd[p][:, None], np.log1p(-x), -x)

    # -- node sets ------------------------------------------------------------------------------
    def _kappa(self, p: np.ndarray, t: np.ndarray) -> np.ndarray:
        """κ of the slowest decaying factor e^{tψ} (k = 1): 2·rate·t·√λ."""
        return 2 * self.rate[p] * t * self.sqrt

    def _decay_nodes(self, p: np.ndarray, t: np.ndarray, n: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Interval counts n (for the k = 2 peak unless given) and evaluated node counts."""
        k1 = self._kappa(p, t)
        if n is None:
            n = tabulated_counts(self.lam, 0, 2 * k1, factor=2)
        count = evaluated_nodes(n, k1, float64_nepers(k1) + 7.0)
        count = np.minimum(n - 1, COARSE_COUNTS[np.searchsorted(COARSE_COUNTS, count)])
        if np.any(count > MAX_EVALUATED):
            raise QuadratureError(f"the angle rule would evaluate more than {MAX_EVALUATED} nodes")
        return np.asarray(n, dtype=np.int64), count

    def _nodes(self, n: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ν − λ₋, ν, sin²θ/ν) at the nodes j = 1..count of the n-interval rule."""
        u = u_nodes(int(n), int(count))
        delta = 4 * self.sqrt * u
        nu = self.lower + delta
        return delta, nu, 4 * u * (1 - u) / nu

    # -- sums over nodes ------------------------------------------------------------------------
    def _edge_coefficients(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(c[:, 0] for c in self._coefficients(p, np.zeros(1)))

    def _static_sums(self) -> np.ndarray:
        """E[K_0] over the continuous part (the time-independent k = 0 term), nested doubling."""
        P = len(self.models)
        out = np.zeros(P)
        todo = np.flatnonzero(((self.g > 0) & (self.tau2 > 0)) | self.hnoise)
        n = self._n0
        edge = self._edge_coefficients(np.arange(P))[0] if self.lower == 0 else np.zeros(P)
        for _ in range(_MAX_DOUBLINGS + 1):
            if not todo.size:
                return out
            _, nu, b = self._nodes(n, n - 1)
            c0 = self._coefficients(todo, nu)[0] * b
            full = (c0.sum(axis=1) + 0.5 * edge[todo]) * (2.0 / n)
            half = (c0[:, 1::2].sum(axis=1) + 0.5 * edge[todo]) * (4.0 / n)
            ok = _agree(full, half, np.abs(c0).sum(axis=1) * (2.0 / n))
            out[todo[ok]] = full[ok]
            todo, n = todo[~ok], 2 * n
        raise QuadratureError("E[C_0] did not converge (weight decay too small near lam = 1?)")

    def _decay_agree(self, p: np.ndarray, t: np.ndarray, k1: tuple[np.ndarray, ...], k2: tuple[np.ndarray, ...]) -> np.ndarray:
        """Nested-rule agreement of S_1 and S_2 relative to the size of the whole curve.

        ``k1``, ``k2`` are (full, half, Σ|terms|). The scale is Σ_k e^{k t φ(λ₋)} Σ|terms_k| + |E[K_0]|
        (in units of e^{k t φ(λ₋)} for each k), so a coefficient that cancels to rounding noise
        (e.g. K_1 = C_1 − 2λσ² nf ≡ 0 at γτ²/d = 2λσ²) is accepted when the noise is negligible.
        """
        e1 = np.exp(t * self.phi_edge[p])
        live = e1 > 0  # else the decaying parts vanish against the rest: nothing to check
        static = np.abs(self.static[p])
        with np.errstate(over="ignore", invalid="ignore"):
            inv = 1 / np.where(live, e1, 1.0)
            scale1 = k1[2] + e1 * k2[2] + static * inv
            scale2 = k1[2] * inv + k2[2] + static * inv * inv
            return ~live | (_agree(k1[0], k1[1], scale1) & _agree(k2[0], k2[1], scale2))

    def _decay_weights(self, p: np.ndarray, n: int, count: int) -> tuple[np.ndarray, ...]:
        """Node data for rows ``p`` on one node set: ν − λ₋, K_1·w, K_2·w, edge values."""
        delta, nu, b = self._nodes(n, count)
        _, c1, c2 = self._coefficients(p, nu, static=False)
        edge = self._edge_coefficients(p) if self.lower == 0 else (np.zeros(len(p)),) * 3
        return delta, c1 * b, c2 * b, edge[1], edge[2]

    def _decay_sums(self, p: np.ndarray, t: np.ndarray, n: int, count: int,
                    weights: tuple[np.ndarray, ...] | None = None) -> tuple[np.ndarray, ...]:
        """(S_1, S_2), their nested halves and their magnitudes for rows (p, t) on one node set."""
        out = [np.empty(len(p)) for _ in range(6)]
        step = max(1, _BLOCK // count)
        for a in range(0, len(p), step):
            sl = slice(a, a + step)
            delta, w1, w2, e1_edge, e2_edge = weights if weights is not None else self._decay_weights(p[sl], n, count)
            if weights is not None:
                w1, w2, e1_edge, e2_edge = w1[sl], w2[sl], e1_edge[sl], e2_edge[sl]
            e1 = np.exp(t[sl, None] * self._psi(p[sl], delta))
            for k, (w, e, edge) in enumerate(((w1, e1, e1_edge), (w2, e1 * e1, e2_edge))):
                terms = w * e
                out[2 * k][sl] = (terms.sum(axis=1) + 0.5 * edge) * (2.0 / n)
                out[2 * k + 1][sl] = (terms[:, 1::2].sum(axis=1) + 0.5 * edge) * (4.0 / n)
                out[4 + k][sl] = np.abs(terms).sum(axis=1) * (2.0 / n)
        return tuple(out)

    def fixed(self, p: np.ndarray, t_lo: np.ndarray, n_decay: np.ndarray, n_noise: np.ndarray) -> "_FixedNodes":
        """An evaluator of ``log L`` for problems ``p`` on fixed node sets (see :class:`_FixedNodes`)."""
        return _FixedNodes(self, p, t_lo, n_decay, n_noise)

    def _noise_sums(self, p: np.ndarray, t: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Noise part over the continuous law (full support) and its nested half."""
        delta, nu, b = self._nodes(n, n - 1)
        full, half = np.empty(len(p)), np.empty(len(p))
        step = max(1, _BLOCK // n)
        for a in range(0, len(p), step):
            sl = slice(a, a + step)
            pp, tt = p[sl], t[sl, None]
            w = -np.expm1(tt * (self.phi_edge[pp][:, None] + self._psi(pp, delta)))
            terms = self._noise(pp, nu, w) * b  # the θ = 0 endpoint (ν = 0, w = 0 without weight decay) adds nothing
            full[sl] = terms.sum(axis=1) * (2.0 / n)
            half[sl] = terms[:, 1::2].sum(axis=1) * (4.0 / n)
        return full, half

    # -- assembling log L ------------------------------------------------------------------------
    def _assemble(self, p: np.ndarray, t: np.ndarray, s1: np.ndarray, s2: np.ndarray, noise: np.ndarray) -> np.ndarray:
        """log L = log(E[K_0] + Σ_k e^{k t φ(λ₋)} S_k + atom term + direct noise), signed terms."""
        a1 = t * self.phi_edge[p]
        terms = [(np.zeros_like(t), self.static[p]), (a1, s1), (2 * a1, s2)]
        if self.atom > 0:
            k0, k1, k2 = self._edge_coefficients(p)
            hn = np.exp(t * self.phi_null[p])
            terms.append((np.zeros_like(t), self.atom * (k0 + k1 * hn + k2 * hn * hn)))
        if np.any(self.direct_noise[p]):
            terms.append((np.zeros_like(t), noise))
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.vstack([e + np.log(np.abs(s)) for e, s in terms])
            top = np.max(logs, axis=0)
            top = np.where(np.isfinite(top), top, 0.0)
            total = sum(np.sign(s) * np.exp(lg - top) for (_, s), lg in zip(terms, logs))
            return top + np.log(np.maximum(total, 0.0))

    def log_curve(self, p: np.ndarray, t: np.ndarray, n_decay: np.ndarray | None = None,
                  n_noise: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``log L`` of problems ``p`` at times ``t`` (same length), elementwise.

        With ``n_decay``/``n_noise`` (interval counts per row) the node sets are fixed: each row's
        value then depends on that row's data only, whatever else is evaluated with it. Without,
        they start from the a priori counts and are doubled per row until the rule and its nested
        half agree. Returns ``(log L, n_decay, n_noise)``.
        """
        p, t = np.asarray(p, dtype=np.int64), np.asarray(t, dtype=float)
        s1, s2, n, unconverged = self._decay_part(p, t, n_decay)
        noise, nn = self._noise_part(p, t, n_noise)
        nn[unconverged] = FALLBACK  # the model's own curve for rows the family's rule cannot resolve
        out = self._assemble(p, t, s1, s2, noise)
        self._fallback(p, t, nn, out)
        return out, n, nn

    def _fallback(self, p: np.ndarray, t: np.ndarray, nn: np.ndarray, out: np.ndarray) -> None:
        """Rows whose noise part needs more than ``_MAX_NOISE_NODES`` nodes (a boundary layer at
        ν = 0 for λ = 1 at late times): the model's own curve, which falls back to the
        subtracted form (B) of the engine."""
        for q in np.unique(p[nn == FALLBACK]):
            rows = np.flatnonzero((p == q) & (nn == FALLBACK))
            m = self.models[q]
            out[rows] = (m.log_train_loss if self.train[q] else m.log_gen_loss)(t[rows])

    def _decay_part(self, p: np.ndarray, t: np.ndarray, n_decay: np.ndarray | None) -> tuple[np.ndarray, ...]:
        R = len(p)
        adaptive = n_decay is None
        n, _ = self._decay_nodes(p, t, n_decay)
        n = n.copy()
        n0 = n.copy()
        s1, s2 = np.empty(R), np.empty(R)
        todo = np.arange(R)
        unconverged = np.zeros(R, dtype=bool)
        for _ in range(_MAX_DOUBLINGS + 1):
            if not todo.size:
                return s1, s2, n, unconverged
            ok = np.ones(todo.size, dtype=bool)
            nn, cc = self._decay_nodes(p[todo], t[todo], n[todo])
            for key in np.unique(np.stack([nn, cc]), axis=1).T:
                sel = np.flatnonzero((nn == key[0]) & (cc == key[1]))
                rows = todo[sel]
                f1, h1, f2, h2, m1, m2 = self._decay_sums(p[rows], t[rows], int(key[0]), int(key[1]))
                s1[rows], s2[rows] = f1, f2
                ok[sel] = self._decay_agree(p[rows], t[rows], (f1, h1, m1), (f2, h2, m2))
            if not adaptive:
                return s1, s2, n, unconverged
            todo = todo[~ok]
            n[todo] *= 2
        # rows whose nested rules never agreed: reported, then evaluated by the model's own curve
        n[todo] = n0[todo]
        unconverged[todo] = True
        return s1, s2, n, unconverged

    def _noise_part(self, p: np.ndarray, t: np.ndarray, n_noise: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        R = len(p)
        noise = np.zeros(R)
        used = np.zeros(R, dtype=np.int64)
        todo = np.flatnonzero(self.direct_noise[p])
        m = np.full(R, self._n0, dtype=np.int64) if n_noise is None else np.asarray(n_noise, dtype=np.int64).copy()
        if n_noise is not None:
            used[todo[m[todo] == FALLBACK]] = FALLBACK
            todo = todo[m[todo] != FALLBACK]
        for _ in range(_MAX_DOUBLINGS + 1):
            if not todo.size:
                return noise, used
            ok = np.ones(todo.size, dtype=bool)
            for nv in np.unique(m[todo]):
                sel = np.flatnonzero(m[todo] == nv)
                rows = todo[sel]
                full, half = self._noise_sums(p[rows], t[rows], int(nv))
                noise[rows], used[rows] = full, nv
                ok[sel] = _agree(full, half)
            if n_noise is not None:
                return noise, used
            todo = todo[~ok]
            m[todo] *= 2
            big = m[todo] > _MAX_NOISE_NODES
            used[todo[big]] = FALLBACK
            todo = todo[~big]
        used[todo] = FALLBACK
        return noise, used

    def log_curve_grid(self, p: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``log L`` of problems ``p`` (all with the same rate, flow) on a shared grid ``t``.

        Returns arrays of shape (len(p), len(t)): values, decay interval counts, noise counts.
        The decaying sums are matrix products ``W_k @ E_kᵀ`` per node set (weights per problem,
        exponentials per time); rows failing the nested check are redone by :meth:`log_curve`.
        """
        p, t = np.asarray(p, dtype=np.int64), np.asarray(t, dtype=float)
        P, M = len(p), len(t)
        if not (np.all(~self.gd[p]) and np.all(self.rate[p] == self.rate[p[0]])):
            pp, tt = np.repeat(p, M), np.tile(t, P)
            vals, nd, nn = self.log_curve(pp, tt)
            return vals.reshape(P, M), nd.reshape(P, M), nn.reshape(P, M)
        # interval counts rounded up to powers of two: every node set is then a subset of the
        # finest one, and the weights of all problems are computed once, on the union of nodes
        n_t = tabulated_counts(self.lam, 0, 2 * self._kappa(np.full(M, p[0]), t), factor=2)
        n_t = (2 ** np.ceil(np.log2(n_t))).astype(np.int64)
        n_t, c_t = self._decay_nodes(np.full(M, p[0]), t, n_t)
        sets = [(int(n), np.flatnonzero(n_t == n)) for n in np.unique(n_t)]
        finest = max(n for n, _ in sets)
        index = [(finest // n) * np.arange(1, int(c_t[cols].max()) + 1) for n, cols in sets]
        union = np.unique(np.concatenate(index))
        u = np.sin(union * (np.pi / (2 * finest))) ** 2
        delta = 4 * self.sqrt * u
        nu = self.lower + delta
        _, c1, c2 = self._coefficients(p, nu, static=False)
        b = 4 * u * (1 - u) / nu
        w_all = (c1 * b, c2 * b)
        s = np.empty((6, P, M))
        edge = self._edge_coefficients(p) if self.lower == 0 else (np.zeros(P),) * 3
        for (n, cols), idx in zip(sets, index):  # times sharing n share the widest one's nodes
            at = np.searchsorted(union, idx)
            e1 = np.exp(np.outer(t[cols], -self.rate[p[0]] * delta[at]))
            for k, e in enumerate((e1, e1 * e1)):
                w = w_all[k][:, at]
                s[2 * k][:, cols] = (w @ e.T + 0.5 * edge[k + 1][:, None]) * (2.0 / n)
                s[2 * k + 1][:, cols] = (w[:, 1::2] @ e[:, 1::2].T + 0.5 * edge[k + 1][:, None]) * (4.0 / n)
                s[4 + k][:, cols] = (np.abs(w) @ e.T) * (2.0 / n)
        pp, tt = np.repeat(p, M), np.tile(t, P)
        ok = self._decay_agree(pp, tt, (s[0].ravel(), s[1].ravel(), s[4].ravel()), (s[2].ravel(), s[3].ravel(), s[5].ravel()))
        n_all = np.tile(n_t, P)
        noise, nn = self._noise_part(pp, tt, None)
        vals = self._assemble(pp, tt, s[0].ravel(), s[2].ravel(), noise)
        self._fallback(pp, tt, nn, vals)
        bad = np.flatnonzero(~ok.ravel())
        if bad.size:
            v, nd_bad, nn_bad = self.log_curve(pp[bad], tt[bad])
            vals[bad], n_all[bad], nn[bad] = v, nd_bad, nn_bad
        return vals.reshape(P, M), n_all.reshape(P, M), nn.reshape(P, M)


class _FixedNodes:
    """``log L`` of fixed problems on fixed node sets, for the iterations of a root finder.

    Problem i uses ``n_decay[i]`` intervals with the nodes needed down to time ``t_lo[i]`` (the
    most), and ``n_noise[i]`` for a direct noise part. The node weights are computed once; each
    row's value depends on its own data only.
    """

    def __init__(self, fam: CurveFamily, p: np.ndarray, t_lo: np.ndarray, n_decay: np.ndarray, n_noise: np.ndarray) -> None:
        self.fam, self.p, self.n_noise = fam, p, n_noise
        n, count = fam._decay_nodes(p, t_lo, n_decay)
        self.group = np.zeros(len(p), dtype=np.int64)
        self.pos = np.zeros(len(p), dtype=np.int64)
        self.sets = []
        for g, key in enumerate(np.unique(np.stack([n, count]), axis=1).T):
            rows = np.flatnonzero((n == key[0]) & (count == key[1]))
            self.group[rows], self.pos[rows] = g, np.arange(rows.size)
            self.sets.append((int(key[0]), int(key[1]), fam._decay_weights(p[rows], int(key[0]), int(key[1]))))

    def __call__(self, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """log L of problems ``p[rows]`` at times ``t``."""
        fam, p = self.fam, self.p[rows]
        s1, s2 = np.empty(len(rows)), np.empty(len(rows))
        for g in np.unique(self.group[rows]):
            sel = np.flatnonzero(self.group[rows] == g)
            n, count, (delta, w1, w2, e1, e2) = self.sets[g]
            pos = self.pos[rows[sel]]
            weights = (delta, w1[pos], w2[pos], e1[pos], e2[pos])
            out = fam._decay_sums(p[sel], t[sel], n, count, weights)
            s1[sel], s2[sel] = out[0], out[2]
        noise, nn = fam._noise_part(p, t, self.n_noise[rows])
        vals = fam._assemble(p, t, s1, s2, noise)
        fam._fallback(p, t, nn, vals)
        return vals


def _agree(full: np.ndarray, half: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """Nested-rule agreement, relative to ``scale`` (the sum of the terms' magnitudes) if given."""
    scale = np.abs(full) if scale is None else scale
    return (full == half) | (np.abs(full - half) <= _NESTED_RTOL * scale)
