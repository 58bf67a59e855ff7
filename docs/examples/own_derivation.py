"""Tutorial example: derive, verify and export a new result with grok-theory.

The result: the grokking time of the linear teacher–student model (Levi et al. 2024) trained
with a piecewise-constant learning-rate schedule — η₁ for the first T₁ steps, then η₂ — instead
of a constant η. Walk-through: docs/tutorial_own_derivation.md.

    python docs/examples/own_derivation.py            # print, verify (quick checks), export LaTeX to ./own_derivation_tex
    grok-theory verify docs/examples/own_derivation.py          # all checks, the simulation included
    grok-theory latex docs/examples/own_derivation.py --out tex/
    grok-theory formula tutorial.schedule_dt --from docs/examples/own_derivation.py --latex

The file only uses the public API: ``grok_theory.symbolic`` (records and checks),
``grok_theory.linear`` (the exact model, its crossing times, the data sampler) and
``grok_theory.linear.simulate.simulate_linear`` (real gradient descent).
"""
from __future__ import annotations

import sys

import mpmath
import numpy as np
import sympy as sp

from grok_theory.linear.grokking import crossing_time, grokking_time
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import first_crossing, sample_dataset, simulate_linear
from grok_theory.symbolic import (Derivation, Step, equality_step, numeric_check, run_standalone, simulation_check)

# the parameter point of the checks: λ = 1/2, ε = 1e-3, η₁ = 0.01 until T₁ = 900 steps, then η₂ = 0.025;
# the constant-rate reference runs at η_ref = η₁. The training loss crosses ε/4 before the switch and
# the generalisation loss after it, so both branches of the result are exercised.
LAM, EPS, LR1, LR2, SWITCH = 0.5, 1e-3, 0.01, 0.025, 900

T, T1, u = sp.symbols("T T_1 u", positive=True)
eta1, eta2, eta_ref, nu, d_out = sp.symbols("eta_1 eta_2 eta_ref nu d_out", positive=True)
t_tr, t_gen = sp.symbols("t_tr t_gen", positive=True)
D0 = sp.Symbol("D_0")
eta_f, tau_f = sp.Function("eta"), sp.Function("tau")

#: cumulative learning rate τ(T) = Σ_{i<T} η_i of the two-phase schedule, and its inverse T(u)
TAU = sp.Piecewise((eta1 * T, T <= T1), (eta1 * T1 + eta2 * (T - T1), True))
STEPS = sp.Piecewise((u / eta1, u <= eta1 * T1), (T1 + (u - eta1 * T1) / eta2, True))
#: the result: Δt under the schedule, from the constant-rate crossing times t_tr, t_gen at η_ref
DELTA_SCHED = STEPS.subs(u, eta_ref * t_gen) - STEPS.subs(u, eta_ref * t_tr)


def effective_time(steps: float, lr1: float = LR1, lr2: float = LR2, switch: float = SWITCH) -> float:
    """τ(T) = η₁ min(T, T₁) + η₂ max(T − T₁, 0): the summed learning rate after ``steps`` GD steps."""
    return lr1 * min(steps, switch) + lr2 * max(steps - switch, 0)


def steps_for(tau, lr1: float = LR1, lr2: float = LR2, switch: float = SWITCH):
    """T(τ): the number of steps after which the summed learning rate reaches ``tau`` (inverse of τ)."""
    return tau / lr1 if tau <= lr1 * switch else switch + (tau - lr1 * switch) / lr2


def scheduled_grokking_time(lam: float, eps: float, lr1: float = LR1, lr2: float = LR2, switch: float = SWITCH,
                            dps: int | None = None):
    """(T*_tr, T*_gen, Δt) under the schedule, from the exact constant-rate crossing times (the derived result)."""
    model = TeacherStudent(lam, lr=lr1)  # η_ref = η₁
    tt, tg = (crossing_time(model, which, eps, dps=dps) for which in ("train", "gen"))
    a, b = steps_for(lr1 * tt, lr1, lr2, switch), steps_for(lr1 * tg, lr1, lr2, switch)
    return a, b, b - a


