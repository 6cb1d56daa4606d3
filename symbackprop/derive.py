"""The backpropagation engine: closed forms of δ, ∂E/∂w, ∂E/∂b, ∂E/∂y per layer, with steps.

For layer ℓ (own index a, index p below, index c above):

    δ_a      = ∂E/∂u_a                                  (definition)
    output:  δ_a = Σ_{a'} ∂E/∂y_{a'} ∂y_{a'}/∂u_a       (chain rule; one term if f is elementwise)
    hidden:  δ_a = f′(u_a) Σ_c δ_c w_{ac}               (chain rule through the layer above)
    ∂E/∂w_{pa} = y_p δ_a,   ∂E/∂b_a = δ_a,   ∂E/∂y_p = Σ_a δ_a w_{pa}.

The engine asks the rule registries for f, f′ (or the Jacobian) and E; it never
names a particular activation or loss.  Derivatives of the definitions are taken
with SymPy and reduced by the index-aware passes of :mod:`symbackprop.simplify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import sympy as sp

from .model import LayerSymbols, Network
from .rules import activation as lookup_activation
from .rules import loss as lookup_loss
from .simplify import (apply_equalities, collapse_kronecker, combine_sums, has_kronecker,
                       sum_linearity, tidy)


def D(expr: sp.Expr, var: sp.Expr) -> sp.Derivative:
    """An unevaluated ∂expr/∂var, as a textbook writes it."""
    return sp.Derivative(expr, var, evaluate=False)


def ordered(*factors: sp.Expr) -> sp.Expr:
    """A product that keeps the textbook's order of factors (unevaluated Mul)."""
    factors = tuple(f for f in factors if f != 1)
    if not factors:
        return sp.Integer(1)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: the new right-hand side and the rule that gives it."""

    expr: sp.Expr
    rule: str
    detail: str = ""

    def __repr__(self) -> str:
        return f"<Step {self.rule}{': ' + self.detail if self.detail else ''}: {_short(self.expr)}>"

    def _repr_latex_(self) -> str:
        from .printing import latex
        from .verdict import latex_text

        return rf"$\displaystyle {latex(self.expr)} \quad {latex_text('(' + _rule_name(self.rule) + ')')}$"


@dataclass(frozen=True)
class Result:
    """An equation lhs = rhs with the steps that lead to rhs."""

    name: str
    layer: int
    lhs: sp.Expr
    steps: tuple[Step, ...]

    @property
    def rhs(self) -> sp.Expr:
        """The closed form (the last step)."""
        return self.steps[-1].expr

    def __repr__(self) -> str:
        n = len(self.steps)
        return (f"<Result {self.name}, layer {self.layer}: {_short(self.lhs, 30)} = {_short(self.rhs)} "
                f"({n} step{'s' if n != 1 else ''})>")

    def _repr_latex_(self) -> str:
        """The steps as an aligned chain, each with its rule."""
        from .printing import latex
        from .verdict import latex_text

        rows = [f"{latex(self.lhs) if i == 0 else ''} &= {latex(s.expr)} && "
                f"{latex_text('(' + _rule_name(s.rule) + ')')}"
                for i, s in enumerate(self.steps)]
        return r"$\displaystyle \begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


@dataclass(frozen=True)
class Assumption:
    """A stated assumption lhs = rhs, with the rule whose docstring states it."""

    lhs: sp.Expr
    rhs: sp.Expr
    rule: str

    def __repr__(self) -> str:
        return f"<Assumption {self.rule}: {_short(self.lhs, 40)} = {_short(self.rhs, 40)}>"

    def _repr_latex_(self) -> str:
        from .printing import latex

        return f"${latex(self.lhs)} = {latex(self.rhs)}$"


@dataclass(frozen=True)
class LayerDerivation:
    """All results for one layer above the input."""

    layer: int
    delta: Result
    weight: Result
    bias: Optional[Result]
    input: Result
    lemmas: tuple[Result, ...] = ()

    @property
    def results(self) -> tuple[Result, ...]:
        """The four main results (bias left out when the layer has none)."""
        return tuple(r for r in (self.delta, self.weight, self.bias, self.input) if r is not None)

    def __repr__(self) -> str:
        names = ", ".join(r.name for r in self.results)
        return f"<LayerDerivation layer {self.layer}: {names}; {len(self.lemmas)} lemmas>"

    def _repr_latex_(self) -> str:
        from .printing import latex

        rows = [f"{latex(r.lhs)} &= {latex(r.rhs)}" for r in self.results]
        return r"$\displaystyle \begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


@dataclass(frozen=True)
class Derivation:
    """The closed-form backpropagation of one network, layers from the output down."""

    network: Network
    forward: tuple[Result, ...]
    layers: tuple[LayerDerivation, ...]
    assumptions: tuple[Assumption, ...] = field(default=())
    #: the update rules of gradient descent (:mod:`symbackprop.training`), () without ``[training]``
    updates: tuple = field(default=())

    def layer(self, n: int) -> LayerDerivation:
        """The derivation of layer n (1 = first layer above the input)."""
        for ld in self.layers:
            if ld.layer == n:
                return ld
        raise KeyError(n)

    def __repr__(self) -> str:
        from .verdict import one_line

        net = self.network
        title = f"{one_line(net.title, 50)!r}: " if net.title else ""
        top = self.layers[0].delta if self.layers else None
        closed = f"; {_short(top.lhs, 20, net)} = {_short(top.rhs, 40, net)}" if top else ""
        return f"<Derivation {title}{len(self.layers)} layers, loss={net.loss}{closed}>"

    def _repr_latex_(self) -> str:
        from .printing import derivation_latex

        return "$\\displaystyle " + derivation_latex(self) + "$"


def _rule_name(rule: str) -> str:
    """The readable name of a step rule ("chain rule"), or the rule itself."""
    from .rules.steps import step_rule

    try:
        return step_rule(rule).name("en")
    except Exception:  # an unknown rule still prints
        return rule


def _short(expr: sp.Expr, limit: int = 60, network: Optional[Network] = None) -> str:
    """One line of text for a repr (internal names with layer superscripts without a network)."""
    from .printing import text
    from .verdict import one_line

    return one_line(text(expr, network), limit)


# ── building blocks ────────────────────────────────────────────────────────
def preactivation(net: Network, n: int, bound: sp.Symbol) -> sp.Expr:
    """u^n_a = Σ_p y^{n−1}_p w^n_{pa} + b^n_a, summed over ``bound``."""
    s, below = net.symbols[n], net.symbols[n - 1]
    total = sp.Sum(below.y[bound] * s.w[bound, s.index], (bound, 1, below.size))
    return sp.Add(total, s.b[s.index], evaluate=False) if s.b is not None else total


def output_definition(net: Network, n: int) -> sp.Expr:
    """y^n_a = f(u^n_a), from the activation rule."""
    s = net.symbols[n]
    act = lookup_activation(net.layers[n].activation)
    if act.elementwise:
        return act.function(s.u[s.index])
    return act.vector_function(s.u, s.index, s.dummy, s.size)


def loss_expression(net: Network, bound: sp.Symbol) -> sp.Expr:
    """E as the loss rule writes it, summed over ``bound``."""
    out = net.symbols[-1]
    return lookup_loss(net.loss).function(out.y, net.target, bound, out.size)


def assumptions_of(net: Network) -> tuple[Assumption, ...]:
    """The assumptions the loss rule states, for this network's output layer."""
    out = net.symbols[-1]
    return tuple(
        Assumption(*rule(net.target, out.index, out.size), rule=rule.__name__)
        for rule in lookup_loss(net.loss).assumptions
    )


