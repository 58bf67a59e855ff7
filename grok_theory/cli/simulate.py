"""``grok-theory simulate``: real full-batch GD on sampled data, next to the theory."""
from __future__ import annotations

import argparse

import numpy as np

from grok_theory import _validate
from grok_theory.cli._model_args import add_model_parameters
from grok_theory.cli._output import add_executor_arguments, add_format_arguments, gd_steps, print_csv, print_json, print_table
from grok_theory.linear.model import TeacherStudent
from grok_theory.simulation import MAX_SEEDS
from grok_theory.linear.simulate import kernel_theory, simulate_linear, simulate_two_layer
from grok_theory.parallel import executor_from

EXAMPLES = """examples:
  grok-theory simulate --d-in 300 --lam 0.9 --t 0 100 1000 --seeds 8
  grok-theory simulate --d-in 1000 --lam 1.5 --weight-decay 0.01 --method loop --json
  grok-theory simulate --d-in 100 --lam 0.5 --d-h 100 --d-out 5 --activation tanh --t 0 300 1000
  grok-theory simulate --d-in 200 --lam 0.9 --t 0 10 100 1000 10000 --csv > sim.csv
  grok-theory simulate --d-in 2000 --lam 0.9 --t 0 1e3 1e4 --seeds 8 --workers 2
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("simulate", help="train the linear teacher-student model by real GD and compare with theory",
                              description="Seed means (± standard error) of simulated losses next to the exact "
                              "discrete-GD theory curves.", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--d-in", type=int, required=True, help="input dimension")
    add_model_parameters(p)
    p.add_argument("--eps", type=float, default=1e-3, help="accuracy threshold")
    p.add_argument("--t", type=gd_steps, nargs="+", default=[0, 10, 100, 1000], help="record times (GD steps)")
    p.add_argument("--seeds", type=int, default=4, help="number of seeds (0..n-1)")
    p.add_argument("--method", choices=("spectral", "loop"), default="spectral", help="one-layer method")
    p.add_argument("--d-h", type=int, default=None, help="hidden width: train a two-layer network (Levi section 4)")
    p.add_argument("--activation", choices=("linear", "tanh"), default="linear", help="two-layer hidden activation")
    add_executor_arguments(p, "seeds")
    add_format_arguments(p)
    p.set_defaults(func=run)


def _check_seeds(args: argparse.Namespace) -> None:
    """--seeds n runs seeds 0..n-1: n >= 1 (no NaN table from zero seeds)."""
    _validate.int_in_range("--seeds", args.seeds, 1, MAX_SEEDS)


def run_two_layer(args: argparse.Namespace) -> int:
    extra = {k: v for k, v in (("weight_decay", args.weight_decay), ("label_noise", args.label_noise)) if v}
    if extra or args.init_scale != 1.0 or args.teacher_scale != 1.0:
        raise ValueError("two-layer simulations support only --d-out, --lr, --activation (Levi section 4 setup)")
    with executor_from(args.workers, args.scheduler) as executor:
        sim = simulate_two_layer(args.d_in, args.lam, args.d_h, args.d_out, lr=args.lr, activation=args.activation,
                                 t=args.t, seeds=range(args.seeds), eps=args.eps, executor=executor)
    rows = {"t": args.t, "gen_loss_sim": sim.gen_loss_test.mean(0).tolist(),
            "gen_loss_sem": (sim.gen_loss_test.std(0, ddof=1) / np.sqrt(max(1, args.seeds))).tolist() if args.seeds > 1 else [None] * len(args.t)}
    for mode in ("frozen", "coupled"):
        preds = [kernel_theory(sim.params["lam"], args.d_in, args.d_out, args.lr, args.t, sim.a0[i, 0], sim.a1[i, 0],
                               sim.d0_norm2[i], sim.teacher_norm2[i], mode)["gen_loss"] for i in range(args.seeds)]
        rows[f"gen_loss_{mode}"] = np.mean(preds, axis=0).tolist()
    rows["test_accuracy_sim"] = sim.test_accuracy.mean(0).tolist()
    if args.json:
        print_json({"params": sim.params, **rows})
        return 0
    if args.csv:
        print_csv(list(rows), list(zip(*rows.values())))
        return 0
    print(f"two-layer simulation: {sim.params}")
    keys = list(rows)
    print_table(keys, list(zip(*[rows[k] for k in keys])))
    return 0


def run(args: argparse.Namespace) -> int:
    _check_seeds(args)
    if args.d_h is not None:
        return run_two_layer(args)
    kw = dict(d_out=args.d_out, lr=args.lr, weight_decay=args.weight_decay, init_scale=args.init_scale,
              teacher_scale=args.teacher_scale, label_noise=args.label_noise)
    with executor_from(args.workers, args.scheduler) as executor:
        sim = simulate_linear(args.d_in, lam=args.lam, t=args.t, seeds=range(args.seeds), eps=args.eps,
                              method=args.method, executor=executor, **kw)
    theory = TeacherStudent(sim.params["lam"], dynamics="gd", **kw)
    t = np.asarray(args.t, dtype=float)
    rows = {
        "t": args.t,
        "train_loss_sim": sim.mean("train_loss").tolist(), "train_loss_sem": sim.sem("train_loss").tolist(),
        "train_loss_theory": np.atleast_1d(theory.train_loss(t)).tolist(),
        "gen_loss_sim": sim.mean("gen_loss").tolist(), "gen_loss_sem": sim.sem("gen_loss").tolist(),
        "gen_loss_theory": np.atleast_1d(theory.gen_loss(t)).tolist(),
        "test_accuracy_sim": sim.mean("test_accuracy").tolist(),
        "gen_accuracy_theory": np.atleast_1d(theory.gen_accuracy(t, args.eps)).tolist(),
    }
    if args.json:
        print_json({"params": sim.params, "seeds": list(sim.seeds), **rows})
        return 0
    if args.csv:
        print_csv(list(rows), list(zip(*rows.values())))
        return 0
    print(f"simulation: {sim.params}")
    keys = list(rows)
    print_table(keys, list(zip(*[rows[k] for k in keys])))
    return 0
