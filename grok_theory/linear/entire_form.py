"""The curves of the linear model as one integrand entire in ν (the pole-free form).

Per eigenvalue ν of Σ_tr the error of a mode is ``D_ν(t) = D*_ν + (D_ν(0) − D*_ν) h`` with the
fixed point ``D*_ν ∝ 1/(ν + g)``, ``g = γ/2`` (module :mod:`grok_theory.linear.model`). Split into a
saturated part (h = 0) and a decaying part, as the model's late-time path does, each part has a
double pole at ``ν = −g``; for small weight decay that pole sits next to the lower edge λ₋
(e.g. −5e-4 against λ₋ = 0.0026 at λ = 0.9, γ = 1e-3) and the angle rule needs ~10³ nodes to
resolve it. The mode solution itself is entire in ν: since ``h(−g) = 1`` (``e^{0}`` for gradient
flow, ``1^t`` for GD),

    A = r + (1 − r) h = (g + νh)/(ν + g)   and   B = (1 − h)/(ν + g)

have removable singularities at ``ν = −g``. In these the curves of the model's module docstring
(Levi Eq. 15 with label noise) read

    gen:    F = (τ²/2d) A² + (α²/2d) h² + λσ² ν B²
    train:  F = ν [(τ²/2d) A² + (α²/2d) h²] + λσ² A²,   L_tr = E_cont[F] + E_atom[F_clean] + σ² max(0, 1 − λ)
    norm:   F = (τ²/2) ν² B² + (α²/2) h² + d λσ² ν B²

(train noise: ``λσ²(q² − 2q) + σ²`` with ``q = ν(1 − h)/(ν + g) = 1 − A`` is ``λσ²A² + σ²(1 − λ)``;
over the full law the constant integrates to σ²(1 − λ), and for λ > 1 the atom's ``λσ²A(0)² =
λσ²`` times ``1 − 1/λ`` cancels it exactly, leaving ``σ² max(0, 1 − λ)``). Every term is
non-negative, so nothing cancels, and ``1 − h`` is formed with ``expm1``. The only singularity
left is the pole of 1/ν of the angle rule, which the pole-corrected rule removes; the node count
is then set by the growth of ``h²`` in the complex strip alone, as without weight decay.

The integrand does not decay as a whole (its saturated part stays), so no node can be skipped:
this form is the cheaper one while the decay is moderate (crossing times), the split form of
the model at late times; :func:`entire_form_nodes` gives the a-priori count used to choose.
"""
from __future__ import annotations

import math
from fractions import Fraction
from collections.abc import Callable
from typing import Any

import numpy as np

from grok_theory.mp.angle_rule import LN10, MAX_NESTED_NODES, MAX_NODES, TOO_MANY, Majorant, evaluated_nodes, node_count
from grok_theory.mp.precision import context, prec_of, result, to_ctx

__all__ = ["mode_amplitudes", "entire_integrand", "entire_form_nodes", "split_form_nodes", "decays_whole",
           "entire_form_preferred", "entire_curve_mp"]


def mode_amplitudes(model: Any, t: Any, nu: Any, ctx: Any) -> tuple[Any, Any, Any]:
    """``(h, A, B)`` at one node ν (numbers of the mpmath context ``ctx``).

    ``h`` the mode factor, ``A = (g + νh)/(ν + g)``, ``B = (1 − h)/(ν + g)``; ``1 − h`` by ``expm1``
    (no cancellation at early times or small ν) while ``h`` is above 1/2. For g = 0, ``A = h`` and ``B(0) = ct`` (the limit).
    """
    kk = model._k(ctx)
    c, g = kk["c"], kk["g"]
    x = c * (nu + g)
    if model.dynamics == "flow" or x < 1:  # (GD: ρ = 1 − x > 0)
        y = -x * t if model.dynamics == "flow" else t * ctx.log1p(-x)
        if y < -0.75:  # h < 1/2: 1 − h loses no digit (and exp is cheaper than expm1)
            h = ctx.exp(y)
            omh = 1 - h
        else:  # h ≥ 1/2 keeps its relative precision as 1 + expm1
            em = ctx.expm1(y)
            h, omh = 1 + em, -em
    else:  # oscillating mode (whole steps only)
        h = (1 - x) ** int(t)
        omh = 1 - h
    if g == 0:
        return h, h, (omh / nu if nu != 0 else c * t)
    den = nu + g
    return h, (g + nu * h) / den, omh / den


