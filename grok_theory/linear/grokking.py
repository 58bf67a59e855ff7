"""Crossing times, grokking times, phase diagrams and the output dimension of slowest grokking.

Levi et al. (2024, §3.1.3) define the grokking time as the gap between the times at which the
training and the generalisation accuracies reach erf(√2) ≈ 95.45 %, i.e. the losses reach
eps/4 (d_out = 1). Since accuracy is a decreasing function of the loss (Eqs. 10, 13), every
criterion is a loss threshold: ``criterion="loss"`` uses L(t*) = eps/4, and
``criterion="accuracy"`` uses the loss at which the accuracy equals ``level``
(:func:`grok_theory.linear.model.loss_at_accuracy`).

The *first* crossing is found by scanning log t on a fixed grid (``GRID_PER_DECADE`` points per
decade from 1e-3 to 1e13 steps) and refining the first bracket by the Illinois variant of
regula falsi on log L (float64, to ~1e-14 relative in t) or by bisection at ``dps`` digits. One
vectorised solver (:func:`_first_crossings`, on :class:`~grok_theory.linear.curve_family.CurveFamily`)
serves :func:`crossing_time`, :func:`phase_diagram` and :func:`d_out_max`: a phase diagram solves
all its cells together, and each cell's result is the one ``crossing_time`` returns for it.
A curve that dips below the
threshold and back up between two grid points closer than 1/GRID_PER_DECADE decades apart would be
missed; the noise-free curves are monotone, and the non-monotone ones (label noise, large
initialisation with weight decay) vary on scales of decades.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from grok_theory import _validate
from grok_theory.linear.curve_family import FALLBACK, CurveFamily
from grok_theory.mp.angle_rule import QuadratureError
from grok_theory.linear.model import TeacherStudent, loss_at_accuracy
from grok_theory.mp.precision import context, exact_scalar, prec_of, result, to_ctx

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["crossing_time", "grokking_time", "GrokkingTime", "phase_diagram", "PhaseDiagram", "d_out_max", "threshold"]

GRID_PER_DECADE = 8
T_MIN, T_MAX = 1e-3, 1e13
_CRITERIA = ("loss", "accuracy")


def threshold(model: TeacherStudent, eps: float, criterion: str = "loss", level: float = 0.95,
              convention: str = "mean") -> float:
    """The loss value whose crossing defines the time: eps/4 ("loss") or the loss at ``level``."""
    eps = _validate.positive("eps", eps)
    _validate.choice("criterion", criterion, _CRITERIA)
    if criterion == "loss":
        return eps / 4
    return loss_at_accuracy(_validate.real_scalar("level", level), eps, model.d_out, convention)


def _computable_horizon(model: TeacherStudent) -> float:
    """Largest t (≤ T_MAX) at which the fastest decay e^{−2s ν} has κ = 2·(2s)√λ ≤ 1e11."""
    rate = model.edge_rate(2)  # s per unit t for h²
    return float(min(T_MAX, 1e11 / (2 * rate * math.sqrt(model.lam))))


def _check_which(which: str) -> str:
    return _validate.choice("which", which, ("train", "gen"))


@dataclass
class _Crossings:
    """First crossings of many problems: the times and the grid bracket each was found in."""

    t: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    #: problem index → why it could not be solved (its t is nan)
    failures: dict = field(default_factory=dict)


def _first_crossings(models: Sequence[TeacherStudent], whiches: Sequence[str], level_loss: np.ndarray) -> _Crossings:
    """First t at which each (model, which) problem's loss meets ``level_loss``, all at once.

    The one solver behind :func:`crossing_time` and :func:`phase_diagram`. Problems are grouped
    by λ into a :class:`~grok_theory.linear.curve_family.CurveFamily`; each is scanned on its log-t grid
    (``GRID_PER_DECADE`` per decade from ``T_MIN`` to the computable horizon), and the first
    bracket is refined by the Illinois variant of regula falsi on log L(e^x) − log L* in x = log t
    (x = t when the crossing is before ``T_MIN``), all problems together, until the bracket is
    below ~1e-14 relative in t. During the refinement each problem keeps fixed node sets (those
    of its bracket ends), so its result does not depend on which other problems are solved with it.
    """
    P = len(models)
    log_thr = np.log(np.asarray(level_loss, dtype=float))
    out = _Crossings(np.full(P, np.nan), np.zeros(P), np.zeros(P))
    groups: dict[float, list[int]] = {}
    for i, m in enumerate(models):
        if hasattr(m, "first_crossing"):  # curves that are not MP expectations (structured inputs) solve their own
            out.t[i], out.lo[i], out.hi[i] = m.first_crossing(whiches[i], float(level_loss[i]))
            continue
        groups.setdefault(m.lam, []).append(i)
    for idx in groups.values():
        _solve_group(models, whiches, np.asarray(idx), log_thr, out)
    return out


_CELL_ERRORS = (QuadratureError, ArithmeticError, ValueError, FloatingPointError)


def _solve_group(models: Sequence[TeacherStudent], whiches: Sequence[str], idx: np.ndarray, log_thr: np.ndarray,
                 out: _Crossings) -> None:
    """Solve the problems ``idx`` (one λ) together; if that fails, split the group in halves
    until the problems that cannot be solved are alone, and record why for each of them."""
    try:
        fam = CurveFamily([models[i] for i in idx], [whiches[i] for i in idx])
        out.t[idx], out.lo[idx], out.hi[idx] = _solve_family(fam, log_thr[idx])
    except _CELL_ERRORS as err:
        if len(idx) == 1:
            out.failures[int(idx[0])] = f"{type(err).__name__}: {err}"
            out.t[idx] = np.nan
            return
        half = len(idx) // 2
        _solve_group(models, whiches, idx[:half], log_thr, out)
        _solve_group(models, whiches, idx[half:], log_thr, out)


def _solve_family(fam: CurveFamily, log_thr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    P = len(fam.models)
    roots, lo_t, hi_t = np.full(P, np.nan), np.zeros(P), np.zeros(P)
    v0, nd0, nn0 = fam.log_curve(np.arange(P), np.zeros(P))
    roots[v0 <= log_thr] = 0.0
    todo = np.flatnonzero(v0 > log_thr)
    horizon = np.array([_computable_horizon(m) for m in fam.models])
    nd, nn = np.zeros(P, dtype=np.int64), np.zeros(P, dtype=np.int64)
    in_t = np.zeros(P, dtype=bool)  # bracket [0, T_MIN]: iterate on t itself
    never = []
    # scan: problems sharing a horizon (and, for flow, a rate) share the grid
    keys = np.stack([horizon[todo], fam.rate[todo], fam.gd[todo]])
    for key in (np.unique(keys, axis=1).T if todo.size else ()):
        sel = todo[np.all(keys == key[:, None], axis=0)]
        t_hi = float(key[0])
        grid = np.geomspace(T_MIN, t_hi, max(2, int(GRID_PER_DECADE * math.log10(t_hi / T_MIN)) + 1))
        vals, n_d, n_n = fam.log_curve_grid(sel, grid)
        below = vals <= log_thr[sel, None]
        has = below.any(axis=1)
        never.extend(int(q) for q in sel[~has])
        r = np.flatnonzero(has)
        p, i = sel[r], np.argmax(below[r], axis=1)
        prev = np.maximum(i - 1, 0)
        hi_t[p] = grid[i]
        lo_t[p] = np.where(i > 0, grid[prev], 0.0)
        in_t[p] = i == 0
        nd[p] = np.maximum(n_d[r, i], np.where(i > 0, n_d[r, prev], nd0[p]))
        n_prev = np.where(i > 0, n_n[r, prev], nn0[p])
        nn[p] = np.where((n_n[r, i] == FALLBACK) | (n_prev == FALLBACK), FALLBACK, np.maximum(n_n[r, i], n_prev))
    for p in never:
        m, which = fam.models[p], "train" if fam.train[p] else "gen"
        limit = m.train_loss_limit() if which == "train" else m.gen_loss_limit()
        level = math.exp(log_thr[p])
        if limit < level:
            raise ValueError(
                f"the {which} loss reaches {level:.3g} only after t = {horizon[p]:.3g} steps, beyond the range "
                "the quadrature resolves (kappa = 4 s sqrt(lam) <= 1e11); use the late-time asymptotics"
            )
        roots[p] = math.inf
    act = np.flatnonzero(np.isnan(roots))
    if act.size:
        roots[act] = _illinois(fam, act, lo_t[act], hi_t[act], in_t[act], nd[act], nn[act], log_thr[act])
    return roots, lo_t, hi_t


def _illinois(fam: CurveFamily, p: np.ndarray, t_lo: np.ndarray, t_hi: np.ndarray, in_t: np.ndarray,
              nd: np.ndarray, nn: np.ndarray, log_thr: np.ndarray) -> np.ndarray:
    """Vectorised Illinois (modified regula falsi) on brackets with f(t_lo) > 0 ≥ f(t_hi).

    Rows with ``in_t`` iterate on t, the others on log t; a row stops when its bracket is below
    1e-14 relative in t (or f = 0 exactly). After 40 iterations every other step bisects.
    """
    def to_t(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.where(in_t[rows], x, np.exp(x))

    curve = fam.fixed(p, t_lo, nd, nn)

    def f(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return curve(rows, to_t(x, rows)) - log_thr[rows]

    rows = np.arange(len(p))
    with np.errstate(divide="ignore"):
        xa = np.where(in_t, t_lo, np.log(np.where(in_t, 1.0, t_lo)))
    xb = np.where(in_t, t_hi, np.log(t_hi))
    fa, fb = f(xa, rows), f(xb, rows)
    root = np.where(fb == 0, xb, np.nan)
    # the scan's values and these agree to rounding: a bracket end within rounding of the
    # threshold is the crossing itself
    root = np.where(fa <= 0, xa, np.where(fb > 0, xb, root))
    side = np.zeros(len(p), dtype=np.int8)
    active = np.flatnonzero(np.isnan(root))
    for it in range(200):
        if not active.size:
            return to_t(root, rows)
        a, b, fa_, fb_ = xa[active], xb[active], fa[active], fb[active]
        x = b - fb_ * (b - a) / (fb_ - fa_)
        x = np.where(~((x > a) & (x < b)) | ((it >= 40) & (it % 2 == 0)), 0.5 * (a + b), x)
        fx = f(x, active)
        on_b = fx <= 0
        halve_a = on_b & (side[active] == 1)
        halve_b = ~on_b & (side[active] == -1)
        xb[active], xa[active] = np.where(on_b, x, b), np.where(on_b, a, x)
        fb[active] = np.where(on_b, fx, fb_ * np.where(halve_b, 0.5, 1.0))
        fa[active] = np.where(on_b, fa_ * np.where(halve_a, 0.5, 1.0), fx)
        side[active] = np.where(on_b, 1, -1)
        exact = fx == 0
        root[active[exact]] = x[exact]
        tol = np.where(in_t[active], 1e-14 * xb[active], 1e-14 + 1e-15 * np.abs(xb[active]))
        fin = active[~exact & (xb[active] - xa[active] <= tol)]
        root[fin] = 0.5 * (xa[fin] + xb[fin])
        active = active[np.isnan(root[active])]
    raise ArithmeticError(f"crossing-time refinement did not converge for {active.size} problem(s)")


def crossing_time(model: TeacherStudent, which: str, eps: float, criterion: str = "loss", level: float = 0.95,
                  convention: str = "mean", dps: int | None = None) -> Any:
    """First time t* at which the train or generalisation loss reaches the threshold.

    Parameters
    ----------
    model : TeacherStudent
    which : {"train", "gen"}
    eps : float > 0
        Accuracy threshold ε.
    criterion : {"loss", "accuracy"}
        "loss": L(t*) = eps/4 (Levi §3.1.3); "accuracy": accuracy(t*) = ``level``.
    level : float in (0, 1)
    convention : {"mean", "total"}
        Accuracy convention (see :func:`grok_theory.linear.model.accuracy_from_loss`).
    dps : int, optional
        Digits of an mpmath result.

    Returns
    -------
    float or mpf
        0.0 if the criterion holds at t = 0; ``math.inf`` if it is never met.
    """
    dps = _validate.dps_value(dps)
    level_loss = threshold(model, eps, criterion, level, convention)
    res = _first_crossings([model], [_check_which(which)], np.array([level_loss]))
    if res.failures:
        _reraise(res.failures[0])
    root = float(res.t[0])
    if root == 0.0 or math.isinf(root) or dps is None:
        return root if dps is None else (mpmath.mpf(0) if root == 0.0 else mpmath.inf)
    return _refine_mp(model, which, eps, criterion, level, convention, level_loss, root, float(res.lo[0]), float(res.hi[0]), dps)


def _threshold_mp(ctx: Any, model: TeacherStudent, eps: Any, criterion: str, level: Any, convention: str,
                  level_loss: float) -> Any:
    """The threshold loss in ``ctx``: eps/4 exactly, or the loss at which the accuracy is ``level``
    (Levi Eq. 13 inverted by Newton on the regularised incomplete gamma from the float64 value)."""
    e = to_ctx(exact_scalar("eps", eps, lower=0.0, strict=True)[0], ctx)
    if criterion == "loss":
        return e / 4
    lv = to_ctx(exact_scalar("level", level, lower=0.0, strict=True)[0], ctx)
    a = ctx.mpf(model.d_out) / 2
    scale = model.d_out if convention == "mean" else 1
    # accuracy = P(a, x) with x = scale·eps/(2L): solve P(a, x) = level for x
    x = ctx.mpf(scale * float(eps) / (2 * level_loss))
    for _ in range(100):
        step = (ctx.gammainc(a, 0, x, regularized=True) - lv) / (ctx.exp(-x) * x ** (a - 1) / ctx.gamma(a))
        x -= step
        if abs(step) <= abs(x) * ctx.eps * 4:
            break
    return scale * e / (2 * x)


def _refine_mp(model: TeacherStudent, which: str, eps: Any, criterion: str, level: Any, convention: str,
               level_loss: float, root: float, lo: float, hi: float, dps: int) -> Any:
    """The crossing to ``dps`` digits: the secant method on log L(t) − log L* from the float64 root.

    The float64 root is good to ~1e-14 relative; with a second point one float64 rounding away,
    each secant step multiplies the errors of the last two iterates (order 1.618), so two or three
    curve evaluations at the working precision reach 30 digits. The iteration stops when the
    product of the last two steps (the error of the new iterate, up to the curvature factor) is
    below 10^(−dps−4); it falls back to bisection on the float64 grid bracket if an iterate leaves it.
    """
    curve = model.log_train_loss if which == "train" else model.log_gen_loss
    work = dps + 6
    ctx = context(prec_of(work + 4))
    thr = ctx.log(_threshold_mp(ctx, model, eps, criterion, level, convention, level_loss))

    def f(t: Any) -> Any:
        return ctx.convert(curve(result(t, work + 4), dps=work)) - thr

    a, b = ctx.mpf(lo), ctx.mpf(hi)
    t0 = ctx.mpf(root)
    t1 = t0 * (1 + ctx.mpf(2) ** -46)
    f0, f1 = f(t0), f(t1)
    steps: list[Any] = []
    tol = ctx.mpf(10) ** (-dps - 4)
    for _ in range(60):
        if f1 == f0:
            break
        t2 = t1 - f1 * (t1 - t0) / (f1 - f0)
        if not (a <= t2 <= b):  # left the bracket: bisect it instead
            t2 = (a + b) / 2
        t0, f0 = t1, f1
        t1, f1 = t2, f(t2)
        if f1 > 0:
            a = max(a, t1)
        else:
            b = min(b, t1)
        steps.append(abs(t1 - t0) / t1)
        if f1 == 0 or (len(steps) >= 2 and steps[-1] * steps[-2] <= tol) or steps[-1] <= tol:
            break
    else:
        raise ArithmeticError(f"the {which} crossing did not converge to {dps} digits")
    return result(t1, dps)


def _reraise(reason: str) -> None:
    """Raise a recorded cell failure again (single-problem calls fail loudly)."""
    kind, _, msg = reason.partition(": ")
    exc = {"QuadratureError": QuadratureError, "ValueError": ValueError,
           "FloatingPointError": FloatingPointError}.get(kind, ArithmeticError)
    raise exc(msg)


@dataclass(frozen=True)
class GrokkingTime:
    """Train and generalisation crossing times and their difference Δt = t_gen − t_train."""

    t_train: Any
    t_gen: Any
    delta: Any

    def __repr__(self) -> str:
        def f(x: Any) -> str:
            return mpmath.nstr(x, 15) if isinstance(x, mpmath.mpf) else f"{x:.10g}"

        return f"GrokkingTime(t_train={f(self.t_train)}, t_gen={f(self.t_gen)}, delta={f(self.delta)})"

    def _repr_latex_(self) -> str:
        """Jupyter display: t*_tr, t*_gen and Δt in GD steps."""
        def f(x: Any) -> str:
            if (mpmath.isinf(x) if isinstance(x, mpmath.mpf) else math.isinf(x)):
                return r"\infty"
            return mpmath.nstr(x, 10) if isinstance(x, mpmath.mpf) else f"{x:.6g}"

        return (rf"$t^*_{{\mathrm{{tr}}}} = {f(self.t_train)},\quad t^*_{{\mathrm{{gen}}}} = {f(self.t_gen)},"
                rf"\quad \Delta t = {f(self.delta)}$ (GD steps)")


def grokking_time(model: TeacherStudent, eps: float, criterion: str = "loss", level: float = 0.95,
                  convention: str = "mean", dps: int | None = None) -> GrokkingTime:
    """Both crossing times and Δt (``inf`` when the model never generalises; see crossing_time)."""
    if dps is None:  # both problems in one solver call
        tt, tg, delta, failures = _grokking_deltas([model], [threshold(model, eps, criterion, level, convention)])
        if failures:
            _reraise(failures[0].partition(": ")[2])
        return GrokkingTime(float(tt[0]), float(tg[0]), float(delta[0]))
    tt = crossing_time(model, "train", eps, criterion, level, convention, dps)
    tg = crossing_time(model, "gen", eps, criterion, level, convention, dps)
    if mpmath.isinf(tg):
        return GrokkingTime(tt, tg, mpmath.inf)
    ctx = context(prec_of(dps + 5))  # the difference at the working precision, then rounded
    return GrokkingTime(tt, tg, result(ctx.convert(tg) - ctx.convert(tt), dps))


def _grokking_deltas(models: list[TeacherStudent], levels: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(t_train, t_gen, Δt, failures) of every model: its two problems (train, gen) solved
    together; Δt = inf where generalisation is never reached, nan where a crossing could not be
    computed (``failures`` maps the model's index to the reason)."""
    M = len(models)
    res = _first_crossings(models + models, ["train"] * M + ["gen"] * M, np.array(list(levels) * 2))
    tt, tg = res.t[:M], res.t[M:]
    failures: dict[int, str] = {}
    for p, reason in sorted(res.failures.items()):
        failures.setdefault(p % M, ("train: " if p < M else "gen: ") + reason)
    with np.errstate(invalid="ignore"):
        delta = np.where(np.isnan(tt) | np.isnan(tg), np.nan, np.where(np.isfinite(tg), tg - tt, np.inf))
    return tt, tg, delta, failures