def _reduce(expr: sp.Expr, net: Network) -> list[Step]:
    """Differentiate-then-collapse: the steps that remove Kronecker deltas and sums."""
    steps = []
    collapsed = collapse_kronecker(expr, net.ranges)
    if collapsed != expr:
        steps.append(Step(collapsed, "kronecker"))
    return steps


def _lemma(net: Network, name: str, n: int, of: sp.Expr, definition: sp.Expr, wrt: sp.Expr) -> Result:
    """∂of/∂wrt from the definition: write it out, differentiate, collapse the sum."""
    steps = [Step(D(definition, wrt), "definition")]
    diffed = sp.diff(definition, wrt).replace(
        lambda e: isinstance(e, sp.Sum) and e.function == 0, lambda e: sp.Integer(0))
    steps.append(Step(diffed, "differentiation"))
    steps += _reduce(diffed, net)
    final = tidy(steps[-1].expr)
    if final != steps[-1].expr:
        steps.append(Step(final, "algebra"))
    return Result(name, n, D(of, wrt), tuple(steps))


# ── the engine ─────────────────────────────────────────────────────────────
def _forward(net: Network) -> tuple[Result, ...]:
    """The definitions u^ℓ, y^ℓ and E, in the order of the forward pass."""
    out = []
    for n in range(1, len(net.layers)):
        s, below = net.symbols[n], net.symbols[n - 1]
        out.append(Result("preactivation", n, s.u[s.index],
                          (Step(preactivation(net, n, below.index), "definition"),)))
        out.append(Result("activation", n, s.y[s.index],
                          (Step(output_definition(net, n), "definition"),)))
    last = net.symbols[-1]
    out.append(Result("loss", len(net.layers) - 1, net.loss_symbol,
                      (Step(loss_expression(net, last.index), "definition"),)))
    return tuple(out)


