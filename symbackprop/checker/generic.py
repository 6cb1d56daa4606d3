r"""What a document leaves generic on purpose: a cost ``E`` it never defines, an activation
``φ_l`` for every layer.

A derivation written for *any* cost and *any* activation claims its steps for all of them,
so one choice for which a step fails refutes the step.

* **A generic cost.**  ``E`` defined nowhere in the document and, in a step, seen only through
  its gradient by the quantities of one layer, ``∂E/∂a^{l+1}_k``, on which both sides depend
  linearly and homogeneously (``Σ_k ∂E/∂a^{l+1}_k · …``): the step manipulates the gradient, it
  does not evaluate it.  Those gradient values are then free — a cost linear in the layer,
  ``E = Σ_k g_k a_k`` (the layer taken as the output layer), gives any of them — and the
  step is decided with them as variables (:func:`generic_costs`).  A step that equates the
  gradient to something else (``∂E/∂y_k = y_k − t_k``, with E given only in prose) is not
  homogeneous and stays open.
* **An activation of every layer.**  A function named with a layer label (``φ_i``, ``f_{l+1}``,
  ``f_L``, where ``i``, ``l``, ``L`` label the layers of the document's quantities) is the
  activation of that layer, left unspecified: the prover may choose it (a polynomial) to refute
  a step (:func:`activation_family`).  The guard ``named-activation`` keeps a step that holds
  for the sigmoid or tanh from being refuted: the author may mean one of them there.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.claim import bound_symbols, rename_bound
from .labels import FUNCTION_LABELLED, split
from .order import memo, only_through
from .names import OPAQUE, is_opaque, key

#: One gradient of a cost by one quantity: ``\partial E/\partial a^{l+1}``.
_GRADIENT = re.compile(r"^" + re.escape(OPAQUE) + r"(?P<cost>[^/]+)/" + re.escape(OPAQUE) + r"(?P<by>[^\\^]+(\^\{[^{}]*\})?)$")


def layer_letters(labelled_names: Iterable[str]) -> frozenset:
    """The letters the document's layer labels are written in (``z^{l+1}``, ``a^{L}`` → l, L)."""
    out: set = set()
    for name in labelled_names:
        parts = split(name)
        if parts is not None:
            out |= {s.name for s in parts[2].free_symbols}
    return frozenset(out)


def activation_family(name: str, letters: frozenset) -> bool:
    """``phi_{i+1}`` with ``i`` a layer letter of the document: the activation of a layer."""
    m = FUNCTION_LABELLED.match(name.rstrip("'"))
    if not m or not letters:
        return False
    found = set(re.findall(r"[A-Za-z]+", m["label"]))
    return bool(found) and found <= letters


def forward_activations(table) -> frozenset:
    """The functions the document's forward pass applies to a layer's quantities: a definition
    ``y^{l}_j := f(u^{l}_j)`` (an indexed quantity defined as one unnamed function of one
    indexed quantity) makes ``f`` the activation of that layer, left generic by the document
    as ``φ_i`` is: the derivation claims its steps for every activation."""
    return memo(table, ("forward activations",), lambda: frozenset(
        d.rhs.func.__name__ for d in table.definitions()
        if isinstance(d.lhs, sp.Indexed) and isinstance(d.rhs, AppliedUndef)
        and len(d.rhs.args) == 1 and isinstance(d.rhs.args[0], sp.Indexed)))


def generic_activation(name: str, letters: frozenset, table) -> bool:
    """Is the function ``name`` an activation the document leaves generic: named by a layer
    label (:func:`activation_family`) or applied by its forward pass (:func:`forward_activations`)?"""
    return activation_family(name, letters) or name.rstrip("'") in forward_activations(table)


def _gradients(expr: sp.Basic, cost: str) -> set:
    out = set()
    for a in expr.atoms(sp.Indexed) | expr.atoms(sp.Symbol):
        if isinstance(a, sp.Symbol) and any(a == i.base.label for i in expr.atoms(sp.Indexed)):
            continue
        k = key(a)
        if k and is_opaque(a) and k.startswith(OPAQUE + cost + "/"):
            out.add(a)
    return out


