"""Two-layer teacher–student networks of Levi et al. (2024, §4) and their kernel theories.

Network f(x) = S1ᵀ σ(S0ᵀ x), S0 ∈ R^{d_in×d_h}, S1 ∈ R^{d_h×d_out}, σ = identity or tanh; the
teacher has the same architecture. Levi's initialisation (App. A/E): S0, T0 ~ N(0, 1/(2 d_in d_h)),
S1, T1 ~ N(0, 1/(2 d_out d_h)). Loss L_tr = (1/(N d_out)) Σ_i ‖f_S(x_i) − f_T(x_i)‖², trained by
full-batch GD with manual gradients (no deep-learning framework).

The linear network's GD depends on the data only through Σ = XᵀX/N and XᵀY = NΣT, so
``method="spectral"`` (the default for ``activation="linear"``) runs the same iteration in the
eigenbasis of Σ (S0 → UᵀS0, T → UᵀT): one eigendecomposition per seed, then O(d_in d_h d_out) per
step instead of the O(N d_in d_h) of the literal loop (``method="loop"``, the only one for tanh).
The two agree to rounding (tests/test_two_layer_spectral.py).

Theory comparators for the linear network (D = S0S1 − T, a0 = ‖S0‖², a1 = ‖S1‖², derived from
the gradient flow; see docs/simulations.md):

    dD/dt = −(2η/d)[S0S0ᵀ Σ D + Σ D S1ᵀS1] ≈ −r(t) Σ D,   r = (2η/d)(a1/d + a0/d_in),
    da0/dt = da1/dt = −(4η/d) tr((T + D)ᵀ Σ D)            (a0 − a1 is conserved).

* ``"frozen"``: r fixed at its initial value (Levi Eq. 19, which writes r = 2η h/d² with
  h = (a0 + a1)/2 ≈ 1/2; the two agree up to O(d_out/d_in)).
* ``"coupled"``: (R = ∫r dt, a1) integrated with the self-averaging closures
  tr(DᵀΣD) = ‖D0‖² E[ν e^{−2Rν}] and tr(TᵀΣD) = −‖T‖² E[ν e^{−Rν}] (Levi Eq. 18, corrected:
  the paper's dh/dt = −8η(T+D)ᵀΣD differs by the factor 2/d_out from the flow of its own h).

Both give L_gen = (‖D0‖²/d) E[e^{−2Rν}] and L_tr = (‖D0‖²/d) E[ν e^{−2Rν}].
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from grok_theory import _validate
from grok_theory.mp.law import MarchenkoPastur
from grok_theory.simulation import Progress, accuracy_fraction, seed_tuple, train_size

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["TwoLayerResult", "simulate_two_layer", "kernel_rate", "kernel_theory"]

#: activation σ and its derivative written through the activation's value, σ'(z) = g(σ(z)) (tanh: 1 − tanh²),
#: so that a GD step evaluates tanh once (np.tanh dominated the tanh net's step at d_h = 200)
_ACT = {"linear": (lambda z: z, lambda h: np.ones_like(h)), "tanh": (np.tanh, lambda h: 1 - h**2)}


@dataclass(frozen=True)
class TwoLayerResult:
    """Recorded curves (n_seeds, n_times) and the initial norms each theory needs (n_seeds,)."""

    t: np.ndarray
    params: dict
    train_loss: np.ndarray
    gen_loss_test: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    a0: np.ndarray  # ‖S0(t)‖²
    a1: np.ndarray  # ‖S1(t)‖²
    d0_norm2: np.ndarray  # ‖S0S1 − T0T1‖² at t = 0 (linear product; the tanh net's is not a matrix)
    teacher_norm2: np.ndarray  # ‖T0T1‖²

    def __repr__(self) -> str:
        par = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.params.items())
        last = (f"; at t={self.t[-1]}: train_loss={self.train_loss[:, -1].mean():.4g}, "
                f"gen_loss_test={self.gen_loss_test[:, -1].mean():.4g}") if len(self.t) else ""
        return f"TwoLayerResult({par}; {self.train_loss.shape[0]} seeds × {len(self.t)} times{last})"

    def _repr_html_(self) -> str:
        """Jupyter: the parameters and the seed means at every record time."""
        from grok_theory._display import html_table

        names = ("train_loss", "gen_loss_test", "test_accuracy", "a0", "a1")
        rows = [[t, *(getattr(self, k)[:, i].mean() for k in names)] for i, t in enumerate(self.t)]
        caption = repr(self).split(";")[0] + f"; seed means of {self.train_loss.shape[0]} seeds)"
        return html_table(caption, ["t", *names], rows)


def simulate_two_layer(d_in: int, lam: float, d_h: int, d_out: int = 1, lr: float = 0.01, activation: str = "linear",
                       t: Any = (0, 10, 100, 1000), seeds: Any = (0,), eps: float = 1e-4, n_test: int = 1000,
                       progress: bool | None = None, teacher_scale: float = 1.0,
                       executor: Executor | None = None, method: str = "auto") -> TwoLayerResult:
    """Train a d_in → d_h → d_out student on a same-shape teacher by full-batch GD (Levi §4).

    ``teacher_scale`` τ multiplies the teacher's output layer (T = τ T⁽⁰⁾T⁽¹⁾; Levi: τ = 1). With
    τ ≠ 1 the kernel norms move at leading order (derivation ``levi2024.two_layer_coupled``).
    ``executor`` (any :class:`concurrent.futures.Executor`) splits the seeds across it (same result).
    ``method``: ``"loop"`` (literal GD on the data), ``"spectral"`` (the same GD in the eigenbasis of
    Σ = XᵀX/N; linear activation only, equal to the loop up to rounding and 200–400× faster per
    step at d_in = 1000, N = 2000) or ``"auto"`` (spectral for the linear network, loop for tanh).
    """
    d_in, d_h, d_out = (_validate.positive_int(n, v) for n, v in (("d_in", d_in), ("d_h", d_h), ("d_out", d_out)))
    n_train = train_size(d_in, lam)
    lr, eps = _validate.positive("lr", lr), _validate.positive("eps", eps)
    _validate.choice("activation", activation, tuple(_ACT))
    tau = _validate.nonnegative("teacher_scale", teacher_scale)
    times = _validate.gd_times("t", t)
    seeds = seed_tuple(seeds)
    n_test = _validate.positive_int("n_test", n_test)
    _validate.choice("method", method, ("auto", "loop", "spectral"))
    if method == "auto":
        method = "spectral" if activation == "linear" else "loop"
    if method == "spectral" and activation != "linear":
        raise ValueError(f"method='spectral' needs activation='linear' (the tanh net's GD is not a function of "
                         f"XᵀX), got activation={activation!r}")
    if executor is not None and len(seeds) > 1:
        from grok_theory.parallel import simulate_on

        return simulate_on(executor, simulate_two_layer, seeds, progress, d_in=d_in, lam=lam, d_h=d_h, d_out=d_out,
                           lr=lr, activation=activation, t=times, eps=eps, n_test=n_test, teacher_scale=tau,
                           method=method)
    act, dact = _ACT[activation]
    shape = (len(seeds), len(times))
    rec = {k: np.empty(shape) for k in ("train_loss", "gen_loss_test", "train_accuracy", "test_accuracy", "a0", "a1")}
    d0n, tn = np.empty(len(seeds)), np.empty(len(seeds))
    bar = Progress(len(seeds), progress)
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n_train, d_in))
        t0 = rng.standard_normal((d_in, d_h)) / math.sqrt(2 * d_in * d_h)
        t1 = tau * rng.standard_normal((d_h, d_out)) / math.sqrt(2 * d_out * d_h)
        s0 = rng.standard_normal((d_in, d_h)) / math.sqrt(2 * d_in * d_h)
        s1 = rng.standard_normal((d_h, d_out)) / math.sqrt(2 * d_out * d_h)
        x_test = rng.standard_normal((n_test, d_in))
        y, y_test = act(x @ t0) @ t1, act(x_test @ t0) @ t1
        d0n[i], tn[i] = float(((s0 @ s1 - t0 @ t1) ** 2).sum()), float(((t0 @ t1) ** 2).sum())
        if method == "spectral":
            nu, basis = np.linalg.eigh(x.T @ x / n_train)
            s0, teacher = basis.T @ s0, basis.T @ (t0 @ t1)  # rotated: S0 → UᵀS0, T → UᵀT
        step = 0
        for j in np.argsort(times):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, not as a warning
                while step < times[j]:
                    if method == "spectral":
                        g0, g1 = spectral_gradients(nu, teacher, s0, s1)
                    else:
                        g0, g1 = gradients(x, y, s0, s1, act, dact)
                    s0, s1 = s0 - lr * g0, s1 - lr * g1
                    step += 1
                    if not (np.all(np.isfinite(s0)) and np.all(np.isfinite(s1))):
                        raise ValueError(f"lr={lr!r} is unstable for this two-layer net: GD diverged at step {step} "
                                         f"(seed {seed}); reduce lr")
            s0_data = basis @ s0 if method == "spectral" else s0  # the data's basis, for the per-sample records
            err = act(x @ s0_data) @ s1 - y
            err_test = act(x_test @ s0_data) @ s1 - y_test
            rec["train_loss"][i, j] = (err**2).sum() / (n_train * d_out)
            rec["gen_loss_test"][i, j] = (err_test**2).sum() / (n_test * d_out)
            rec["train_accuracy"][i, j] = accuracy_fraction((err**2).sum(axis=1), eps, d_out, "mean")
            rec["test_accuracy"][i, j] = accuracy_fraction((err_test**2).sum(axis=1), eps, d_out, "mean")
            rec["a0"][i, j], rec["a1"][i, j] = float((s0_data**2).sum()), float((s1**2).sum())
        bar.step()
    params = dict(d_in=d_in, n_train=n_train, lam=d_in / n_train, d_h=d_h, d_out=d_out, lr=lr,
                  activation=activation, eps=eps, n_test=n_test, teacher_scale=tau, method=method)
    return TwoLayerResult(times, params, d0_norm2=d0n, teacher_norm2=tn, **rec)


def gradients(x: np.ndarray, y: np.ndarray, s0: np.ndarray, s1: np.ndarray, act: Any, dact: Any) -> tuple[np.ndarray, np.ndarray]:
    """∂L/∂S0 and ∂L/∂S1 of L = ‖σ(XS0)S1 − Y‖²/(N d_out); ``dact`` maps σ(z) to σ'(z) (see ``_ACT``)."""
    n, d_out = y.shape
    pre = x @ s0
    hidden = act(pre)
    err = hidden @ s1 - y
    scale = 2.0 / (n * d_out)
    g1 = scale * hidden.T @ err
    g0 = scale * x.T @ ((err @ s1.T) * dact(hidden))
    return g0, g1