def entire_integrand(model: Any, which: str, t: Any, ctx: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any], Any]:
    """``(F, F_atom, constant)`` of the pole-free form (module docstring) in the context ``ctx``.

    The curve is ``E_cont[F] + atom·F_atom(0) + constant``; ``F`` is the analytic integrand
    (its value at 0 weights the pole correction of 1/ν).
    """
    kk = model._k(ctx)
    lam, s2, tau2, a2, d = kk["lam"], kk["s2"], kk["tau2"], kk["a2"], model.d_out
    noise = lam * s2
    if which == "gen":
        def F(nu: Any) -> Any:
            h, A, B = mode_amplitudes(model, t, nu, ctx)
            return (tau2 * A * A + a2 * h * h) / (2 * d) + noise * nu * B * B

        return F, F, ctx.mpf(0)
    if which == "train":
        def clean(nu: Any) -> tuple[Any, Any]:
            h, A, _ = mode_amplitudes(model, t, nu, ctx)
            return nu * (tau2 * A * A + a2 * h * h) / (2 * d), A

        def F(nu: Any) -> Any:
            cl, A = clean(nu)
            return cl + noise * A * A

        const = s2 * (1 - lam) if lam < 1 else ctx.mpf(0)
        return F, (lambda nu: clean(nu)[0]), const

    def F_norm(nu: Any) -> Any:
        h, _, B = mode_amplitudes(model, t, nu, ctx)
        return tau2 / 2 * nu * nu * B * B + a2 / 2 * h * h + d * noise * nu * B * B

    return F_norm, F_norm, ctx.mpf(0)


def entire_form_nodes(model: Any, t: float, digits: int) -> int:
    """A-priori interval count of the angle rule for the pole-free form at time ``t``
    (the strip bound with the growth of ``h²``; beyond the pole of 1/ν where that is corrected).
    ``TOO_MANY`` where the form does not apply (a mode with ρ(λ₋) ≤ 0)."""
    s_lo, s_hi = model._edge_rates(2, t)
    if not math.isfinite(s_lo):
        return TOO_MANY
    kappa = 2 * math.sqrt(model.lam) * max(s_lo, s_hi)
    nepers = (digits + 3) * LN10 + 1.5 * math.log1p(kappa)
    corrected = model.lam != 1
    return int(node_count(Majorant(model.lam, np.array([kappa]), 0, pole_corrected=corrected), nepers, strict=False)[0])


def decays_whole(model: Any, which: str) -> bool:
    """True when the pole-free integrand decays as a whole (no saturated part): without weight
    decay, for the train loss (its noise floor is the constant) and for noise-free gen loss."""
    return model.g == 0 and (which == "train" or (which == "gen" and model.label_noise == 0))


def split_form_nodes(model: Any, t: float, digits: int) -> int:
    """Estimated nodes the model's split form evaluates per call at time ``t`` once its static
    parts are cached: its decaying part needs the intervals of the pole-free form and those that
    resolve the poles at ν = −g (or, without weight decay, the unsubtracted pole of the noise
    part at ν = 0: the plain rule), minus the nodes skipped beyond the decay of h."""
    lam, sq = model.lam, math.sqrt(model.lam)
    nepers = (digits + 3) * LN10
    if model.g > 0:
        gap = math.acosh((1 + lam + model.g) / (2 * sq))  # the pole ν = −g at θ = ±i·gap
    else:
        gap = abs(model.law._log_lam) / 2 if lam != 1 else 0.0
    n_pole = nepers / (2 * gap) if gap > 0 else math.inf
    n = max(entire_form_nodes(model, t, digits), n_pole)
    if not math.isfinite(n) or n >= MAX_NODES:
        return MAX_NODES
    s_lo, s_hi = model._edge_rates(1, t)
    if not math.isfinite(s_lo):
        return int(n)
    count = 0
    for s in (s_lo, s_hi):  # nodes evaluated at the lower edge and (oscillating GD) the upper one
        if s > 0:
            count += int(evaluated_nodes(int(n), 2 * sq * s, nepers + 10 + 1.5 * math.log1p(2 * sq * s)))
    return min(int(n), count)