_AXES = ("lam", "d_out", "weight_decay", "init_scale", "eps", "exponent", "alignment")


@dataclass(frozen=True)
class PhaseDiagram:
    """Δt on a grid: ``delta[i, j]`` at ``x_values[i]``, ``y_values[j]``; ``inf`` = no grokking."""

    x_name: str
    x_values: np.ndarray
    y_name: str
    y_values: np.ndarray
    delta: np.ndarray
    t_train: np.ndarray
    t_gen: np.ndarray
    #: per cell: "ok", "no grokking" (generalisation never reached) or "failed" (not computable)
    status: np.ndarray | None = None
    #: (i, j) → why the cell could not be computed (its delta, t_train, t_gen are nan)
    failures: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        def axis(name: str, v: np.ndarray) -> str:
            return f"{name}: {v.size} values in [{v.min():.4g}, {v.max():.4g}]"

        finite = self.delta[np.isfinite(self.delta)]
        rng = f"delta in [{finite.min():.4g}, {finite.max():.4g}]" if finite.size else "no finite delta"
        failed = f"; {len(self.failures)} cells failed" if self.failures else ""
        return (f"PhaseDiagram({axis(self.x_name, self.x_values)}; {axis(self.y_name, self.y_values)}; {rng}; "
                f"{int(self.no_grokking.sum())}/{self.delta.size} cells never generalise{failed})")

    def _repr_html_(self) -> str:
        """Jupyter: the summary and the Δt table (rows x, columns y; ∞ = never generalises)."""
        from grok_theory._display import html_table

        # at most 12 columns (evenly spaced y values) and 20 rows (html_table elides the middle)
        j = np.unique(np.linspace(0, self.y_values.size - 1, min(self.y_values.size, 12)).round().astype(int))
        cols = [f"{self.y_name}={v:.4g}" for v in self.y_values[j]]
        rows = [[x, *self.delta[i, j]] for i, x in enumerate(self.x_values)]
        return html_table(repr(self), [f"{self.x_name} \\ Δt", *cols], rows)

    @property
    def no_grokking(self) -> np.ndarray:
        """Mask of cells where generalisation never reaches the criterion."""
        return np.isinf(self.t_gen)


