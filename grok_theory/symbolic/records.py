"""Derivation records: every closed form of grok-theory comes with the chain that produces it.

A :class:`Derivation` is an id (``"mp.moments"``, ``"levi2024.eq9"``, …), a statement, its
assumptions, a list of :class:`Step` s and the result. Each step carries a *check* — a
zero-argument callable returning ``True`` when the step's claim holds — and a label saying
how it is checked (``"sympy: simplifies to 0"``, ``"sympy: series to O(s^12)"``,
``"numeric: 50 digits at λ=0.3"``). :meth:`Derivation.verify` re-runs every check, so the
derivations are executable and the tests re-run them.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import mpmath
from mpmath.ctx_mp import MPContext
from mpmath.ctx_mp_python import _constant
from mpmath.libmp import dps_to_prec, from_rational, mpf_pos, round_nearest
import numpy as np
import sympy

from grok_theory.symbolic.latex import to_latex

__all__ = [
    "Step", "Derivation", "DerivationError", "Check", "CheckResult", "is_zero", "series_agree", "digits_agree",
    "digits_agreed", "numeric_check", "simulation_check", "printed_check", "approximation_check", "run_standalone",
    "gaussian_mean_square", "equality_step", "relative_error", "simultaneous_z_bound", "FAMILY_ALPHA",
]

FAMILY_ALPHA = 1e-3
"""Family-wise false-failure probability of one simulation check with ``max_z=None``."""



_local = threading.local()


def _context(prec: int) -> MPContext:
    """This thread's private mpmath context at ``prec`` bits (the symbolic layer does not import the
    engine's :mod:`grok_theory.mp.precision`; same rule: never the global ``mpmath.mp``)."""
    pool = _local.__dict__.setdefault("pool", {})
    if prec not in pool:
        ctx = MPContext()
        ctx.prec = prec
        pool[prec] = ctx
    return pool[prec]


def _prec(dps: int) -> int:
    return int(dps_to_prec(dps))


def _result(x: Any, dps: int) -> Any:
    """``x`` as a global-context mpf rounded to ``dps`` digits (carries its own precision)."""
    return mpmath.mp.make_mpf(mpf_pos(x._mpf_, _prec(dps), round_nearest))

