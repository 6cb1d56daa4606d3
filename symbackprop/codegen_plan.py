"""Pass 1 of :mod:`symbackprop.codegen`: the plan, each layer's forward and Δ and the loss as
SymPy expressions in matrix names (``U{ℓ}``, ``Y{ℓ}``, ``G{ℓ}``, ``T``), in the batch form of
:mod:`symbackprop.matrix` (rows are examples, ``W{ℓ}`` has shape n_{ℓ−1} × n_ℓ).

The output Δ is the derived closed form with every stated assumption lifted
(:mod:`symbackprop.exact`: softmax + cross-entropy gives Δ = Y ⊙ rowsum(T) − T, no Jacobian,
exact for soft or unnormalised T; the module's docstring says so), a hidden Δ is
f′(U) ⊙ G with f′ written in the layer's own outputs where the rule allows
(σ′ = Y(1 − Y): σ is not computed twice), and a softmax hidden layer gets
Y ⊙ (G − rowsum(G ⊙ Y)).  The loss is evaluated through the stable identities of
:data:`LOG_RULES` (log-softmax by the row log-sum-exp, log σ by softplus).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Optional

import sympy as sp

from .derive import Derivation, output_definition
from .errors import SymbackpropError
from .exact import assumption_notes, exact_forms
from .matrix import RowSum
from .model import Network
from .printing import text
from .rules import activation as lookup_activation
from .rules.functions import sigmoid, softplus


class CodegenError(SymbackpropError):
    """The network cannot be written in batch form: the message names the layer and the formula."""


# ── matrix names ───────────────────────────────────────────────────────────
class TotalSum(sp.Function):
    """The sum of every entry (over the batch and the layer)."""

    nargs = 1


class LogSumExp(sp.Function):
    """log Σ_{a'} e^{u_{a'}}, the row log-sum-exp (argument: the Sum it stands for)."""

    nargs = 1


def _name(stem: str, n: int) -> str:
    return "X" if (stem == "Y" and n == 0) else f"{stem}{n}"


def _sym(stem: str, n: int = 0) -> sp.Symbol:
    return sp.Symbol(_name(stem, n) if stem not in ("T",) else "T", real=True)


# ── numerically stable identities for the loss ─────────────────────────────
def log_sigmoid(arg: sp.Expr) -> Optional[sp.Expr]:
    """log σ(u) = −softplus(−u)."""
    if isinstance(arg, sigmoid):
        return -softplus(-arg.args[0])
    return None


def log_one_minus_sigmoid(arg: sp.Expr) -> Optional[sp.Expr]:
    """log(1 − σ(u)) = −softplus(u)."""
    rest = -(arg - 1)
    if isinstance(rest, sigmoid):
        return -softplus(rest.args[0])
    return None


def log_softmax(arg: sp.Expr) -> Optional[sp.Expr]:
    """log(e^{u_k} / Σ_{k'} e^{u_{k'}}) = u_k − log Σ_{k'} e^{u_{k'}}  (log-sum-exp, shifted by the row maximum)."""
    num, den = sp.fraction(arg)
    if isinstance(num, sp.exp) and isinstance(den, sp.Sum) and isinstance(den.function, sp.exp):
        return num.args[0] - LogSumExp(den)
    return None


def softplus_reflection(expr: sp.Expr) -> Optional[sp.Expr]:
    """softplus(−u) = softplus(u) − u  (so t·softplus(−u) + (1 − t)·softplus(u) = softplus(u) − t·u)."""
    if isinstance(expr, softplus) and expr.args[0].could_extract_minus_sign():
        return softplus(-expr.args[0]) + expr.args[0]
    return None


#: Identities that rewrite log y_k, once y_k is replaced by its definition in u.
LOG_RULES: tuple[Callable[[sp.Expr], Optional[sp.Expr]], ...] = (
    log_sigmoid, log_one_minus_sigmoid, log_softmax)

#: Identities applied afterwards to the rewritten loss (fewer transcendental calls).
TIDY_RULES: tuple[Callable[[sp.Expr], Optional[sp.Expr]], ...] = (softplus_reflection,)


# ── the plan: what each layer computes ─────────────────────────────────────
@dataclass(frozen=True)
class LayerPlan:
    """One layer above the input, in batch form (SymPy expressions in matrix names)."""

    n: int
    activation: str
    bias: bool
    forward: sp.Expr                  # Y{n} in terms of U{n} (elementwise), or None for softmax
    normalized_exp: bool              # Y{n}, L{n} = softmax(U{n})
    delta: sp.Expr                    # Δ{n} in U{n}, Y{n}, T, G{n}, N{n}
    delta_text: str                   # the derived δ, in the spec's notation
    keeps_u: bool                     # U{n} is needed after Y{n} is computed


@dataclass(frozen=True)
class Plan:
    """Every layer (input first) and the loss, ready to print."""

    network: Network
    layers: tuple[LayerPlan, ...]
    loss: sp.Expr                     # E over the batch, in matrix names
    loss_text: str                    # E as the loss rule defines it
    assumptions: tuple[str, ...] = ()  # what the formulas rely on, lines for the docstring


def _is_normalized_exp(expr: sp.Expr) -> bool:
    """True for e^{u_k} / Σ_{k'} e^{u_{k'}} (the shape softmax has)."""
    num, den = sp.fraction(expr)
    return isinstance(num, sp.exp) and isinstance(den, sp.Sum) and isinstance(den.function, sp.exp)


def _to_matrices(expr: sp.Expr, net: Network, n: int, upstream: Optional[sp.Expr] = None) -> sp.Expr:
    """Index form of layer n → batch form: Σ_c δ_c w_{ac} → G, Σ_{a'} → RowSum, y → Y, u → U, t → T."""
    s = net.symbols[n]
    a, ap = s.index, s.dummy
    G, Y, U, T, N, L = (_sym("G", n), _sym("Y", n), _sym("U", n), _sym("T"), _sym("N", n),
                        _sym("L", n))
    if upstream is not None:
        expr = expr.xreplace({upstream: G, upstream.xreplace({a: ap}): G})
    expr = expr.replace(lambda e: isinstance(e, LogSumExp), lambda e: L)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1
                        and e.limits[0][0] in (a, ap),
                        lambda e: RowSum(e.function))
    act = lookup_activation(net.layers[n].activation)
    table = {}
    for i in (a, ap):
        if act.elementwise:
            table[act.function(s.u[i])] = Y
        table.update({s.y[i]: Y, s.u[i]: U, net.target[i]: T})
    expr = expr.xreplace(table).xreplace({s.size: N}) if isinstance(s.size, sp.Symbol) else expr.xreplace(table)
    leftover = [e for e in sp.preorder_traversal(expr) if isinstance(e, (sp.Indexed, sp.Sum))]
    if leftover:
        raise CodegenError(f"layer {n}: cannot write {leftover[0]} in batch form (in {expr})")
    return expr


