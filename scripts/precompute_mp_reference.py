"""Offline reference values for the Marchenko–Pastur engine (run by hand, not by the tests).

    python scripts/precompute_mp_reference.py [--out tests/data/mp_reference.json]

Computes, independently of grok_theory (only mpmath and the standard library are used),

* ``laplace``: E[ν^p e^{−sν}] over the full MP law (atom (1 − 1/λ)⁺ at 0 included for p = 0),
* ``cdf``: P(ν ≤ x), atom included,
* ``stieltjes``: E[1/(ν − z)] for complex z, atom included,

by ``mpmath.quad`` on the *raw density* p(ν) = √((λ₊ − ν)(ν − λ₋))/(2πλν) in the variable ν —
not the angle representation the engine uses. The square-root edge is removed by ν = λ₋ + w²
(so tanh-sinh sees an analytic integrand at the lower edge, also at λ = 1 where p ~ ν^{−1/2});
the upper edge is left to tanh-sinh's endpoint clustering. For the Laplace integrals the
factor e^{−sλ₋} is taken out analytically and [0, √(λ₊−λ₋)] is split at w = 2^{k/2}/√s,
k = 0, 1, …, so the late-time peak of width ~1/√s at the edge is resolved; the integral over
w > w_c is bounded by the tail of the Gaussian e^{−sw²} and dropped once below 1e-80 relative.

Each value is computed twice — tanh-sinh at 75 digits and Gauss–Legendre at 95 digits on the
same splitting — and stored with the number of digits on which the two agree
(``digits_agreed``); the script fails if any entry agrees to fewer than 50 digits.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mproc
import sys
import time
from pathlib import Path

import mpmath

LAMS = ["0.05", "0.3", "0.5", "0.9", "0.99", "1", "1.01", "1.5", "4"]
SS = ["0", "1e-3", "0.1", "1", "10", "100", "1e3", "1e4", "1e5", "1e6"]
POWERS = [0, 1, 2]
CDF_Q = ["0.001", "0.1", "0.5", "0.9", "0.999"]
CDF_X_EXTRA = ["0.5", "2.0"]
ZS = ["-1", "-0.01", "0.5+0.5j", "1+1e-3j", "3-2j", "10", "1e-3j"]
STORE_DIGITS = 60
MIN_AGREED = 50


def edges(lam):
    sq = mpmath.sqrt(lam)
    lo = ((1 - lam) / (1 + sq)) ** 2
    return lo, (1 + sq) ** 2


def integrate(lam, g, method: str, s=None, nu_points=()):
    """∫ g(ν) p(ν) dν over the continuous part, edge singularities removed.

    [λ₋, m] with ν = λ₋ + w² and [m, λ₊] with ν = λ₊ − v² (m the midpoint), so both
    square-root edges become analytic. Splits: geometric in w from √λ₋/16 (the scale of
    1/ν near λ = 1), at w = 2^{k/2}/√s for a late-time peak e^{−sν} (``s``), and at the
    given ν (near-singular points of g).
    """
    lo, hi = edges(lam)
    mid = (lo + hi) / 2
    wmax, vmax = mpmath.sqrt(mid - lo), mpmath.sqrt(hi - mid)

    def lower(w):
        nu = lo + w * w
        return g(nu) * w * mpmath.sqrt(hi - nu) / (2 * mpmath.pi * lam * nu) * 2 * w

    def upper(v):
        nu = hi - v * v
        return g(nu) * v * mpmath.sqrt(nu - lo) / (2 * mpmath.pi * lam * nu) * 2 * v

    wpts = {mpmath.mpf(0), wmax}
    if lo > 0:
        x = mpmath.sqrt(lo) / 16
        while x < wmax:
            wpts.add(x)
            x *= 2
    if s:
        x = 1 / mpmath.sqrt(s)
        while x < wmax:
            wpts.add(x)
            x *= mpmath.sqrt(2)
    vpts = {mpmath.mpf(0), vmax}
    for nu in nu_points:
        for d in (0, 1, 10, 100):
            for sign in (-1, 1):
                x = nu + sign * d * nu_points[nu]
                if lo < x < mid:
                    wpts.add(mpmath.sqrt(x - lo))
                elif mid <= x < hi:
                    vpts.add(mpmath.sqrt(hi - x))
    return mpmath.quad(lower, sorted(wpts), method=method) + mpmath.quad(upper, sorted(vpts), method=method)


def laplace(lam_s: str, s_s: str, p: int, method: str):
    """E[ν^p e^{−sν}] = atom·[p=0] + e^{−sλ₋} ∫ ν^p e^{−s(ν−λ₋)} p(ν) dν."""
    lam, s = mpmath.mpf(lam_s), mpmath.mpf(s_s)
    lo, hi = edges(lam)
    val = integrate(lam, lambda nu: nu**p * mpmath.exp(-s * (nu - lo)), method, s=s)
    val *= mpmath.exp(-s * lo)
    if p == 0:
        val += max(mpmath.mpf(0), 1 - 1 / lam)
    return val


def cdf(lam_s: str, x, method: str):
    lam = mpmath.mpf(lam_s)
    lo, hi = edges(lam)
    atom = max(mpmath.mpf(0), 1 - 1 / lam)
    jump = atom if x >= 0 else mpmath.mpf(0)
    if x <= lo:
        return jump
    if x >= hi:
        return jump + min(mpmath.mpf(1), 1 / lam)
    # ∫_{λ₋}^{x} p: integrate the indicator's two pieces separately with x as a split point
    mid = (lo + hi) / 2
    if x <= mid:
        wx = mpmath.sqrt(x - lo)
        f = lambda w: 2 * w * w * mpmath.sqrt(hi - lo - w * w) / (2 * mpmath.pi * lam * (lo + w * w))
        pts = sorted({mpmath.mpf(0), wx} | ({mpmath.sqrt(lo) / 16 * 2**k for k in range(40) if mpmath.sqrt(lo) / 16 * 2**k < wx} if lo > 0 else set()))
        return jump + mpmath.quad(f, pts, method=method)
    vx = mpmath.sqrt(hi - x)
    total = min(mpmath.mpf(1), 1 / lam)
    f = lambda v: 2 * v * v * mpmath.sqrt(hi - v * v - lo) / (2 * mpmath.pi * lam * (hi - v * v))
    return jump + total - mpmath.quad(f, [0, vx], method=method)


def stieltjes(lam_s: str, z_s: str, method: str):
    lam = mpmath.mpf(lam_s)
    zc = complex(z_s)
    z = mpmath.mpc(mpmath.mpf(repr(zc.real)), mpmath.mpf(repr(zc.imag)))
    atom = max(mpmath.mpf(0), 1 - 1 / lam)
    d = abs(z.imag) if z.imag != 0 else mpmath.mpf(1)
    val = integrate(lam, lambda nu: 1 / (nu - z), method, nu_points={z.real: d})
    if atom > 0:
        val += atom * (-1 / z)
    return val


def agreed(a, b) -> int:
    with mpmath.workdps(120):
        if a == b:
            return 100
        err = abs(a - b) / max(abs(a), abs(b))
        return int(mpmath.floor(-mpmath.log10(err)))


def both(fn, *args):
    with mpmath.workdps(75):
        a = fn(*args, "tanh-sinh")
    with mpmath.workdps(95):
        b = fn(*args, "gauss-legendre")
    return a, b


def job(task):
    kind, args = task
    if kind == "laplace":
        lam_s, s_s, p = args
        a, b = both(laplace, lam_s, s_s, p)
        with mpmath.workdps(80):
            return {"lam": lam_s, "s": s_s, "power": p, "value": mpmath.nstr(b, STORE_DIGITS),
                    "log_value": mpmath.nstr(mpmath.log(b), STORE_DIGITS), "digits_agreed": agreed(a, b)}
    if kind == "cdf":
        lam_s, x_s = args
        with mpmath.workdps(100):
            x = mpmath.mpf(x_s)
        a, b = both(cdf, lam_s, x)
        return {"lam": lam_s, "x": x_s, "value": mpmath.nstr(b, STORE_DIGITS), "digits_agreed": agreed(a, b)}
    lam_s, z_s = args
    a, b = both(stieltjes, lam_s, z_s)
    return {"lam": lam_s, "z": z_s, "re": mpmath.nstr(b.real, STORE_DIGITS), "im": mpmath.nstr(b.imag, STORE_DIGITS),
            "digits_agreed": agreed(a, b)}  # complex relative error (a part may vanish exactly)


def cdf_points(lam_s: str) -> list[str]:
    with mpmath.workdps(100):
        lam = mpmath.mpf(lam_s)
        lo, hi = edges(lam)
        xs = [mpmath.nstr(lo + (hi - lo) * mpmath.mpf(q), 70) for q in CDF_Q]
    return xs + CDF_X_EXTRA


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" / "mp_reference.json"))
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args(argv)
    tasks = [("laplace", (l, s, p)) for l in LAMS for s in SS for p in POWERS]
    tasks += [("cdf", (l, x)) for l in LAMS for x in cdf_points(l)]
    tasks += [("stieltjes", (l, z)) for l in LAMS for z in ZS]
    t0 = time.time()
    with mproc.Pool(args.processes) as pool:
        results = pool.map(job, tasks, chunksize=1)
    out = {"generated_by": "scripts/precompute_mp_reference.py",
           "method": "mpmath.quad on the raw MP density in w = sqrt(nu - lower): tanh-sinh at 75 digits "
                     "vs Gauss-Legendre at 95 digits, geometric splitting at the late-time peak",
           "dps": 95,
           "laplace": [], "cdf": [], "stieltjes": []}
    for (kind, _), r in zip(tasks, results):
        out[kind].append(r)
    worst = min(r["digits_agreed"] for r in results)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(results)} values in {time.time() - t0:.0f} s; minimum digits agreed: {worst}")
    if worst < MIN_AGREED:
        bad = [r for r in results if r["digits_agreed"] < MIN_AGREED]
        print("NOT CERTIFIED:", json.dumps(bad, indent=1), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