def phase_diagram(x: tuple[str, Any], y: tuple[str, Any], eps: float = 1e-3, base: TeacherStudent | None = None,
                  criterion: str = "loss", level: float = 0.95, executor: Executor | None = None) -> PhaseDiagram:
    """Grokking time over a grid of two of (lam, d_out, weight_decay, init_scale, eps) (Levi Fig. 4).

    ``x`` and ``y`` are ``(name, values)``; every other parameter comes from ``base``
    (default ``TeacherStudent(0.9)``) and ``eps``. All cells are solved together by the
    vectorised solver behind :func:`crossing_time` (same results, cell by cell). With an
    ``executor`` (any :class:`concurrent.futures.Executor`) the rows are split across it
    (:func:`grok_theory.parallel.phase_diagram_on`; same results).
    """
    if executor is not None:
        from grok_theory.parallel import phase_diagram_on

        return phase_diagram_on(executor, phase_diagram, x, y, eps=eps, base=base, criterion=criterion, level=level)
    base = base if base is not None else TeacherStudent(0.9)
    (xn, xv), (yn, yv) = x, y
    for name in (xn, yn):
        _validate.choice("axis", name, _AXES)
    if xn == yn:
        raise ValueError(f"the two axes must differ, got {xn!r} twice")
    xv, yv = np.asarray(xv, dtype=float).ravel(), np.asarray(yv, dtype=float).ravel()
    shape = (xv.size, yv.size)
    models, levels = [], []
    for a in xv:
        for b in yv:
            params = {xn: a, yn: b}
            e = params.pop("eps", eps)
            if "d_out" in params:
                params["d_out"] = int(round(params["d_out"]))
            model = replace(base, **params)
            models.append(model)
            levels.append(threshold(model, e, criterion, level))
    tt, tg, delta, failures = _grokking_deltas(models, levels)
    tt, tg, delta = (a.reshape(shape) for a in (tt, tg, delta))
    status = np.where(np.isinf(tg), "no grokking", "ok").astype(object)
    cells = {}
    for k, reason in failures.items():
        ij = np.unravel_index(k, shape)
        cells[(int(ij[0]), int(ij[1]))] = reason
        status[ij] = "failed"
    return PhaseDiagram(xn, xv, yn, yv, delta, tt, tg, status, cells)


