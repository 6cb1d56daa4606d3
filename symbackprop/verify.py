"""Independent verification of the closed forms at concrete widths.

The verifier writes E out at concrete widths from the network's *description*
(widths, activation names, bias flags, loss name) with its own table of
definitions in SymEngine, differentiates it, and compares every entry of the
instantiated closed forms (:mod:`symbackprop.instantiate`) with

    δ^ℓ_a = ∂E/∂ε^ℓ_a |_{ε=0}        (ε^ℓ_a added to u^ℓ_a),
    ∂E/∂w^ℓ_{pa}, ∂E/∂b^ℓ_a, ∂E/∂x_i, ∂E/∂y^ℓ_p = ∂E/∂η^ℓ_p |_{η=0}  (η^ℓ_p added to y^ℓ_p).

It shares no code with derive.py, simplify.py or the rules' derivative rules
(given a Network, it calls ``derive`` only to obtain the claims to check).

Deciding lhs = rhs (one bounded call per (layer, quantity) group):

1. *exact*: every opaque atom f(v) — σ, tanh, exp, H, ReLU, softplus, log —
   becomes a fresh symbol keyed on f and the expanded v (inner atoms first),
   using exp(Σ c_i m_i) = Π exp(m_i)^{c_i} and the reflections (tanh(−v) = −tanh(v),
   σ(−v) = 1 − σ(v), …) so that equal atoms get equal keys; the stated assumptions
   are substituted (Σ_k t_k = 1 ⇒ t_n = 1 − Σ_{k<n} t_k); then
   expand(numerator(lhs − rhs)) = 0 is decided.
   An identity between independent atoms holds for every value of them, so
   "zero" is a proof.  If expand times out, a randomized identity test in exact
   rational arithmetic (Schwartz–Zippel: P(miss) ≤ deg/|S| per point, |S| = 2^64).
   expand gets ``EXACT_SHARE`` of the timeout; groups run output layer first, in
   growing complexity, so a stage that timed out is skipped for the later groups.
2. *numeric*: if that times out too, 50-digit evaluation of the real functions at
   random points — agreement is reported as inconclusive, never as proved.
3. *difference*: freed atoms are stronger than needed, so a difference is
   confirmed with the real functions at rational points; a confirmed difference
   is refuted with a witness re-checked by substitution (60 digits), an
   unconfirmed one is inconclusive ("differs only as a formal expression").
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Any, Callable, Optional, Sequence, Union

import mpmath
import symengine as se
import sympy as sp

from .bounded import bounded
from .derive import Derivation, derive
from .errors import SymbackpropError
from .instantiate import (Instance, bias_symbol, concrete_sizes, input_symbol, instantiate,
                          target_symbol, weight_symbol)
from .model import Network
from .verdict import Status, Verdict, Witness, exit_code, inconclusive, proved, refuted

QUANTITIES = ("delta", "weight", "bias", "input")
DIGITS = 50              # numeric evaluation
RECHECK_DIGITS = 60      # witness re-check
NUMERIC_POINTS = 5       # points when the exact check timed out
CONFIRM_POINTS = 3       # points to confirm a formal difference
RANDOM_BITS = 64         # |S| = 2^64 for the randomized exact test
RANDOM_TRIALS = 2        # independent points of the randomized exact test
EXACT_SHARE = 1 / 6      # the expand stage gets this share of the timeout, the others all of it


class VerifierError(SymbackpropError):
    """The verifier met an expression it cannot read (an unknown function or form)."""


# ── the verifier's own definitions (SymEngine) ─────────────────────────────
SIGMA = se.Function("sigma")
RELU = se.Function("relu")
SOFTPLUS = se.Function("softplus")
STEP = se.Function("H")


def act_identity(u: list) -> list:
    """y_a = u_a."""
    return list(u)


def act_sigmoid(u: list) -> list:
    """y_a = σ(u_a), σ opaque."""
    return [SIGMA(v) for v in u]


def act_tanh(u: list) -> list:
    """y_a = tanh(u_a) (SymEngine's tanh, whose derivative is 1 − tanh²)."""
    return [se.tanh(v) for v in u]


def act_relu(u: list) -> list:
    """y_a = ReLU(u_a), opaque."""
    return [RELU(v) for v in u]


def act_softplus(u: list) -> list:
    """y_a = softplus(u_a), opaque."""
    return [SOFTPLUS(v) for v in u]


def act_softmax(u: list) -> list:
    """y_a = exp(u_a) / Σ_b exp(u_b)."""
    total = se.Add(*[se.exp(v) for v in u])
    return [se.exp(v) / total for v in u]


ACTIVATIONS: dict[str, Callable[[list], list]] = {
    "identity": act_identity, "sigmoid": act_sigmoid, "tanh": act_tanh,
    "relu": act_relu, "softplus": act_softplus, "softmax": act_softmax,
}


def d_sigma(v: se.Expr) -> se.Expr:
    """σ′(v) = σ(v)(1 − σ(v))."""
    return SIGMA(v) * (1 - SIGMA(v))


def d_relu(v: se.Expr) -> se.Expr:
    """ReLU′(v) = H(v) (v ≠ 0)."""
    return STEP(v)


def d_softplus(v: se.Expr) -> se.Expr:
    """softplus′(v) = σ(v)."""
    return SIGMA(v)


def d_step(v: se.Expr) -> se.Expr:
    """H′(v) = 0 (v ≠ 0)."""
    return se.Integer(0)


DERIVATIVES: dict[str, Callable[[se.Expr], se.Expr]] = {
    "sigma": d_sigma, "relu": d_relu, "softplus": d_softplus, "H": d_step,
}


def loss_sse(y: list, t: list) -> se.Expr:
    """E = ½ Σ_k (y_k − t_k)²."""
    return se.Rational(1, 2) * se.Add(*[(a - b) ** 2 for a, b in zip(y, t)])


def loss_mse(y: list, t: list) -> se.Expr:
    """E = (1/n) Σ_k (y_k − t_k)²."""
    return se.Add(*[(a - b) ** 2 for a, b in zip(y, t)]) / len(y)


def loss_cross_entropy(y: list, t: list) -> se.Expr:
    """E = −Σ_k t_k log y_k."""
    return -se.Add(*[b * se.log(a) for a, b in zip(y, t)])


def loss_binary_cross_entropy(y: list, t: list) -> se.Expr:
    """E = −Σ_k (t_k log y_k + (1 − t_k) log(1 − y_k))."""
    return -se.Add(*[b * se.log(a) + (1 - b) * se.log(1 - a) for a, b in zip(y, t)])


LOSSES: dict[str, Callable[[list, list], se.Expr]] = {
    "sse": loss_sse, "mse": loss_mse, "cross_entropy": loss_cross_entropy,
    "binary_cross_entropy": loss_binary_cross_entropy,
}


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
            y = ACTIVATIONS[layer.activation](u)
            if n < L:
                y = [v + self.eta[n, p] for p, v in enumerate(y, start=1)]
        t = [_se(target_symbol(k)) for k in range(1, sizes[-1] + 1)]
        self.loss = LOSSES[net.loss](y, t)
        self.probes = {s: se.Integer(0) for s in (*self.eps.values(), *self.eta.values())}

    def variable(self, layer: int, quantity: str, key: tuple[int, ...]) -> se.Symbol:
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
    if name not in DERIVATIVES:
        raise VerifierError(f"no known derivative for {application}")
    return DERIVATIVES[name](at)


def known_derivatives(expr: se.Expr) -> se.Expr:
    """Replace SymEngine's Subs(Derivative(f(ξ), ξ), ξ, v) and Derivative(f(x), x) by f′(v)."""
    table = {s: _derivative(s.args[0].args[0], s.args[2]) for s in expr.atoms(se.Subs)}
    if table:
        expr = expr.xreplace(table)
    table = {d: _derivative(d.args[0], d.args[1]) for d in expr.atoms(se.Derivative)}
    return expr.xreplace(table) if table else expr


# ── SymPy → SymEngine ──────────────────────────────────────────────────────
_FUNCTIONS: dict[str, Callable[[se.Expr], se.Expr]] = {
    "exp": se.exp, "log": se.log, "tanh": se.tanh, "sigmoid": SIGMA, "relu": RELU,
    "softplus": SOFTPLUS, "Heaviside": STEP,
}


def to_symengine(expr: sp.Expr, memo: Optional[dict] = None) -> se.Expr:
    """The same expression in SymEngine (σ, ReLU, softplus, H by name; others refused)."""
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
    elif isinstance(expr, sp.Function) and type(expr).__name__ in _FUNCTIONS:
        out = _FUNCTIONS[type(expr).__name__](to_symengine(expr.args[0], memo))
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
        elif isinstance(e, se.FunctionSymbol) and e.get_name() in DERIVATIVES:
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
        if name in REFLECTIONS and terms:
            first = min(terms, key=str)
            if se.sympify(terms[first]).is_negative:
                neg = se.expand(-v)
                return REFLECTIONS[name](self.symbol(name, neg), neg)
        return self.symbol(name, v)


def reflect_tanh(f: se.Expr, w: se.Expr) -> se.Expr:
    """tanh(−w) = −tanh(w)."""
    return -f


def reflect_sigma(f: se.Expr, w: se.Expr) -> se.Expr:
    """σ(−w) = 1 − σ(w)."""
    return 1 - f


def reflect_step(f: se.Expr, w: se.Expr) -> se.Expr:
    """H(−w) = 1 − H(w) (w ≠ 0)."""
    return 1 - f


def reflect_shifted(f: se.Expr, w: se.Expr) -> se.Expr:
    """softplus(−w) = softplus(w) − w;  ReLU(−w) = ReLU(w) − w."""
    return f - w


REFLECTIONS: dict[str, Callable[[se.Expr, se.Expr], se.Expr]] = {
    "tanh": reflect_tanh, "sigma": reflect_sigma, "H": reflect_step,
    "softplus": reflect_shifted, "relu": reflect_shifted,
}


# ── deciding ───────────────────────────────────────────────────────────────
def exact_zero(diff: se.Expr) -> bool:
    """expand(numerator(diff)) == 0."""
    num, _ = diff.as_numer_denom()
    return se.expand(num) == 0


def degree_bound(e: se.Expr, memo: Optional[dict] = None) -> Optional[tuple[int, int]]:
    """Total-degree bounds (numerator, denominator) of a rational function; None if not rational."""
    memo = {} if memo is None else memo
    if e in memo:
        return memo[e]
    if e.is_Symbol:
        out: Optional[tuple[int, int]] = (1, 0)
    elif not e.args:
        out = (0, 0) if e.is_Number else None
    elif e.is_Add or e.is_Mul:
        parts = [degree_bound(a, memo) for a in e.args]
        if any(p is None for p in parts):
            out = None
        elif e.is_Mul:
            out = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        else:
            den = sum(p[1] for p in parts)
            out = (max(p[0] + den - p[1] for p in parts), den)
    elif e.is_Pow and e.args[1].is_Integer:
        base, k = degree_bound(e.args[0], memo), int(e.args[1])
        out = None if base is None else (base[0] * k, base[1] * k) if k >= 0 else (base[1] * -k, base[0] * -k)
    else:
        out = None
    memo[e] = out
    return out


def randomized_zero(lhs: se.Expr, rhs: se.Expr, rng: random.Random) -> tuple[bool, Optional[float]]:
    """Compare lhs, rhs at random integer points of [0, 2^64) in exact arithmetic.

    Returns (equal at every point, error bound (deg/|S|)^k) — (False, None) on a difference.
    """
    diff = lhs - rhs
    deg = degree_bound(diff)
    if deg is None:
        raise VerifierError("not a rational function of the freed atoms")
    size = 2 ** RANDOM_BITS
    symbols = sorted(diff.free_symbols, key=str)
    done = 0
    for _ in range(RANDOM_TRIALS * 10):
        point = {s: se.Integer(rng.randrange(size)) for s in symbols}
        a, b = lhs.subs(point), rhs.subs(point)
        if not (a.is_Number and b.is_Number and a.is_finite and b.is_finite):
            continue  # a denominator vanished: draw again
        if a != b:
            return False, None
        done += 1
        if done == RANDOM_TRIALS:
            return True, min(1.0, deg[0] / (size - deg[1])) ** RANDOM_TRIALS
    raise VerifierError("denominators kept vanishing at random points")


# ── real functions, numerically ────────────────────────────────────────────
class Degenerate(ArithmeticError):
    """A point where a piecewise function is evaluated at its kink (H(0))."""


def _number(e: se.Expr) -> Any:
    num, den = e.get_num_den() if e.is_Rational else (int(e), 1)
    return mpmath.mpf(int(num)) / int(den)


def real_sigma(v: Any) -> Any:
    """σ(v) = 1 / (1 + e^{−v})."""
    return 1 / (1 + mpmath.exp(-v))


def real_relu(v: Any) -> Any:
    """ReLU(v) = max(0, v)."""
    return v if v > 0 else mpmath.mpf(0)


def real_softplus(v: Any) -> Any:
    """softplus(v) = log(1 + e^{v})."""
    return mpmath.log1p(mpmath.exp(v))


def real_step(v: Any) -> Any:
    """H(v) = 1 for v > 0, 0 for v < 0 (undefined at 0: the point is redrawn)."""
    if abs(v) < mpmath.mpf(10) ** (-(mpmath.mp.dps - 5)):
        raise Degenerate("H(0)")
    return mpmath.mpf(1) if v > 0 else mpmath.mpf(0)


REAL: dict[str, Callable[[Any], Any]] = {
    "sigma": real_sigma, "relu": real_relu, "softplus": real_softplus, "H": real_step,
}


def evaluate(e: se.Expr, values: dict[se.Expr, Any], memo: Optional[dict] = None) -> Any:
    """The value of e (real functions) at ``values``, in the current mpmath precision."""
    memo = {} if memo is None else memo
    if e in memo:
        return memo[e]
    if e.is_Symbol:
        if e not in values:
            raise VerifierError(f"no value for {e}")
        out = values[e]
    elif e.is_Number:
        out = _number(e)
    elif e == se.E:
        out = mpmath.e
    elif e.is_Add:
        out = mpmath.fsum(evaluate(a, values, memo) for a in e.args)
    elif e.is_Mul:
        out = mpmath.fprod(evaluate(a, values, memo) for a in e.args)
    elif e.is_Pow:
        base, power = e.args
        x = evaluate(power, values, memo)
        out = mpmath.exp(x) if base == se.E else evaluate(base, values, memo) ** (
            int(power) if power.is_Integer else x)
    elif isinstance(e, se.tanh):
        out = mpmath.tanh(evaluate(e.args[0], values, memo))
    elif isinstance(e, se.log):
        out = mpmath.log(evaluate(e.args[0], values, memo))
    elif isinstance(e, se.FunctionSymbol) and e.get_name() in REAL:
        out = REAL[e.get_name()](evaluate(e.args[0], values, memo))
    else:
        raise VerifierError(f"cannot evaluate {e}")
    memo[e] = out
    return out


_SYMPY_REAL: dict[str, Callable[[Any], Any]] = {
    "exp": mpmath.exp, "log": mpmath.log, "tanh": mpmath.tanh, "sigmoid": real_sigma,
    "relu": real_relu, "softplus": real_softplus, "Heaviside": real_step,
}


def sympy_value(e: sp.Expr, values: dict[sp.Symbol, Any], memo: Optional[dict] = None) -> Any:
    """The value of a SymPy expression (real functions) at ``values``: substitution straight
    into the closed form as SymPy holds it, without going through SymEngine."""
    memo = {} if memo is None else memo
    if e in memo:
        return memo[e]
    if isinstance(e, sp.Symbol):
        out = values[e]
    elif isinstance(e, sp.Rational):
        out = mpmath.mpf(int(e.p)) / int(e.q)
    elif e is sp.E:
        out = mpmath.e
    elif isinstance(e, sp.Add):
        out = mpmath.fsum(sympy_value(a, values, memo) for a in e.args)
    elif isinstance(e, sp.Mul):
        out = mpmath.fprod(sympy_value(a, values, memo) for a in e.args)
    elif isinstance(e, sp.Pow):
        base = sympy_value(e.base, values, memo)
        out = base ** (int(e.exp) if e.exp.is_Integer else sympy_value(e.exp, values, memo))
    elif isinstance(e, sp.Function) and type(e).__name__ in _SYMPY_REAL:
        out = _SYMPY_REAL[type(e).__name__](sympy_value(e.args[0], values, memo))
    else:
        raise VerifierError(f"cannot evaluate {type(e).__name__}: {e}")
    memo[e] = out
    return out


def random_point(rng: random.Random, params: Sequence[str], targets: Sequence[str],
                 assumptions: dict[str, se.Expr]) -> dict[str, Fraction]:
    """Rationals for every parameter (targets in (0, 1)); assumed ones computed from the rest."""
    point: dict[str, Fraction] = {}
    for name in params:
        if name in assumptions:
            continue
        q = rng.randint(50, 150)
        lo, hi = (1, q - 1) if name in targets else (-2 * q, 2 * q)
        p = 0
        while p == 0:
            p = rng.randint(lo, hi)
        point[name] = Fraction(p, q)
    for name, expr in assumptions.items():
        values = {se.Symbol(k): se.Rational(v.numerator, v.denominator) for k, v in point.items()}
        point[name] = Fraction(str(expr.subs(values)))
    return point


def _mp_values(point: dict[str, Fraction]) -> dict[se.Expr, Any]:
    return {se.Symbol(k): mpmath.mpf(v.numerator) / v.denominator for k, v in point.items()}


def _close(a: Any, b: Any) -> bool:
    scale = max(mpmath.mpf(1), abs(a), abs(b))
    return abs(a - b) <= scale * mpmath.mpf(10) ** (-(mpmath.mp.dps - 15))


def _show(v: Any) -> str:
    return mpmath.nstr(v, 20)


# ── entries and groups ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class Entry:
    """One scalar entry to check: its place, its readable name."""

    layer: int
    quantity: str
    key: tuple[int, ...]

    @property
    def name(self) -> str:
        n, k = self.layer, ",".join(map(str, self.key))
        if self.quantity == "delta":
            return f"δ^({n})[{k}]"
        if self.quantity == "weight":
            return f"∂E/∂w^({n})[{k}]"
        if self.quantity == "bias":
            return f"∂E/∂b^({n})[{k}]"
        return f"∂E/∂x[{k}]" if n == 1 else f"∂E/∂y^({n - 1})[{k}]"


def entries_of(net: Network, sizes: Sequence[int]) -> list[list[Entry]]:
    """The groups (layer, quantity), output layer first; inside, entries in index order."""
    groups = []
    for n in range(len(sizes) - 1, 0, -1):
        shapes = {"delta": [(a,) for a in range(1, sizes[n] + 1)],
                  "weight": [(p, a) for p in range(1, sizes[n - 1] + 1) for a in range(1, sizes[n] + 1)],
                  "bias": [(a,) for a in range(1, sizes[n] + 1)] if net.layers[n].bias else [],
                  "input": [(p,) for p in range(1, sizes[n - 1] + 1)]}
        for q in QUANTITIES:
            if shapes[q]:
                groups.append([Entry(n, q, k) for k in shapes[q]])
    return groups


@dataclass
class _Context:
    """What every bounded stage needs: the instance, the reference, the assumptions."""

    instance: Instance
    reference: Reference
    assumptions: dict[str, se.Expr]
    params: list[str]
    targets: list[str]
    memo: dict = field(default_factory=dict)

    @cached_property
    def names(self) -> set[str]:
        return set(self.params)

    def sides(self, entry: Entry) -> tuple[se.Expr, se.Expr]:
        """(closed form, independent derivative) in SymEngine, assumptions applied."""
        lhs = to_symengine(self.instance.entries(entry.layer, entry.quantity)[entry.key], self.memo)
        rhs = self.reference.gradient(self.reference.variable(entry.layer, entry.quantity, entry.key))
        unknown = sorted(str(s) for s in lhs.free_symbols if str(s) not in self.names)
        if unknown:
            raise VerifierError(f"the closed form mentions {', '.join(unknown)}, which "
                                f"{'is not a parameter' if len(unknown) == 1 else 'are not parameters'}"
                                f" at sizes {self.instance.sizes}")
        subs = {se.Symbol(k): v for k, v in self.assumptions.items()}
        return (lhs.subs(subs), rhs.subs(subs)) if subs else (lhs, rhs)


def _exact_group(ctx: _Context, group: list[Entry]) -> list[tuple[str, str]]:
    """("same" | "differs" | "error", detail) per entry, by expand of the numerator."""
    atoms, out = Atoms(), []
    for e in group:
        try:
            lhs, rhs = ctx.sides(e)
            out.append(("same" if exact_zero(atoms.free(lhs) - atoms.free(rhs)) else "differs", ""))
        except Exception as exc:  # report, per entry, whatever stops the comparison
            out.append(("error", str(exc)))
    return out


def _randomized_group(ctx: _Context, group: list[Entry], seed: int) -> list[tuple[str, Any]]:
    """("same", error bound) | ("differs", None) | ("error", reason) per entry."""
    atoms, rng, out = Atoms(), random.Random(seed), []
    for e in group:
        try:
            lhs, rhs = ctx.sides(e)
            same, bound = randomized_zero(atoms.free(lhs), atoms.free(rhs), rng)
            out.append(("same", bound) if same else ("differs", None))
        except Exception as exc:  # report, per entry, whatever stops the comparison
            out.append(("error", str(exc)))
    return out


def _numeric_group(ctx: _Context, group: list[Entry], points: int, seed: int) -> list[tuple]:
    """("consistent", n) | ("differs", point, lhs, rhs) | ("error", reason) per entry, 50 digits."""
    rng, out = random.Random(seed), []
    with mpmath.workdps(DIGITS):
        for e in group:
            try:
                lhs, rhs = ctx.sides(e)
                out.append(_numeric_entry(ctx, lhs, rhs, points, rng))
            except Exception as exc:  # report, per entry, whatever stops the evaluation
                out.append(("error", str(exc)))
    return out


def _numeric_entry(ctx: _Context, lhs: se.Expr, rhs: se.Expr, points: int,
                   rng: random.Random) -> tuple:
    done = 0
    for _ in range(points * 10):
        point = random_point(rng, ctx.params, ctx.targets, ctx.assumptions)
        values = _mp_values(point)
        try:
            a, b = evaluate(lhs, values), evaluate(rhs, values)
        except (Degenerate, ZeroDivisionError):
            continue
        if not _close(a, b):
            return ("differs", {k: str(v) for k, v in point.items()}, _show(a), _show(b))
        done += 1
        if done == points:
            return ("consistent", done)
    raise VerifierError("no regular evaluation point found")


def _recheck(ctx: _Context, entries: dict[int, Entry], points: dict[int, dict[str, str]]
             ) -> dict[int, tuple[str, str, str, bool, str]]:
    """Both sides at each witness again, at 60 digits: the closed form by SymPy substitution
    and evalf, the reference by its own evaluation.  (lhs, rhs, difference, differs, expected)."""
    out = {}
    for j, entry in entries.items():
        point = points[j]
        lhs = ctx.instance.entries(entry.layer, entry.quantity)[entry.key]
        rhs = ctx.sides(entry)[1]
        with mpmath.workdps(RECHECK_DIGITS):
            values = _mp_values({k: Fraction(v) for k, v in point.items()})
            a = sympy_value(lhs, {sp.Symbol(str(k)): v for k, v in values.items()})
            b = evaluate(rhs, values)
            out[j] = (_show(a), _show(b), _show(a - b), not _close(a, b),
                      str(rhs) if len(str(rhs)) <= 400 else "")
    return out


# ── one group, all stages ──────────────────────────────────────────────────
STAGES = ("exact", "randomized", "numeric")


def _decide(ctx: _Context, group: list[Entry], timeout: float, seed: int, stage: str
            ) -> tuple[list[tuple[str, str]], str]:
    """The exact stages for a group, from ``stage`` on: per entry ("proved", method) |
    ("formal", "") | ("timed", "") | ("error", why), and the stage reached."""
    at = f"at sizes {ctx.instance.sizes}"
    if stage == "exact":
        res = bounded(_exact_group, ctx, group, seconds=timeout * EXACT_SHARE)
        if res.ok:
            kinds = {"same": "proved", "differs": "formal", "error": "error"}
            return [(kinds[k], f"exact symbolic (expand) {at}" if k == "same" else d)
                    for k, d in res.value], stage
    if stage in ("exact", "randomized"):
        rnd = bounded(_randomized_group, ctx, group, seed, seconds=timeout)
        if rnd.ok:
            out = []
            for kind, detail in rnd.value:
                if kind == "same":
                    out.append(("proved", f"randomized exact {at}, error ≤ {detail:.1e} (Schwartz–"
                                          f"Zippel, {RANDOM_TRIALS} points from a set of size "
                                          f"2^{RANDOM_BITS})"))
                else:
                    out.append(("formal", "") if kind == "differs" else ("error", detail))
            return out, "randomized"
    return [("timed", "")] * len(group), "numeric"


def _settle(ctx: _Context, group: list[Entry], kind: str, timeout: float, seed: int) -> list[Verdict]:
    """Stages 2 and 3: real functions at rational points, for entries that differ formally
    (``kind`` = "formal") or whose exact checks timed out (``kind`` = "timed")."""
    at = f"at sizes {ctx.instance.sizes}"
    points = CONFIRM_POINTS if kind == "formal" else NUMERIC_POINTS
    num = bounded(_numeric_group, ctx, group, points, seed, seconds=timeout)
    found = {j: r[1] for j, r in enumerate(num.value or ()) if r[0] == "differs"}
    witnesses = _witnesses(ctx, {j: group[j] for j in found}, found, timeout, at)
    out = []
    for j, e in enumerate(group):
        r = num.value[j] if num.ok else ("timeout",)
        if r[0] == "differs":
            out.append(witnesses[j])
        elif r[0] == "timeout":
            out.append(inconclusive("the exact and numeric checks timed out" if kind == "timed" else
                                    "differs as a formal expression; the numeric confirmation timed out",
                                    method=f"numeric {at}"))
        elif r[0] == "error":
            out.append(inconclusive(f"evaluation failed: {r[1]}", method=f"numeric {at}"))
        elif kind == "formal":
            out.append(inconclusive(
                f"differs only as a formal expression (opaque atoms taken as independent); "
                f"the real functions agree at {r[1]} points ({DIGITS} digits)",
                method=f"exact symbolic {at}"))
        else:
            out.append(inconclusive(
                f"numerically consistent at {r[1]} points ({DIGITS} digits); exact check timed out",
                method=f"numeric (mpmath, {DIGITS} digits) {at}"))
    return out


def _check_group(ctx: _Context, group: list[Entry], timeout: float, seed: int,
                 stage: str = "exact") -> tuple[list[Verdict], str]:
    """Every verdict of one (layer, quantity) group, and the exact stage it needed."""
    decided, reached = _decide(ctx, group, timeout, seed, stage)
    verdicts: list[Optional[Verdict]] = [None] * len(group)
    for i, (kind, detail) in enumerate(decided):
        if kind == "proved":
            verdicts[i] = proved(detail)
        elif kind == "error":
            verdicts[i] = inconclusive(f"cannot compare: {detail}",
                                       method=f"exact symbolic at sizes {ctx.instance.sizes}")
    for kind in ("formal", "timed"):
        idx = [i for i, (k, _) in enumerate(decided) if k == kind]
        if idx:
            for i, v in zip(idx, _settle(ctx, [group[i] for i in idx], kind, timeout, seed + 1)):
                verdicts[i] = v
    return [v for v in verdicts if v is not None], reached


def _witnesses(ctx: _Context, entries: dict[int, Entry], points: dict[int, dict[str, str]],
               timeout: float, at: str) -> dict[int, Verdict]:
    """Refuted, with each witness re-checked by substitution; inconclusive if it does not survive."""
    if not entries:
        return {}
    res = bounded(_recheck, ctx, entries, points, seconds=timeout)
    out = {}
    for j, entry in entries.items():
        if not res.ok:
            out[j] = inconclusive(f"a difference was found but its re-check failed: "
                                  f"{'timed out' if res.timed_out else res.error}", method=f"numeric {at}")
            continue
        lhs, rhs, diff, differs, expected = res.value[j]
        if not differs:
            out[j] = inconclusive(f"a difference was found at {DIGITS} digits but not at "
                                  f"{RECHECK_DIGITS}", method=f"numeric {at}")
            continue
        out[j] = refuted(Witness(dict(points[j]), lhs, rhs, diff),
                         method=f"real functions at a rational point {at} ({DIGITS} digits), "
                                f"re-checked by substitution ({RECHECK_DIGITS} digits)",
                         reason=f"{entry.name}: the closed form gives {lhs}, independent "
                                f"differentiation gives {rhs}",
                         expected=expected or None)
    return out


# ── the report ─────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class EntryCheck:
    """The verdict on one scalar entry of one quantity of one layer."""

    layer: int
    quantity: str   # "delta" | "weight" | "bias" | "input"
    entry: str      # readable, e.g. "∂E/∂w^(2)[1,3]" (internal order: [below, above])
    verdict: Verdict

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "quantity": self.quantity, "entry": self.entry,
                **self.verdict.to_json()}


