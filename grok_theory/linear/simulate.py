"""Finite simulations of the linear teacher–student model trained by real full-batch GD.

The third leg of the verification triangle: sample X, T, S_0 and label noise exactly as the
theory assumes (THEORY.md §1), train by full-batch gradient descent, and record the empirical
losses and accuracies. Two methods must agree:

* ``method="spectral"``: one eigendecomposition Σ_tr = V diag(ν) Vᵀ per seed; in the eigenbasis
  every mode obeys D_{t+1} = ρ D_t + c(E − gτT) with ρ = 1 − c(ν+g), solved in closed form,
  D_t = ρ^t D_0 + c·(1 − ρ^t)/(1 − ρ)·(E − gτT), for all record times at once (exact GD, not
  the flow approximation);
* ``method="loop"``: literal GD iterations S ← S − η[(2/d_out)Xᵀ(XS − Y)/N + (γ/d_out)S].

Seed → stream: ``numpy.random.default_rng(seed)`` draws, in order, X (N_tr × d_in), T, S_0
(d_in × d_out), the label noise Ξ (N_tr × d_out) and the test inputs (N_test × d_in).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from grok_theory import _validate
from grok_theory.simulation import Progress, SeedStats, accuracy_fraction, gd_stable, seed_tuple, train_size
from grok_theory.linear.model import log_abs_one_minus
from grok_theory._display import field_html, field_repr

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["Dataset", "SimulationResult", "null_space_basis", "sample_dataset", "simulate_chunked", "simulate_linear",
           "first_crossing", "simulate_two_layer", "TwoLayerResult", "kernel_theory"]

_CONVENTIONS = ("mean", "total")


@dataclass(frozen=True)
class SimulationResult(SeedStats):
    """Recorded curves; every array has shape (n_seeds, n_times).

    ``gen_loss`` is ‖S − τT‖²/d_out (exact population loss), ``gen_loss_test`` its estimate on
    ``n_test`` fresh clean samples; ``train_loss`` uses the (noisy) training labels.
    """

    t: np.ndarray
    seeds: tuple[int, ...]
    params: dict
    train_loss: np.ndarray
    gen_loss: np.ndarray
    gen_loss_test: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    weight_norm: np.ndarray

    def __repr__(self) -> str:
        keys = ("d_in", "n_train", "lam", "d_out", "lr", "weight_decay", "init_scale", "label_noise", "method")
        par = ", ".join(f"{k}={self.params[k]:.6g}" if isinstance(self.params[k], float) else f"{k}={self.params[k]}"
                        for k in keys if k in self.params)
        last = (f"; at t={self.t[-1]}: train_loss={self.mean('train_loss')[-1]:.4g}, "
                f"gen_loss={self.mean('gen_loss')[-1]:.4g}, test_accuracy={self.mean('test_accuracy')[-1]:.4g}")
        return f"SimulationResult({par}; {len(self.seeds)} seeds × {len(self.t)} times{last if len(self.t) else ''})"

    def _repr_html_(self) -> str:
        """Jupyter: the parameters and the seed means ± SEM at every record time."""
        from grok_theory._display import html_table

        names = ("train_loss", "gen_loss", "gen_loss_test", "test_accuracy", "weight_norm")
        means = {k: self.mean(k) for k in names}
        sems = {k: self.sem(k) for k in ("train_loss", "gen_loss")}
        rows = [[t, means["train_loss"][i], sems["train_loss"][i], means["gen_loss"][i], sems["gen_loss"][i],
                 means["gen_loss_test"][i], means["test_accuracy"][i], means["weight_norm"][i]]
                for i, t in enumerate(self.t)]
        caption = repr(self).split(";")[0] + f"; seed means of {len(self.seeds)} seeds)"
        return html_table(caption, ["t", "train_loss", "± sem", "gen_loss", "± sem", "gen_loss_test", "test_accuracy",
                                    "weight_norm"], rows)


def first_crossing(t: np.ndarray, values: np.ndarray, level: float, rising: bool = True) -> np.ndarray:
    """First recorded time at which each row of ``values`` reaches ``level``, linearly
    interpolated in log t between the bracketing record times (``inf`` if never, ``t[0]`` if
    already at the first record time). ``rising=True`` for accuracies, False for losses."""
    values = np.atleast_2d(values)
    out = np.full(values.shape[0], np.inf)
    for i, row in enumerate(values):
        hit = np.flatnonzero(row >= level if rising else row <= level)
        if hit.size == 0:
            continue
        j = int(hit[0])
        if j == 0:
            out[i] = t[0]
            continue
        t0, t1 = max(t[j - 1], 1e-300), t[j]
        v0, v1 = row[j - 1], row[j]
        frac = (level - v0) / (v1 - v0) if v1 != v0 else 1.0
        out[i] = math.exp(math.log(t0) + frac * (math.log(t1) - math.log(t0))) if t[j - 1] > 0 else t0 + frac * (t1 - t0)
    return out


@dataclass(frozen=True)
class Dataset:
    """One sampled problem of the teacher–student model (THEORY.md §1), before scaling.

    Attributes
    ----------
    x : (N_tr, d_in) training inputs, iid N(0, 1).
    teacher, student0 : (d_in, d_out) teacher T and initial student S_0, iid N(0, 1/(2 d_in d_out)).
    noise : (N_tr, d_out) unit label noise Ξ (labels are y = xT + σΞ).
    x_test : (N_test, d_in) fresh test inputs.
    """
    __repr__ = field_repr  # arrays summarised by shape and range (grok_theory._display)
    _repr_html_ = field_html

    x: np.ndarray
    teacher: np.ndarray
    student0: np.ndarray
    noise: np.ndarray
    x_test: np.ndarray

    def labels(self, teacher_scale: float = 1.0, label_noise: float = 0.0) -> np.ndarray:
        """Training labels y = x (τT) + σΞ."""
        return self.x @ (teacher_scale * self.teacher) + label_noise * self.noise


def sample_dataset(seed: int | np.random.Generator, d_in: int, n_train: int, d_out: int = 1,
                   n_test: int = 1) -> Dataset:
    """Draw X, T, S_0, Ξ and the test inputs, in this order, from ``numpy.random.default_rng(seed)``.

    Every simulation of the linear family samples through this function, so one seed means one
    data set, teacher and initialisation everywhere (the module docstring gives the stream order).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    x = rng.standard_normal((n_train, d_in))
    sd = 1 / math.sqrt(2 * d_in * d_out)
    teacher = rng.standard_normal((d_in, d_out)) * sd
    student0 = rng.standard_normal((d_in, d_out)) * sd
    noise = rng.standard_normal((n_train, d_out))
    x_test = rng.standard_normal((n_test, d_in))
    return Dataset(x, teacher, student0, noise, x_test)