def _activation_lemma(net: Network, n: int, s: LayerSymbols) -> Result:
    """∂y_a/∂u_a = f′(u_a) (elementwise) or ∂y_{a'}/∂u_a = Jacobian (vector activation)."""
    act = lookup_activation(net.layers[n].activation)
    if act.elementwise:
        fprime = act.derivative(s.u[s.index])
        return Result("activation_derivative", n, D(s.y[s.index], s.u[s.index]),
                      (Step(fprime, "identity", act.derivative.__name__),))
    jac = act.jacobian(s.y, s.dummy, s.index)
    return Result("activation_derivative", n, D(s.y[s.dummy], s.u[s.index]),
                  (Step(jac, "identity", act.jacobian.__name__),))


def _occurrences(expr: sp.Expr) -> int:
    """How many network quantities (indexed symbols) an expression mentions."""
    return sum(1 for e in sp.preorder_traversal(expr) if isinstance(e, sp.Indexed))


def _in_outputs(expr: sp.Expr, net: Network, n: int) -> sp.Expr:
    """Write f(u_a) as y_a (the definition of the layer's output)."""
    s = net.symbols[n]
    act = lookup_activation(net.layers[n].activation)
    if not act.elementwise:
        return expr
    return expr.xreplace({act.function(s.u[s.index]): s.y[s.index]})


def _delta(net: Network, n: int, upstream: Optional[Result], lemmas: list[Result],
           assumptions: tuple[Assumption, ...]) -> Result:
    """δ^n_a = ∂E/∂u^n_a, by the chain rule through y^n."""
    s = net.symbols[n]
    E = net.loss_symbol
    a, ap = s.index, s.dummy
    act = lookup_activation(net.layers[n].activation)
    dact = _activation_lemma(net, n, s)
    lemmas.append(dact)
    steps = [Step(D(E, s.u[a]), "definition")]
    if upstream is None:  # output layer: ∂E/∂y from the loss
        lossgrad = _lemma(net, "loss_gradient", n, E, loss_expression(net, ap), s.y[a])
        lemmas.insert(0, lossgrad)
        grad = lambda i: lossgrad.rhs.xreplace({a: i}) if i != a else lossgrad.rhs  # noqa: E731
    else:  # hidden layer: ∂E/∂y_a is the input gradient of the layer above
        grad = lambda i: upstream.rhs.xreplace({a: i}) if i != a else upstream.rhs  # noqa: E731

    if act.elementwise:
        steps.append(Step(ordered(D(E, s.y[a]), D(s.y[a], s.u[a])), "chain_rule"))
        fprime = dact.rhs
        if upstream is None:
            fprime = _in_outputs(fprime, net, n)
            product = ordered(grad(a), fprime)
            steps.append(Step(product, "substitution"))
            simpler = tidy(sp.Mul(grad(a), fprime))
            if _occurrences(simpler) < _occurrences(product):  # something cancelled
                steps.append(Step(simpler, "algebra"))
        else:
            steps.append(Step(ordered(fprime, grad(a)), "substitution"))
        return Result("delta", n, s.delta[a], tuple(steps))

    # vector activation: the Jacobian is full, sum over the layer's own index
    chain = sp.Sum(ordered(D(E, s.y[ap]), D(s.y[ap], s.u[a])), (ap, 1, s.size))
    steps.append(Step(chain, "multivariate_chain_rule"))
    summand = sp.Mul(grad(ap), dact.rhs)
    steps.append(Step(sp.Sum(ordered(grad(ap), dact.rhs), (ap, 1, s.size)), "substitution"))
    expr = sp.Sum(sp.expand(summand), (ap, 1, s.size))
    collapsed = collapse_kronecker(expr, net.ranges)
    steps.append(Step(collapsed, "kronecker"))
    split = sum_linearity(collapsed)
    eqs = tuple((x.lhs, x.rhs) for x in assumptions) if upstream is None else ()
    assumed = apply_equalities(split, eqs)
    if assumed != split:
        steps.append(Step(split, "linearity"))
        steps.append(Step(assumed, "assumption", ", ".join(x.rule for x in assumptions)))
        final = tidy(assumed)
    else:
        final = sp.collect(combine_sums(collapsed), s.y[a])
    if final != steps[-1].expr:
        steps.append(Step(final, "algebra"))
    return Result("delta", n, s.delta[a], tuple(steps))


