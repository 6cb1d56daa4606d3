r"""Update rules of mini-batch gradient descent, derived from the gradients of :mod:`symbackprop.derive`.

With a ``[training]`` table (learning rate η, batch of N examples n = 1 … N), the loss of a
batch is the mean (or, with ``mean = false``, the sum) of the examples' losses E_n, and one
step of gradient descent moves every weight and bias against its gradient:

    w_{jk}(τ+1) = w_{jk}(τ) − η ∂E/∂w_{jk}                          (gradient descent)
                = w_{jk}(τ) − η ∂/∂w_{jk} ((1/N) Σ_n E_n)            (the loss of the batch)
                = w_{jk}(τ) − (η/N) Σ_n ∂E_n/∂w_{jk}                 (term by term)
                = w_{jk}(τ) − (η/N) Σ_n y_{jn} δ_{kn}                (the derived ∂E/∂w_{jk} = y_j δ_k,
                                                                      for example n)

and b_k(τ+1) = b_k(τ) − (η/N) Σ_n δ_{kn}.  The per-example gradient is the derivation's own
closed form with every quantity of the forward and backward pass given the example's index
(:func:`per_example`); weights and biases are shared by all examples.  In the batch form of
:mod:`symbackprop.matrix` (one example per row):

    W(τ+1) = W(τ) − (η/N) Yᵀ Δ   (``from_to``; ``to_from`` writes W(τ+1) = W(τ) − (η/N) Δᵀ Y),
    b(τ+1) = b(τ) − (η/N) Δᵀ 𝟏,

the products taken from :data:`symbackprop.matrix.WEIGHT_FACTORS` and ``BIAS_FACTORS`` (one
table for the gradients and the updates).  The step counter is written ``t`` unless a name of
the spec prints as t (the default target letter), then ``τ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from .derive import D, LayerDerivation, Result, Step, ordered
from .matrix import BIAS_FACTORS, WEIGHT_FACTORS, batch_names, product_latex
from .model import Network, Training

#: Names the step counter may take, in order of preference (the first no spec name uses).
STEP_LETTERS = ("t", "tau", "s")


class AtStep(sp.Function):
    """p(τ + s): a weight or bias after τ + s steps of training (``AtStep(p, τ + 1)``)."""

    nargs = 2

    def _symbackprop_latex(self, printer) -> str:
        return rf"{printer._print(self.args[0])}\left({printer._print(self.args[1])}\right)"

    def _symbackprop_str(self, printer) -> str:
        return f"{printer._print(self.args[0])}({printer._print(self.args[1])})"


@dataclass(frozen=True)
class MatrixUpdate:
    """The batch form P(τ+1) = P(τ) − scale · Π factors of one parameter matrix, as data (verified
    by evaluating it) and as LaTeX (``lhs``, ``rhs``: what the reports print)."""

    layer: int
    quantity: str  # "weight" | "bias"
    scale: sp.Expr
    factors: tuple[tuple[str, bool], ...]
    lhs: str
    rhs: str


@dataclass(frozen=True)
class LayerUpdate:
    """The update rules of one layer: index form with steps (weight, bias) and batch form."""

    layer: int
    weight: Result
    bias: Optional[Result]
    matrix: tuple[MatrixUpdate, ...]

    @property
    def results(self) -> tuple[Result, ...]:
        return tuple(r for r in (self.weight, self.bias) if r is not None)


def step_symbol(net: Network) -> sp.Symbol:
    """The step counter: the first of :data:`STEP_LETTERS` that no name of the spec prints as."""
    from .spec_names import glyph, symbol_latex

    nt = net.notation
    taken = {getattr(nt, k) for k in nt.keys() if k != "weight_order"}
    taken |= {layer.index for layer in net.layers} | {str(s) for s in net.width_symbols()}
    tr = net.training
    if tr is not None:
        taken |= {tr.index, str(tr.batch), str(tr.rate)}
    looks = {glyph(symbol_latex(name, nt)) for name in taken} | taken
    for name in STEP_LETTERS:
        if name not in looks and glyph(symbol_latex(name, nt)) not in looks:
            return sp.Symbol(name)
    raise ValueError(f"no letter for the step counter: {', '.join(STEP_LETTERS)} are all taken")


def per_example(expr: sp.Expr, net: Network) -> sp.Expr:
    """A closed form for example n: every quantity of the forward and backward pass (x, y, u, δ,
    t) gets the example's index as its last index; weights and biases stay shared."""
    n = net.training.sample
    varying = {net.target} | {q for s in net.symbols for q in (s.y, s.u, s.delta) if q is not None}
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in varying,
                        lambda e: e.base[(*e.indices, n)])


