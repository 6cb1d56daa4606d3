r"""The derived update rules against one step of gradient descent taken on the verifier's own route.

At concrete widths and a batch of B examples, with the weights and biases shared by the
examples and each example's input and target its own:

*independent side* — the loss of the batch, E = (1/B) Σ_n E_n (``mean``) or Σ_n E_n, written out
on one tape from the network's description (:func:`.tape.forward`, :func:`.tape.example_loss`,
the verifier's own definitions), its adjoints ∂E/∂p by one backward sweep, and the step
p − η ∂E/∂p taken with these numbers;

*claimed side* — each layer's update rule as derived (:mod:`symbackprop.training`): the index
form (its Σ_n over the examples, each example's y and δ from the closed forms,
:class:`.closed.ClosedForms`) and the batch form (the product of matrices it names, with its
transposes: shapes that do not fit are refuted by the shapes alone).

Both sides are compared exactly over ℚ with every atom freed (:class:`.formal.FormalDomain`): equal
at every point drawn gives the error bound Π_points (deg/|S| + collisions) (Schwartz–Zippel),
*proved* only when it is at most :data:`.randomized.PROOF_THRESHOLD`.  A difference is confirmed
with the real functions at a rational point (``DIGITS`` digits) and refuted with that witness;
agreement there alone is inconclusive.  The learning rate, when a symbol, is drawn like a
parameter (a positive rational in the reals).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Callable, Optional, Sequence

import mpmath
import sympy as sp

from ..derive import Derivation
from ..instantiate import parameter_table
from ..training import AtStep, LayerUpdate, MatrixUpdate
from ..verdict import Verdict, Witness, inconclusive, proved, refuted
from .closed import ClosedForms, OutOfRange, Unreadable
from ..rules.forms import Degenerate
from .formal import FormalDomain, RealDomain, difference_bound
from .points import solve_assumptions
from .randomized import (MAX_TRIALS, PROOF_THRESHOLD, RANDOM_BITS, REDRAWS, _rational_assumptions, close,
                         random_rationals)
from .tape import Tape, example_loss, forward

BATCH = 2      # examples in the batch checked when the spec's batch size is a symbol
DIGITS = 50    # the real functions, to confirm a difference
Matrix = list[list[Any]]
#: (layer, quantity, key): quantity "weight_update" (key (p, a), p below) or "bias_update" (key (a,))
UpdateKey = tuple[int, str, tuple[int, ...]]


class ShapeMismatch(ValueError):
    """A batch form whose matrices cannot be multiplied, or whose product is not the parameter's shape."""


def batch_size(d: Derivation) -> int:
    """B: the spec's batch size when it is a number, else :data:`BATCH`."""
    N = d.network.training.batch
    return int(N) if N.is_Integer else BATCH


def update_keys(d: Derivation, sizes: Sequence[int]) -> list[UpdateKey]:
    """Every entry of every update rule, output layer first (weights row-major over (p, a))."""
    out: list[UpdateKey] = []
    for lu in d.updates:
        n = lu.layer
        out += [(n, "weight_update", (p, a)) for p in range(1, sizes[n - 1] + 1) for a in range(1, sizes[n] + 1)]
        if lu.bias is not None:
            out += [(n, "bias_update", (a,)) for a in range(1, sizes[n] + 1)]
    return out


def entry_name(key: UpdateKey) -> str:
    """``w^(2)[1,3] after one step`` (internal order [below, above]), ``b^(2)[3] after one step``."""
    n, quantity, idx = key
    letter = "w" if quantity == "weight_update" else "b"
    return f"{letter}^({n})[{','.join(map(str, idx))}] after one step"