def _direct_root(lam: float, eps: float, which: str, dps: int):
    """Independent reference: the first T with L(τ(T)/η_ref) = ε/4, by mpmath's Anderson root finder on the
    scheduled curve itself (not through the constant-rate crossing times)."""
    model = TeacherStudent(lam, lr=LR1)
    loss = model.train_loss if which == "train" else model.gen_loss
    level = mpmath.mpf(eps) / 4

    def f(steps):
        return loss(effective_time(steps) / LR1, dps=dps) - level

    guess = float(steps_for(LR1 * grokking_time(model, eps).__getattribute__("t_train" if which == "train" else "t_gen")))
    return mpmath.findroot(f, (mpmath.mpf(guess) * 0.98, mpmath.mpf(guess) * 1.02), solver="anderson")


def simulate_schedule(d_in: int, lam: float, steps: int, seeds, lr1: float = LR1, lr2: float = LR2,
                      switch: int = SWITCH) -> tuple[np.ndarray, np.ndarray]:
    """Real full-batch GD of the linear model with the schedule: train and generalisation loss at every step.

    Same data, initialisation and update as :func:`grok_theory.linear.simulate.simulate_linear`
    (``method="loop"``) — only the learning rate changes at ``switch``. Returns two arrays of shape
    (seeds, steps + 1).
    """
    n_train = round(d_in / lam)
    seeds = list(seeds)
    train, gen = np.empty((len(seeds), steps + 1)), np.empty((len(seeds), steps + 1))
    for i, seed in enumerate(seeds):
        data = sample_dataset(seed, d_in, n_train)
        x, y, teacher, s = data.x, data.labels(), data.teacher, data.student0.copy()
        for step in range(steps + 1):
            resid = x @ s - y
            train[i, step] = float((resid ** 2).sum()) / n_train
            gen[i, step] = float(((s - teacher) ** 2).sum())
            s -= (lr1 if step < switch else lr2) * 2 * (x.T @ resid) / n_train
    return train, gen


def _schedule_matches_simulate_linear() -> None:
    """Before the switch the schedule is constant-rate GD: our loop must reproduce simulate_linear exactly."""
    times = [0, 100, SWITCH]
    ref = simulate_linear(100, lam=LAM, lr=LR1, t=times, seeds=[0, 1], method="loop", progress=False)
    _, gen = simulate_schedule(100, LAM, SWITCH, [0, 1])
    if not np.allclose(gen[:, times], ref.gen_loss, rtol=1e-10, atol=0):
        raise AssertionError("the schedule loop does not reproduce simulate_linear before the switch")


def _simulated_delta(d_in: int = 200, seeds=range(10)):
    def run():
        _schedule_matches_simulate_linear()
        tt, tg, delta = scheduled_grokking_time(LAM, EPS)
        train, gen = simulate_schedule(d_in, LAM, int(tg * 1.3), seeds)
        steps = np.arange(train.shape[1], dtype=float)
        # first crossings of ε/4 by each seed's curves (falling curves: cross from above)
        t_train = first_crossing(steps, -train, -EPS / 4)
        t_gen = first_crossing(steps, -gen, -EPS / 4)
        d = t_gen - t_train
        n = len(d)
        return ([tt, tg, delta], [t_train.mean(), t_gen.mean(), d.mean()],
                [t_train.std(ddof=1) / np.sqrt(n), t_gen.std(ddof=1) / np.sqrt(n), d.std(ddof=1) / np.sqrt(n)])
    return run


