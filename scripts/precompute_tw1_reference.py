"""Store high-precision values of the GOE Tracy–Widom distribution for the tests (slow, offline).

    python scripts/precompute_tw1_reference.py [--dps 18] [--out tests/data/tw1_reference.json]

F₁(s) by the mpmath path of grok_theory.mp.edge.tracy_widom_goe_cdf (Bornemann's Fredholm
quadrature at ``dps`` digits, node count raised until two rules agree) and F₁'(s) by Jacobi's
formula in the same quadrature. Slow (minutes per point in pure-Python mpmath). The float64 path is checked against these values in tests/test_finite_size.py.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import mpmath

from grok_theory.mp.edge import tracy_widom_goe_cdf, tracy_widom_goe_pdf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dps", type=int, default=18)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" / "tw1_reference.json"))
    args = ap.parse_args()
    out = {"dps": args.dps, "method": "mpmath Fredholm determinant (Bornemann), grok_theory.mp.edge", "cdf": [], "pdf": []}
    for s in ("-3", "-1", "1.5"):
        t0 = time.time()
        v = tracy_widom_goe_cdf(s, dps=args.dps)
        out["cdf"].append({"s": float(s), "F1": mpmath.nstr(v, args.dps)})
        print(s, v, f"{time.time() - t0:.1f}s", flush=True)
    for s in ("0",):
        v = tracy_widom_goe_pdf(s, dps=args.dps)
        out["pdf"].append({"s": float(s), "f1": mpmath.nstr(v, args.dps)})
        print("pdf", s, v, flush=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