# ── one point: both sides of every entry ──────────────────────────────────
class _Point:
    """The shared parameters, the examples and η at one point, over one domain."""

    def __init__(self, d: Derivation, sizes: Sequence[int], domain: Any, shared: dict, examples: list[dict],
                 eta: Any, solved: bool = False) -> None:
        """``solved``: the examples' targets already satisfy the stated assumptions (else one
        target per assumption is solved for, exactly: :func:`.points.solve_assumptions`)."""
        self.d, self.sizes, self.domain = d, tuple(sizes), domain
        self.shared, self.eta = shared, eta
        self.examples = [{**shared, **ex} if solved else solve_assumptions(d, sizes, domain, {**shared, **ex})
                         for ex in examples]
        self.cfs = [ClosedForms(d, sizes, domain, ex) for ex in self.examples]

    # the independent side
    def reference(self) -> dict[tuple, Any]:
        """p − η ∂E/∂p for every weight and bias, E the batch loss on the verifier's tape."""
        net = self.d.network
        acts, biases = [l.activation for l in net.layers], [l.bias for l in net.layers]
        tape = Tape(self.domain)
        leaves = {k: tape.leaf(v) for k, v in self.shared.items()}
        total = None
        for ex in self.examples:
            x = [tape.leaf(ex["x", i]) for i in range(1, self.sizes[0] + 1)]
            t = [tape.leaf(ex["t", k]) for k in range(1, self.sizes[-1] + 1)]
            _, y = forward(tape, self.sizes, acts, biases, leaves, x)
            E = example_loss(tape, net.loss, y[len(self.sizes) - 1], t)
            total = E if total is None else total + E
        if net.training.mean:
            total = total / len(self.examples)
        adj = tape.adjoints(total)
        zero = self.domain.const(0)
        return {k: v - self.eta * (adj[leaves[k].index] if adj[leaves[k].index] is not None else zero)
                for k, v in self.shared.items()}

    # the claimed side, index form
    def rule(self, e: sp.Expr, env: dict[sp.Symbol, int], example: Optional[int] = None) -> Any:
        """The update rule's right side at index values ``env`` (Σ over the examples walked here)."""
        tr = self.d.network.training
        n = tr.sample
        if isinstance(e, AtStep):
            return self.cfs[0].value(e.args[0], env)
        if e == tr.rate:
            return self.eta
        if e == tr.batch:
            return self.domain.const(len(self.examples))
        if isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][0] == n:
            terms = [self.rule(e.function, env, s) for s in range(len(self.examples))]
            return _fold(lambda a, b: a + b, terms)
        if isinstance(e, sp.Indexed) and e.indices and e.indices[-1] == n:
            if example is None:
                raise Unreadable(f"{e} outside a sum over the examples")
            return self.cfs[example].value(e.base[e.indices[:-1]], env)
        if e.is_Add:
            return _fold(lambda a, b: a + b, [self.rule(a, env, example) for a in e.args])
        if e.is_Mul:
            return _fold(lambda a, b: a * b, [self.rule(a, env, example) for a in e.args])
        if e.is_Pow and e.exp.is_Integer:
            return self.rule(e.base, env, example) ** int(e.exp)
        return self.cfs[0].value(e, env)

    # the claimed side, batch form
    def batch(self, m: MatrixUpdate) -> Matrix:
        """P(τ) − scale · Π factors, as a matrix in the notation's orientation."""
        n, B = m.layer, len(self.examples)
        one = self.domain.const(1)
        below = [[cf.lookup("x" if n == 1 else "y", n - 1, (p,)) for p in range(1, self.sizes[n - 1] + 1)]
                 for cf in self.cfs]
        named = {"Yb": below,
                 "D": [[cf.lookup("delta", n, (a,)) for a in range(1, self.sizes[n] + 1)] for cf in self.cfs],
                 "1": [[one] for _ in range(B)]}
        product = None
        for name, transposed in m.factors:
            factor = _transpose(named[name]) if transposed else named[name]
            product = factor if product is None else _matmul(product, factor)
        now = self.parameter(m)
        if _shape(product) != _shape(now):
            raise ShapeMismatch(f"the product is {_shape_text(product)}, the parameter {_shape_text(now)}")
        scale = self.rule(m.scale, {})
        return [[p - scale * q for p, q in zip(row, qrow)] for row, qrow in zip(now, product)]

    def parameter(self, m: MatrixUpdate) -> Matrix:
        """W^{(ℓ)} (n_{ℓ−1} × n_ℓ, or n_ℓ × n_{ℓ−1} written to_from) or b^{(ℓ)} (a column)."""
        n = m.layer
        if m.quantity == "bias":
            return [[self.shared["b", n, a]] for a in range(1, self.sizes[n] + 1)]
        W = [[self.shared["w", n, p, a] for a in range(1, self.sizes[n] + 1)] for p in range(1, self.sizes[n - 1] + 1)]
        return _transpose(W) if self.d.network.notation.weight_order == "to_from" else W

    def sides(self, keys: Sequence[UpdateKey]) -> dict[UpdateKey, tuple[Any, Any, Any]]:
        """(index form, batch form, reference) of every entry."""
        ref = self.reference()
        to_from = self.d.network.notation.weight_order == "to_from"
        out = {}
        for lu in self.d.updates:
            s, below = self.d.network.symbols[lu.layer], self.d.network.symbols[lu.layer - 1]
            forms: dict[str, Any] = {}
            for m in lu.matrix:
                try:
                    forms[m.quantity] = self.batch(m)
                except ShapeMismatch as exc:  # every entry of this parameter: refuted by the shapes
                    forms[m.quantity] = exc
            for key in keys:
                n, quantity, idx = key
                if n != lu.layer:
                    continue
                if quantity == "weight_update":
                    p, a = idx
                    claimed = self.rule(lu.weight.rhs, {below.index: p, s.index: a})
                    form = forms["weight"]
                    matrix = form if isinstance(form, ShapeMismatch) else \
                        form[a - 1][p - 1] if to_from else form[p - 1][a - 1]
                    out[key] = (claimed, matrix, ref["w", n, p, a])
                else:
                    (a,) = idx
                    form = forms["bias"]
                    matrix = form if isinstance(form, ShapeMismatch) else form[a - 1][0]
                    out[key] = (self.rule(lu.bias.rhs, {s.index: a}), matrix, ref["b", n, a])
        return out