def d_out_max(lam: float, eps: float, lr: float = 0.01, criterion: str = "accuracy", level: float = 0.95,
              executor: Executor | None = None, **model_args: Any) -> tuple[int, float]:
    """The output dimension maximising Δt, and that maximum (Levi Fig. 2).

    Complete search: at d_out ≥ D the initial generalisation loss L_gen(0) = (α² + τ²)/(2 d_out)
    (plus nothing else at t = 0) is already below the threshold loss, so both crossing times are
    0 and Δt = 0; every d_out < D is evaluated (all together, by the solver behind
    :func:`crossing_time`). D is found by doubling. With an ``executor`` the d_out values are
    split across it (same result).
    """
    d_hi = 1
    while True:
        m = TeacherStudent(lam, d_out=d_hi, lr=lr, **model_args)
        if m.gen_loss(0.0) <= threshold(m, eps, criterion, level) and m.train_loss(0.0) <= threshold(m, eps, criterion, level):
            break
        d_hi *= 2
        if d_hi > 1 << 22:
            raise ValueError("no output dimension up to 4e6 makes the initial loss meet the criterion")
    models = [TeacherStudent(lam, d_out=d, lr=lr, **model_args) for d in range(1, d_hi + 1)]
    levels = [threshold(m, eps, criterion, level) for m in models]
    if executor is None:
        _, _, values, failures = _grokking_deltas(models, levels)
    else:
        from grok_theory.parallel import grokking_deltas_on

        values = grokking_deltas_on(executor, _grokking_deltas, models, levels)
        failures = {int(i): "not computable" for i in np.flatnonzero(np.isnan(values))}
    if failures:
        warnings.warn(f"d_out_max: {len(failures)} output dimension(s) could not be computed and were skipped: "
                      + "; ".join(f"d_out={k + 1}: {v}" for k, v in sorted(failures.items())[:5]), RuntimeWarning, stacklevel=2)
    finite = np.where(np.isfinite(values), values, -np.inf)
    best = int(np.argmax(finite))
    return best + 1, float(values[best])
