"""Finite d_in: the distribution of grokking times over Gaussian data sets, and 1/d_in corrections.

The Marchenko–Pastur curves of :class:`~grok_theory.linear.model.TeacherStudent` are the d_in → ∞ limit.
At finite d_in a data set X (N_tr × d_in, N_tr = round(d_in/λ)) has its own spectrum ν_1 … ν_{d_in}
of Σ_tr = XᵀX/N_tr, and two levels of randomness remain:

* ``runs="average"`` — the loss averaged over teacher, initialisation and label noise *given the
  data*. Because T, S_0 and Ξ are isotropic Gaussians this is exactly
  L(t | X) = (1/d_in) Σ_i f(t, ν_i) with the model's own per-eigenvalue contribution f
  (:meth:`TeacherStudent.mode_curve`): the MP expectation with MP replaced by the empirical
  spectrum. Its crossing times are functions of the spectrum only.
* ``runs="single"`` — one run: in the eigenbasis of Σ_tr the error of mode i is
  D_i(t) = −τ T_i a_i(t) + α S_i h_i(t) + E_i (1 − h_i(t))/(ν_i + g), a_i = r_i + (1 − r_i) h_i,
  with T_i, S_i ~ N(0, I_{d_out}/(2 d_in d_out)) and E_i = √(ν_i/N_tr) ξ_i, ξ_i ~ N(0, σ² I), all
  independent (Levi Eqs. 4–5 with weight decay and noise, module docstring of ``model``), and
  L_gen = (1/d_out) Σ_i ‖D_i‖², L_tr = (1/d_out)[Σ_i ν_i ‖D_i‖² − 2 Σ_i D_i·E_i + ‖Ξ‖²/N_tr],
  ‖Ξ‖² = Σ_i ‖ξ_i‖² + σ² χ²_{(N_tr − rank) d_out}.

Spectra are sampled exactly by the bidiagonal model (:mod:`grok_theory.mp.wishart`), so the
distribution of (t_train, t_gen, Δt) is a Monte Carlo estimate with *no* approximation beyond
sampling error, reported with its standard errors. What is asymptotic is the analytic layer:

* :func:`mean_curve_correction` — E_X[L(t | X)] = L_MP(t) + c₁(t)/d_in + o(1/d_in) with
  c₁ = (f(λ₋) + f(λ₊))/4 − ½ E_arcsine[f] (Bai & Silverstein, Ann. Probab. 32 (2004), Thm 1.1,
  real case; derivation ``finite_size.mean_correction``). Valid at fixed t; it breaks down once
  the curve is dominated by the lowest eigenvalues, t ≳ d_in^{2/3}/(c·λ₋) (soft edge);
* :mod:`grok_theory.mp.edge` — the laws of the smallest eigenvalue that take over at late times.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
from scipy import stats

from grok_theory import _validate
from grok_theory.linear.grokking import GrokkingTime, grokking_time, threshold
from grok_theory.linear.model import TeacherStudent
from grok_theory.mp.wishart import n_train_for, sample_spectrum
from grok_theory._display import field_html, field_repr

__all__ = ["TimeDistribution", "GrokkingTimeDistribution", "grokking_time_distribution", "conditional_curve",
           "single_run_curve", "SingleRunModes", "sample_single_runs", "mean_curve_correction", "mean_curve",
           "crossing_times", "edge_crossing_time"]

T_MIN, T_MAX = 1e-3, 1e13
GRID_PER_DECADE = 8
_RUNS = ("average", "single")
_CHUNK = 2**22  # floats per evaluation block


# -- the distribution objects -----------------------------------------------------------------
@dataclass(frozen=True)
class TimeDistribution:
    """Empirical law of one crossing time over data sets (``inf`` = never reached).

    ``mean``/``std`` are over all samples (``inf`` if any is infinite); ``quantile`` uses all
    samples, infinite ones included (so a quantile is ``inf`` when that fraction never crosses).
    """

    samples: np.ndarray

    @property
    def n(self) -> int:
        return int(self.samples.size)

    @property
    def never(self) -> float:
        """Fraction of samples that never cross."""
        return float(np.mean(~np.isfinite(self.samples)))

    @property
    def mean(self) -> float:
        return float(np.mean(self.samples)) if self.never == 0 else math.inf

    @property
    def std(self) -> float:
        return float(np.std(self.samples, ddof=1)) if self.never == 0 else math.inf

    @property
    def sem(self) -> float:
        """Standard error of :attr:`mean`."""
        return self.std / math.sqrt(self.n)

    def quantile(self, q: Any) -> Any:
        """Empirical quantile(s) (numpy's default linear interpolation)."""
        q = _validate.real_array("q", q, lower=0.0)
        if np.any(q > 1):
            raise ValueError(f"q must be in [0, 1], got {q!r}")
        finite = np.isfinite(self.samples)
        big = np.finfo(float).max
        out = np.quantile(np.where(finite, self.samples, big), q)  # inf would give nan between two infs
        top = self.samples[finite].max() if finite.any() else -math.inf
        out = np.where(out > top, math.inf, out)
        return float(out) if np.ndim(out) == 0 else out

    def quantile_interval(self, q: float, z: float = 1.96) -> tuple[float, float]:
        """Distribution-free confidence interval of the q-quantile from order statistics (binomial
        normal approximation: ranks n q ± z √(n q (1 − q)))."""
        q = _validate.real_scalar("q", q)
        if not 0 < q < 1:
            raise ValueError(f"q must be in (0, 1), got {q!r}")
        s = np.sort(self.samples)
        half = z * math.sqrt(self.n * q * (1 - q))
        lo = int(max(0, math.floor(self.n * q - half)))
        hi = int(min(self.n - 1, math.ceil(self.n * q + half)))
        return float(s[lo]), float(s[hi])

    def cdf(self, t: Any) -> Any:
        """Empirical P(time ≤ t)."""
        t = np.asarray(t, dtype=float)
        out = np.searchsorted(np.sort(self.samples), t, side="right") / self.n
        return float(out) if out.ndim == 0 else out

    def density(self, t: Any) -> Any:
        """Gaussian-kernel density estimate (Scott's bandwidth) of the finite samples, normalised to
        their fraction 1 − :attr:`never`."""
        finite = self.samples[np.isfinite(self.samples)]
        if finite.size < 2 or np.ptp(finite) == 0:
            raise ValueError("density needs at least two distinct finite samples")
        out = stats.gaussian_kde(finite)(np.atleast_1d(np.asarray(t, dtype=float))) * (1 - self.never)
        return float(out[0]) if np.ndim(t) == 0 else out

    def __repr__(self) -> str:
        if self.never == 1:
            return f"TimeDistribution(n={self.n}, never)"
        med = self.quantile(0.5)
        return (f"TimeDistribution(n={self.n}, mean={self.mean:.6g} ± {self.sem:.2g}, std={self.std:.4g}, "
                f"median={med:.6g}, never={self.never:.3g})")

    def _row(self) -> list[Any]:
        """mean, its standard error, std, 10/50/90 % quantiles and the never-crossing fraction."""
        return [self.mean, self.sem, self.std, *(self.quantile(q) for q in (0.1, 0.5, 0.9)), self.never]

    _HEADERS = ("mean", "± s.e.", "std", "q10", "median", "q90", "never")

    def _repr_html_(self) -> str:
        """Jupyter: the summary statistics as a one-row table."""
        from grok_theory._display import html_table

        return html_table(f"TimeDistribution over {self.n} data sets", list(self._HEADERS), [self._row()])


@dataclass(frozen=True)
class GrokkingTimeDistribution:
    """Distribution over data sets of (t_train, t_gen, Δt) for one model at finite d_in.

    ``model`` carries the realised λ = d_in/N_tr; ``mp`` is its Marchenko–Pastur (d_in → ∞)
    :class:`~grok_theory.linear.grokking.GrokkingTime`.
    """

    t_train: TimeDistribution
    t_gen: TimeDistribution
    delta: TimeDistribution
    model: TeacherStudent
    d_in: int
    n_train: int
    eps: float
    level_loss: float
    runs: str
    mp: GrokkingTime = field(repr=False)

    def __repr__(self) -> str:
        return (f"GrokkingTimeDistribution(d_in={self.d_in}, n_train={self.n_train}, runs={self.runs!r}, "
                f"n={self.t_train.n};\n  t_train={self.t_train!r}\n  t_gen={self.t_gen!r}\n  delta={self.delta!r}\n"
                f"  MP: {self.mp!r})")

    def _repr_html_(self) -> str:
        """Jupyter: t_train, t_gen and Δt over the data sets next to the Marchenko–Pastur (d_in → ∞) values."""
        from grok_theory._display import html_table

        rows = [[name, *getattr(self, name)._row(), getattr(self.mp, name)] for name in ("t_train", "t_gen", "delta")]
        caption = (f"GrokkingTimeDistribution: d_in = {self.d_in}, N_tr = {self.n_train}, runs = {self.runs!r}, "
                   f"{self.t_train.n} data sets, ε = {self.eps:g} (level {self.level_loss:.4g})")
        return html_table(caption, ["time", *TimeDistribution._HEADERS, "MP (d_in → ∞)"], rows)


# -- curves at finite d_in ----------------------------------------------------------------------
def _blocks(n_rows: int, per_row: int) -> list[slice]:
    step = max(1, _CHUNK // max(per_row, 1))
    return [slice(i, min(i + step, n_rows)) for i in range(0, n_rows, step)]


def conditional_curve(model: TeacherStudent, which: str, t: Any, spectra: np.ndarray) -> np.ndarray:
    """L(t | X) = (1/d_in) Σ_i f(t, ν_i): the loss given the data, averaged over T, S_0, Ξ.

    ``spectra`` has shape (S, d_in) (all eigenvalues, zeros included); ``t`` is a scalar, a
    vector of length G (shared), or an (S, G) array. Returns (S,) or (S, G).
    """
    spectra = np.atleast_2d(np.asarray(spectra, dtype=float))
    t = np.asarray(t, dtype=float)
    scalar = t.ndim == 0
    tt = np.broadcast_to(t.reshape(-1) if t.ndim <= 1 else t, (spectra.shape[0], t.size if t.ndim <= 1 else t.shape[1]))
    out = np.empty(tt.shape)
    for b in _blocks(spectra.shape[0], spectra.shape[1] * tt.shape[1]):
        out[b] = model.mode_curve(which, tt[b, :, None], spectra[b, None, :]).mean(axis=-1)
    return out[:, 0] if scalar else out


@dataclass(frozen=True)
class SingleRunModes:
    """Per-mode sufficient statistics of single runs (one row per data set; see module docstring)."""
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    nu: np.ndarray  # (S, d_in)
    aa: np.ndarray  # ‖τT_i‖²
    bb: np.ndarray  # ‖αS_i‖²
    cc: np.ndarray  # ‖E_i‖²/(ν_i+g)²
    ab: np.ndarray  # (−τT_i)·(αS_i)
    ac: np.ndarray  # (−τT_i)·E_i/(ν_i+g)
    bc: np.ndarray  # (αS_i)·E_i/(ν_i+g)
    noise_sq: np.ndarray  # (S,) ‖Ξ‖²/N_tr


def sample_single_runs(model: TeacherStudent, spectra: np.ndarray, n_train: int, rng: Any = None) -> SingleRunModes:
    """Draw teacher, initialisation and label noise in the eigenbasis of each sampled Σ_tr."""
    rng = np.random.default_rng(rng)
    spectra = np.atleast_2d(np.asarray(spectra, dtype=float))
    S, d = spectra.shape
    k = model.d_out
    sd = 1 / math.sqrt(2 * d * k)
    T = -model.teacher_scale * sd * rng.standard_normal((S, d, k))
    S0 = model.init_scale * sd * rng.standard_normal((S, d, k))
    rank = min(d, n_train)
    nonzero = np.zeros((S, d), dtype=bool)
    nonzero[:, d - rank:] = True  # spectra are ascending: the zeros of λ > 1 come first
    xi = model.label_noise * rng.standard_normal((S, d, k)) * nonzero[..., None]
    E = np.sqrt(spectra / n_train)[..., None] * xi
    with np.errstate(divide="ignore", invalid="ignore"):
        C = np.where((spectra + model.g > 0)[..., None], E / (spectra + model.g)[..., None], 0.0)
    rest = model.label_noise**2 * rng.chisquare(max(n_train - rank, 0) * k, size=S) if n_train > rank else np.zeros(S)
    dot = lambda u, v: np.einsum("sik,sik->si", u, v)  # noqa: E731
    return SingleRunModes(spectra, dot(T, T), dot(S0, S0), dot(C, C), dot(T, S0), dot(T, C), dot(S0, C),
                          ((xi**2).sum(axis=(1, 2)) + rest) / n_train)


def single_run_curve(model: TeacherStudent, which: str, t: Any, modes: SingleRunModes) -> np.ndarray:
    """The loss of each single run at times ``t`` (shapes as in :func:`conditional_curve`)."""
    _validate.choice("which", which, ("train", "gen"))
    nu = modes.nu
    t = np.asarray(t, dtype=float)
    scalar = t.ndim == 0
    tt = np.broadcast_to(t.reshape(-1) if t.ndim <= 1 else t, (nu.shape[0], t.size if t.ndim <= 1 else t.shape[1]))
    out = np.empty(tt.shape)
    for b in _blocks(nu.shape[0], nu.shape[1] * tt.shape[1]):
        n = nu[b, None, :]
        h = model.mode_factor(tt[b, :, None], n)
        r, rc = model._ratio(n)
        a = r + rc * h
        w = 1 - h
        sq = (a * a * modes.aa[b, None] + h * h * modes.bb[b, None] + w * w * modes.cc[b, None]
              + 2 * a * h * modes.ab[b, None] + 2 * a * w * modes.ac[b, None] + 2 * h * w * modes.bc[b, None])
        if which == "gen":
            out[b] = sq.sum(axis=-1) / model.d_out
        else:
            # D_i·E_i = (ν+g)·[a (−τT)·C + h (αS)·C + (1 − h) ‖C‖²]
            de = (n + model.g) * (a * modes.ac[b, None] + h * modes.bc[b, None] + w * modes.cc[b, None])
            out[b] = ((n * sq).sum(axis=-1) - 2 * de.sum(axis=-1) + modes.noise_sq[b, None]) / model.d_out
    return out[:, 0] if scalar else out


# -- crossing times ------------------------------------------------------------------------------
def crossing_times(curve: Callable[[np.ndarray, np.ndarray], np.ndarray], n: int, level_loss: float,
                   t_guess: float = math.nan, iterations: int = 100) -> np.ndarray:
    """First t at which each of ``n`` curves falls to ``level_loss`` (``inf`` if never before T_MAX).

    ``curve(rows, t)`` evaluates rows ``rows`` at times ``t`` of shape (len(rows), G). The scan
    uses ``GRID_PER_DECADE`` log-spaced points per decade (the convention of
    :mod:`grok_theory.linear.grokking`), first on [t_guess/100, 100 t_guess] and then, for the rows that
    need it, on the rest of [T_MIN, T_MAX]; the bracket is refined by the Illinois variant of regula
    falsi on log L in log t (:func:`_refine`).
    """
    out = np.full(n, math.inf)
    rows = np.arange(n)
    v0 = curve(rows, np.zeros((n, 1)))[:, 0]
    out[v0 <= level_loss] = 0.0
    todo = rows[v0 > level_loss]
    lo_t, hi_t = np.zeros(n), np.zeros(n)
    found = np.zeros(n, dtype=bool)

    def grid(a: float, b: float) -> np.ndarray:
        return np.geomspace(a, b, max(2, int(round(GRID_PER_DECADE * math.log10(b / a)))) + 1)

    def scan(sel: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ``sel`` with a crossing on grid ``g``: (found rows, rows already below at g[0])."""
        if sel.size == 0:
            return sel, sel
        below = curve(sel, np.broadcast_to(g, (sel.size, g.size))) <= level_loss
        has = below.any(axis=1)
        i = np.argmax(below, axis=1)
        ok = has & (i > 0)
        p = sel[ok]
        hi_t[p], lo_t[p] = g[i[ok]], g[i[ok] - 1]
        found[p] = True
        return p, sel[has & (i == 0)]

    if math.isfinite(t_guess) and t_guess > 0:
        a, b = max(T_MIN, t_guess / 100), min(T_MAX, t_guess * 100)
    else:
        a, b = T_MIN, T_MAX
    if a >= b:
        a, b = T_MIN, T_MAX
    _, early = scan(todo, grid(a, b))
    if a > T_MIN and early.size:
        _, early = scan(early, grid(T_MIN, a))
    lo_t[early], hi_t[early], found[early] = 0.0, T_MIN, True  # below already at T_MIN: bracket [0, T_MIN]
    late = todo[~found[todo]]
    if b < T_MAX and late.size:
        scan(late, grid(b, T_MAX))
    sel = todo[found[todo]]
    out[sel] = _refine(curve, sel, lo_t[sel], hi_t[sel], math.log(level_loss), iterations)
    return out


def _refine(curve: Callable[[np.ndarray, np.ndarray], np.ndarray], sel: np.ndarray, lo: np.ndarray, hi: np.ndarray,
            log_level: float, iterations: int) -> np.ndarray:
    """Illinois regula falsi on F(x) = log L(e^x) − log L* over brackets [lo, hi] in t (F(lo) > 0 ≥ F(hi)),
    all rows together, to |Δx| ≤ 1e-13; a bracket starting at t = 0 starts at t = 1e-12 instead."""
    if sel.size == 0:
        return hi
    def F(x: np.ndarray) -> np.ndarray:
        v = curve(sel, np.exp(x)[:, None])[:, 0]
        return np.log(np.maximum(v, 1e-300)) - log_level
    a, b = np.log(np.maximum(lo, 1e-12)), np.log(hi)
    fa, fb = F(a), F(b)
    fa = np.maximum(fa, 1e-300)  # the bracket's lower end is above the level (fa > 0) by construction
    side = np.zeros(sel.size, dtype=np.int8)
    for _ in range(iterations):
        if np.all(b - a <= 1e-13 * np.maximum(1.0, np.abs(b))):
            break
        c = b - fb * (b - a) / (fb - fa)
        c = np.where((c > a) & (c < b), c, (a + b) / 2)
        fc = F(c)
        up = fc > 0
        fb = np.where(up & (side == 1), fb / 2, fb)  # Illinois: halve the stale end
        fa = np.where(~up & (side == -1), fa / 2, fa)
        a, fa = np.where(up, c, a), np.where(up, fc, fa)
        b, fb = np.where(up, b, c), np.where(up, fb, fc)
        side = np.where(up, 1, -1).astype(np.int8)
    return np.exp(b)


# -- the distribution -----------------------------------------------------------------------------
def grokking_time_distribution(model: TeacherStudent, eps: float, d_in: int, n_sets: int = 2000,
                               runs: str = "average", criterion: str = "loss", level: float = 0.95,
                               convention: str = "mean", rng: Any = None, spectra: np.ndarray | None = None
                               ) -> GrokkingTimeDistribution:
    """Distribution over ``n_sets`` Gaussian data sets of t_train, t_gen and Δt at finite ``d_in``.

    Parameters
    ----------
    model : TeacherStudent
        The model; N_tr = round(d_in/model.lam) and the realised λ = d_in/N_tr is used.
    eps : float > 0
        Accuracy threshold; the crossing level is :func:`grok_theory.linear.grokking.threshold`
        (eps/4 for ``criterion="loss"``).
    d_in : int ≥ 2
    n_sets : int ≥ 2
        Number of sampled data sets (spectra drawn by :func:`grok_theory.mp.wishart.sample_spectrum`).
    runs : {"average", "single"}
        "average": the loss averaged over teacher, initialisation and noise given the data (a
        function of the spectrum only); "single": one teacher/initialisation/noise draw per set.
    spectra : array (n_sets, d_in), optional
        Use these eigenvalues of Σ_tr instead of sampling (e.g. from real data sets).

    Returns
    -------
    GrokkingTimeDistribution
    """
    if not isinstance(model, TeacherStudent):
        raise TypeError(f"model must be a TeacherStudent, got {type(model).__name__}")
    eps = _validate.positive("eps", eps)
    d_in = _validate.positive_int("d_in", d_in)
    if d_in < 2:
        raise ValueError(f"d_in must be >= 2, got {d_in!r}")
    _validate.choice("runs", runs, _RUNS)
    n_train = n_train_for(d_in, model.lam)
    model = replace(model, lam=d_in / n_train)
    rng = np.random.default_rng(rng)
    if spectra is None:
        n_sets = _validate.positive_int("n_sets", n_sets)
        if n_sets < 2:
            raise ValueError(f"n_sets must be >= 2, got {n_sets!r}")
        spectra = sample_spectrum(d_in, n_train, n_sets, rng)
    else:
        spectra = np.asarray(spectra, dtype=float)
        if spectra.ndim != 2 or spectra.shape[1] != d_in or spectra.shape[0] < 2:
            raise ValueError(f"spectra must have shape (n_sets >= 2, d_in={d_in}), got {spectra.shape}")
    level_loss = threshold(model, eps, criterion, level, convention)
    mp = grokking_time(model, eps, criterion, level, convention)
    if runs == "average":
        def curve_of(which: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
            return lambda rows, t: conditional_curve(model, which, t, spectra[rows])
    else:
        modes = sample_single_runs(model, spectra, n_train, rng)

        def curve_of(which: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
            def f(rows: np.ndarray, t: np.ndarray) -> np.ndarray:
                sub = SingleRunModes(*(getattr(modes, k)[rows] for k in SingleRunModes.__dataclass_fields__))
                return single_run_curve(model, which, t, sub)
            return f
    n = spectra.shape[0]
    tt = crossing_times(curve_of("train"), n, level_loss, float(mp.t_train))
    tg = crossing_times(curve_of("gen"), n, level_loss, float(mp.t_gen))
    with np.errstate(invalid="ignore"):
        delta = np.where(np.isfinite(tg), tg - tt, math.inf)
    return GrokkingTimeDistribution(TimeDistribution(tt), TimeDistribution(tg), TimeDistribution(delta), model,
                                    d_in, n_train, eps, level_loss, runs, mp)


# -- 1/d_in corrections to the mean curves -----------------------------------------------------------
def _arcsine_mean(f: Callable[[np.ndarray], np.ndarray], lam: float, rtol: float = 1e-13) -> np.ndarray:
    """E[f(ν)] under the arcsine law on [λ₋, λ₊] (density 1/(π√((λ₊−ν)(ν−λ₋)))), by Gauss–Chebyshev
    (first kind) with doubling until two rules agree to ``rtol``."""
    m, R = 1 + lam, 2 * math.sqrt(lam)
    K, prev = 32, None
    while True:
        x = m + R * np.cos((2 * np.arange(1, K + 1) - 1) * math.pi / (2 * K))
        val = f(x).mean(axis=-1)
        if prev is not None and np.all(np.abs(val - prev) <= rtol * np.maximum(np.abs(val), 1e-300) + 1e-300):
            return val
        if K > 2**20:
            raise RuntimeError("arcsine quadrature did not converge")
        prev, K = val, 2 * K


def mean_curve_correction(model: TeacherStudent, which: str, t: Any) -> np.ndarray:
    """c₁(t) in E_X[L(t | X)] = L_MP(t) + c₁(t)/d_in + o(1/d_in) (real Gaussian data, β = 1).

    c₁ = (f(λ₋) + f(λ₊))/4 − ½ E_arcsine[f], f = :meth:`TeacherStudent.mode_curve` (Bai &
    Silverstein 2004, Thm 1.1, the mean of the linear spectral statistic Σ_i f(ν_i) − d_in ∫ f dMP_λ
    for real entries; λ = d_in/N_tr exactly). For Levi's L_gen = E[e^{−sν}] (flow, γ = 0) this is
    ((e^{−sλ₋} + e^{−sλ₊})/4 − ½ e^{−s(1+λ)} I₀(2s√λ))·(1 + α²)/2 — derivation
    ``finite_size.mean_correction``. Asymptotic: fixed t, d_in → ∞; the measured error grows with t
    (docs/models/finite_size.md).
    """
    _validate.choice("which", which, ("train", "gen", "norm"))
    t = _validate.real_array("t", t, lower=0.0)
    lam = model.lam
    lo, hi = (1 - math.sqrt(lam)) ** 2, (1 + math.sqrt(lam)) ** 2
    tt = np.atleast_1d(t)[:, None]
    edge = (model.mode_curve(which, tt, lo) + model.mode_curve(which, tt, hi))[:, 0] / 4
    arc = _arcsine_mean(lambda x: model.mode_curve(which, tt, x[None, :]), lam)
    out = edge - arc / 2
    return float(out[0]) if t.ndim == 0 else out.reshape(t.shape)


def mean_curve(model: TeacherStudent, which: str, t: Any, d_in: int) -> np.ndarray:
    """L_MP(t) + c₁(t)/d_in: the data-averaged curve at finite d_in to first order in 1/d_in."""
    d_in = _validate.positive_int("d_in", d_in)
    base = {"train": model.train_loss, "gen": model.gen_loss, "norm": model.weight_norm}[
        _validate.choice("which", which, ("train", "gen", "norm"))](t)
    return base + mean_curve_correction(model, which, t) / d_in


# -- the edge-dominated (late-time) law of the crossing times ------------------------------------------------
def edge_crossing_time(model: TeacherStudent, which: str, eps: float, d_in: int, q: Any, criterion: str = "loss",
                       level: float = 0.95, convention: str = "mean") -> Any:
    """q-quantile of the data-averaged crossing time when the smallest eigenvalue carries the curve.

    If (1/d_in) f(t, ν_min) alone is the loss at the crossing (late times: t·2c·(ν₂ − ν₁) ≫ 1),
    t* solves f(t*, ν_min) = d_in L* and decreases in ν_min, so its q-quantile is the root at the
    (1 − q)-quantile of ν_min from :func:`grok_theory.mp.edge.smallest_eigenvalue_law` (Edelman's
    hard edge at d_in = N_tr, TW₁ otherwise). For flow, γ = σ = 0, d_out = 1:
    t*_gen = log((1 + α²)/(2 d_in L*)) / (2c ν_min). Asymptotic twice over (edge law, one-mode
    dominance): docs/models/finite_size.md measures it against the sampled distribution. Returns
    ``inf`` where the mode never falls to the level.
    """
    from scipy.optimize import brentq

    from grok_theory.mp.edge import smallest_eigenvalue_law

    _validate.choice("which", which, ("train", "gen"))
    d_in = _validate.positive_int("d_in", d_in)
    n_train = n_train_for(d_in, model.lam)
    model = replace(model, lam=d_in / n_train)
    target = d_in * threshold(model, eps, criterion, level, convention)
    qs = np.atleast_1d(_validate.real_array("q", q, lower=0.0))
    if np.any(qs >= 1) or np.any(qs <= 0):
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    law = smallest_eigenvalue_law(d_in, n_train)
    out = []
    for nu in np.atleast_1d(law.quantile(1 - qs)):
        f = lambda x, nu=nu: math.log(max(float(model.mode_curve(which, math.exp(x), nu)), 1e-300)) - math.log(target)  # noqa: E731
        if f(math.log(T_MAX)) > 0:
            out.append(math.inf)
        elif f(math.log(T_MIN)) <= 0:
            out.append(0.0)
        else:
            out.append(math.exp(brentq(f, math.log(T_MIN), math.log(T_MAX), xtol=1e-13)))
    res = np.array(out)
    return float(res[0]) if np.ndim(q) == 0 else res
