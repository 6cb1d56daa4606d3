r"""A claim for a general layer, checked at each layer the document has.

Notes often fix a small network (layers ``(0)``, ``(1)``, ``(2)``: ``a^{(1)}_j = σ(z^{(1)}_j)``,
an identity output ``a^{(2)}_j = z^{(2)}_j``, ``E`` through ``a^{(2)}``) and then state the
gradients for a general layer: ``∂E/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k``.  For a general
``l`` the cost cannot be followed down to ``w^{(l)}`` (how E depends on it is not stated);
at each layer the document has it can.  The claim is put at ``l = 1, 2, …`` (``cases.in_case``:
every name labelled by ``l``, the widths and the activations of the layer, relabelled) wherever
every label it then writes is a layer of the document — ``l = 0`` would name ``a^{(-1)}`` and is
no instance, nor ``l = 2`` of a recursion through ``w^{(l+1)}`` in a two-layer network.

An instance is taken only where every labelled quantity it names is one the document has
there: written with that label in a definition, or in the body of a general definition at a
label the document has (``z^{(1)}`` from ``a^{(1)} = σ(z^{(1)})`` brings ``w^{(1)}``, ``b^{(1)}``,
``a^{(0)}``), or defined for every layer through such quantities (``δ^{(l)} = ∂E/∂z^{(l)}``).
``w^{(0)}`` of an input layer ``a^{(0)} = x`` is no quantity of the document.

The verdict never guesses which layers the author meant: *proved* when it holds at every
instance; *refuted* when it fails at one (the witness says where) and holds at none — a formula
that holds at the hidden layers and fails at the output layer was perhaps meant for the hidden
ones only, and stays as it was, as does everything else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Optional

import sympy as sp

from .cases import in_case
from .guards import Outcome
from .labels import general_variable, split
from .names import key, tex
from .order import defined_twice, memo
from .outcomes import timed_out

if TYPE_CHECKING:
    from .table import SymbolTable

#: At most this many instances are decided (each under the step's own time bound).
MAX_INSTANCES = 4


def document_quantities(table: "SymbolTable") -> frozenset:
    """See :func:`_document_quantities` (remembered per state of the definitions)."""
    return memo(table, ("document_quantities",), lambda: _document_quantities(table))


def _document_quantities(table: "SymbolTable", rounds: int = 4) -> frozenset:
    """The labelled quantities the document has at a layer number (``a^{(1)}``, ``z^{(1)}``,
    ``w^{(1)}``, …): named with that label in a definition, or in the body of a general
    definition at such a quantity (``z^{(1)} = Σ_k w^{(1)}_{jk} a^{(0)}_k + b^{(1)}_j``)."""
    found: dict = {}
    for d in table.history():
        for a in (d.lhs, *sp.sympify(d.rhs).atoms(sp.Indexed)):
            if isinstance(a, sp.Indexed) and _numbered(a):
                found.setdefault(key(a), a)
    for _ in range(rounds):
        new = {}
        for a in found.values():
            g = table._at_label(a) if table.general(a) or table.lookup(a) is None else None
            for b in (sp.sympify(g.rhs).atoms(sp.Indexed) if g is not None else ()):
                if _numbered(b) and key(b) not in found:
                    new[key(b)] = b
        if not new:
            break
        found.update(new)
    return frozenset(found)


def _numbered(a: sp.Basic) -> bool:
    label = _label(a)
    return label is not None and label.is_Integer


def _has(table: "SymbolTable", a: sp.Indexed, known: frozenset) -> bool:
    """Is ``a`` (at a layer number) a quantity of the document: known, or defined for every
    layer through known quantities there (``δ^{(1)} = ∂E/∂z^{(1)}``)?"""
    if key(a) in known:
        return True
    g = table._at_label(a)
    inner = [b for b in sp.sympify(g.rhs).atoms(sp.Indexed) if _label(b) is not None] if g is not None else []
    return bool(inner) and all(key(b) in known for b in inner)


def _label(a: sp.Basic) -> Optional[sp.Expr]:
    parts = split(key(a) or "") if isinstance(a, (sp.Indexed, sp.Symbol)) else None
    return parts[2] if parts else None


def layer_variable(exprs: tuple, label_letters: frozenset) -> Optional[sp.Symbol]:
    """The one layer variable the claim's labels are written in (``l`` of ``w^{(l)}``,
    ``a^{(l-1)}``), or None (no label, a number, or two variables)."""
    found = set()
    for e in exprs:
        for a in e.atoms(sp.Indexed) | e.atoms(sp.Symbol):
            label = _label(a)
            if label is not None:
                found |= {s for s in label.free_symbols if s.name in label_letters and s.name.islower()}
    return next(iter(found)) if len(found) == 1 else None


def instances(a: sp.Expr, b: sp.Expr, var: sp.Symbol, table: "SymbolTable") -> list[tuple[int, sp.Expr, sp.Expr]]:
    """``(n, a, b)`` at ``var = n`` for every layer number n of the document where every
    labelled quantity the claim then names is one the document has there."""
    known = document_quantities(table)
    out = []
    for n in sorted({int(split(k)[2]) for k in known}):
        at = (in_case(a, (var, sp.Integer(n))), in_case(b, (var, sp.Integer(n))))
        named = [x for e in at for x in e.atoms(sp.Indexed) if _label(x) is not None]
        if named and all(_numbered(x) and _has(table, x, known) for x in named):
            out.append((n, *at))
    return out[:MAX_INSTANCES]


def at_each_layer(a: sp.Expr, b: sp.Expr, table: "SymbolTable", label_letters: frozenset,
                  decide: Callable[[sp.Expr, sp.Expr, float], Outcome], seconds: float,
                  sized: Callable[[sp.Basic], sp.Basic] = lambda e: e) -> Optional[Outcome]:
    """The claim ``a = b`` for a general layer decided at each layer the document has, all in
    ``seconds`` (``decide(a, b, seconds)`` for one instance): proved at every one, or refuted at
    one and proved at none (its witness), else None."""
    var = layer_variable((a, b), label_letters)
    if var is None:
        return None
    cases = instances(a, b, var, table)
    if not cases:
        return _at_the_top(a, b, var, table, decide, seconds, sized)
    values = ", ".join(str(n) for n, _a, _b in cases)
    outs = [(n, _without_side_effects(table, decide, x, y, seconds / len(cases))) for n, x, y in cases]
    if all(o.status == "proved" for _n, o in outs):
        first = outs[0][1]
        return Outcome("proved", "", first.reason,
                       f"{first.method}; at every layer the document has: {var} = {values}")
    wrong = [(n, o) for n, o in outs if o.status == "refuted"]
    if wrong and not any(o.status == "proved" for _n, o in outs):
        n, first = wrong[0]
        return Outcome("refuted", "", first.reason, f"{first.method}; at {var} = {n}, a layer the document "
                       f"has ({var} = {values})", first.witness, first.expected)
    late = [(n, o) for n, o in outs if _ran_out_of_time(o)]
    if late and not wrong:
        n, first = late[0]
        return _late(first, f"at {var} = {n}, a layer the document has ({var} = {values})")
    return None


def _ran_out_of_time(out: Outcome) -> bool:
    """Open because time ran out, whatever doubt came first (``may hold if f is tanh; timed out
    while preparing``): given more time the instance may be decided."""
    return out.status == "inconclusive" and (out.category == "timed out" or timed_out(out))


def _late(out: Outcome, where: str) -> Outcome:
    """An instance that ran out of time is the true reason the step is open (not the general
    layer's missing dependence, which the instance was there to get round)."""
    return Outcome("inconclusive", "timed out", "; ".join(r for r in (out.reason, where) if r), out.method)


def own_layer(a: sp.Basic) -> bool:
    """Is ``a`` at a layer the document names with a letter of its own (``y^{(L)}_k`` beside the
    general ``y^{(l)}_j = f(u^{(l)}_j)``)?  A forward definition written there (a softmax output)
    is the document's own for that layer — the general one was for the layers it does not single
    out — so it is read as a new definition, not refuted (the walk's rule); ``z^{l+1}_k``, in the
    general letter, is, and so is a backward quantity (``ξ^{N}``, ``δ^{L}``: defined through
    derivatives, which hold at every layer)."""
    label = _label(a)
    return label is not None and label.is_Symbol and label.name.isupper()


def output_label(table: "SymbolTable") -> Optional[sp.Symbol]:
    """The document's one symbolic label of a layer that is no general one (``L`` of
    ``E = ½ Σ_k (y^{(L)}_k − t_k)²``): its output layer, or None."""
    found = {lab for d in table.history() for x in (d.lhs, *sp.sympify(d.rhs).atoms(sp.Indexed))
             for lab in [_label(x)] if lab is not None and lab.is_Symbol and lab.name.isupper()}
    return next(iter(found)) if len(found) == 1 else None


def _at_the_top(a: sp.Expr, b: sp.Expr, var: sp.Symbol, table: "SymbolTable",
                decide: Callable[[sp.Expr, sp.Expr, float], Outcome], seconds: float,
                sized: Callable[[sp.Basic], sp.Basic]) -> Optional[Outcome]:
    """The claim for a general layer ``l`` put where its highest label is the output layer ``L``
    (``δ^{(l)}_j = f'(u^{(l)}_j) Σ_k δ^{(l+1)}_k w^{(l+1)}_{jk}`` at ``l = L − 1``): every layer it
    names exists there, so a formula stated for every layer must hold.  Refuted if it fails there;
    one instance proves nothing about the others, so a proof there is no verdict."""
    top = output_label(table)
    offsets = {sp.expand(lab - var) for e in (a, b) for x in e.atoms(sp.Indexed) | e.atoms(sp.Symbol)
               for lab in [_label(x)] if lab is not None and var in lab.free_symbols}
    if top is None or not offsets or not all(o.is_Integer for o in offsets):
        return None
    at = top - max(offsets)
    put = (in_case(a, (var, at)), in_case(b, (var, at)))
    own = {key(d.lhs) for d in table.history()}  # names defined at a label of their own
    if any(key(x) in own for e in put for x in e.atoms(sp.Indexed) if _label(x) is not None):
        return None  # the document writes that layer its own way (y^{(L)} = softmax): the claim may be a hidden layer's
    if not _layer_sized(put, table, sized) or _redefined(put, table):
        return None
    out = _without_side_effects(table, decide, *put, seconds)
    where = f"at {var} = {tex(at)}, where the highest layer the step names is the output layer {top}"
    if _ran_out_of_time(out):
        return _late(out, where)
    if out.status != "refuted":
        return None
    return Outcome("refuted", "", out.reason, f"{out.method}; {where}", out.witness, out.expected)


def _redefined(sides, table: "SymbolTable") -> bool:
    """Does the instance rest on a quantity the document defines twice at one label (``E``, or
    ``y^{l}`` for two kinds of layer)?  Which definition the top layer takes is then not known."""
    twice = defined_twice(table)
    names = {str(key(x)) for e in sides for x in table.apply(e)[0].atoms(sp.Indexed, sp.Symbol) if key(x)}
    general = {str(key(d.lhs)) for d in table.history() if general_variable(str(key(d.lhs) or "")) is not None}
    return bool(set(twice) & (names | general))


def _layer_sized(sides, table: "SymbolTable", sized: Callable[[sp.Basic], sp.Basic]) -> bool:
    """Does every sum of the instance, with the definitions put in, run over a layer's width
    (``n^{(L)}``)?  A bound the document wrote for a letter elsewhere (``Σ_{k=1}^{Q}`` of a matrix
    section) or the reader's ``n_i`` could give one layer two widths, and a witness that takes
    them apart refutes nothing."""
    from .scan import _layer_widths

    for e in sides:
        applied = _layer_widths(sized(table.apply(sized(e))[0]))
        for s in applied.atoms(sp.Sum):
            if any(not re.fullmatch(r"n\^\{\(.+\)\}", str(lim[2])) for lim in s.limits):
                return False
    return True


def _without_side_effects(table: "SymbolTable", decide: Callable, a: sp.Expr, b: sp.Expr, seconds: float) -> Outcome:
    """One instance decided; a relation it would take as a stated assumption (``∂a^{(1)}/∂z^{(1)}
    = 2`` reads like one) is no assumption of the document, so nothing of it is kept."""
    saved = list(table.constraints)
    try:
        return decide(a, b, seconds)
    finally:
        table.constraints[:] = saved
