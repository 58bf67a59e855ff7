"""Measure the 95 % accuracy times of Levi Fig. 2 (λ = 0.9, ε = 1e-3): theory vs simulated GD.

    python scripts/figure2_accuracy_times.py

For d_out = 1 and 50 at d_in = 200 and 1000 (6 seeds each): the theory crossing times of the
accuracy criterion (Eq. 13, isotropic χ²), the seed mean ± standard error of the simulated
train/test accuracy crossing 95 %, and the simulated time at which the exact generalisation
loss reaches the theory threshold loss. Results are quoted in docs/figures.md (Fig. 2).
"""
import numpy as np
from grok_theory.plots_levi import record_times, simulate_chunked
from grok_theory.simulate import first_crossing
from grok_theory.model import TeacherStudent
from grok_theory.grokking import crossing_time
t = record_times(3e5, 56)
for d_in in (200, 1000):
    for d_out in (1, 50):
        sim = simulate_chunked(d_in, t, lam=0.9, d_out=d_out, seeds=range(6), eps=1e-3, lr=0.01, progress=False)
        m = TeacherStudent(sim.params["lam"], d_out=d_out, dynamics="gd")
        tg_sim = first_crossing(sim.t, sim.test_accuracy, 0.95)
        tt_sim = first_crossing(sim.t, sim.train_accuracy, 0.95)
        tg_loss_sim = first_crossing(sim.t, sim.gen_loss, m.gen_loss(crossing_time(m, "gen", 1e-3, "accuracy", 0.95)), rising=False)
        print(d_in, d_out, "theory t_tr, t_gen:", round(crossing_time(m, "train", 1e-3, "accuracy", 0.95)), round(crossing_time(m, "gen", 1e-3, "accuracy", 0.95)),
              "| sim acc t_tr", np.round(tt_sim.mean()), "+-", np.round(tt_sim.std(ddof=1)/np.sqrt(6)),
              "t_gen", np.round(tg_sim.mean()), "+-", np.round(tg_sim.std(ddof=1)/np.sqrt(6)),
              "| sim t at which L_gen reaches the theory threshold", np.round(tg_loss_sim.mean()), "+-", np.round(tg_loss_sim.std(ddof=1)/np.sqrt(6)), flush=True)