def homogeneous_in_gradient(lhs: sp.Expr, rhs: sp.Expr, cost: str) -> Optional[str]:
    """The quantity by which the step sees ``cost`` — only through first derivatives by it, on
    both sides, both linear and homogeneous in them (``Σ_k g_k A_k = g_n B``) — or None."""
    diff = lhs - rhs
    if any(getattr(s, "name", None) == cost for s in diff.free_symbols):
        return None
    grads = _gradients(diff, cost)
    if not grads or not (_gradients(lhs, cost) and _gradients(rhs, cost)):
        return None  # ∂E/∂w = 0 says what the gradient is (a minimum?), it does not rewrite it
    by = set()
    for g in grads:
        m = _GRADIENT.match(key(g))
        if not m:
            return None  # a second derivative, or by several quantities
        by.add(m["by"])
    if len(by) != 1:
        return None
    lam = sp.Dummy("lambda")
    bases = {g.base for g in grads if isinstance(g, sp.Indexed)}
    scaled = diff.replace(lambda e: isinstance(e, sp.Indexed) and e.base in bases, lambda e: lam * e)
    scaled = scaled.xreplace({g: lam * g for g in grads if isinstance(g, sp.Symbol)})
    try:
        at_zero = sp.simplify(scaled.subs(lam, 0).doit())
        curvature = sp.simplify(sp.diff(scaled, lam, 2).doit())
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return None
    return next(iter(by)) if at_zero == 0 and curvature == 0 else None


def generic_costs(doubts, lhs: sp.Expr, rhs: sp.Expr) -> None:
    """The undefined costs of ``doubts`` the step sees only through a free gradient (see the
    module docstring): their doubts are dropped, and what the verdict then rests on is said."""
    for text in doubts.undefined_names():
        by = homogeneous_in_gradient(lhs, rhs, text)
        if by:
            doubts.items.remove(("undefined", text, False))
            doubts.assumed.append(f"{text} taken as a generic cost (its gradient by {by} free)")


def _by(g: sp.Basic, cost: str) -> Optional[str]:
    m = _GRADIENT.match(key(g) or "")
    return m["by"] if m and m["cost"] == cost else None


def _width_of(exprs: Sequence[sp.Basic], base: sp.IndexedBase) -> Optional[sp.Basic]:
    """The range the step itself sums ``base`` over (``M_{i+1}`` in ``Σ_{k=1}^{M_{i+1}} ∂E/∂a^{i+1}_k …``),
    if it writes one and only one."""
    found = {hi for e in exprs for s in e.atoms(sp.Sum) for v, lo, hi in s.limits
             if lo == 1 and base[v] in s.function.atoms(sp.Indexed)}
    return found.pop() if len(found) == 1 else None


def _one_entry(d: sp.Basic, k: sp.Symbol, indices: tuple) -> Optional[tuple]:
    """``d = [k = m]·rest`` (a Kronecker delta of the summed ``k`` and one of ``indices``, also
    inside a sum over something else): ``(m, rest)``, else None."""
    body, limits = (d.function, d.limits) if isinstance(d, sp.Sum) else (d, ())
    if not isinstance(body, sp.Mul):
        return None
    for m in indices:
        kd = sp.KroneckerDelta(k, m)
        if kd in body.args and not any(m == v or k == v for v, *_r in limits):
            rest = body / kd
            return m, sp.Sum(rest, *limits) if limits else rest
    return None