def _stable_loss(net: Network, E: sp.Expr) -> sp.Expr:
    """Rewrite each log y_k by :data:`LOG_RULES` once y_k is written in u (kept when no rule applies)."""
    n = net.depth
    s = net.symbols[n]
    definition = output_definition(net, n)

    def rewrite(arg: sp.Expr) -> sp.Expr:
        inner = arg.xreplace({s.y[s.index]: definition})
        for rule in LOG_RULES:
            out = rule(inner)
            if out is not None and not out.has(sp.log):
                return out
        return sp.log(arg)

    E = E.replace(lambda e: isinstance(e, sp.log) and e.args[0].has(s.y[s.index]),
                  lambda e: rewrite(e.args[0]))
    for rule in TIDY_RULES:
        E = E.replace(lambda e, rule=rule: rule(e) is not None, lambda e, rule=rule: rule(e))
    return sp.expand(E) if E.has(softplus) else E


def _batch_loss(net: Network, E: sp.Expr) -> sp.Expr:
    """E for the whole batch.  E = Σ_i c_i Σ_k f_i (c_i free of the batch) becomes one sum of
    every entry of Σ_i c_i f_i (the coefficient stays outside when there is one term);
    otherwise E is evaluated per row and summed."""
    n = net.depth
    E = _to_matrices(_stable_loss(net, E), net, n)
    arrays = E.free_symbols - {_sym("N", n)}
    terms = []
    for term in sp.Add.make_args(sp.expand(E) if E.has(softplus) else E):
        coeff, rest = term.as_independent(*arrays, as_Add=False)
        if not isinstance(rest, RowSum):
            return TotalSum(E)
        terms.append((coeff, rest.args[0]))
    if len(terms) == 1:
        return terms[0][0] * TotalSum(terms[0][1])
    return TotalSum(sp.Add(*(c * f for c, f in terms)))


def _rebuilt(expr: sp.Expr) -> sp.Expr:
    """The same expression with every product evaluated (textbook-ordered Muls made canonical)."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.Tuple)):
        return expr
    return expr.func(*(_rebuilt(a) for a in expr.args))


def _check_structure(d: Derivation) -> None:
    """The weight, bias and input gradients must be y_p δ_a, δ_a, Σ_a δ_a w_{pa} (fully connected)."""
    net = d.network
    for ld in d.layers:
        s, below = net.symbols[ld.layer], net.symbols[ld.layer - 1]
        a, p = s.index, below.index
        want = {
            "weight": below.y[p] * s.delta[a],
            "bias": s.delta[a],
            "input": sp.Sum(s.delta[a] * s.w[p, a], (a, 1, s.size)),
        }
        for r in ld.results[1:]:
            if _rebuilt(r.rhs) != want[r.name]:
                raise CodegenError(f"layer {ld.layer}: {r.name} gradient {r.rhs} is not the "
                                   f"fully connected form {want[r.name]}")


def plan(d: Derivation) -> Plan:
    """Pass 1: every layer's forward and Δ (exact forms), and the loss, as batch expressions."""
    _check_structure(d)
    forms = exact_forms(d)
    d = forms.derivation
    net = d.network
    layers = []
    for n in range(1, net.depth + 1):
        ld = d.layer(n)
        act = lookup_activation(net.layers[n].activation)
        upstream = d.layer(n + 1).input.rhs if n < net.depth else None
        delta = _to_matrices(ld.delta.rhs, net, n, upstream)
        definition = output_definition(net, n)
        if act.elementwise:
            forward = definition.xreplace({net.symbols[n].u[net.symbols[n].index]: _sym("U", n)})
            normalized = False
        elif _is_normalized_exp(definition):
            forward, normalized = None, True
        else:
            raise CodegenError(f"layer {n}: no stable NumPy form for the vector activation "
                               f"{act.name!r} (add one to symbackprop.codegen_plan)")
        layers.append(LayerPlan(n, act.name, net.layers[n].bias, forward, normalized, delta,
                                f"{text(ld.delta.lhs, net)} = {text(ld.delta.rhs, net)}",
                                keeps_u=False))
    E = next(r for r in d.forward if r.name == "loss").rhs
    loss = _batch_loss(net, E)
    # U{n} must survive its activation when Δ or the loss reads it
    kept = []
    for lp in layers:
        U = _sym("U", lp.n)
        keeps = U in lp.delta.free_symbols or (lp.n == net.depth and U in loss.free_symbols)
        kept.append(replace(lp, keeps_u=keeps))
    return Plan(net, tuple(kept), loss, f"{net.notation.loss} = {text(E, net)}",
                tuple(assumption_notes(forms)))