def _short(text: str, n: int = 60) -> str:
    """``text`` on one line, cut to ``n`` characters with an ellipsis (for reprs)."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


class DerivationError(AssertionError):
    """A step of a derivation failed its check."""


def is_zero(expr: sympy.Expr) -> bool:
    """``True`` only if SymPy reduces ``expr`` to exactly 0 (simplify, then expand/cancel)."""
    if expr == 0:
        return True
    for transform in (sympy.expand, sympy.cancel, sympy.simplify, lambda e: sympy.simplify(sympy.expand(e))):
        reduced = transform(expr)
        if reduced == 0:
            return True
    return False


def series_agree(a: sympy.Expr, b: sympy.Expr, var: sympy.Symbol, order: int, point: Any = 0) -> bool:
    """``True`` if the Taylor (or Laurent at ∞) expansions of ``a`` and ``b`` agree to ``order``."""
    diff = sympy.series(a - b, var, point, order).removeO()
    return is_zero(diff)


def gaussian_mean_square(expr: sympy.Expr, variances: Mapping[sympy.Symbol, Any]) -> sympy.Expr:
    """E[expr²] for ``expr`` linear in independent zero-mean variables with the given variances."""
    expr = sympy.expand(expr)
    return sympy.expand(sum(sympy.diff(expr, v) ** 2 * var for v, var in variances.items()))


def digits_agree(a: Any, b: Any, digits: int) -> bool:
    """``True`` if two numbers (mpmath, SymPy or Python) agree to ``digits`` significant digits."""
    return digits_agreed(a, b) >= digits


def digits_agreed(value: Any, reference: Any) -> float:
    """Significant digits to which ``value`` agrees with ``reference``: −log10 of the relative error.

    Returns ``math.inf`` for exact agreement; a reference of 0 is compared absolutely.
    """
    ctx = _context(max(_prec(60), _bits(value), _bits(reference)))  # at least the inputs' precision
    x, y = _at(ctx, value, 80), _at(ctx, reference, 80)
    err = abs(x - y)
    if err == 0:
        return float("inf")
    scale = abs(y) if y != 0 else ctx.mpf(1)
    return float(-ctx.log10(err / scale))


def _at(ctx: Any, value: Any, digits: int) -> Any:
    """A number (mpmath of any precision, SymPy, Python) as a number of the private context ``ctx``
    (mpmath numbers keep their mantissa up to the context's precision; SymPy evaluated to ``digits``;
    a Fraction correctly rounded)."""
    if isinstance(value, sympy.Basic):
        value = sympy.N(value, digits)
        re, im = value.as_real_imag()
        re_c = ctx.make_mpf(mpf_pos(sympy.Float(re, digits)._mpf_, ctx.prec, round_nearest))
        if im == 0:
            return re_c
        return ctx.mpc(re_c, ctx.make_mpf(mpf_pos(sympy.Float(im, digits)._mpf_, ctx.prec, round_nearest)))
    if isinstance(value, _constant):  # mpmath.pi etc.: evaluated at the context's precision
        return ctx.make_mpf(value.func(ctx.prec, "n"))
    if isinstance(value, Fraction):
        return ctx.make_mpf(from_rational(value.numerator, value.denominator, ctx.prec, round_nearest))
    return ctx.convert(value)


def _bits(value: Any) -> int:
    """Mantissa bits carried by an mpmath number (+8 guard bits); 0 for anything else."""
    if isinstance(value, _constant):
        return 0
    parts = [value._mpf_] if hasattr(value, "_mpf_") else list(value._mpc_) if hasattr(value, "_mpc_") else []
    return max((int(p[3]) + 8 for p in parts), default=0)


def relative_error(value: Any, reference: Any) -> Any:
    """``value/reference − 1`` as an mpmath number at 30 digits (``inf`` for a zero reference and nonzero value)."""
    ctx = _context(_prec(30))
    a, b = _at(ctx, value, 40), _at(ctx, reference, 40)
    if b == 0:
        return mpmath.mpf(0) if a == 0 else mpmath.inf
    return _result(a / b - 1, 30)


@dataclass(frozen=True, repr=False)
class CheckResult:
    """Outcome of one :class:`Check`.

    Attributes
    ----------
    ok : bool
        For ``numeric`` and ``simulation`` checks: the claim holds (digits reached, z-score
        within bound). For ``printed`` checks: the printed equation agrees with the derivation
        (``False`` is reported as a *mismatch*, not a failure).
    digits : float or None
        Significant digits agreed (numeric checks).
    z : float or None
        Largest absolute z-score of simulation against theory (simulation checks): against the finite-size
        prediction when the check has one, else against the (d → ∞) theory.
    note : str
        What was compared and the measured numbers.
    z_limit : float or None
        Simulation checks with a finite-size prediction: the largest absolute z against the d → ∞ theory
        (reported, not asserted: the difference to ``z`` is the finite-size bias in units of the
        standard error).
    bound : float or None
        Simulation checks: the bound on ``|z|`` that was applied.
    """

    ok: bool
    digits: float | None = None
    z: float | None = None
    note: str = ""
    z_limit: float | None = None
    bound: float | None = None

    def __repr__(self) -> str:
        measured = "".join(f", {k}={v:.3g}" for k, v in (("digits", self.digits), ("z", self.z),
                                                         ("z_limit", self.z_limit)) if v is not None)
        return f"CheckResult(ok={self.ok}{measured}, note={_short(self.note)!r})"


@dataclass(frozen=True, repr=False)
class Check:
    """A check of a derived result beyond its symbolic steps.

    ``kind`` is ``"numeric"`` (library implementation vs independent quadrature),
    ``"simulation"`` (theory vs real gradient descent, z-score from the seed spread) or
    ``"printed"`` (the paper's printed equation vs the derivation) or ``"approximation"`` (the
    measured error of an asymptotic or approximate formula against the exact value: reported,
    not asserted; it fails only if the error cannot be computed). ``run`` returns a
    :class:`CheckResult`; ``quick=False`` checks are skipped by ``grok-theory verify --quick``.
    """

    kind: Literal["numeric", "simulation", "printed", "approximation"]
    description: str
    run: Callable[[], CheckResult]
    quick: bool = True

    def __repr__(self) -> str:
        return f"Check({self.kind}, {_short(self.description)!r}{'' if self.quick else ', slow'})"


#: held while a numeric check sets mpmath's global precision for its reference: the references are
#: written against the global context, so two checks in different threads must not interleave (the
#: library's own ``dps=`` paths use private contexts and are not affected)
_GLOBAL_PRECISION = threading.RLock()


def numeric_check(description: str, implementation: Callable[[int], Any], reference: Callable[[int], Any],
                  digits: int = 30, quick: bool = True) -> Check:
    """A numeric check: ``implementation(dps)`` against an independent ``reference(dps)``.

    Both are evaluated with ``dps = digits + 10``; the check passes when they agree to at least
    ``digits`` significant digits (measured with :func:`digits_agreed`, capped at ``dps``: agreement
    beyond the working precision is not a measurement).
    """
    def run() -> CheckResult:
        dps = digits + 10
        with _GLOBAL_PRECISION, mpmath.workdps(dps):
            a, b = implementation(dps), reference(dps)
        got = min(digits_agreed(a, b), float(dps))  # agreement beyond the working precision is not measured
        rel = "" if got >= digits else f"; implementation/reference − 1 = {mpmath.nstr(relative_error(a, b), 4)}"
        return CheckResult(got >= digits, digits=got, note=f"{description}: {got:.1f} digits (need {digits}, "
                                                           f"computed at {dps}){rel}")

    return Check("numeric", description, run, quick)


def simultaneous_z_bound(comparisons: int, seeds: int | None = None, alpha: float = FAMILY_ALPHA) -> float:
    """Bound on ``|z|`` that ``comparisons`` true z-scores all stay below with probability ≥ 1 − ``alpha``.

    Bonferroni over the compared points: the two-sided quantile at 1 − alpha/(2·comparisons), of
    Student's t with ``seeds − 1`` degrees of freedom when the standard error comes from ``seeds``
    seeds (the seed spread is itself estimated), else of the normal law. Conservative for
    positively correlated comparisons (points of one curve share their seeds).
    """
    from scipy import stats

    if not (isinstance(comparisons, (int, np.integer)) and comparisons >= 1):
        raise ValueError(f"comparisons must be an integer >= 1, got {comparisons!r}")
    if seeds is not None and not (isinstance(seeds, (int, np.integer)) and seeds >= 2):
        raise ValueError(f"seeds must be an integer >= 2 or None, got {seeds!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    p = 1 - alpha / (2 * int(comparisons))
    return float(stats.norm.ppf(p) if seeds is None else stats.t.ppf(p, int(seeds) - 1))


def simulation_check(description: str, run: Callable[[], tuple], max_z: float | None = 4.0,
                     quick: bool = False, *, seeds: int | None = None, alpha: float = FAMILY_ALPHA,
                     bias: str | None = None) -> Check:
    """A simulation check: theory against the seed means of a simulation, in units of their standard error.

    ``run()`` returns ``(theory, simulated_mean, standard_error)`` or
    ``(theory, simulated_mean, standard_error, finite)``. With ``finite`` — the prediction at the
    simulated (finite) size, e.g. the d → ∞ curve plus its 1/d_in correction — the check passes when
    every ``|finite − mean|/standard_error`` ≤ the bound, and the note also reports the largest ``|z|`` of
    ``theory`` (the d → ∞ limit), so the finite-size bias is shown, not absorbed by the tolerance.
    Without ``finite`` it passes when every ``|theory − mean|/standard_error`` ≤ the bound.

    Parameters
    ----------
    max_z : float or None
        The bound; ``None``: :func:`simultaneous_z_bound` over the number of compared points
        (with ``seeds`` and ``alpha``), so the check fails with probability ≤ ``alpha`` when the
        prediction is right.
    seeds : int, optional
        Seeds behind each standard error (Student-t bound when ``max_z`` is None).
    bias : str, optional
        For a check without ``finite``: how large the finite-size bias of ``theory`` is expected to
        be (appended to the note, so a pass is not mistaken for a test of the finite-size theory).
    """
    if max_z is not None and not max_z > 0:
        raise ValueError(f"max_z must be > 0 or None, got {max_z!r}")

    def go() -> CheckResult:
        out = run()
        if len(out) not in (3, 4):
            raise ValueError(f"run() must return (theory, mean, sem) or (theory, mean, sem, finite), got {len(out)} items")
        theory, mean, sem = (np.asarray(v, dtype=float).ravel() for v in out[:3])
        sem = np.maximum(sem, np.finfo(float).tiny)
        bound = max_z if max_z is not None else simultaneous_z_bound(theory.size, seeds, alpha)
        how = f"bound {bound:.3g}" if max_z is not None else (
            f"bound {bound:.3g}: Bonferroni over {theory.size} points, α = {alpha:g}"
            + (f", t with {seeds - 1} dof" if seeds is not None else ""))
        z_limit = float(np.max(np.abs(theory - mean) / sem))
        if len(out) == 4:
            finite = np.asarray(out[3], dtype=float).ravel()
            z = float(np.max(np.abs(finite - mean) / sem))
            shift = float(np.max(np.abs(finite - theory) / sem))
            note = (f"{description}: max |z| vs finite-d = {z:.2f}, vs d → ∞ = {z_limit:.2f} "
                    f"(finite-size bias up to {shift:.2f} standard errors; {how})")
            return CheckResult(z <= bound, z=z, note=note, z_limit=z_limit, bound=bound)
        extra = f"; finite size: {bias}" if bias else ""
        return CheckResult(z_limit <= bound, z=z_limit, note=f"{description}: max |z| = {z_limit:.2f} ({how}){extra}",
                           bound=bound)

    return Check("simulation", description, go, quick)


def printed_check(description: str, printed: Callable[[], Any], derived: Callable[[], Any], digits: int = 12,
                  quick: bool = True) -> Check:
    """Compare a paper's printed formula with the derived one at a parameter point.

    ``printed()`` and ``derived()`` return numbers; they agree when equal to ``digits``
    significant digits. Disagreement is a *mismatch* (a finding), reported with the measured
    relative discrepancy.
    """
    def run() -> CheckResult:
        a, b = printed(), derived()
        got = digits_agreed(a, b)
        rel = relative_error(a, b)
        return CheckResult(got >= digits, digits=got,
                           note=f"{description}: printed/derived − 1 = {mpmath.nstr(rel, 4)}")

    return Check("printed", description, run, quick)


@dataclass(frozen=True, repr=False)
class Step:
    """One step of a derivation.

    Attributes
    ----------
    description : str
        What the step establishes, in words.
    expr : sympy expression or equation
        The step's formula (for display and LaTeX).
    justification : str
        Why it holds (the identity or theorem used).
    check : callable
        Returns ``True`` when the claim is verified.
    how : str
        How ``check`` verifies it, e.g. ``"sympy: simplifies to 0"`` or
        ``"numeric: 50 digits at λ = 3/10"`` (numeric checks are labelled as such).
    """

    description: str
    expr: Any
    justification: str
    check: Callable[[], bool]
    how: str

    def __repr__(self) -> str:
        return f"Step({_short(self.description)!r}, how={_short(self.how, 40)!r})"


def equality_step(description: str, lhs: Any, rhs: Any, justification: str) -> Step:
    """A :class:`Step` claiming ``lhs = rhs``, checked by :func:`is_zero` on ``lhs − rhs``.

    If the claim is false, :meth:`Derivation.verify` reports the simplified residual
    ``lhs − rhs`` (the measured discrepancy) instead of a bare "failed".
    """
    def check() -> bool:
        residual = sympy.sympify(lhs - rhs)
        if is_zero(residual):
            return True
        raise DerivationError(f"lhs − rhs = {_short(sympy.sstr(sympy.simplify(residual)), 200)} ≠ 0")

    return Step(description, sympy.Eq(lhs, rhs, evaluate=False), justification, check, "sympy: lhs − rhs simplifies to 0")


@dataclass(frozen=True, repr=False)
class Derivation:
    """A derived result and the checked chain of steps behind it.

    Attributes
    ----------
    id : str
        Stable formula id (used by the registry, LaTeX labels and ``grok-theory verify``).
    statement : str
        The result in words.
    assumptions : list of str
    steps : list of Step
    result : sympy expression or equation
    source : str or None
        Equation of a paper this reproduces (``"Levi et al. 2024, Eq. 9"``), if any.
    numeric : str or None
        Dotted path of the library function that implements the result.
    """

    id: str
    statement: str
    assumptions: list[str]
    steps: list[Step]
    result: Any
    source: str | None = None
    numeric: str | None = None
    symbols: Mapping[str, sympy.Symbol] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()

    def __repr__(self) -> str:
        kinds = ", ".join(sorted({c.kind for c in self.checks}))
        checks = f"{len(self.checks)} checks" + (f" ({kinds})" if kinds else "")
        src = f", source={self.source!r}" if self.source else ""
        return f"Derivation({self.id!r}, {len(self.steps)} steps, {checks}{src})"

    def _repr_html_(self) -> str:
        """Jupyter: the statement, the result (LaTeX, rendered by MathJax), the steps and the checks."""
        import html as _html

        from grok_theory._display import html_table

        esc = _html.escape
        head = (f"<p><b>{esc(self.id)}</b>: {esc(self.statement)}" + (f" ({esc(self.source)})" if self.source else "")
                + f"</p><p>$${esc(self.latex())}$$</p>")
        if self.assumptions:
            head += "<p>assuming: " + "; ".join(esc(a) for a in self.assumptions) + "</p>"
        steps = html_table(f"{len(self.steps)} steps", ["#", "step", "justification", "check"],
                           [[i, s.description, s.justification, s.how] for i, s in enumerate(self.steps, 1)], max_rows=40)
        checks = html_table(f"{len(self.checks)} checks", ["kind", "description"],
                            [[c.kind, c.description] for c in self.checks], max_rows=40) if self.checks else ""
        return head + steps + checks

    def verify(self) -> list[str]:
        """Re-run every step's check; return the list of ``how`` labels, raise on the first failure.

        Raises
        ------
        DerivationError
            Naming the step (and, for :func:`equality_step`, the residual) that failed.
        """
        labels = []
        for i, step in enumerate(self.steps, 1):
            try:
                ok = step.check()
            except DerivationError as exc:
                raise DerivationError(f"{self.id}: step {i} ({step.description}) failed its check [{step.how}]: "
                                      f"{exc}") from None
            if ok is not True:
                raise DerivationError(f"{self.id}: step {i} ({step.description}) failed its check [{step.how}]")
            labels.append(step.how)
        return labels

    def latex(self) -> str:
        """LaTeX of the result (Unicode-named symbols as LaTeX macros, see :mod:`grok_theory.symbolic.latex`)."""
        return to_latex(self.result)

    def pretty(self) -> str:
        """Human-readable account of the derivation, step by step."""
        lines = [f"[{self.id}] {self.statement}"]
        if self.source:
            lines.append(f"  source: {self.source}")
        for a in self.assumptions:
            lines.append(f"  assume: {a}")
        for i, step in enumerate(self.steps, 1):
            lines.append(f"  {i}. {step.description}")
            lines.append("       " + sympy.pretty(step.expr, use_unicode=True).replace("\n", "\n       "))
            lines.append(f"       because: {step.justification}   [check: {step.how}]")
        lines.append("  result:")
        lines.append("       " + sympy.pretty(self.result, use_unicode=True).replace("\n", "\n       "))
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"


def approximation_check(description: str, approximate: Callable[[], Any], exact: Callable[[], Any],
                        quick: bool = True) -> Check:
    """Measure (not assert) the relative error of an approximate formula against the exact value.

    The note reports ``approximate/exact − 1``; the check fails only if that is not a finite number.
    """
    def run() -> CheckResult:
        a, b = approximate(), exact()
        rel = relative_error(a, b)
        finite = bool(mpmath.isfinite(rel))
        return CheckResult(finite, note=f"{description}: approximate/exact − 1 = {mpmath.nstr(rel, 3)}")

    return Check("approximation", description, run, quick)


def run_standalone(derivations: list[Derivation]) -> int:
    """Print every derivation step by step, re-run its steps and its quick checks (``python derivations/<module>.py``)."""
    for d in derivations:
        print(d.pretty())
        print(f"  verified: {len(d.verify())} steps")
        for check in d.checks:
            if check.quick:
                r = check.run()
                status = "ok" if r.ok else ("MISMATCH" if check.kind == "printed" else "FAIL")
                print(f"  [{check.kind}] {status}: {r.note}")
        print()
    return 0
