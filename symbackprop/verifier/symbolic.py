"""The deterministic route: every entry compared by SymEngine expansion at concrete sizes.

E is written out from the network's description with the shared definitions
(:mod:`.definitions`) as a SymEngine expression, probes ε^ℓ_a added to u^ℓ_a and η^ℓ_p to
y^ℓ_p, and differentiated once per entry:

    δ^ℓ_a = ∂E/∂ε^ℓ_a |_{ε=0},   ∂E/∂w, ∂E/∂b, ∂E/∂x,   ∂E/∂y^ℓ_p = ∂E/∂η^ℓ_p |_{η=0}.

Every opaque atom f(v) — σ, tanh, exp, H, ReLU, softplus, log — becomes a fresh symbol
keyed on f and the expanded v (inner atoms first), with exp(Σ c_i m_i) = Π exp(m_i)^{c_i}
and the reflections, so that equal atoms get equal keys; the stated assumptions are
substituted; then expand(numerator(lhs − rhs)) = 0 is decided.  An identity between
independent atoms holds for every value of them, so "zero" is a proof.  The cost grows
with the written-out expressions (≈ n³ nodes per entry): use it at small sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Callable, Optional, Sequence, Union

import symengine as se
import sympy as sp

from ..errors import SymbackpropError
from ..instantiate import Instance, bias_symbol, input_symbol, target_symbol, weight_symbol
from ..model import Network
from .definitions import LOSSES, activation, function, function_name

Key = tuple[int, ...]


class VerifierError(SymbackpropError):
    """The verifier met an expression it cannot read (an unknown function or form)."""


# ── SymEngine as a domain of the definitions ─────────────────────────────
def se_function(name: str) -> Callable[[se.Expr], se.Expr]:
    """The verifier's function ``name`` in SymEngine: SymEngine's own (tanh, exp, log) where
    its form names one, else opaque (``se.Function("sigma")``)."""
    return _se_function(name, function(name).symengine)


@lru_cache(maxsize=None)
def _se_function(name: str, own: str) -> Callable[[se.Expr], se.Expr]:
    return getattr(se, own) if own else se.Function(name)


def opaque(name: Optional[str]) -> bool:
    """Whether SymEngine holds the verifier's function ``name`` as an opaque application."""
    try:
        return name is not None and not function(name).symengine
    except ValueError:
        return False


class SymEngineDomain:
    """The definitions written out as SymEngine expressions (σ, ReLU, softplus, H opaque)."""

    def const(self, q: Union[int, Fraction]) -> se.Expr:
        q = Fraction(q)
        return se.Rational(q.numerator, q.denominator)

    def apply(self, name: str, v: se.Expr) -> se.Expr:
        return se_function(name)(v)


DOMAIN = SymEngineDomain()


def _se(symbol: sp.Symbol) -> se.Symbol:
    return se.Symbol(symbol.name)


class Reference:
    """E at concrete widths, written out from the network's description, with probes.

    u^ℓ_a = Σ_p y^{ℓ−1}_p w^ℓ_{pa} + b^ℓ_a + ε^ℓ_a,   y^ℓ = f_ℓ(u^ℓ) (+ η^ℓ below the output).
    """

    def __init__(self, net: Network, sizes: Sequence[int]) -> None:
        self.sizes = tuple(sizes)
        L = len(sizes) - 1
        self.eps = {(n, a): se.Symbol(f"_eps{n}_{a}") for n in range(1, L + 1)
                    for a in range(1, sizes[n] + 1)}
        self.eta = {(n, p): se.Symbol(f"_eta{n}_{p}") for n in range(1, L)
                    for p in range(1, sizes[n] + 1)}
        y = [_se(input_symbol(i)) for i in range(1, sizes[0] + 1)]
        for n in range(1, L + 1):
            layer = net.layers[n]
            u = []
            for a in range(1, sizes[n] + 1):
                terms = [y[p - 1] * _se(weight_symbol(n, p, a)) for p in range(1, sizes[n - 1] + 1)]
                if layer.bias:
                    terms.append(_se(bias_symbol(n, a)))
                u.append(se.Add(*terms) + self.eps[n, a])
            y = activation(layer.activation)(DOMAIN, u)
            if n < L:
                y = [v + self.eta[n, p] for p, v in enumerate(y, start=1)]
        t = [_se(target_symbol(k)) for k in range(1, sizes[-1] + 1)]
        self.loss = LOSSES[net.loss](DOMAIN, y, t)
        self.probes = {s: se.Integer(0) for s in (*self.eps.values(), *self.eta.values())}

    def variable(self, layer: int, quantity: str, key: Key) -> se.Symbol:
        """The symbol to differentiate by for one entry."""
        if quantity == "delta":
            return self.eps[layer, key[0]]
        if quantity == "weight":
            return _se(weight_symbol(layer, *key))
        if quantity == "bias":
            return _se(bias_symbol(layer, *key))
        if layer == 1:
            return _se(input_symbol(*key))
        return self.eta[layer - 1, key[0]]

    def gradient(self, var: se.Symbol) -> se.Expr:
        """∂E/∂var at zero probes, with the known derivatives of the opaque functions."""
        return known_derivatives(se.diff(self.loss, var)).subs(self.probes)


