"""Check a candidate formula against the exact theory over a grid of parameters.

A theorist's closed form (a SymPy expression or a string) for a named quantity of a model —
the learning curves L_tr(t), L_gen(t), the weight norm, a crossing time, the grokking time Δt,
a Marchenko–Pastur expectation — is evaluated at every point of a parameter grid next to the
exact value computed by the library, giving the relative error ``candidate/exact − 1`` per
point and the worst point. This is how the entries of docs/errata.md were found.

>>> from grok_theory.candidate import check_candidate
>>> r = check_candidate("delta_t", "log(1/(1 - sqrt(lam)))/(2*lr*(1 - sqrt(lam))**2)",   # Levi Eq. 12
...                     grid={"lam": [0.1, 0.5, 0.9], "eps": [1e-3, 1e-10]})
>>> r.worst["rel_error"]                                                                   # doctest: +SKIP

Parameter names (aliases accepted in candidates): ``lam`` (λ, lambda), ``lr`` (η, eta),
``eps`` (ε, epsilon, varepsilon), ``t``, ``d_out``, ``weight_decay`` (γ), ``init_scale`` (α),
``teacher_scale`` (τ), ``label_noise`` (σ), ``s``, ``power``, ``k``. Exact values use the
float64 path of the library (about 14 correct digits); candidates are evaluated by mpmath at
30 digits, so relative errors down to ~1e-13 are resolved.
"""
from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy
from grok_theory._display import field_html

from grok_theory.mp.precision import context, exact_scalar, prec_of, to_ctx

__all__ = ["Quantity", "QUANTITIES", "CandidateCheck", "check_candidate", "parse_candidate", "PARAMETER_ALIASES"]

#: model parameters of :class:`grok_theory.linear.model.TeacherStudent` and their defaults
_MODEL_DEFAULTS: dict[str, Any] = {"lam": None, "d_out": 1, "lr": 0.01, "weight_decay": 0.0, "init_scale": 1.0,
                                   "teacher_scale": 1.0, "label_noise": 0.0, "dynamics": "flow"}

#: other spellings of the parameter names, as accepted in candidate expressions
PARAMETER_ALIASES: dict[str, str] = {
    "λ": "lam", "lambda": "lam", "lambda_": "lam", "η": "lr", "eta": "lr", "ε": "eps", "epsilon": "eps",
    "varepsilon": "eps", "γ": "weight_decay", "α": "init_scale", "alpha": "init_scale", "τ": "teacher_scale",
    "tau": "teacher_scale", "σ": "label_noise", "sigma": "label_noise",
}