@dataclass(frozen=True)
class VerificationReport:
    """Every entry checked at concrete sizes, and the time it took."""

    title: str
    sizes: tuple[int, ...]
    checks: tuple[EntryCheck, ...]
    seconds: float

    @property
    def verdict(self) -> Verdict:
        """Refuted if any entry is; inconclusive if any is; else proved."""
        bad = [c for c in self.checks if c.verdict.refuted]
        if bad:
            v = bad[0].verdict
            return refuted(v.witness, v.method, reason=f"{len(bad)} entries refuted, first {bad[0].entry}: "
                           f"{v.reason}", expected=v.expected)
        open_ = [c for c in self.checks if c.verdict.status is Status.INCONCLUSIVE]
        if open_:
            return inconclusive(f"{len(open_)} of {len(self.checks)} entries inconclusive, first "
                                f"{open_[0].entry}: {open_[0].verdict.reason}")
        methods = sorted({c.verdict.method for c in self.checks})
        return proved("; ".join(methods) or f"no entries at sizes {self.sizes}")

    def exit_code(self) -> int:
        return exit_code([c.verdict for c in self.checks])

    def to_json(self) -> dict[str, Any]:
        counts = {s.value: sum(c.verdict.status is s for c in self.checks) for s in Status}
        return {"title": self.title, "sizes": list(self.sizes),
                "checks": [c.to_json() for c in self.checks],
                "summary": {**counts, "total": len(self.checks), "status": self.verdict.status.value,
                            "exit_code": self.exit_code(), "seconds": round(self.seconds, 3)}}

    def table(self) -> str:
        """layer | quantity | entries | method | verdict, then one line per non-proved entry."""
        rows, groups = [("layer", "quantity", "entries", "method", "verdict")], {}
        for c in self.checks:
            groups.setdefault((c.layer, c.quantity), []).append(c)
        for (n, q), cs in groups.items():
            statuses = [c.verdict.status for c in cs]
            worst = next(s for s in (Status.REFUTED, Status.INCONCLUSIVE, Status.PROVED) if s in statuses)
            verdict = worst.value if all(s is worst for s in statuses) else \
                f"{worst.value} ({statuses.count(worst)} of {len(cs)})"
            methods = "; ".join(sorted({c.verdict.method for c in cs}))
            rows.append((str(n), q, str(len(cs)), methods, verdict))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = [" | ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        for c in self.checks:
            if not c.verdict.proved:
                lines.append(f"{c.verdict.status.value}: {c.entry}: {c.verdict.reason}")
        lines.append(f"{self.verdict.status.value} — {len(self.checks)} entries at sizes "
                     f"{self.sizes} in {self.seconds:.1f} s")
        return "\n".join(lines)


# ── the pipeline ───────────────────────────────────────────────────────────
def default_sizes(net: Network) -> tuple[int, ...]:
    """Concrete widths kept; symbolic widths get 3, 2, 3, 2, … from the input up."""
    chosen: dict[sp.Symbol, int] = {}
    out = []
    for n, layer in enumerate(net.layers):
        if isinstance(layer.size, sp.Symbol):
            out.append(chosen.setdefault(layer.size, 3 if n % 2 == 0 else 2))
        else:
            out.append(int(layer.size))
    return tuple(out)


def _unsupported(net: Network) -> Optional[str]:
    """Why the verifier cannot write E for this network (a rule missing from its own table)."""
    missing = [f"activation {l.activation!r}" for l in net.layers[1:] if l.activation not in ACTIVATIONS]
    if net.loss not in LOSSES:
        missing.append(f"loss {net.loss!r}")
    return f"the verifier has no definition of {', '.join(missing)}" if missing else None


def verify(derivation_or_network: Union[Derivation, Network], sizes: Optional[Sequence[int]] = None,
           *, timeout: float = 30.0) -> VerificationReport:
    """Check every δ, ∂E/∂w, ∂E/∂b, ∂E/∂y entry at concrete sizes; ``timeout`` per bounded call."""
    start = time.perf_counter()
    d = derivation_or_network if isinstance(derivation_or_network, Derivation) \
        else derive(derivation_or_network)
    net = d.network
    sizes = concrete_sizes(net, sizes if sizes is not None else default_sizes(net))
    groups = entries_of(net, sizes)

    def report(checks: list[EntryCheck]) -> VerificationReport:
        return VerificationReport(net.title, sizes, tuple(checks), time.perf_counter() - start)

    def all_open(reason: str) -> VerificationReport:
        return report([EntryCheck(e.layer, e.quantity, e.name, inconclusive(reason))
                       for g in groups for e in g])

    missing = _unsupported(net)
    if missing:
        return all_open(missing)
    made = bounded(instantiate, d, sizes, seconds=timeout)
    if not made.ok:
        return all_open(f"instantiation at sizes {sizes} failed: "
                        f"{'timed out' if made.timed_out else made.error}")
    inst: Instance = made.value
    ctx = _Context(inst, Reference(net, sizes),
                   {k.name: to_symengine(v) for k, v in inst.assumptions.items()},
                   [s.name for s in inst.symbols],
                   [target_symbol(k).name for k in range(1, sizes[-1] + 1)])
    checks: list[EntryCheck] = []
    stage = "exact"  # groups grow more complex going down: a stage that timed out is skipped after
    for n, g in enumerate(groups):
        verdicts, stage = _check_group(ctx, g, timeout, seed=1000 + 7 * n, stage=stage)
        checks += [EntryCheck(e.layer, e.quantity, e.name, v) for e, v in zip(g, verdicts)]
    return report(checks)