def null_space_basis(x: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """Orthonormal rows spanning the null space of ``x`` (the directions no training input sees).

    Singular values below ``rtol`` times the largest count as zero; for N_tr < d_in the result has
    d_in − N_tr rows, for N_tr ≥ d_in (full rank) none.
    """
    _, sv, vt = np.linalg.svd(x, full_matrices=True)
    rank = int((sv > rtol * sv.max()).sum()) if sv.size else 0
    return vt[rank:]


def simulate_chunked(d_in: int, t: Any, chunk_elems: float = 2e7, **kw: Any) -> SimulationResult:
    """:func:`simulate_linear` over chunks of record times, so that arrays of shape
    (n_times, max(d_in, N_tr, N_test), d_out) stay below ``chunk_elems`` numbers.

    The same seeds give the same data in every chunk, so the result is one continuous run
    (identical to a single call with all times). ``kw`` are :func:`simulate_linear`'s arguments;
    ``lam`` or ``n_train`` must be among them.
    """
    times = _validate.gd_times("t", t)
    if kw.get("n_train") is not None:
        n_train = int(kw["n_train"])
    elif kw.get("lam") is not None:
        n_train = train_size(_validate.positive_int("d_in", d_in), kw["lam"])
    else:
        raise ValueError("simulate_chunked needs lam or n_train")
    per_time = max(d_in, n_train, kw.get("n_test", 1000)) * kw.get("d_out", 1)
    size = max(1, int(_validate.positive("chunk_elems", chunk_elems) // per_time))
    parts = [simulate_linear(d_in, t=times[i:i + size], **kw) for i in range(0, len(times), size)]
    if len(parts) == 1:
        return parts[0]
    arrays = {k: np.concatenate([getattr(p, k) for p in parts], axis=1)
              for k in ("train_loss", "gen_loss", "gen_loss_test", "train_accuracy", "test_accuracy", "weight_norm")}
    return replace(parts[0], t=np.concatenate([p.t for p in parts]), **arrays)


def simulate_linear(d_in: int, lam: float | None = None, n_train: int | None = None, d_out: int = 1,
                    lr: float = 0.01, weight_decay: float = 0.0, init_scale: float = 1.0, teacher_scale: float = 1.0,
                    label_noise: float = 0.0, t: Any = (0, 10, 100, 1000), seeds: Any = (0,), eps: float = 1e-3,
                    n_test: int = 1000, method: str = "spectral", convention: str = "mean",
                    progress: bool | None = None, executor: Executor | None = None) -> SimulationResult:
    """Train the linear teacher–student model by full-batch GD and record curves at steps ``t``.

    Parameters
    ----------
    d_in : int
        Input dimension.
    lam, n_train : exactly one of them
        λ = d_in/N_tr (N_tr = round(d_in/λ)) or N_tr itself. A ``lam`` that no N_tr ≥ 1 realises
        within 5% (:data:`grok_theory.simulation.LAM_RTOL`) raises ``ValueError``; the realised
        λ = d_in/N_tr is ``params["lam"]`` of the result (the requested one ``params["lam_requested"]``).
    d_out, lr, weight_decay, init_scale, teacher_scale, label_noise
        As in :class:`grok_theory.linear.model.TeacherStudent`.
    t : array_like of int ≥ 0
        Record times (GD steps).
    seeds : int or iterable of int
        One independent data set and initialisation per seed; an int ``n`` means ``n`` seeds,
        ``range(n)`` (so ``seeds=2`` runs seeds 0 and 1).
    eps : float
        Accuracy threshold; ``convention`` as in :func:`grok_theory.linear.model.accuracy_from_loss`.
    n_test : int
        Fresh clean samples for the test loss and test accuracy.
    method : {"spectral", "loop"}
    progress : bool or None
        Progress bar on stderr, one step per seed (None: only on a terminal, for runs longer than 3 s).
    executor : concurrent.futures.Executor, optional
        Split the seeds across it (:func:`grok_theory.parallel.simulate_on`); the result is the
        serial one.
    """
    d_in = _validate.positive_int("d_in", d_in)
    if (lam is None) == (n_train is None):
        raise ValueError("give exactly one of lam and n_train")
    lam_requested = None if lam is None else _validate.positive("lam", lam)
    n_train = train_size(d_in, lam) if lam is not None else _validate.positive_int("n_train", n_train)
    d_out = _validate.positive_int("d_out", d_out)
    lr = _validate.positive("lr", lr)
    wd = _validate.nonnegative("weight_decay", weight_decay)
    alpha = _validate.nonnegative("init_scale", init_scale)
    tau = _validate.nonnegative("teacher_scale", teacher_scale)
    sigma = _validate.nonnegative("label_noise", label_noise)
    eps = _validate.positive("eps", eps)
    n_test = _validate.positive_int("n_test", n_test)
    _validate.choice("method", method, ("spectral", "loop"))
    _validate.choice("convention", convention, _CONVENTIONS)
    times = _validate.gd_times("t", t)
    seeds = seed_tuple(seeds)
    if executor is not None and len(seeds) > 1:
        from grok_theory.parallel import simulate_on

        return simulate_on(executor, simulate_linear, seeds, progress, d_in=d_in, lam=lam_requested,
                           n_train=None if lam_requested is not None else n_train, d_out=d_out,
                           lr=lr, weight_decay=wd, init_scale=alpha, teacher_scale=tau, label_noise=sigma, t=times,
                           eps=eps, n_test=n_test, method=method, convention=convention)
    c, g = 2 * lr / d_out, wd / 2

    shape = (len(seeds), len(times))
    out = {k: np.empty(shape) for k in ("train_loss", "gen_loss", "gen_loss_test", "train_accuracy", "test_accuracy", "weight_norm")}
    bar = Progress(len(seeds), progress)
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train, d_out, n_test)
        x, x_test = data.x, data.x_test
        teacher, student, noise = tau * data.teacher, alpha * data.student0, sigma * data.noise
        y = x @ teacher + noise
        if method == "spectral":  # (the loop path checks stability too: a diverging run is an input error)
            d_t = _spectral_path(x, teacher, student - teacher, noise, times, c, g)
        else:
            gd_stable(float(np.linalg.eigvalsh(x.T @ x / n_train)[-1]), lr, d_out, wd)
            d_t = _loop_path(x, y, teacher, student, times, lr, wd, d_out)
        s_t = d_t + teacher
        resid = np.einsum("ij,tjk->tik", x, d_t) - noise  # (T, N, d_out): Sᵀx − y on training data
        test_err = np.einsum("ij,tjk->tik", x_test, d_t)
        out["train_loss"][i] = (resid**2).sum(axis=(1, 2)) / (n_train * d_out)
        out["gen_loss"][i] = (d_t**2).sum(axis=(1, 2)) / d_out
        out["gen_loss_test"][i] = (test_err**2).sum(axis=(1, 2)) / (n_test * d_out)
        out["train_accuracy"][i] = accuracy_fraction((resid**2).sum(axis=2), eps, d_out, convention)
        out["test_accuracy"][i] = accuracy_fraction((test_err**2).sum(axis=2), eps, d_out, convention)
        out["weight_norm"][i] = (s_t**2).sum(axis=(1, 2))
        bar.step()
    params = dict(d_in=d_in, n_train=n_train, lam=d_in / n_train, lam_requested=lam_requested, d_out=d_out, lr=lr,
                  weight_decay=wd,
                  init_scale=alpha, teacher_scale=tau, label_noise=sigma, eps=eps, n_test=n_test, method=method,
                  convention=convention)
    return SimulationResult(t=times, seeds=seeds, params=params, **out)


def _spectral_path(x: np.ndarray, teacher: np.ndarray, d0: np.ndarray, noise: np.ndarray, times: np.ndarray,
                   c: float, g: float) -> np.ndarray:
    """D_t at all record times, exact discrete GD through one eigendecomposition of Σ_tr."""
    n = x.shape[0]
    nu, v = np.linalg.eigh(x.T @ x / n)
    nu = np.clip(nu, 0.0, None)  # round-off can make null eigenvalues slightly negative
    a = c * (nu + g)  # 1 − ρ
    gd_stable(float(nu[-1]), c / 2, 1, 2 * g)  # c(ν_max + g) < 2
    drive = v.T @ (x.T @ noise / n - g * teacher)  # E − gτT in the eigenbasis (teacher already scaled)
    d0e = v.T @ d0
    tt = times[:, None].astype(float)
    # ρ = 1 − a may be negative (1 < a < 2: stable but alternating modes): ρ^t = sign^t |ρ|^t, t whole
    log_abs = log_abs_one_minus(a)  # (d_in,)
    sign = np.where((a > 1) & (times[:, None] % 2 == 1), -1.0, 1.0)  # (T, d_in)
    rho_t = sign * np.exp(tt * log_abs)  # (T, d_in)
    with np.errstate(divide="ignore", invalid="ignore"):
        geom = np.where(a > 0, (1 - rho_t) / np.where(a > 0, a, 1.0), tt)  # (1 − ρ^t)/(1 − ρ)
        small = (a > 0) & (a < 1)  # no cancellation trouble where ρ ∈ (0, 1): keep expm1's accuracy
        geom = np.where(small, -np.expm1(tt * log_abs) / np.where(small, a, 1.0), geom)
    d_eig = rho_t[:, :, None] * d0e[None] + (c * geom)[:, :, None] * drive[None]
    return np.einsum("ij,tjk->tik", v, d_eig)


def _loop_path(x: np.ndarray, y: np.ndarray, teacher: np.ndarray, student: np.ndarray, times: np.ndarray,
               lr: float, wd: float, d_out: int) -> np.ndarray:
    """D_t at the record times by literal full-batch GD iterations (the reference)."""
    n = x.shape[0]
    order = np.argsort(times)
    out = np.empty((len(times),) + student.shape)
    s, step = student.copy(), 0
    for idx in order:
        while step < times[idx]:
            grad = (2 / d_out) * (x.T @ (x @ s - y)) / n + (wd / d_out) * s
            s -= lr * grad
            step += 1
        out[idx] = s - teacher
    return out


# the two-layer networks live in their own module; re-exported here as part of the simulation API
from grok_theory.linear.two_layer import TwoLayerResult, kernel_theory, simulate_two_layer  # noqa: E402
