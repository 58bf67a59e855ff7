"""Real Langevin / SGLD runs of the linear teacher–student model on sampled data.

Seed → stream: the data, teacher, initial student and label noise of seed ``s`` are drawn exactly as
by :func:`grok_theory.linear.simulate.sample_dataset` (as every linear-family simulation), so the T = 0 part of a
run is that function's run. The Langevin noise of replica ``r`` comes from
``numpy.random.default_rng([s, r, 1])``. Two methods:

* ``method="loop"`` (SGLD only): literal iterations S ← S − η∇F(S) + √(2ηT) ξ,
  F = L_tr + (γ/(2d_out))‖S‖², ∇F = (2/d_out)Xᵀ(XS − Y)/N + (γ/d_out)S;
* ``method="spectral"``: D_t = D_det(t) + Z_t with D_det the exact noiseless path and Z advanced
  between record times by the exact Gaussian transition of each eigenmode (an OU process for
  ``dynamics="flow"``, the AR(1) recursion of SGLD for ``"gd"``): exact in law at every record
  time, jointly across times.

Every replica shares its seed's data, so the spread over replicas is the thermal fluctuation at
fixed data (what :meth:`LangevinTeacherStudent.train_loss_var` predicts); the spread over seeds
gives the standard errors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grok_theory import _validate
from grok_theory.simulation import Progress, SeedStats, seed_tuple
from grok_theory.linear.model import log_abs_one_minus
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import sample_dataset
from grok_theory._display import field_html

__all__ = ["ThermalSimulationResult", "simulate_langevin"]


@dataclass(frozen=True)
class ThermalSimulationResult(SeedStats):
    """Recorded losses, shape (n_seeds, n_replicas, n_times); per-seed replica statistics (n_seeds, n_times).

    ``train_mean``/``gen_mean`` are replica means and ``train_var``/``gen_var`` replica variances
    (ddof = 1) of each seed; :meth:`mean`/:meth:`sem` average those over seeds.
    """
    _repr_html_ = field_html

    t: np.ndarray
    seeds: tuple[int, ...]
    params: dict
    train_loss: np.ndarray
    gen_loss: np.ndarray

    @property
    def train_mean(self) -> np.ndarray:
        return self.train_loss.mean(axis=1)

    @property
    def gen_mean(self) -> np.ndarray:
        return self.gen_loss.mean(axis=1)

    @property
    def train_var(self) -> np.ndarray:
        return self.train_loss.var(axis=1, ddof=1)

    @property
    def gen_var(self) -> np.ndarray:
        return self.gen_loss.var(axis=1, ddof=1)

    def __repr__(self) -> str:
        p = self.params
        return (f"ThermalSimulationResult(d_in={p['d_in']}, n_train={p['n_train']}, T={p['temperature']:g}, "
                f"dynamics={p['dynamics']}, method={p['method']}; {len(self.seeds)} seeds × "
                f"{self.train_loss.shape[1]} replicas × {len(self.t)} times)")


def simulate_langevin(d_in: int, lam: float, temperature: float, t: Any, seeds: Any = (0,), replicas: int = 8,
                      d_out: int = 1, lr: float = 0.01, weight_decay: float = 0.0, init_scale: float = 1.0,
                      teacher_scale: float = 1.0, label_noise: float = 0.0, dynamics: str = "gd",
                      method: str = "spectral", progress: bool | None = None) -> ThermalSimulationResult:
    """Run Langevin flow / SGLD on sampled data and record train and generalisation losses at steps ``t``.

    Parameters
    ----------
    d_in, lam : input dimension and λ = d_in/N_tr (N_tr = round(d_in/λ)).
    temperature : T ≥ 0 (Gibbs measure exp(−F/T)).
    t : record times (whole steps).
    seeds : data sets; replicas : Langevin noise realisations per data set (≥ 2).
    d_out, lr, weight_decay, init_scale, teacher_scale, label_noise : as in ``TeacherStudent``.
    dynamics : {"gd", "flow"} — SGLD or the Langevin gradient flow (flow: ``method="spectral"`` only).
    method : {"spectral", "loop"}.
    """
    d_in = _validate.positive_int("d_in", d_in)
    n_train = max(1, round(d_in / _validate.positive("lam", lam)))
    temp = _validate.nonnegative("temperature", temperature)
    replicas = _validate.positive_int("replicas", replicas)
    if replicas < 2:
        raise ValueError(f"replicas must be >= 2 (the thermal variance needs two), got {replicas!r}")
    # the model's own checks (types, ranges, SGLD stability lr < d_out/(λ₊ + γ/2)) validate the parameters
    model = TeacherStudent(d_in / n_train, d_out=d_out, lr=lr, weight_decay=weight_decay, init_scale=init_scale,
                           teacher_scale=teacher_scale, label_noise=label_noise, dynamics=dynamics)
    d_out, lr, wd = model.d_out, model.lr, model.weight_decay
    alpha, tau, sigma = model.init_scale, model.teacher_scale, model.label_noise
    _validate.choice("method", method, ("spectral", "loop"))
    if method == "loop" and dynamics == "flow":
        raise ValueError("method='loop' runs SGLD (dynamics='gd'); the flow is simulated by method='spectral'")
    times = _validate.gd_times("t", t)
    seeds = seed_tuple(seeds)
    c, g = 2 * lr / d_out, wd / 2
    shape = (len(seeds), replicas, len(times))
    train, gen = np.empty(shape), np.empty(shape)
    bar = Progress(len(seeds), progress, label="simulate_langevin")
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train, d_out)
        x, teacher, student0, noise = data.x, data.teacher, data.student0, data.noise
        teacher, student, noise = tau * teacher, alpha * student0, sigma * noise
        if method == "spectral":
            nu, vecs = np.linalg.eigh(x.T @ x / n_train)
            a = c * (np.clip(nu, 0.0, None) + g)  # round-off can make null eigenvalues slightly negative
            drive = vecs.T @ (x.T @ noise / n_train - g * teacher)  # E − gτT in the eigenbasis
            d_det = _noiseless_path(a, vecs, vecs.T @ (student - teacher), drive, times, c, dynamics)
        for r in range(replicas):
            rng = np.random.default_rng([seed, r, 1])
            if method == "loop":
                d_t = _sgld_loop(x, x @ teacher + noise, teacher, student, times, lr, wd, d_out, temp, rng)
            else:
                d_t = d_det + _thermal_part(a, vecs, times, lr, temp, d_out, dynamics, rng)
            resid = np.einsum("ij,tjk->tik", x, d_t) - noise
            train[i, r] = (resid**2).sum(axis=(1, 2)) / (n_train * d_out)
            gen[i, r] = (d_t**2).sum(axis=(1, 2)) / d_out
        bar.step()
    params = dict(d_in=d_in, n_train=n_train, lam=d_in / n_train, temperature=temp, d_out=d_out, lr=lr,
                  weight_decay=wd, init_scale=alpha, teacher_scale=tau, label_noise=sigma, dynamics=dynamics,
                  method=method, replicas=replicas)
    return ThermalSimulationResult(t=times, seeds=seeds, params=params, train_loss=train, gen_loss=gen)


def _mode_factor(a: np.ndarray, steps: float, dynamics: str) -> tuple[np.ndarray, np.ndarray]:
    """Transition of one mode over ``steps``: (decay factor, accumulated variance / (2ηT)).

    Flow: (e^{−aΔ}, (1 − e^{−2aΔ})/(2a)); SGLD: (ρ^Δ, (1 − ρ^{2Δ})/(1 − ρ²)), ρ = 1 − a; Δ on a free mode.
    """
    if dynamics == "flow":
        decay = np.exp(-a * steps)
        with np.errstate(divide="ignore", invalid="ignore"):
            acc = np.where(a > 0, -np.expm1(-2 * a * steps) / (2 * np.where(a > 0, a, 1.0)), steps)
        return decay, acc
    lg = log_abs_one_minus(a)
    decay = np.where((a > 1) & (steps % 2 == 1), -1.0, 1.0) * np.exp(steps * lg)
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = np.where(a > 0, -np.expm1(2 * steps * lg) / (np.where(a > 0, a, 1.0) * (2 - a)), steps)
    return decay, acc


def _thermal_part(a: np.ndarray, vecs: np.ndarray, times: np.ndarray, lr: float, temp: float, d_out: int,
                  dynamics: str, rng: np.random.Generator) -> np.ndarray:
    """Z at the record times: exact Gaussian transitions of every eigenmode (rates ``a``) between record times."""
    order = np.argsort(times)
    z = np.zeros((len(a), d_out))
    out = np.empty((len(times), len(a), d_out))
    prev = 0
    for idx in order:
        steps = float(times[idx] - prev)
        decay, acc = _mode_factor(a, steps, dynamics)
        z = decay[:, None] * z + np.sqrt(2 * lr * temp * acc)[:, None] * rng.standard_normal(z.shape)
        out[idx] = vecs @ z
        prev = times[idx]
    return out


def _noiseless_path(a: np.ndarray, vecs: np.ndarray, d0e: np.ndarray, drive: np.ndarray, times: np.ndarray, c: float,
                    dynamics: str) -> np.ndarray:
    """D_det(t) = D* + (D_0 − D*) h(t) per mode, D* = c·drive/a (THEORY.md §1); free modes (a = 0) keep D_0.

    ``h`` is the decay factor of :func:`_mode_factor` (e^{−at} or ρ^t), so flow and SGLD share one path.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        fixed = np.where((a > 0)[:, None], c * drive / np.where(a > 0, a, 1.0)[:, None], 0.0)
    out = np.empty((len(times),) + d0e.shape)
    for i, tt in enumerate(times):
        decay, _ = _mode_factor(a, float(tt), dynamics)
        out[i] = vecs @ (fixed + (d0e - fixed) * decay[:, None])
    return out


def _sgld_loop(x: np.ndarray, y: np.ndarray, teacher: np.ndarray, student: np.ndarray, times: np.ndarray, lr: float,
               wd: float, d_out: int, temp: float, rng: np.random.Generator) -> np.ndarray:
    """D_t at the record times by literal SGLD iterations (the reference)."""
    n = x.shape[0]
    order = np.argsort(times)
    out = np.empty((len(times),) + student.shape)
    s, step, amp = student.copy(), 0, math.sqrt(2 * lr * temp)
    for idx in order:
        while step < times[idx]:
            grad = (2 / d_out) * (x.T @ (x @ s - y)) / n + (wd / d_out) * s
            s = s - lr * grad + amp * rng.standard_normal(s.shape)
            step += 1
        out[idx] = s - teacher
    return out
