"""Measure the 95 % accuracy times of Levi Fig. 2 (λ = 0.9, ε = 1e-3): theory vs simulated GD.

    python scripts/figure2_accuracy_times.py

For d_out = 1 and 50 at d_in = 200 and 1000 (6 seeds each): the theory crossing times of the
accuracy criterion (Eq. 13, isotropic χ²), the seed mean ± standard error of the simulated
train/test accuracy crossing 95 %, and the simulated time at which the exact generalisation
loss reaches the theory threshold loss. Results are quoted in docs/figures.md (Fig. 2).
"""
import numpy as np
from grok_theory.linear.simulate import first_crossing, simulate_chunked
from grok_theory.simulation import log_steps
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.grokking import crossing_time


def sem(x: np.ndarray) -> float:
    return float(x.std(ddof=1) / np.sqrt(x.size))


def main(seeds: int = 6) -> None:
    t = log_steps(3e5, 56, include_zero=True)
    for d_in in (200, 1000):
        for d_out in (1, 50):
            sim = simulate_chunked(d_in, t, lam=0.9, d_out=d_out, seeds=range(seeds), eps=1e-3, lr=0.01, progress=False)
            m = TeacherStudent(sim.params["lam"], d_out=d_out, dynamics="gd")
            t_tr, t_gen = (crossing_time(m, w, 1e-3, "accuracy", 0.95) for w in ("train", "gen"))
            acc_tr = first_crossing(sim.t, sim.train_accuracy, 0.95)
            acc_gen = first_crossing(sim.t, sim.test_accuracy, 0.95)
            loss_gen = first_crossing(sim.t, sim.gen_loss, m.gen_loss(t_gen), rising=False)
            print(f"d_in={d_in} d_out={d_out}: theory t_tr={t_tr:.0f} t_gen={t_gen:.0f} | simulated accuracy "
                  f"t_tr={acc_tr.mean():.0f}±{sem(acc_tr):.0f} t_gen={acc_gen.mean():.0f}±{sem(acc_gen):.0f} | "
                  f"simulated L_gen reaches the theory threshold at {loss_gen.mean():.0f}±{sem(loss_gen):.0f}", flush=True)


if __name__ == "__main__":
    main()