def through_next_layer(table, exprs: list, cost: str) -> list:
    """``∂E/∂a^{l}_n`` of a cost defined nowhere, in a step that also holds ``∂E/∂a^{l+1}_k``
    (or ``∂E/∂u^{l}`` with ``∂E/∂y^{l}``): where everything computed from ``a^{l}`` passes
    through ``a^{l+1}`` (:func:`.order.only_through`, feed-forward), E depends on ``a^{l}``
    only through ``a^{l+1}``, so (chain rule) ``∂E/∂a^{l}_n = Σ_k ∂E/∂a^{l+1}_k ∂a^{l+1}_k/∂a^{l}_n``,
    the last factor from the document's definitions.  The sum runs over the range the step
    writes for ``a^{l+1}``; without one, or without a definition, the step is left as it is."""
    by_name: dict = {}
    for g in set().union(*(_gradients(e, cost) for e in exprs)):
        by_name.setdefault(_by(g, cost), set()).add(g)
    by_name.pop(None, None)
    if len(by_name) != 2:
        return exprs
    first, second = sorted(by_name)
    for lo_name, hi_name in ((first, second), (second, first)):
        if not only_through(table, lo_name, hi_name):
            continue
        highs = [h for h in by_name[hi_name] if isinstance(h, sp.Indexed) and len(h.indices) == 1]
        k = sp.Dummy("k", integer=True)
        x_hi = table.expanded_down_to(sp.IndexedBase(hi_name)[k], frozenset({lo_name}))
        if not highs or x_hi is None:
            return exprs
        grad = highs[0].base
        mapping = {}
        for g in by_name[lo_name]:
            if not isinstance(g, sp.Indexed):
                return exprs
            used = set().union(*(sp.sympify(i).free_symbols for i in g.indices))
            d = sp.diff(rename_bound(x_hi, bound_symbols(x_hi) & used), sp.IndexedBase(lo_name)[g.indices])
            entry = _one_entry(d, k, g.indices)
            if entry is not None:  # y_k = f(u_k), u_k = Σ_i w_{ki} y_i: only the entry k = m depends on it
                m, rest = entry
                mapping[g] = grad[m] * rest.xreplace({k: m})
                continue
            width = _width_of(exprs, grad)
            if width is None or len(g.indices) != 1:
                return exprs
            mapping[g] = sp.Sum(grad[k] * d, (k, 1, width))
        return [e.xreplace(mapping) for e in exprs]
    return exprs


def _top(labels: set) -> Optional[sp.Expr]:
    """The highest of layer labels that differ by whole numbers (``l`` of ``l``, ``l − 1``), else None."""
    labels = list(labels)
    if not labels or any(not sp.expand(x - labels[0]).is_Integer for x in labels):
        return None
    return max(labels, key=lambda x: sp.expand(x - labels[0]))


def at_argument_layer(expr: sp.Basic) -> tuple[sp.Basic, dict]:
    """Every activation of the general layer ``φ_i(z^{N}_n)`` (its label one lowercase letter) whose
    argument is a quantity of one other layer, read as that layer's activation ``φ_N(z^{N}_n)``, and
    an unlabelled ``f(u^{l}_j)`` as ``f_l`` (a document that writes ``y^{l} = f_l(u^{l})`` and later
    ``f(U^{l})``); and the renaming done (``{"phi_{i}": "phi_{N}"}``).  ``f_{L-1}(u^{L})`` names another layer
    outright and is left as written."""
    renamed: dict = {}

    def relabel(f: sp.Basic) -> sp.Basic:
        m = FUNCTION_LABELLED.match(f.func.__name__)
        labels = {split(key(a))[2] for a in f.atoms(sp.Indexed) if split(key(a) or "")}
        top = _top(labels)  # f(Σ_i w^{l}_{ij} y^{l-1}_i): the layer l the weights lead into
        if not m and re.fullmatch(r"[a-z]|\\?[a-z]+", f.func.__name__) and top is not None:  # f(u^{l}): f_l
            label = str(top).replace(" ", "")
            renamed[f.func.__name__] = f"{f.func.__name__}_{{{label}}}"
            return sp.Function(renamed[f.func.__name__])(*f.args)
        if not m or not re.fullmatch(r"[a-z]", m["label"]) or len(labels) != 1:  # φ_i: the general layer
            return f
        label = str(next(iter(labels))).replace(" ", "")
        if label == m["label"].replace(" ", ""):
            return f
        renamed[f.func.__name__] = f"{m['base']}_{{{label}}}"
        return sp.Function(renamed[f.func.__name__])(*f.args)

    return expr.replace(lambda e: isinstance(e, AppliedUndef), relabel), renamed