def _layer(net: Network, n: int, upstream: Optional[Result],
           assumptions: tuple[Assumption, ...]) -> LayerDerivation:
    """δ, ∂E/∂w, ∂E/∂b and ∂E/∂y_below for layer n."""
    s, below = net.symbols[n], net.symbols[n - 1]
    E = net.loss_symbol
    a, p = s.index, below.index
    lemmas: list[Result] = []
    delta = _delta(net, n, upstream, lemmas, assumptions)
    dd = s.delta[a]

    du_dw = _lemma(net, "du_dw", n, s.u[a], preactivation(net, n, below.dummy), s.w[p, a])
    lemmas.append(du_dw)
    weight = Result("weight", n, D(E, s.w[p, a]), (
        Step(ordered(D(E, s.u[a]), D(s.u[a], s.w[p, a])), "chain_rule"),
        Step(ordered(du_dw.rhs, dd), "substitution"),
    ))
    bias = None
    if s.b is not None:
        du_db = _lemma(net, "du_db", n, s.u[a], preactivation(net, n, below.dummy), s.b[a])
        lemmas.append(du_db)
        bias = Result("bias", n, D(E, s.b[a]), (
            Step(ordered(D(E, s.u[a]), D(s.u[a], s.b[a])), "chain_rule"),
            Step(ordered(dd, du_db.rhs), "substitution"),
        ))
    # ∂E/∂y_p = Σ_a ∂E/∂u_a ∂u_a/∂y_p; the lemma differentiates u_{a'} so a stays the sum's index
    du_dy = _lemma(net, "du_dy", n, s.u[a], preactivation(net, n, below.dummy), below.y[p])
    lemmas.append(du_dy)
    inp = Result("input", n, D(E, below.y[p]), (
        Step(sp.Sum(ordered(D(E, s.u[a]), D(s.u[a], below.y[p])), (a, 1, s.size)),
             "multivariate_chain_rule"),
        Step(sp.Sum(ordered(dd, du_dy.rhs), (a, 1, s.size)), "substitution"),
    ))
    for r in (delta, weight, bias, inp):
        if r is not None and has_kronecker(r.rhs):
            raise AssertionError(f"a Kronecker delta survived in {r.name} of layer {n}: {r.rhs}")
    return LayerDerivation(n, delta, weight, bias, inp, tuple(lemmas))


def derive(net: Network) -> Derivation:
    """Derive every gradient of ``net`` in closed form, from the output layer down."""
    assumptions = assumptions_of(net)
    layers: list[LayerDerivation] = []
    upstream: Optional[Result] = None
    for n in range(len(net.layers) - 1, 0, -1):
        ld = _layer(net, n, upstream, assumptions)
        layers.append(ld)
        upstream = ld.input
    updates: tuple = ()
    if net.training is not None:
        from .training import update_rules  # (training builds on the results above)

        updates = update_rules(net, tuple(layers))
    return Derivation(net, _forward(net), tuple(layers), assumptions, updates)
