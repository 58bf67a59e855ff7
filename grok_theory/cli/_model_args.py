"""Flags shared by the commands that build a TeacherStudent (one spelling everywhere)."""
from __future__ import annotations

import argparse
from typing import Any

from grok_theory.cli._output import add_format_arguments
from grok_theory.linear.model import TeacherStudent


def add_model_parameters(p: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """The physical parameters of the teacher-student model (shared with ``simulate``)."""
    g = p.add_argument_group("model")
    g.add_argument("--lam", type=float, required=True, help="ratio d_in/N_tr (> 0)")
    g.add_argument("--d-out", type=int, default=1, help="output dimension (default 1)")
    g.add_argument("--lr", type=float, default=0.01, help="learning rate eta (default 0.01)")
    g.add_argument("--weight-decay", type=float, default=0.0, help="weight decay gamma (default 0)")
    g.add_argument("--init-scale", type=float, default=1.0, help="student initialisation scale alpha (default 1)")
    g.add_argument("--teacher-scale", type=float, default=1.0, help="teacher scale (default 1)")
    g.add_argument("--label-noise", type=float, default=0.0, help="std of Gaussian training-label noise (default 0)")
    return g


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """Model parameters, dynamics, precision and output format of the theory commands."""
    g = add_model_parameters(p)
    g.add_argument("--dynamics", choices=("flow", "gd"), default="flow", help="gradient flow or discrete GD")
    g.add_argument("--dps", type=int, default=None, help="decimal digits (mpmath); default float64")
    s = p.add_argument_group("structured data (docs/models/structured.md; either flag switches to it)")
    s.add_argument("--exponent", type=float, default=None,
                   help="power-law input covariance, population eigenvalues ~ k^-exponent (>= 0)")
    s.add_argument("--alignment", type=float, default=None,
                   help="teacher power along the covariance's eigendirections ~ eigenvalue^alignment (default 0)")
    add_format_arguments(p)


def model_from_args(args: argparse.Namespace) -> Any:
    """A TeacherStudent, or a StructuredTeacherStudent when --exponent or --alignment is given."""
    kw = dict(d_out=args.d_out, lr=args.lr, weight_decay=args.weight_decay, init_scale=args.init_scale,
              teacher_scale=args.teacher_scale, label_noise=args.label_noise, dynamics=args.dynamics)
    if getattr(args, "exponent", None) is None and getattr(args, "alignment", None) is None:
        return TeacherStudent(args.lam, **kw)
    from grok_theory.linear.structured import StructuredTeacherStudent

    return StructuredTeacherStudent(args.lam, exponent=args.exponent or 0.0, alignment=args.alignment or 0.0, **kw)