def entire_form_preferred(model: Any, which: str, t: float, digits: int) -> bool:
    """Whether :func:`entire_curve_mp` is the cheaper way to the curve at time ``t``."""
    if decays_whole(model, which):
        return True
    n = entire_form_nodes(model, t, digits)
    return n != TOO_MANY and n <= min(split_form_nodes(model, t, digits), MAX_NESTED_NODES // 4)


def entire_curve_mp(model: Any, which: str, t_kept: Any, tf: float, dps: int, log: bool) -> Any:
    """The curve to ``dps`` digits by the certified edge rule on the pole-free form.

    Where it decays as a whole (:func:`decays_whole`), nodes beyond the decay of h² are skipped
    (late times stay cheap); otherwise every node is evaluated."""
    s_lo, s_hi = model._edge_rates(2, tf)
    digits = dps + 3
    skip = decays_whole(model, which)

    def make(ctx: Any) -> Callable[[Any], Any]:
        return entire_integrand(model, which, to_ctx(t_kept, ctx), ctx)[0]

    def atom(ctx: Any) -> Any:
        return entire_integrand(model, which, to_ctx(t_kept, ctx), ctx)[1](ctx.mpf(0))

    if skip:
        value, _ = model.law.edge_expect_mp(make, digits, s_lo, s_hi, make_atom=atom)
    else:
        value, _ = model.law.edge_expect_mp(make, digits, make_atom=atom, s_scale=max(s_lo, s_hi))
    ctx = context(prec_of(digits + 5))
    const = entire_integrand(model, which, to_ctx(t_kept, ctx), ctx)[2]
    total = ctx.convert(value) + const
    if log:
        return result(ctx.log(total) if total > 0 else (ctx.ninf if total == 0 else ctx.nan), dps)
    return result(total, dps)


def arb_integrand(model: Any, which: str, t: Any, flint: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any], Any]:
    """``(F, F_atom, constant)`` of the pole-free form in Arb ball arithmetic (``certified=True``;
    module :mod:`grok_theory.mp.certified`), from the parameters as given. ``t`` is a kept scalar;
    discrete GD at non-integer t takes ``ρ^t = e^{t log ρ}`` (log's branch cut checked)."""
    from grok_theory.mp.certified import to_arb

    x = {name: to_arb(v, flint) for name, v in model.exact.items()}
    tt = to_arb(t, flint)
    d = model.d_out
    c, g, lam = 2 * x["lr"] / d, x["weight_decay"] / 2, x["lam"]
    tau2, a2, s2 = x["teacher_scale"] ** 2, x["init_scale"] ** 2, x["label_noise"] ** 2
    whole = float(t if not isinstance(t, str) else Fraction(t)) % 1 == 0 if not hasattr(t, "evalf") else False

    def amps(nu: Any) -> tuple[Any, Any, Any]:
        if model.dynamics == "flow":
            h = (-c * (nu + g) * tt).exp()
        elif whole:
            h = (1 - c * (nu + g)) ** int(float(t if not isinstance(t, str) else Fraction(t)))
        else:
            h = (tt * (1 - c * (nu + g)).log()).exp()
        if g == 0:  # (1 − h)/ν, entire: ct·₁F₁(1; 2; −ctν) for gradient flow
            B = c * tt * (-c * tt * nu).hypgeom_1f1(1, 2) if model.dynamics == "flow" else (1 - h) / nu
            return h, h, B
        return h, (g + nu * h) / (nu + g), (1 - h) / (nu + g)

    noise = lam * s2
    if which == "gen":
        def F(nu: Any) -> Any:
            h, A, B = amps(nu)
            out = (tau2 * A * A + a2 * h * h) / (2 * d)
            return out + noise * nu * B * B if model.label_noise > 0 else out

        def atom(nu: Any) -> Any:  # null modes see no noise
            h, A, _ = amps(nu) if model.g > 0 else ((-c * g * tt).exp(),) * 2 + (None,)
            return (tau2 * A * A + a2 * h * h) / (2 * d)

        return F, atom, flint.arb(0)
    if which == "train":
        def clean(nu: Any) -> Any:
            h, A, _ = amps(nu)
            return nu * (tau2 * A * A + a2 * h * h) / (2 * d)

        def F(nu: Any) -> Any:
            out = clean(nu)
            if model.label_noise > 0:
                _, A, _ = amps(nu)
                out = out + noise * A * A
            return out

        const = s2 * (1 - lam) if model.lam < 1 else flint.arb(0)
        return F, clean, const
    raise ValueError(f"certified curves are gen and train, got {which!r}")