def _draws(d: Derivation, sizes: Sequence[int], B: int, value: Callable[[tuple], Any]
           ) -> tuple[dict, list[dict]]:
    """The shared weights and biases, and B examples' inputs and targets, each from ``value(key)``."""
    table = parameter_table(sizes, [l.bias for l in d.network.layers])
    shared = {k: value(k) for k in table if k[0] in ("w", "b")}
    examples = [{k: value(k) for k in table if k[0] in ("x", "t")} for _ in range(B)]
    return shared, examples


# ── the test ──────────────────────────────────────────────────────────────
def check_updates(d: Derivation, sizes: Sequence[int], seed: int) -> list[tuple[UpdateKey, Verdict]]:
    """Every entry of every update rule: proved with its error bound, refuted with a witness (a
    point, or the shapes of a batch form that do not fit), or inconclusive with the reason."""
    keys = update_keys(d, sizes)
    B = batch_size(d)
    at = f"at sizes {tuple(sizes)}, batch {B}"
    rng = random.Random(seed)
    bounds = {k: 1.0 for k in keys}
    passed = {k: 0 for k in keys}
    done: dict[UpdateKey, Verdict] = {}
    rate = d.network.training.rate
    for _ in range(MAX_TRIALS * REDRAWS):
        todo = [k for k in keys if k not in done and bounds[k] > PROOF_THRESHOLD and passed[k] < MAX_TRIALS]
        if not todo:
            break
        domain = FormalDomain(rng, RANDOM_BITS)
        shared, examples = _draws(d, sizes, B, lambda k: domain.draw())
        eta = domain.const(Fraction(int(rate.p), int(rate.q))) if rate.is_Rational else domain.draw()
        try:
            sides = _Point(d, sizes, domain, shared, examples, eta).sides(todo)
        except ZeroDivisionError:
            continue  # a denominator vanished at this point: draw another
        except (OutOfRange, Unreadable, TypeError) as exc:
            return [(k, inconclusive(f"cannot evaluate the update rule: {exc}", method=f"exact {at}")) for k in keys]
        collisions = domain.collision_bound()
        for k, (index, batch, ref) in sides.items():
            if isinstance(batch, ShapeMismatch):
                done[k] = _shapes_refuted(str(batch), at)
                continue
            if index.q != ref.q or batch.q != ref.q:
                done[k] = _confirm(d, sizes, B, k, rng, at, "index form" if index.q != ref.q else "batch form")
                continue
            bound = max(difference_bound(index, ref, domain.size), difference_bound(batch, ref, domain.size))
            bounds[k] *= min(1.0, bound + collisions)
            passed[k] += 1
    worst = max((bounds[k] for k in keys if k not in done), default=0.0)
    method = (f"exact over the rationals against one gradient-descent step of the independent gradients {at}, "
              f"error ≤ {worst:.0e}")
    shown = proved(method)
    for k in keys:
        if k not in done:
            done[k] = shown if bounds[k] <= PROOF_THRESHOLD else inconclusive(
                f"equal at every point drawn, but the error bound reached only {bounds[k]:.1e}",
                method=f"exact {at}")
    return [(k, done[k]) for k in keys]


