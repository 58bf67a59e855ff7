"""Issue 19, hard edge and large d_in; writes tests/data/finite_size_hard_edge.json (compact summaries).

    python scripts/finite_size_hard_edge.py edge                 # ν_min laws vs 10⁴ exact samples per (d_in, λ)
    python scripts/finite_size_hard_edge.py dense --dims 1000 [--sets 300] [--lams ...]   # slow: real data sets (cached spectra)
    python scripts/finite_size_hard_edge.py summary --dims 1000 2000   # dense vs bidiagonal → JSON (rows merged)
    python scripts/finite_size_hard_edge.py large --dims 2000 --lams 0.5 0.9 1.5   # 2000 bidiagonal sets per cell
    python scripts/finite_size_hard_edge.py --markdown           # the tables of docs/models/finite_size.md

* ``edge``: for d_in ∈ {50, 200, 1000, 2000} and λ ∈ {0.5, 0.9, 0.99, 1, 1.01, 1.5} (N_tr = round(d_in/λ);
  λ > 1: the smallest *nonzero* eigenvalue), 10⁴ bidiagonal samples of ν_min against the laws of
  :func:`grok_theory.mp.edge.smallest_eigenvalue_law` ("hard": hard edge with a = |N_tr − d_in|;
  "soft": TW₁; "edelman": the a = 0 law with scale d_in²): KS distance and p-value, mean/std, quantiles.

``dense`` stores each real spectrum (numpy ``eigvalsh`` of XᵀX/N_tr, BLAS pinned to one thread) in
``DIR/dense_d1000_lam{λ}.npy`` as it goes (resumable). ``summary`` reads them and writes compact
summaries only (quantiles with order-statistic 95 % intervals, KS p-values), see ``main``.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from grok_theory.mp.wishart import n_train_for

LAMS = [0.5, 0.9, 0.99, 1.0, 1.5]
DENSE_D = 1000
OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "finite_size_hard_edge.json"
EDGE_LAMS = [0.5, 0.9, 0.99, 1.0, 1.01, 1.5]
EDGE_DIMS = (50, 200, 1000, 2000)
QS = [0.1, 0.5, 0.9]


def part_dense(cache: Path, sets: int, d: int = DENSE_D, lams: tuple = tuple(LAMS)) -> None:
    from threadpoolctl import threadpool_limits

    cache.mkdir(parents=True, exist_ok=True)
    with threadpool_limits(limits=1):
        for lam in lams:
            i = LAMS.index(lam)
            n = n_train_for(d, lam)
            path = cache / f"dense_d{d}_lam{lam}.npy"
            have = np.load(path) if path.exists() else np.zeros((0, d))
            # (d = 1000 keeps the seeds of the stored run)
            rng = np.random.default_rng([5000, i, have.shape[0]] if d == DENSE_D else [5000, d, i, have.shape[0]])
            while have.shape[0] < sets:
                t0 = time.time()
                x = rng.standard_normal((n, d))
                # the nonzero eigenvalues of XᵀX/N are those of XXᵀ/N: the smaller Gram matrix
                w = np.linalg.eigvalsh(x.T @ x / n) if n >= d else np.concatenate([np.zeros(d - n), np.linalg.eigvalsh(x @ x.T / n)])
                have = np.vstack([have, np.maximum(w, 0.0)[None, :]])
                if have.shape[0] % 10 == 0 or have.shape[0] == sets:
                    tmp = path.with_name(path.stem + ".partial.npy")
                    np.save(tmp, have)
                    tmp.replace(path)  # atomic: a run stopped mid-write leaves the previous cache
                    print(f"d={d} lam={lam} sets={have.shape[0]} {time.time() - t0:.2f} s/set", flush=True)


def part_edge(sets: int = 10_000) -> list:
    from scipy import stats

    from grok_theory.mp.edge import smallest_eigenvalue_law
    from grok_theory.mp.wishart import sample_spectrum

    rows = []
    for d in EDGE_DIMS:
        for j, lam in enumerate(EDGE_LAMS):
            n = n_train_for(d, lam)
            t0 = time.time()
            nu = sample_spectrum(d, n, sets, rng=[7000, d, j], smallest=1)[:, 0]
            t_sample = time.time() - t0
            for kind in ("hard", "soft", "edelman"):
                try:
                    law = smallest_eigenvalue_law(d, n, kind)
                except ValueError:
                    continue  # soft at a = 0, edelman at a ≠ 0
                ks = stats.kstest(nu, law.cdf)
                r = dict(d_in=d, n_train=n, lam=d / n, a=abs(n - d), kind=kind, sets=sets, ks_stat=float(ks.statistic),
                         ks_p=float(ks.pvalue), ks_crit95=1.358 / math.sqrt(sets),
                         mean_sample=float(nu.mean()), mean_sem=float(nu.std(ddof=1) / math.sqrt(sets)), mean_law=law.mean,
                         std_sample=float(nu.std(ddof=1)), std_law=law.std,
                         quantiles={str(q): [float(np.quantile(nu, q)), float(law.quantile(q))] for q in QS},
                         seconds_sample=t_sample, seconds=time.time() - t0)
                rows.append(r)
                print(json.dumps(r), flush=True)
    return rows


LR, EPS = 0.01, 1e-3
LARGE_DIMS = (1000, 2000)


def _summary(samples: np.ndarray) -> dict:
    from grok_theory.linear.finite_size import TimeDistribution

    td = TimeDistribution(np.asarray(samples, dtype=float))
    out = {"n": td.n, "never": td.never}
    if td.never < 0.9:
        for q in QS:
            out[f"q{q}"] = dict(value=td.quantile(q), ci=td.quantile_interval(q))
    return out


def _ks_p(x: np.ndarray, y: np.ndarray) -> float:
    from scipy import stats

    fx, fy = x[np.isfinite(x)], y[np.isfinite(y)]
    return float(stats.ks_2samp(fx, fy).pvalue) if fx.size > 1 and fy.size > 1 else math.nan


def part_summary(cache: Path, d: int = DENSE_D, lams: tuple = tuple(LAMS)) -> list:
    """The cached real spectra at d_in = d against 2000 independent bidiagonal spectra (ν_min and the
    data-averaged crossing times of GD, η = 0.01, ε = 1e-3): quantiles with 95 % intervals, KS p-values."""
    from grok_theory.linear.finite_size import grokking_time_distribution
    from grok_theory.linear.model import TeacherStudent
    from grok_theory.mp.wishart import sample_spectrum

    dense_rows = []
    for lam in lams:
        i = LAMS.index(lam)
        n = n_train_for(d, lam)
        path = cache / f"dense_d{d}_lam{lam}.npy"
        if not path.exists():
            continue
        real_sp = np.load(path)
        model = TeacherStudent(d / n, lr=LR, dynamics="gd")
        t0 = time.time()
        real = grokking_time_distribution(model, EPS, d, spectra=real_sp)
        seed = [6000, i] if d == DENSE_D else [6000, d, i]
        pred = grokking_time_distribution(model, EPS, d, n_sets=2000, rng=seed)
        nu_r = real_sp[:, d - min(n, d)]
        nu_p = sample_spectrum(d, n, 2000, rng=[6100] + seed[1:], smallest=1)[:, 0]
        r = dict(d_in=d, n_train=n, lam=d / n, sets_real=int(real_sp.shape[0]), sets_pred=2000,
                 nu_min=dict(real=_summary(nu_r), pred=_summary(nu_p), ks_p=_ks_p(nu_r, nu_p)),
                 mp=dict(t_train=float(pred.mp.t_train), t_gen=float(pred.mp.t_gen)), seconds=time.time() - t0)
        for k in ("t_train", "t_gen"):
            a_, b_ = getattr(pred, k).samples, getattr(real, k).samples
            r[k] = dict(pred=_summary(a_), real=_summary(b_), ks_p=_ks_p(a_, b_))
        dense_rows.append(r)
        print(json.dumps(r), flush=True)
    return dense_rows


def part_large(dims: tuple = LARGE_DIMS, lams: tuple = tuple(LAMS)) -> list:
    from grok_theory.linear.finite_size import edge_crossing_time, grokking_time_distribution
    from grok_theory.linear.model import TeacherStudent

    large_rows = []
    for d in dims:
        for lam in lams:
            i = LAMS.index(lam)  # the seed depends on (d_in, λ) only, so any subset reproduces the same rows
            n = n_train_for(d, lam)
            model = TeacherStudent(d / n, lr=LR, dynamics="gd")
            t0 = time.time()
            ens = grokking_time_distribution(model, EPS, d, n_sets=2000, rng=[6200, d, i])
            r = dict(d_in=d, n_train=n, lam=d / n, a=abs(n - d), sets=2000,
                     mp=dict(t_train=float(ens.mp.t_train), t_gen=float(ens.mp.t_gen)))
            for k in ("t_train", "t_gen"):
                r[k] = _summary(getattr(ens, k).samples)
                if r[k]["never"] < 0.9:
                    r[k]["edge"] = [float(v) for v in edge_crossing_time(model, k[2:], EPS, d, QS)]
            r["seconds"] = time.time() - t0
            large_rows.append(r)
            print(json.dumps(r), flush=True)
    return large_rows


def _ci(x: dict, q: str) -> str:
    v = x[q]
    return f"{v['value']:.4g} [{v['ci'][0]:.4g}, {v['ci'][1]:.4g}]"


def markdown(data: dict) -> str:
    """The tables of docs/models/finite_size.md §2.4 and §3.1 from the stored summaries."""
    out = []
    if "edge" in data:
        out += ["| d_in | N_tr | λ | a | hard: KS (p) | soft: KS (p) | hard: mean, std law/sample − 1 | hard: q0.1, q0.5, q0.9 law/sample − 1 |",
                "|---|---|---|---|---|---|---|---|"]
        rows = data["edge"]
        seen = set()
        for r in rows:
            key = (r["d_in"], r["n_train"])
            if r["kind"] != "hard" or key in seen:
                continue
            seen.add(key)
            soft = next((s for s in rows if (s["d_in"], s["n_train"]) == key and s["kind"] in ("soft", "edelman")), None)
            soft_txt = "—" if soft is None else f"{soft['ks_stat']:.4f} ({soft['ks_p']:.2g}){' [Edelman]' if soft['kind'] == 'edelman' else ''}"
            q = [v[1] / v[0] - 1 for v in r["quantiles"].values()]
            out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {r['a']} | {r['ks_stat']:.4f} ({r['ks_p']:.2g}) | {soft_txt} | "
                       f"{r['mean_law'] / r['mean_sample'] - 1:+.1e}, {r['std_law'] / r['std_sample'] - 1:+.1e} | "
                       f"{q[0]:+.1e}, {q[1]:+.1e}, {q[2]:+.1e} |")
    if "dense" in data:
        out += ["", "| d_in | λ | N_tr | quantity | sets real/bidiag. | q0.1 real / bidiag. | median real [95 % CI] | median bidiag. [95 % CI] | q0.9 real / bidiag. | KS p |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in data["dense"]:
            for k in ("nu_min", "t_train", "t_gen"):
                x = r[k]
                if x["real"]["never"] > 0.9:
                    out.append(f"| {r['d_in']} | {r['lam']:.4g} | {r['n_train']} | {k} | {x['real']['n']}/{x['pred']['n']} | never | | | | |")
                    continue
                out.append(f"| {r['d_in']} | {r['lam']:.4g} | {r['n_train']} | {k} | {x['real']['n']}/{x['pred']['n']} | "
                           f"{x['real']['q0.1']['value']:.4g} / {x['pred']['q0.1']['value']:.4g} | {_ci(x['real'], 'q0.5')} | "
                           f"{_ci(x['pred'], 'q0.5')} | {x['real']['q0.9']['value']:.4g} / {x['pred']['q0.9']['value']:.4g} | {x['ks_p']:.2g} |")
    if "large" in data:
        out += ["", "| d_in | N_tr | λ | a | time | MP | median [95 % CI] (2000 sets) | q0.1, q0.9 | edge law q0.1, q0.5, q0.9 (law/ensemble − 1) |",
                "|---|---|---|---|---|---|---|---|---|"]
        for r in data["large"]:
            for k in ("t_train", "t_gen"):
                x = r[k]
                if x["never"] > 0.9:
                    out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {r['a']} | {k} | never | never | | |")
                    continue
                edge = x.get("edge")
                rel = ", ".join(f"{e / x[f'q{q}']['value'] - 1:+.2f}" if math.isfinite(e) else "inf" for e, q in zip(edge, QS)) if edge else ""
                out.append(f"| {r['d_in']} | {r['n_train']} | {r['lam']:.4g} | {r['a']} | {k} | {r['mp'][k]:.4g} | {_ci(x, 'q0.5')} | "
                           f"{x['q0.1']['value']:.4g}, {x['q0.9']['value']:.4g} | {rel} |")
    return "\n".join(out)


def _store(key: str, rows: list, merge: bool = False) -> None:
    """Write ``rows`` under ``key``; ``merge``: replace only the rows with the same (d_in, n_train), sorted."""
    data = json.loads(OUT.read_text()) if OUT.exists() else {}
    if merge:
        new = {(r["d_in"], r["n_train"]) for r in rows}
        rows = sorted([r for r in data.get(key, []) if (r["d_in"], r["n_train"]) not in new] + rows,
                      key=lambda r: (r["d_in"], -r["n_train"]))
    data[key] = rows
    OUT.write_text(json.dumps(data, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("part", nargs="?", choices=["edge", "dense", "summary", "large"])
    ap.add_argument("--markdown", action="store_true", help="print the docs tables from the stored JSON")
    ap.add_argument("--sets", type=int, default=300)
    ap.add_argument("--dims", type=int, nargs="*", default=list(LARGE_DIMS), help="d_in of the large/dense/summary parts")
    ap.add_argument("--lams", type=float, nargs="*", default=LAMS, help="λ of the large part (a subset of LAMS)")
    ap.add_argument("--cache", default="/tmp/grok_theory_large_d")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(json.loads(OUT.read_text())))
        return
    if args.part == "edge":
        _store("edge", part_edge())
    if args.part == "dense":
        for d in args.dims:
            part_dense(Path(args.cache), args.sets, d, tuple(args.lams))
    if args.part == "summary":
        for d in args.dims:
            _store("dense", part_summary(Path(args.cache), d, tuple(args.lams)), merge=True)
    if args.part == "large":
        _store("large", part_large(tuple(args.dims), tuple(args.lams)), merge=True)


if __name__ == "__main__":
    main()