def spectral_gradients(nu: np.ndarray, teacher: np.ndarray, s0: np.ndarray, s1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∂L/∂S0 and ∂L/∂S1 of the linear network in the eigenbasis of Σ = XᵀX/N = U diag(ν) Uᵀ.

    With D = S0S1 − T, L = tr(DᵀΣD)/d_out, so ∂L/∂S0 = (2/d_out) Σ D S1ᵀ and ∂L/∂S1 = (2/d_out) S0ᵀ Σ D;
    here ``s0`` = UᵀS0 and ``teacher`` = UᵀT, and Σ acts as ``nu[:, None] *``. Cost O(d_in d_h d_out).
    """
    d_out = s1.shape[1]
    sd = nu[:, None] * (s0 @ s1 - teacher) * (2.0 / d_out)
    return sd @ s1.T, s0.T @ sd


def kernel_rate(lr: Any, d_in: Any, d_out: Any, a0: Any, a1: Any) -> Any:
    """Rate r of the isotropic-kernel flow dD/dt = −r Σ_tr D of the linear two-layer network.

    r = (2η/d_out)(‖S⁽¹⁾‖²/d_out + ‖S⁽⁰⁾‖²/d_in): the exact flow
    dD/dt = −(2η/d_out)[S⁽⁰⁾S⁽⁰⁾ᵀ Σ D + Σ D S⁽¹⁾ᵀS⁽¹⁾] with S⁽¹⁾ᵀS⁽¹⁾ → (a1/d_out) I and
    S⁽⁰⁾S⁽⁰⁾ᵀ → (a0/d_in) I (derivation ``levi2024.eq19``; Levi Eq. 18 keeps only the
    a1 term, with a1 = h). Plain arithmetic, so mpmath or SymPy arguments give exact results.

    Parameters
    ----------
    lr : learning rate η
    d_in, d_out : input and output dimension
    a0, a1 : ‖S⁽⁰⁾‖², ‖S⁽¹⁾‖²
    """
    return (2 * lr / d_out) * (a1 / d_out + a0 / d_in)


def kernel_theory(lam: float, d_in: int, d_out: int, lr: float, t: Any, a0: float, a1: float, d0_norm2: float,
                  teacher_norm2: float, mode: str = "coupled") -> dict[str, np.ndarray]:
    """Frozen-kernel (Levi Eq. 19) or coupled (Eq. 18) prediction for the linear two-layer net.

    Returns ``gen_loss``, ``train_loss`` and, for ``mode="coupled"``, the kernel norms ``a1``, ``a0``.
    """
    _validate.choice("mode", mode, ("frozen", "coupled"))
    law = MarchenkoPastur(lam)
    d_in, d_out = _validate.positive_int("d_in", d_in), _validate.positive_int("d_out", d_out)
    lr = _validate.positive("lr", lr)
    a0, a1 = _validate.nonnegative("a0", a0), _validate.nonnegative("a1", a1)
    d0_norm2 = _validate.nonnegative("d0_norm2", d0_norm2)
    teacher_norm2 = _validate.nonnegative("teacher_norm2", teacher_norm2)
    t = np.atleast_1d(_validate.real_array("t", t, lower=0.0)).ravel()
    if t.size == 0:
        raise ValueError("t must hold at least one time, got none")
    d = d_out

    if mode == "frozen":
        big_r = kernel_rate(lr, d_in, d, a0, a1) * t
        a1_t, a0_t = np.full_like(t, a1), np.full_like(t, a0)
    else:
        from scipy.integrate import solve_ivp  # here: scipy.integrate is slow to import

        gap = a0 - a1

        def rhs(_: float, z: np.ndarray) -> list[float]:
            big_r_, a1_ = z
            tr_dd = d0_norm2 * float(law.laplace(2 * big_r_, power=1))
            tr_td = -teacher_norm2 * float(law.laplace(big_r_, power=1))
            return [kernel_rate(lr, d_in, d, a1_ + gap, a1_), -(4 * lr / d) * (tr_td + tr_dd)]

        sol = solve_ivp(rhs, (0.0, float(t.max())), [0.0, a1], t_eval=np.sort(t), rtol=1e-10, atol=1e-14)
        order = np.argsort(np.argsort(t))
        big_r, a1_t = sol.y[0][order], sol.y[1][order]
        a0_t = a1_t + gap
    return {"gen_loss": d0_norm2 / d * law.laplace(2 * big_r), "train_loss": d0_norm2 / d * law.laplace(2 * big_r, power=1),
            "a1": a1_t, "a0": a0_t}
