"""Offline checks of the finite-d_in theory against ensembles of real data sets; writes tests/data/finite_size_ensembles.json.

    python scripts/finite_size_ensembles.py [--part edge dense single] [--out tests/data/finite_size_ensembles.json]

Parts (λ ∈ {0.5, 0.9, 0.99, 1, 1.5}; N_tr = round(d_in/λ), the realised λ is recorded):

* ``edge``: ν_min of Σ_tr from 10⁴ bidiagonal samples (exact law) at d_in ∈ {50, 200, 1000, 2000}
  against the asymptotic law of :func:`grok_theory.mp.edge.smallest_eigenvalue_law` (TW₁ soft
  edge / Edelman hard edge): Kolmogorov–Smirnov distance, mean and std errors, quantiles.
* ``dense``: real data sets — X sampled, Σ_tr formed, numpy ``eigvalsh`` — for d_in ∈ {50, 200, 500}
  (2000 sets each; the stored d_in = 500 rows for λ = 0.99, 1, 1.5 were computed later, one λ per
  process with BLAS on one thread): crossing times of the data-averaged curves (model: discrete GD,
  η = 0.01, ε = 1e-3) against the prediction of :func:`grokking_time_distribution` from 2000
  *independent* bidiagonal spectra: quantiles 0.1/0.5/0.9 with order-statistic 95 % intervals,
  two-sample KS p-value.
* ``single``: real GD runs (``simulate_linear``, spectral method = exact discrete GD; X, T, S_0
  sampled per seed) at d_in ∈ {50, 200}, 2000 seeds, crossing times from a log-dense record grid
  (40 per decade, log interpolation), against ``runs="single"`` predictions (2000 sets).
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
from scipy import stats

from grok_theory.linear.finite_size import TimeDistribution, grokking_time_distribution
from grok_theory.linear.model import TeacherStudent
from grok_theory.linear.simulate import first_crossing, simulate_linear
from grok_theory.mp.edge import smallest_eigenvalue_law
from grok_theory.mp.wishart import dense_spectrum, n_train_for, sample_spectrum

LAMS = [0.5, 0.9, 0.99, 1.0, 1.5]
LR, EPS = 0.01, 1e-3
QS = [0.1, 0.5, 0.9]


def _q_summary(pred: TimeDistribution, real: TimeDistribution) -> dict:
    out = {"n_pred": pred.n, "n_real": real.n, "never_pred": pred.never, "never_real": real.never}
    for q in QS:
        out[f"q{q}"] = dict(pred=pred.quantile(q), pred_ci=pred.quantile_interval(q), real=real.quantile(q),
                            real_ci=real.quantile_interval(q))
    fin_p, fin_r = pred.samples[np.isfinite(pred.samples)], real.samples[np.isfinite(real.samples)]
    if fin_p.size > 1 and fin_r.size > 1:
        out["ks_p"] = float(stats.ks_2samp(fin_p, fin_r).pvalue)
        out["median_pred"], out["median_real"] = float(np.median(fin_p)), float(np.median(fin_r))
    return out


def part_edge(rows: list, sets: int = 10_000) -> None:
    for d in (50, 200, 1000, 2000):
        for lam in LAMS:
            n = n_train_for(d, lam)
            t0 = time.time()
            nu = sample_spectrum(d, n, sets, rng=1000 + d, smallest=1)[:, 0]
            law = smallest_eigenvalue_law(d, n)
            ks = stats.kstest(nu, law.cdf)
            r = dict(part="edge", d_in=d, n_train=n, lam=d / n, kind=law.kind, sets=sets, ks_stat=float(ks.statistic),
                     ks_p=float(ks.pvalue), ks_crit95=1.358 / math.sqrt(sets),
                     mean_sample=float(nu.mean()), mean_sem=float(nu.std(ddof=1) / math.sqrt(sets)), mean_law=law.mean,
                     std_sample=float(nu.std(ddof=1)), std_law=law.std,
                     quantiles={str(q): [float(np.quantile(nu, q)), float(law.quantile(q))] for q in QS},
                     seconds=time.time() - t0)
            rows.append(r)
            print(json.dumps(r), flush=True)


def part_dense(rows: list, dims: tuple = (50, 200, 500)) -> None:
    for d, sets in ((x, y) for x, y in ((50, 2000), (200, 2000), (500, 2000)) if x in dims):
        for lam in LAMS:
            n = n_train_for(d, lam)
            model = TeacherStudent(d / n, lr=LR, dynamics="gd")
            t0 = time.time()
            real_sp = dense_spectrum(d, n, sets, rng=2000 + d)
            t_dense = time.time() - t0
            real = grokking_time_distribution(model, EPS, d, spectra=real_sp)
            pred = grokking_time_distribution(model, EPS, d, n_sets=2000, rng=3000 + d)
            r = dict(part="dense", d_in=d, n_train=n, lam=d / n, seconds_dense=t_dense, seconds=time.time() - t0,
                     mp=dict(t_train=pred.mp.t_train, t_gen=pred.mp.t_gen),
                     t_train=_q_summary(pred.t_train, real.t_train), t_gen=_q_summary(pred.t_gen, real.t_gen))
            rows.append(r)
            print(json.dumps(r), flush=True)


def part_single(rows: list, dims: tuple = (50, 200), seeds: int = 2000, per_decade: int = 40) -> None:
    for d in (x for x in (50, 200) if x in dims):
        for lam in LAMS:
            n = n_train_for(d, lam)
            model = TeacherStudent(d / n, lr=LR, dynamics="gd")
            t0 = time.time()
            pred = grokking_time_distribution(model, EPS, d, n_sets=2000, runs="single", rng=4000 + d)
            fin = pred.t_gen.samples[np.isfinite(pred.t_gen.samples)]
            t_max = 3 * float(np.quantile(fin, 0.999)) if fin.size else 30 * pred.t_train.quantile(0.999)
            grid = np.unique(np.round(np.geomspace(1, t_max, int(per_decade * math.log10(t_max)) + 1)).astype(np.int64))
            sim = simulate_linear(d, n_train=n, lr=LR, t=grid, seeds=range(10_000, 10_000 + seeds), eps=EPS, n_test=1,
                                  progress=False)
            real_tr = TimeDistribution(first_crossing(sim.t, sim.train_loss, EPS / 4, rising=False))
            real_gen = TimeDistribution(first_crossing(sim.t, sim.gen_loss, EPS / 4, rising=False))
            r = dict(part="single", d_in=d, n_train=n, lam=d / n, seconds=time.time() - t0, t_max=float(grid[-1]),
                     t_train=_q_summary(pred.t_train, real_tr), t_gen=_q_summary(pred.t_gen, real_gen))
            rows.append(r)
            print(json.dumps(r), flush=True)


def markdown(rows: list) -> str:
    """The tables of docs/models/finite_size.md from the stored rows."""
    out = ["### Smallest eigenvalue: asymptotic law vs 10⁴ exact samples", "",
           "| d_in | N_tr | λ | law | KS distance (95 % crit.) | mean law/sample − 1 (± s.e.) | std law/sample − 1 | "
           "q0.1 | q0.5 | q0.9 (law/sample − 1) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in (r for r in rows if r["part"] == "edge"):
        q = {k: v[1] / v[0] - 1 for k, v in r["quantiles"].items()}
        out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {r['kind']} | {r['ks_stat']:.4f} ({r['ks_crit95']:.4f}) | "
                   f"{r['mean_law'] / r['mean_sample'] - 1:+.2e} (± {r['mean_sem'] / r['mean_sample']:.1e}) | "
                   f"{r['std_law'] / r['std_sample'] - 1:+.2e} | {q['0.1']:+.1e} | {q['0.5']:+.1e} | {q['0.9']:+.1e} |")
    for part, title in (("dense", "Data-averaged crossing times: prediction (bidiagonal) vs real data sets (dense eigvalsh)"),
                        ("single", "Single runs: prediction vs real GD (simulate_linear, own X, T, S_0 per seed)")):
        sel = [r for r in rows if r["part"] == part]
        if not sel:
            continue
        out += ["", f"### {title}", "",
                "| d_in | N_tr | λ | time | sets pred/real | MP | median pred [95 % CI] | median real [95 % CI] | "
                "q0.1 pred / real | q0.9 pred / real | KS p |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in sel:
            for k in ("t_train", "t_gen"):
                x = r[k]
                if x["never_pred"] == 1 and x["never_real"] == 1:
                    out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {k} | {x['n_pred']}/{x['n_real']} | never | never | never | | | |")
                    continue
                mp = r.get("mp", {}).get(k)
                med = x["q0.5"]
                out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {k} | {x['n_pred']}/{x['n_real']} | "
                           f"{'' if mp is None else f'{mp:.5g}'} | {med['pred']:.5g} [{med['pred_ci'][0]:.5g}, {med['pred_ci'][1]:.5g}] | "
                           f"{med['real']:.5g} [{med['real_ci'][0]:.5g}, {med['real_ci'][1]:.5g}] | "
                           f"{x['q0.1']['pred']:.4g} / {x['q0.1']['real']:.4g} | {x['q0.9']['pred']:.4g} / {x['q0.9']['real']:.4g} | "
                           f"{x.get('ks_p', float('nan')):.2g} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", nargs="*", default=["edge", "dense", "single"])
    ap.add_argument("--markdown", action="store_true", help="only print the tables of the stored results")
    ap.add_argument("--dims", type=int, nargs="*", default=[50, 200, 500], help="d_in values of the dense/single parts")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" / "finite_size_ensembles.json"))
    args = ap.parse_args()
    out = Path(args.out)
    if args.markdown:
        print(markdown(json.loads(out.read_text())))
        return
    rows = [r for r in (json.loads(out.read_text()) if out.exists() else []) if r["part"] not in args.part]
    for part in args.part:
        if part == "edge":
            part_edge(rows)
        else:
            {"dense": part_dense, "single": part_single}[part](rows, dims=tuple(args.dims))
        out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