def _derivative(application: se.Expr, at: se.Expr) -> se.Expr:
    name = application.get_name() if isinstance(application, se.FunctionSymbol) else None
    if not opaque(name):
        raise VerifierError(f"no known derivative for {application}")
    return function(name).derivative(DOMAIN, at, se_function(name)(at))


def known_derivatives(expr: se.Expr) -> se.Expr:
    """Replace SymEngine's Subs(Derivative(f(ξ), ξ), ξ, v) and Derivative(f(x), x) by f′(v)."""
    table = {s: _derivative(s.args[0].args[0], s.args[2]) for s in expr.atoms(se.Subs)}
    if table:
        expr = expr.xreplace(table)
    table = {d: _derivative(d.args[0], d.args[1]) for d in expr.atoms(se.Derivative)}
    return expr.xreplace(table) if table else expr


# ── SymPy → SymEngine ──────────────────────────────────────────────────────
def to_symengine(expr: sp.Expr, memo: Optional[dict] = None) -> se.Expr:
    """The same expression in SymEngine (the verifier's functions by name; others refused)."""
    memo = {} if memo is None else memo
    hit = memo.get(expr)
    if hit is not None:
        return hit
    if isinstance(expr, sp.Symbol):
        out = se.Symbol(expr.name)
    elif isinstance(expr, sp.Rational):
        out = se.Rational(int(expr.p), int(expr.q))
    elif expr is sp.E:
        out = se.E
    elif isinstance(expr, sp.Add):
        out = se.Add(*[to_symengine(a, memo) for a in expr.args])
    elif isinstance(expr, sp.Mul):
        out = se.Mul(*[to_symengine(a, memo) for a in expr.args])
    elif isinstance(expr, sp.Pow):
        out = to_symengine(expr.base, memo) ** to_symengine(expr.exp, memo)
    elif isinstance(expr, sp.Function) and function_name(expr) is not None:
        out = se_function(str(function_name(expr)))(to_symengine(expr.args[0], memo))
    else:
        raise VerifierError(f"cannot read {type(expr).__name__} in a closed form: {expr}")
    memo[expr] = out
    return out


