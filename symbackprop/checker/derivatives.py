"""Derivatives of quantities the document leaves open, made explicit unknowns.

``∂E/∂y_k`` with ``E`` defined nowhere becomes the unknown ``[∂E/∂y_k]`` (one unknown per
quantity and variables, the same wherever it occurs), so a step can be proved whatever
the unknowns are, and never refuted.  In ``∂F/∂x`` of an explicit ``F``, a quantity the
document differentiates or defines somewhere may depend on ``x``: it is differentiated as
an unknown function (chain rule), so only what holds whatever that dependence is gets
proved.  Quantities the document never differentiates nor defines (targets, inputs) are
constants.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.claim import bound_symbols, rename_bound
from ..prover.prepare import elementary
from ..prover.symbolic import canonical_dummies
from .doubts import Doubts
from .labels import split
from .names import OPAQUE, indices, is_opaque, is_quantity, key, keys, letter, tex, unknowns
from .order import name_of
from .scan import DocumentScan

#: Functions with kinks: derivatives of expressions holding them are never carried out here.
NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)


def opaque(quantity: sp.Basic, variable_count: Sequence) -> sp.Basic:
    """The unknown ``[∂q/∂x]``: one name per quantity and variables, indices of both."""
    name = OPAQUE + str(key(quantity)) + "/" + "".join(
        f"\\partial {key(v)}" + (f"^{n}" if n > 1 else "") for v, n in variable_count)
    idx = indices(quantity) + tuple(i for v, _n in variable_count for i in indices(v))
    return sp.IndexedBase(name)[idx] if idx else sp.Symbol(name)


def whole_opaque(F: sp.Basic, variable_count: Sequence) -> sp.Symbol:
    inner = sp.sstr(canonical_dummies(F))
    return sp.Symbol(OPAQUE + "(" + inner + ")/" + "".join(
        f"\\partial {sp.sstr(v)}" + (f"^{n}" if n > 1 else "") for v, n in variable_count))


def generic_derivative(d: sp.Derivative) -> bool:
    """``φ′(z)``: the derivative of a function the document leaves unspecified, at its own
    argument — a value like ``φ(z)`` itself, which a witness gives by choosing ``φ``."""
    return isinstance(d.expr, AppliedUndef) and len(d.expr.args) == 1 and set(d.variables) == set(d.expr.args)


class Derivatives:
    """Make derivatives of unknown quantities explicit unknowns (see the module docstring)."""

    def __init__(self, scan: DocumentScan, defined_later: Callable[[str], Optional[int]], doubts: Doubts,
                 defined: Callable[[str], bool] = lambda name: False,
                 upstream: Callable[[sp.Basic], frozenset] = lambda x: frozenset()):
        self.scan, self.later, self.doubts, self.defined = scan, defined_later, doubts, defined
        self.upstream = upstream
        self.carried_out = False  # a derivative by a defined quantity was carried out here

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        if isinstance(expr, sp.Derivative):
            return self.one(self(expr.expr), expr.variable_count)
        if not expr.args or isinstance(expr, (sp.IndexedBase, sp.Indexed)):
            return expr
        args = tuple(self(a) for a in expr.args)
        return expr.func(*args) if args != expr.args else expr

    def _same_layer(self, x: sp.Indexed, v: sp.Indexed, bound: set) -> bool:
        """Index by index: the same letter (k, k′), or a summation index with a letter that names
        no layer in the document (a generic q from ``y_1 + ⋯ + y_m``)."""
        known = self.scan.layer_letters | self.scan.free_letters.get(key(v), set())
        for i, j in zip(x.indices, v.indices):
            if letter(i) == letter(j) and i is not None:
                continue
            if isinstance(i, sp.Symbol) and i in bound and letter(i) not in known:
                continue
            return False
        return True

    def _undefined(self, name: str) -> None:
        line = self.later(name)
        self.doubts.add("undefined", f"{name} (defined only later, line {line})" if line else name)

    def one(self, F: sp.Basic, vc: Sequence) -> sp.Basic:
        variables = [v for v, _n in vc]
        avoid = set().union(*(sp.sympify(i).free_symbols for v in variables for i in indices(v)))
        F = rename_bound(F, bound_symbols(F) & avoid)
        var_keys = {key(v) for v in variables}
        if self.scan.layered:
            bound = bound_symbols(F)
            for v in variables:
                if isinstance(v, sp.Indexed) and "^" not in key(v):
                    other = sorted({tex(x) for x in F.atoms(sp.Indexed)  # (tagged by layers: told apart)
                                    if x.base == v.base and not self._same_layer(x, v, bound)})
                    if other:
                        self.doubts.add("letters", f"∂/∂{tex(v)} of {', '.join(other)}: in this document "
                                                   "index letters name layers", blocks_proof=True)
        if isinstance(F, (sp.Symbol, sp.Indexed)) and is_quantity(F):
            if key(F) in var_keys:
                return sp.Derivative(F, *vc)
            if not is_opaque(F):
                self._undefined(key(F))
            return opaque(F, vc)
        by_defined = any(self.defined(k) for k in var_keys)
        unknown = {a for a in unknowns(F) if key(a) not in var_keys}
        if not unknown:
            return self._carry_out(F, vc) if by_defined else sp.Derivative(F, *vc)
        dep = {a for a in unknown if key(a) in self.scan.dependent or is_opaque(a) or _unordered(a, vc)}
        mentions = any(k in keys(F) for k in var_keys)
        if not dep and not mentions:
            dep = unknown
        dep = self._downstream_only(dep, variables)
        if not dep:
            return self._carry_out(F, vc) if by_defined else sp.Derivative(F, *vc)
        names = ", ".join(sorted({str(key(a)) for a in dep if not is_opaque(a)}))
        xs = ", ".join(str(k) for k in sorted(var_keys))
        for a in dep:
            if not is_opaque(a):
                line = self.later(key(a))
                if line:
                    self.doubts.add("later", f"{key(a)} is defined only later (line {line})")
        self.doubts.add("dependence", f"how {names or 'the unknowns'} depend{'s' if ',' not in names else ''} "
                                      f"on {xs} is not stated")
        if len(vc) != 1 or vc[0][1] != 1 or F.has(sp.Derivative) or F.atoms(*NONSMOOTH):
            return whole_opaque(F, vc)
        x = variables[0]
        funcs = {a: sp.Function(str(key(a)))(*indices(a), x) for a in dep}
        inverse = {f: a for a, f in funcs.items()}
        D = sp.diff(elementary(F.xreplace(funcs)), x)
        D = D.replace(lambda e: isinstance(e, sp.Derivative) and e.expr in inverse and e.variables == (x,),
                      lambda e: opaque(inverse[e.expr], ((x, 1),)))
        D = D.xreplace(inverse)
        if any(x in d.variables or d.has(*funcs.values()) for d in D.atoms(sp.Derivative)) \
                or D.has(*funcs.values()):
            return whole_opaque(F, vc)  # SymPy could not carry it out: keep it unknown
        self.carried_out = self.carried_out or by_defined
        return D

    def _downstream_only(self, dep: set, variables: Sequence) -> set:
        """Feed-forward order: what every variable is computed from (its layer's inputs and
        weights, the layers below: :func:`.order.upstream`) does not change with it."""
        if not variables:
            return dep
        below = frozenset.intersection(*(self.upstream(v) for v in variables))
        return {a for a in dep if is_opaque(a) or (key(a) not in below and name_of(a) not in below)}

    def _carry_out(self, F: sp.Basic, vc: Sequence) -> sp.Basic:
        """∂F/∂u with u defined (u = wx): carried out now, in elementary form, so that the
        definition of u can be substituted into the result (∂σ(u)/∂u at u = wx)."""
        if F.atoms(*NONSMOOTH):
            return self._kept_unknown(F, vc, "it has a kink (max, |·|, a step), so it is kept unknown")
        D = sp.diff(elementary(F), *vc)
        if any(set(d.variables) & {v for v, _n in vc} and not generic_derivative(d) for d in D.atoms(sp.Derivative)):
            return self._kept_unknown(F, vc, "SymPy could not carry it out, so it is kept unknown")
        self.carried_out = True
        return D

    def _kept_unknown(self, F: sp.Basic, vc: Sequence, why: str) -> sp.Basic:
        """∂F/∂x made one unknown: a step holding it can be proved (whatever its value) but an
        unknown given a random value is no witness, so the step is never refuted."""
        xs = ", ".join(tex(v) for v, _n in vc)
        self.doubts.add("dependence", f"the derivative of {tex(F)} by {xs}: {why}")
        return whole_opaque(F, vc)


def _unordered(a: sp.Basic, vc: Sequence) -> bool:
    """Is ``a`` at a layer whose place against a variable's the document leaves open (``y^{(L)}``
    beside ``u^{(l)}``: L − l is no number)?  ``a`` may then be computed from the variable — the
    output layer from any hidden one — so it is not taken for a constant of the derivative."""
    mine = split(str(key(a) or ""))
    for v, _n in vc:
        theirs = split(str(key(v) or ""))
        if mine and theirs and not sp.expand(mine[2] - theirs[2]).is_Integer:
            return True
    return False


def loss_derivatives(e: sp.Basic) -> set:
    """What ``e`` differentiates that is no function's application: ``{E}`` for ``∂E/∂u_k``, none
    for an activation's ``σ'(z) = ∂σ(z)/∂z``.  A formula of δ holding ``∂E/∂…`` may define δ
    anew; one holding only activations' derivatives is a value of δ, a claim."""
    return {d.expr for d in e.atoms(sp.Derivative) if not isinstance(d.expr, sp.core.function.AppliedUndef)
            and not (isinstance(d.expr, sp.Function) and d.expr.args == d.variables)}