def coefficient(tr: Training) -> sp.Expr:
    """The factor of the batch sum: η/N for the mean loss, η for the summed one."""
    return tr.rate / tr.batch if tr.mean else tr.rate


def _rule(net: Network, name: str, layer: int, param: sp.Indexed, gradient: Result) -> Result:
    """p(τ+1) from p(τ) and the derived ∂E/∂p (see the module docstring)."""
    tr = net.training
    tau, n, N = step_symbol(net), tr.sample, tr.batch
    E, En = net.loss_symbol, sp.IndexedBase("E")[n]
    now = AtStep(param, tau)

    def minus(*factors: sp.Expr) -> sp.Expr:
        return sp.Add(now, sp.Mul(-1, ordered(*factors), evaluate=False), evaluate=False)

    batch_loss = sp.Sum(En, (n, 1, N))
    if tr.mean:
        batch_loss = sp.Mul(1 / N, batch_loss, evaluate=False)
    steps = (
        Step(minus(tr.rate, D(E, param)), "gradient_descent"),
        Step(minus(tr.rate, D(batch_loss, param)), "batch_mean" if tr.mean else "batch_sum"),
        Step(minus(coefficient(tr), sp.Sum(D(En, param), (n, 1, N))), "differentiation"),
        Step(minus(coefficient(tr), sp.Sum(per_example(gradient.rhs, net), (n, 1, N))), "substitution",
             "per_example_gradient"),
    )
    return Result(name, layer, AtStep(param, tau + 1), steps)


def _matrix(net: Network, layer: int, quantity: str, factors: tuple[tuple[str, bool], ...]
            ) -> MatrixUpdate:
    """P(τ+1) = P(τ) − scale · Π factors in the batch names of :mod:`symbackprop.matrix`."""
    from .printing import latex

    names = batch_names(net, layer)
    tau = latex(step_symbol(net), net)
    scale = coefficient(net.training)
    P = names["W" if quantity == "weight" else "b"]
    at = lambda s: rf"{P}\left({s}\right)"  # noqa: E731
    rhs = f"{at(tau)} - {latex(scale, net)} {product_latex(factors, names)}"
    return MatrixUpdate(layer, quantity, scale, factors, at(f"{tau} + 1"), rhs)


def update_rules(net: Network, layers: tuple[LayerDerivation, ...]) -> tuple[LayerUpdate, ...]:
    """Every layer's update rules (output layer first, as ``layers``); () without training."""
    if net.training is None:
        return ()
    out = []
    for ld in layers:
        s, below = net.symbols[ld.layer], net.symbols[ld.layer - 1]
        weight = _rule(net, "weight_update", ld.layer, s.w[below.index, s.index], ld.weight)
        matrix = [_matrix(net, ld.layer, "weight", WEIGHT_FACTORS[net.notation.weight_order])]
        bias = None
        if ld.bias is not None:
            bias = _rule(net, "bias_update", ld.layer, s.b[s.index], ld.bias)
            matrix.append(_matrix(net, ld.layer, "bias", BIAS_FACTORS))
        out.append(LayerUpdate(ld.layer, weight, bias, tuple(matrix)))
    return tuple(out)