def _shapes_refuted(why: str, at: str) -> Verdict:
    """A batch form whose shapes do not fit: refuted by the shapes (the witness names them)."""
    return refuted(Witness({"shapes": why}, "a matrix product of the wrong shape", "the parameter's shape", ""),
                   method=f"shapes of the batch form {at}", reason=f"the batch form does not fit: {why}")


def _confirm(d: Derivation, sizes: Sequence[int], B: int, key: UpdateKey, rng: random.Random, at: str,
             form: str) -> Verdict:
    """A formal difference settled with the real functions at rational points: refuted with the
    witness (every value exact, the examples' targets solved for the stated assumptions), or
    inconclusive when the reals agree."""
    rate = d.network.training.rate
    names = {k: s.name for k, s in parameter_table(sizes, [l.bias for l in d.network.layers]).items()}
    with mpmath.workdps(DIGITS):
        domain = RealDomain()
        for _ in range(REDRAWS):
            shared = {k: v for k, v in random_rationals(names, rng).items() if k[0] in ("w", "b")}
            examples = [{k: v for k, v in _rational_assumptions(d, sizes, {**random_rationals(names, rng), **shared})
                         .items() if k[0] in ("x", "t")} for _ in range(B)]
            q = Fraction(int(rate.p), int(rate.q)) if rate.is_Rational else Fraction(rng.randint(1, 99), 100)
            real = lambda values: {k: domain.const(v) for k, v in values.items()}  # noqa: E731
            try:
                point = _Point(d, sizes, domain, real(shared), [real(ex) for ex in examples], domain.const(q),
                               solved=True)
                index, batch, ref = point.sides([key])[key]
            except (Degenerate, ZeroDivisionError):
                continue
            claimed = index if form == "index form" else batch
            if close(claimed, ref):
                continue
            values = {names[k]: str(v) for k, v in shared.items()}
            for s, ex in enumerate(examples, 1):
                values.update({f"{names[k]} (n = {s})": str(v) for k, v in ex.items()})
            values[str(rate)] = str(q)
            show = lambda v: mpmath.nstr(v, 20)  # noqa: E731
            return refuted(Witness(values, show(claimed), show(ref), show(claimed - ref)),
                           method=f"real functions at a rational point {at} ({DIGITS} digits)",
                           reason=f"{entry_name(key)}: the {form} of the update rule gives {show(claimed)}, "
                                  f"one gradient-descent step of the independent gradients gives {show(ref)}")
    return inconclusive(f"the {form} differs as a formal expression (atoms taken as independent); "
                        "the real functions agree", method=f"exact {at}")


# ── small matrices of domain values ──────────────────────────────────────
def _shape(m: Matrix) -> tuple[int, int]:
    return (len(m), len(m[0]) if m else 0)


def _shape_text(m: Matrix) -> str:
    return "{}×{}".format(*_shape(m))


def _transpose(m: Matrix) -> Matrix:
    return [list(col) for col in zip(*m)]


def _matmul(a: Matrix, b: Matrix) -> Matrix:
    if _shape(a)[1] != _shape(b)[0]:
        raise ShapeMismatch(f"a {_shape_text(a)} matrix times a {_shape_text(b)} matrix")
    cols = _transpose(b)
    return [[_fold(lambda x, y: x + y, [p * q for p, q in zip(row, col)]) for col in cols] for row in a]


def _fold(op: Callable[[Any, Any], Any], values: list) -> Any:
    total = values[0]
    for v in values[1:]:
        total = op(total, v)
    return total


__all__ = ["BATCH", "LayerUpdate", "batch_size", "check_updates", "entry_name", "update_keys"]