@dataclass(frozen=True)
class Quantity:
    """A named exact quantity: its parameters (required ones have default ``None``) and how to compute it."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    compute: Callable[[dict[str, Any]], float] = field(repr=False)


def _model(p: dict[str, Any]) -> Any:
    from grok_theory.linear.model import TeacherStudent

    return TeacherStudent(**{k: p[k] for k in _MODEL_DEFAULTS})


def _crossing(which: str) -> Callable[[dict[str, Any]], float]:
    def f(p: dict[str, Any]) -> float:
        from grok_theory.linear.grokking import crossing_time

        return float(crossing_time(_model(p), which, p["eps"]))
    return f


def _delta(p: dict[str, Any]) -> float:
    from grok_theory.linear.grokking import grokking_time

    return float(grokking_time(_model(p), p["eps"]).delta)


def _law(p: dict[str, Any]) -> Any:
    from grok_theory.mp import MarchenkoPastur

    return MarchenkoPastur(p["lam"])


_MODEL_T = {**_MODEL_DEFAULTS, "t": None}
_MODEL_EPS = {**_MODEL_DEFAULTS, "eps": None}

#: the quantities a candidate can be checked against
QUANTITIES: dict[str, Quantity] = {q.name: q for q in (
    Quantity("L_tr", "training loss L_tr(t) of the linear teacher–student model (Levi Eq. 7)", _MODEL_T,
             lambda p: float(_model(p).train_loss(p["t"]))),
    Quantity("L_gen", "generalisation loss L_gen(t) (Levi Eq. 8)", _MODEL_T, lambda p: float(_model(p).gen_loss(p["t"]))),
    Quantity("weight_norm", "squared weight norm ‖S(t)‖² of the student", _MODEL_T,
             lambda p: float(_model(p).weight_norm(p["t"]))),
    Quantity("t_train", "first time the training loss reaches ε/4 (GD steps)", _MODEL_EPS, _crossing("train")),
    Quantity("t_gen", "first time the generalisation loss reaches ε/4 (GD steps)", _MODEL_EPS, _crossing("gen")),
    Quantity("delta_t", "grokking time Δt = t_gen − t_train at the threshold ε/4 (Levi §3.1.3)", _MODEL_EPS, _delta),
    Quantity("mp_laplace", "Marchenko–Pastur expectation E[ν^power e^{−sν}] (atom included)",
             {"lam": None, "s": None, "power": 0}, lambda p: float(_law(p).laplace(p["s"], int(p["power"])))),
    Quantity("mp_moment", "Marchenko–Pastur moment E[ν^k]", {"lam": None, "k": None},
             lambda p: float(_law(p).moment(int(p["k"])))),
)}


def parse_candidate(candidate: Any, quantity: str) -> sympy.Expr:
    """The candidate as a SymPy expression in the canonical parameter symbols of ``quantity``.

    Strings are parsed by SymPy with the parameter names and aliases as symbols (``lam``, ``λ``,
    ``eps``, …; ``gamma`` is SymPy's Γ function, write ``γ`` or ``weight_decay``). ValueError if
    a free symbol is not a parameter of the quantity.
    """
    q = _quantity(quantity)
    numeric = [n for n, d in q.parameters.items() if not isinstance(d, str)]  # not e.g. dynamics="flow"
    names = {**{n: n for n in numeric}, **{a: c for a, c in PARAMETER_ALIASES.items() if c in numeric}}
    symbols = {c: sympy.Symbol(c, real=True) for c in numeric}
    if isinstance(candidate, str):
        from sympy.parsing.sympy_parser import parse_expr, standard_transformations

        local = {alias: symbols[c] for alias, c in names.items()}
        try:
            expr = parse_expr(candidate.replace("^", "**"), local_dict=local, transformations=standard_transformations)
        except (SyntaxError, TypeError, sympy.SympifyError) as exc:
            raise ValueError(f"candidate={candidate!r} is not a formula SymPy can parse: {exc}") from None
    else:
        try:
            expr = sympy.sympify(candidate)
        except sympy.SympifyError:
            raise TypeError(f"candidate must be a SymPy expression or a string, got {type(candidate).__name__}") from None
    if isinstance(expr, sympy.Eq):
        expr = expr.rhs
    subs = {}
    for s in expr.free_symbols:
        canonical = names.get(s.name)
        if canonical is None:
            raise ValueError(f"candidate symbol {s.name!r} is not a parameter of {quantity!r}; allowed: "
                             f"{', '.join(numeric)} (aliases: {', '.join(a for a in names if a not in q.parameters)})")
        subs[s] = symbols[canonical]
    return expr.xreplace(subs)


def _real(v: Any) -> float:
    """A real float from an mpmath/complex/float value; NaN if it is not real (beyond rounding)."""
    v = complex(v) if isinstance(v, (mpmath.mpc, complex)) else float(v)
    if isinstance(v, complex):
        return v.real if abs(v.imag) <= 1e-25 * max(abs(v.real), 1e-300) else math.nan
    return v


def _evaluator(candidate: Any, quantity: str) -> tuple[Callable[[dict[str, Any]], float], Any]:
    """(function of a parameter dict → candidate value, NaN where undefined; the candidate for display)."""
    q = _quantity(quantity)
    if callable(candidate) and not isinstance(candidate, (str, sympy.Basic)):
        names = list(inspect.signature(candidate).parameters)
        unknown = [n for n in names if n not in q.parameters]
        if unknown:
            raise ValueError(f"candidate {getattr(candidate, '__name__', candidate)!r} takes {', '.join(unknown)}, "
                             f"not parameters of {quantity!r} ({', '.join(q.parameters)})")

        def call(p: dict[str, Any]) -> float:
            try:
                return _real(candidate(**{n: p[n] for n in names}))
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                return math.nan
        return call, candidate
    expr = parse_candidate(candidate, quantity)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    compiled: dict[Any, Callable[..., Any]] = {}  # one function per (thread-private) context

    def evaluate(p: dict[str, Any]) -> float:
        ctx = context(prec_of(30))
        fn = compiled.get(ctx)
        if fn is None:
            fn = compiled[ctx] = _lambdify_in(ctx, symbols, expr)
        try:
            return _real(fn(*(to_ctx(exact_scalar(s.name, p[s.name], lower=None)[0], ctx) for s in symbols)))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return math.nan
    return evaluate, expr


def _lambdify_in(ctx: Any, symbols: list[Any], expr: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` whose mpmath functions and constants are those of the private context
    ``ctx`` (so they run at its precision, not at the global ``mpmath.mp``'s)."""
    from sympy.utilities.lambdify import MPMATH_TRANSLATIONS

    names = {n: getattr(ctx, n) for n in dir(ctx) if not n.startswith("_")}
    names.update({k: getattr(ctx, v) for k, v in MPMATH_TRANSLATIONS.items() if hasattr(ctx, v)})
    return sympy.lambdify(symbols, expr, modules=[names, "mpmath"])


def _describe(candidate: Any) -> str:
    if isinstance(candidate, sympy.Basic):
        return sympy.sstr(candidate)
    return f"{getattr(candidate, '__module__', '')}.{getattr(candidate, '__name__', repr(candidate))}".lstrip(".")


def _quantity(name: str) -> Quantity:
    if name not in QUANTITIES:
        raise ValueError(f"quantity={name!r} is not known; choose one of {', '.join(QUANTITIES)}")
    return QUANTITIES[name]


@dataclass(frozen=True)
class CandidateCheck:
    """A candidate formula against the exact quantity on a grid.

    Attributes
    ----------
    quantity : str
    candidate : sympy expression or callable
    axes : tuple of str
        Grid parameter names (the grid is their Cartesian product, first axis slowest).
    points : list of dict
        Every parameter (grid and fixed) at each point.
    exact, value, rel_error : numpy arrays
        Exact value, candidate value and ``value/exact − 1`` per point (NaN where the candidate
        is undefined or not real, e.g. the logarithm of a negative number).
    """
    _repr_html_ = field_html

    quantity: str
    candidate: Any
    axes: tuple[str, ...]
    points: list[dict[str, Any]]
    exact: np.ndarray
    value: np.ndarray
    rel_error: np.ndarray

    @property
    def undefined(self) -> int:
        """Number of points where the candidate is undefined (NaN)."""
        return int(np.isnan(self.rel_error).sum())

    @property
    def worst(self) -> dict[str, Any]:
        """The point of largest absolute relative error (undefined points aside): parameters, exact, candidate, rel_error."""
        finite = np.where(np.isnan(self.rel_error), -1.0, np.abs(self.rel_error))
        i = int(np.argmax(finite))
        return {**{a: self.points[i][a] for a in self.axes}, "exact": float(self.exact[i]),
                "candidate": float(self.value[i]), "rel_error": float(self.rel_error[i])}

    @property
    def max_abs_rel_error(self) -> float:
        """Largest absolute relative error over the points where the candidate is defined (NaN if none)."""
        ok = ~np.isnan(self.rel_error)
        return float(np.max(np.abs(self.rel_error[ok]))) if ok.any() else math.nan

    def rows(self) -> list[dict[str, Any]]:
        """One dict per point: the grid parameters, exact, candidate, rel_error."""
        return [{**{a: p[a] for a in self.axes}, "exact": float(e), "candidate": float(v), "rel_error": float(r)}
                for p, e, v, r in zip(self.points, self.exact, self.value, self.rel_error)]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (NaN as the string ``"nan"``)."""
        def clean(x: Any) -> Any:
            return "nan" if isinstance(x, float) and math.isnan(x) else x

        fixed = {k: v for k, v in self.points[0].items() if k not in self.axes}
        return {"quantity": self.quantity, "candidate": _describe(self.candidate), "axes": list(self.axes),
                "fixed": fixed, "max_abs_rel_error": clean(self.max_abs_rel_error), "undefined": self.undefined,
                "worst": {k: clean(v) for k, v in self.worst.items()},
                "points": [{k: clean(v) for k, v in r.items()} for r in self.rows()]}

    def __repr__(self) -> str:
        w = self.worst
        at = ", ".join(f"{a}={w[a]}" for a in self.axes)
        und = f", {self.undefined} undefined" if self.undefined else ""
        return (f"CandidateCheck({self.quantity}: {len(self.points)} points, max |rel error| = "
                f"{self.max_abs_rel_error:.3g} at {at}{und})")

    def plot(self, path: str | None = None, ax: Any = None) -> Any:
        """Absolute relative error against the first grid axis, one line per combination of the others.

        Needs matplotlib (the ``plots`` extra). Saves to ``path`` if given; returns the Figure.
        """
        from grok_theory.figures.reproduce import pyplot

        plt = pyplot()
        fig = ax.figure if ax is not None else plt.figure(figsize=(5.5, 3.8))
        ax = ax if ax is not None else fig.add_subplot()
        x_name, others = self.axes[0], self.axes[1:]
        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(self.points):
            groups.setdefault(tuple(p[a] for a in others), []).append(i)
        for key, idx in groups.items():
            x = [self.points[i][x_name] for i in idx]
            y = np.abs(self.rel_error[idx])
            label = ", ".join(f"{a}={v:g}" if isinstance(v, (int, float)) else f"{a}={v}" for a, v in zip(others, key))
            ax.plot(x, y, marker="o", label=label or None)
        xs = np.asarray([p[x_name] for p in self.points], dtype=float)
        if np.all(xs > 0) and xs.max() / xs.min() > 20:
            ax.set_xscale("log")
        if np.nanmax(np.abs(self.rel_error)) > 0:
            ax.set_yscale("log")
        ax.set_xlabel(x_name)
        ax.set_ylabel(f"|candidate/exact − 1| ({self.quantity})")
        ax.set_title(_describe(self.candidate)[:70], fontsize=8)
        if others:
            ax.legend(fontsize=7)
        fig.tight_layout()
        if path:
            fig.savefig(path, dpi=120)
        return fig


def check_candidate(quantity: str, candidate: Any, grid: Mapping[str, Sequence[Any]],
                    fixed: Mapping[str, Any] | None = None) -> CandidateCheck:
    """Compare ``candidate`` with the exact ``quantity`` at every point of ``grid``.

    Parameters
    ----------
    quantity : str
        A key of :data:`QUANTITIES`: ``L_tr``, ``L_gen``, ``weight_norm``, ``t_train``, ``t_gen``,
        ``delta_t``, ``mp_laplace``, ``mp_moment``.
    candidate : sympy expression, str or callable
        The formula, in the quantity's parameters (see :func:`parse_candidate`), or a Python
        function whose argument names are parameters of the quantity, e.g.
        :func:`grok_theory.linear.asymptotics.levi2024_eq12` ``(lam, lr)`` (evaluated as given, in float64).
    grid : mapping name → values
        Parameters varied; the grid is the Cartesian product (first name slowest).
    fixed : mapping name → value, optional
        Parameters held fixed; the others take the quantity's defaults (``lr = 0.01``, ``d_out = 1``,
        γ = 0, gradient flow, …). Required parameters (``lam``, ``t``, ``eps``, ``s``, ``k``) must be
        given in ``grid`` or ``fixed``.

    Returns
    -------
    CandidateCheck
        Relative error per point, the worst point, ``rows()``, ``to_json()``, ``plot()``.
    """
    q = _quantity(quantity)
    fixed = dict(fixed or {})
    grid = {k: list(np.atleast_1d(v).tolist()) if not isinstance(v, (list, tuple)) else list(v) for k, v in grid.items()}
    for name in (*grid, *fixed):
        if name not in q.parameters:
            raise ValueError(f"parameter {name!r} is not a parameter of {quantity!r}; allowed: {', '.join(q.parameters)}")
    both = set(grid) & set(fixed)
    if both:
        raise ValueError(f"parameter(s) {', '.join(sorted(both))} given both in grid and fixed")
    if not grid or any(len(v) == 0 for v in grid.values()):
        raise ValueError("grid must give at least one parameter with at least one value")
    missing = [n for n, d in q.parameters.items() if d is None and n not in grid and n not in fixed]
    if missing:
        raise ValueError(f"{quantity!r} needs {', '.join(missing)}: give them in grid or fixed")
    evaluate, expr = _evaluator(candidate, quantity)
    axes = tuple(grid)
    points, exact, value = [], [], []
    for combo in itertools.product(*grid.values()):
        p = {**q.parameters, **fixed, **dict(zip(axes, combo))}
        points.append(p)
        exact.append(q.compute(p))
        value.append(evaluate(p))
    exact_a, value_a = np.asarray(exact, dtype=float), np.asarray(value, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(exact_a != 0, value_a / exact_a - 1, np.where(value_a == 0, 0.0, np.inf))
    rel = np.where(np.isnan(value_a), np.nan, rel)
    return CandidateCheck(quantity, expr, axes, points, exact_a, value_a, rel)