# ── opaque atoms → fresh symbols ───────────────────────────────────────────
class Atoms:
    """f(v) ↦ a fresh symbol keyed on (f, expand(v)); the same key gives the same symbol."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, se.Expr], se.Symbol] = {}
        self.memo: dict[se.Expr, se.Expr] = {}

    def symbol(self, name: str, arg: se.Expr) -> se.Symbol:
        key = (name, arg)
        if key not in self.table:
            self.table[key] = se.Symbol(f"_A{len(self.table)}")
        return self.table[key]

    def free(self, e: se.Expr) -> se.Expr:
        """e with every opaque atom replaced (inner atoms first)."""
        hit = self.memo.get(e)
        if hit is not None:
            return hit
        if not e.args:
            out = e
        elif e.is_Add:
            out = se.Add(*[self.free(a) for a in e.args])
        elif e.is_Mul:
            out = se.Mul(*[self.free(a) for a in e.args])
        elif e.is_Pow and e.args[0] == se.E:
            out = self._exp(se.expand(self.free(e.args[1])))
        elif e.is_Pow:
            out = self.free(e.args[0]) ** self.free(e.args[1])
        elif isinstance(e, se.tanh):
            out = self._reflect("tanh", se.expand(self.free(e.args[0])))
        elif isinstance(e, se.log):
            out = self.symbol("log", se.expand(self.free(e.args[0])))
        elif isinstance(e, se.FunctionSymbol) and opaque(e.get_name()):
            out = self._reflect(e.get_name(), se.expand(self.free(e.args[0])))
        else:
            raise VerifierError(f"cannot free the atom {e}")
        self.memo[e] = out
        return out

    def _exp(self, v: se.Expr) -> se.Expr:
        """exp(Σ c_i m_i) = Π exp(m_i)^{c_i} for integer c_i (exp(c m) as one atom otherwise)."""
        out = se.Integer(1)
        for m, c in v.as_coefficients_dict().items():
            c = se.sympify(c)
            if c == 0:
                continue
            if c.is_Integer:
                out *= self.symbol("exp", m) ** c
            else:
                out *= self.symbol("exp", se.expand(c * m))
        return out

    def _reflect(self, name: str, v: se.Expr) -> se.Expr:
        """f(v) keyed on ±v, the sign that makes the first monomial (by name) positive,
        by f's reflection rule if it has one."""
        terms = {m: c for m, c in v.as_coefficients_dict().items() if c != 0}
        reflection = function(name).reflection
        if reflection is not None and terms:
            first = min(terms, key=str)
            if se.sympify(terms[first]).is_negative:
                neg = se.expand(-v)
                return reflection(self.symbol(name, neg), neg)
        return self.symbol(name, v)


# ── deciding ─────────────────────────────────────────────────────────────
def exact_zero(diff: se.Expr) -> bool:
    """expand(numerator(diff)) == 0."""
    num, _ = diff.as_numer_denom()
    return se.expand(num) == 0


@dataclass
class Context:
    """What the symbolic comparison needs: the instance, the reference, the assumptions."""

    instance: Instance
    reference: Reference
    assumptions: dict[str, se.Expr]
    params: list[str]
    memo: dict = field(default_factory=dict)

    @classmethod
    def build(cls, instance: Instance) -> "Context":
        return cls(instance, Reference(instance.derivation.network, instance.sizes),
                   {k.name: to_symengine(v) for k, v in instance.assumptions.items()},
                   [s.name for s in instance.symbols])

    @cached_property
    def names(self) -> set[str]:
        return set(self.params)

    def sides(self, layer: int, quantity: str, key: Key) -> tuple[se.Expr, se.Expr]:
        """(closed form, independent derivative) in SymEngine, assumptions applied."""
        lhs = to_symengine(self.instance.entries(layer, quantity)[key], self.memo)
        rhs = self.reference.gradient(self.reference.variable(layer, quantity, key))
        unknown = sorted(str(s) for s in lhs.free_symbols if str(s) not in self.names)
        if unknown:
            raise VerifierError(f"the closed form mentions {', '.join(unknown)}, which "
                                f"{'is not a parameter' if len(unknown) == 1 else 'are not parameters'}"
                                f" at sizes {self.instance.sizes}")
        subs = {se.Symbol(k): v for k, v in self.assumptions.items()}
        return (lhs.subs(subs), rhs.subs(subs)) if subs else (lhs, rhs)


def compare(instance: Instance, entries: Sequence[tuple[int, str, Key]]) -> list[tuple[str, str]]:
    """("same" | "differs" | "error", detail) per entry, by expand of the numerator."""
    ctx, atoms, out = Context.build(instance), Atoms(), []
    for e in entries:
        try:
            lhs, rhs = ctx.sides(*e)
            out.append(("same" if exact_zero(atoms.free(lhs) - atoms.free(rhs)) else "differs", ""))
        except Exception as exc:  # report, per entry, whatever stops the comparison
            out.append(("error", str(exc)))
    return out


def expected(net: Network, sizes: Sequence[int], entry: tuple[int, str, Key],
             assumptions: dict, longest: int = 400) -> Optional[str]:
    """The independent derivative of one entry written out, if it is short enough to show."""
    ref = Reference(net, sizes)
    rhs = ref.gradient(ref.variable(*entry))
    subs = {se.Symbol(k.name): to_symengine(v) for k, v in assumptions.items()}
    text = str(rhs.subs(subs) if subs else rhs)
    return text if len(text) <= longest else None