def schedule_dt() -> Derivation:
    """The grokking time under a two-phase learning-rate schedule."""
    D = D0 * sp.exp(-2 * nu * tau_f(T) / d_out)
    steps = [
        equality_step("a mode of the error D = S − T under gradient flow with a time-dependent rate η(T): "
                      "D_ν(T) = D_ν(0) exp(−2ν τ(T)/d_out) with τ' = η solves dD_ν/dT = −(2η(T)/d_out) ν D_ν",
                      sp.diff(D, T).subs(sp.Derivative(tau_f(T), T), eta_f(T)), -2 * eta_f(T) * nu * D / d_out,
                      "Levi Eq. 5 with η → η(T); chain rule"),
        equality_step("so every mode — hence every loss, an MP average over the modes — is the constant-rate "
                      "one at t = τ(T)/η_ref", D.subs(tau_f(T), eta_ref * (tau_f(T) / eta_ref)), D,
                      "the solution depends on T only through τ(T)"),
        equality_step("τ(T(u)) = u for u ≤ η₁T₁ (the crossing falls in the first phase)",
                      (eta1 * T).subs(T, u / eta1), u, "first branch of τ and of its inverse"),
        equality_step("τ(T(u)) = u for u > η₁T₁ (second phase)",
                      (eta1 * T1 + eta2 * (T - T1)).subs(T, T1 + (u - eta1 * T1) / eta2), u,
                      "second branch of τ and of its inverse"),
        Step("the crossing times under the schedule are T(η_ref t*), so Δt_sched = T(η_ref t*_gen) − T(η_ref t*_tr)",
             sp.Eq(sp.Symbol("Δt_sched"), DELTA_SCHED), "a loss reaches ε/4 when τ(T)/η_ref = t*",
             lambda: True, "definition (checked numerically and by simulation)"),
        equality_step("a constant schedule η₁ = η₂ = η_ref gives back Δt = t*_gen − t*_tr",
                      sp.piecewise_fold(DELTA_SCHED.subs({eta1: eta_ref, eta2: eta_ref})).simplify(), t_gen - t_tr,
                      "both branches reduce to u/η_ref"),
        equality_step("both crossings after the switch: Δt_sched = (η_ref/η₂)·Δt",
                      (T1 + (eta_ref * t_gen - eta1 * T1) / eta2) - (T1 + (eta_ref * t_tr - eta1 * T1) / eta2),
                      eta_ref / eta2 * (t_gen - t_tr), "second branch for both"),
    ]
    point = f"λ = {LAM}, ε = {EPS}, η₁ = {LR1} for T₁ = {SWITCH} steps, then η₂ = {LR2}"
    checks = (
        numeric_check(f"T*_gen under the schedule ({point}): the result vs a direct root of L_gen(τ(T)/η₁) = ε/4",
                      lambda dps: scheduled_grokking_time(LAM, EPS, dps=dps)[1],
                      lambda dps: _direct_root(LAM, EPS, "gen", dps), digits=20),
        numeric_check(f"T*_tr under the schedule ({point}): the result vs a direct root of L_tr(τ(T)/η₁) = ε/4",
                      lambda dps: scheduled_grokking_time(LAM, EPS, dps=dps)[0],
                      lambda dps: _direct_root(LAM, EPS, "train", dps), digits=20),
        simulation_check(f"T*_tr, T*_gen and Δt of real GD with the schedule (d_in = 200, {point}, 10 seeds; "
                         "the loop reproduces simulate_linear before the switch) vs the result",
                         _simulated_delta(), max_z=4.5, quick=True),
    )
    return Derivation("tutorial.schedule_dt", "grokking time of the linear model under a two-phase learning-rate schedule",
                      ["d_out = 1, γ = 0, default initialisation, gradient flow at each phase's rate",
                       "η₁ for the first T₁ steps, then η₂"],
                      steps, sp.Eq(sp.Symbol("Δt_sched"), DELTA_SCHED), source=None,
                      numeric="docs/examples/own_derivation.py:scheduled_grokking_time", checks=checks)


def wrong_schedule_dt() -> Derivation:
    """A tempting but false claim, for the tutorial: Δt scales with the time-averaged learning rate."""
    def claimed(dps):
        model = TeacherStudent(LAM, lr=LR1)
        delta = grokking_time(model, EPS).delta
        t_gen = scheduled_grokking_time(LAM, EPS)[1]
        mean_lr = effective_time(t_gen) / t_gen
        return mpmath.mpf(delta) * LR1 / mean_lr

    return Derivation("tutorial.schedule_dt_wrong", "(false) Δt_sched = Δt·η_ref/⟨η⟩ with the mean rate up to T*_gen",
                      ["as tutorial.schedule_dt"], [], sp.Symbol("Δt") * eta_ref / sp.Symbol("⟨η⟩"),
                      checks=(numeric_check("the claim vs the derived Δt_sched", claimed,
                                            lambda dps: scheduled_grokking_time(LAM, EPS, dps=dps)[2], digits=6),))


def derivations() -> list[Derivation]:
    """The derivations of this file (what ``grok-theory verify docs/examples/own_derivation.py`` runs)."""
    return [schedule_dt()]


def main(out_dir: str = "own_derivation_tex") -> int:
    from grok_theory.symbolic import latex
    from grok_theory.testing import assert_verified

    run_standalone(derivations())  # every step, then the quick checks
    rec = assert_verified(schedule_dt())
    print(f"verified: {rec}")
    print("a false claim, for comparison:")
    from grok_theory.symbolic.verify import verify_derivation
    bad = verify_derivation(wrong_schedule_dt())
    print(f"  {bad.id}: {bad.status} — {bad.note}")
    written = latex.export(out_dir, derivations())
    print(f"exported {len(written)} files to {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
