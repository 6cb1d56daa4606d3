"""The symbol table: definitions in force, in document order, and the stated assumptions.

``apply`` substitutes every definition in force into an expression, capture-free, and
reports the doubts a substitution raises (a definition used for another index letter;
a definition whose right side has a free index its left side lacks).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.claim import UnsupportedClaim, bound_symbols, rename_bound
from .labels import at_label, general_variable, shift, split
from .order import memo, upstream
from .scopes import in_force
from .names import definable, is_opaque, is_quantity, key, keys, letters_of, tex
from .vector_definitions import own_vector


@dataclass(frozen=True)
class Definition:
    """``lhs := rhs`` stated at ``line``: a symbol, an indexed pattern, one entry, or a function."""

    lhs: sp.Basic
    rhs: sp.Basic
    line: int
    shape: str
    loose: tuple = ()  # free indices of the right side that the left side lacks (a slip)
    section: tuple = ()  # the heading path of the section it was stated in


def is_schema(d: Definition) -> bool:
    """``δ_k = ∂E/∂u_k``: a quantity named as the derivative of a plain symbol by an indexed
    quantity with the same indices.  It says what the name means for every index letter (the
    error signal of every layer: δ_j = ∂E/∂u_j), not only for k."""
    r, lhs = d.rhs, d.lhs
    if not (d.shape == "indexed" and isinstance(r, sp.Derivative) and isinstance(r.expr, sp.Symbol)):
        return False
    (v, n), = r.variable_count if len(r.variable_count) == 1 else ((None, 0),)
    return n == 1 and isinstance(v, sp.Indexed) and tuple(v.indices) == tuple(lhs.indices)


def instantiate(d: Definition, e: sp.Indexed) -> Definition:
    """The schema ``d`` for the occurrence ``e`` (δ_j from δ_k = ∂E/∂u_k)."""
    mapping = dict(zip(d.lhs.indices, e.indices))
    return Definition(e, d.rhs.xreplace(mapping), d.line, d.shape, d.loose, d.section)


def kept_in(e: sp.Basic, frozen: frozenset) -> bool:
    """Is ``e`` one of the ``frozen`` quantities: by name, or — where index letters name layers —
    by name and letters (``("u", ("j",))``: the hidden ``u_j``, not the output ``u_k``)?"""
    k = key(e)
    return k is not None and (k in frozen or (isinstance(e, sp.Indexed) and (k, letters_of(e)) in frozen))


def _table_key(e: sp.Basic, shape: str) -> tuple:
    if shape == "symbol":
        return ("symbol", e.name)
    if shape == "indexed":
        return ("indexed", key(e), letters_of(e))
    if shape == "atom":
        return ("atom", e)
    return ("function", key(e), len(e.args))


class SymbolTable:
    """Definitions in force, in document order, and the assumptions the document states.

    An indexed definition belongs to its index letters: ``u_j := Σ_i x_i w_{ij} + b_j`` and
    ``u_k := Σ_j y_j w_{jk} + b_k`` are two layers, as in textbooks that name a layer by its
    index letter.  ``u_{k'}`` and a sum over ``k'`` use the definition of ``u_k``.  When the
    letter matches no definition and the name has exactly one, that one is used (and the
    claim is not refuted, since the letter may mean another layer).
    """

    def __init__(self, layered: bool = False, linked: Optional[frozenset] = None) -> None:
        self._defs: dict[tuple, Definition] = {}
        self._history: list[tuple[tuple, Definition]] = []
        self.section: tuple = ()
        self.constraints: list[tuple[sp.Expr, sp.Expr, int]] = []
        self.layered = layered  # index letters name layers: no definition for another letter
        # pairs of letters some two-index quantity joins (w_{jk}): where two letters are never
        # joined, they index one layer (y_j and y_k of one softmax); None: any two may be layers
        self.linked = linked
        self.version = 0  # bumped whenever the definitions in force change
        self.memo: dict = {}  # (question, version, …) → answer, for what depends on the definitions only

    def lookup(self, e: sp.Basic) -> Optional[Definition]:
        """The definition of exactly this quantity (same name, same index letters), if any."""
        shape = definable(e)
        if shape is None:
            return None
        if shape in ("indexed", "atom") and ("atom", e) in self._defs:
            return self._defs[("atom", e)]
        if shape == "atom":
            return None
        found = self._defs.get(_table_key(e, shape))
        if found is None and shape == "indexed":
            found = self._at_label(e)
        if found is None and shape == "indexed":
            schema = self._schema(e)
            return instantiate(schema, e) if schema is not None else None
        return found

    def general(self, e: sp.Basic) -> bool:
        """Is ``e`` known only through a definition for every layer (z^{l+1}_k from z^l_j, δ_j
        from δ_k = ∂E/∂u_k), not through one written for it?"""
        if definable(e) != "indexed" or self._defs.get(_table_key(e, "indexed")) is not None:
            return False
        return self._at_label(e) is not None or self._schema(e) is not None

    def _labelled(self, expr: sp.Basic, frozen: frozenset, notes: list, kept: frozenset = frozenset(),
                  upstream_only: bool = False) -> sp.Basic:
        """The quantities the claim itself writes at another layer's label (z^{l+1}_k) replaced by
        the general definition there — once, at the top: inside a layer's definition the other
        layers' quantities are its inputs (a^{l-1} is not expanded to a^{l-2}, …); inside ∂/∂z^{l+1}
        the quantity z^{l+1} itself stays.  ``upstream_only``: only inside ∂/∂v, and only the
        quantities computed from v (what a substituted definition brought in: E through
        a^{(2)} := z^{(2)} to the general z^{(l)}, inside ∂/∂z^{(1)}) — a bounded expansion, since
        what is computed from v never leads back to it in a feed-forward network."""
        if isinstance(expr, sp.Derivative):
            inner = kept | {key(v) for v in expr.variables}
            body = self._labelled(expr.expr, frozen, notes, frozenset(inner), upstream_only)
            return sp.Derivative(body, *expr.variable_count)
        if isinstance(expr, sp.Indexed):
            if key(expr) in frozen or key(expr) in self.names() or key(expr) in kept:
                return expr
            d = self._at_label(expr)
            if d is None or (upstream_only and not kept & upstream(self, expr)):
                return expr
            self._loose(d, notes)  # a general definition with a slip decides nothing here either
            body = _body_at(d, expr)
            if kept & upstream(self, expr):  # inside ∂/∂a^{l}: z^{l+1} down to a^{l}, where it depends on it
                return self._labelled(body, frozen, notes, kept, upstream_only)
            return body
        if not expr.args or isinstance(expr, (sp.IndexedBase, sp.MatrixSymbol)):
            return expr
        args = tuple(self._labelled(a, frozen, notes, kept, upstream_only) for a in expr.args)
        return expr.func(*args) if args != expr.args else expr

    def expanded_down_to(self, e: sp.Indexed, kept: frozenset) -> Optional[sp.Basic]:
        """``e`` (``a^{l+1}_k``) through the definitions at its label, down to the ``kept``
        quantities it is computed from (``φ_{l+1}(Σ_j w^{l+1}_{kj} a^{l}_j)``), or None."""
        d = self._choose(e)[0] if key(e) in self.names() else self._at_label(e)
        if d is None or d.loose:
            return None
        notes: list = []
        out = self._labelled(_body_at(d, e), frozenset(), notes, kept)
        for _ in range(4):  # through the quantities defined directly too (y^{l} = f_l(u^{l}))
            new, more = self.apply(out, kept, labelled=False)
            new = self._labelled(new, frozenset(), notes, kept)
            notes += more
            if new == out:
                break
            out = new
        return None if notes or not (keys(out) & kept) else out

    def deepen(self, exprs: list, frozen: frozenset = frozenset(), rounds: int = 6) -> list:
        """Labelled quantities put in alike on every side: ``a^{l-1}_k`` left by a derivative on
        one side and ``σ(z^{l-1}_k)`` written on the other are one value, so where the definition
        of a quantity at its label (:meth:`_at_label`) names what the step holds already, the
        quantity is replaced by it — until the sides speak of the same layers' quantities."""
        replaced: set = set()  # put in by an earlier round: still what the step speaks of
        for _ in range(rounds):
            present = set().union(*(keys(e) for e in exprs)) | replaced
            mapping = {}
            for a in set().union(*(e.atoms(sp.Indexed) for e in exprs)):
                if kept_in(a, frozen) or is_opaque(a):
                    continue
                d = self._choose(a)[0] if key(a) in self.names() else self._at_label(a)
                if d is not None and (keys(d.rhs) - {key(a)}) & present:
                    mapping[a] = _body_at(d, a)
            if not mapping:
                break
            replaced |= {key(a) for a in mapping}
            exprs = [_replace_atoms(_at_values(e, mapping), mapping, frozenset()) for e in exprs]
        return [self._functions(e) for e in exprs]  # f(x) = tanh(x) in the bodies put in too: one network

    def _at_label(self, e: sp.Indexed) -> Optional[Definition]:
        """z^{l+1}_k from the general z^l_j = … (labels.py): the body shifted to the label wanted
        (remembered per state of the definitions: a pure function of them and of ``e``)."""
        return memo(self, ("at label", e), lambda: self._shifted(e))

    def _shifted(self, e: sp.Indexed) -> Optional[Definition]:
        if own_vector(self._defs.values(), e):  # \mathbf{y}^{L} = normalize(\mathbf{u}^{L}): not the general y^{l}
            return None
        for d in reversed(list(self._defs.values())):
            if d.shape != "indexed" or len(d.lhs.indices) != len(e.indices):
                continue
            hit = _instance(key(e), key(d.lhs))
            if hit is not None:
                var, target, style = hit
                return Definition(shift(d.lhs, var, target, style), shift(d.rhs, var, target, style),
                                  d.line, d.shape, d.loose, d.section)
        return None

    def _schema(self, e: sp.Indexed) -> Optional[Definition]:
        return next((d for d in reversed(list(self._defs.values())) if d.shape == "indexed"
                     and key(d.lhs) == key(e) and len(d.lhs.indices) == len(e.indices) and is_schema(d)), None)

    def define(self, lhs: sp.Basic, rhs: sp.Basic, line: int, loose: tuple = ()) -> None:
        shape = definable(lhs)
        tk = _table_key(lhs, shape)
        d = Definition(lhs, rhs, line, shape, tuple(loose), self.section)
        self._history.append((tk, d))
        self._defs.pop(tk, None)
        self._defs[tk] = d
        self.version += 1

    def enter(self, section: tuple) -> None:
        """Move to ``section`` (a heading path): the definitions in force there are those of
        :func:`.scopes.in_force` (a definition holds in later sections; a redefinition made in a
        deeper section than the one it replaces, an aside, holds in that section only)."""
        section = tuple(section)
        if section == self.section:
            return
        self.section = section
        self._replay()

    def withdraw(self, line: int) -> None:
        """The definitions and assumptions stated at ``line`` end here (a spec's, line 0: the
        lines of its network are over); what they replaced is in force again."""
        self._history = [(tk, d) for tk, d in self._history if d.line != line]
        self.constraints = [c for c in self.constraints if c[2] != line]
        self._replay()

    def _replay(self) -> None:
        """The definitions in force in the current section, from the history."""
        self.version += 1
        self._defs = in_force(self._history, self.section)

    def defined_at_label(self, name: str) -> bool:
        """Is ``name`` (``z^{l+1}``) defined through a general definition at another label?"""
        return any(d.shape == "indexed" and _instance(name, key(d.lhs)) is not None for d in self._defs.values())

    def history(self) -> tuple:
        """Every definition the document made, in document order (not a spec's: line 0)."""
        return tuple(d for _k, d in self._history if d.line != 0)

    def definitions(self, expr: Optional[sp.Basic] = None) -> list[Definition]:
        """The definitions in force, in document order, and those for every layer instantiated at
        the labelled quantities of ``expr`` (``y^{l-1}_i`` from ``y^{l}_j = f_l(u^{l}_j)``)."""
        out = list(self._defs.values())
        labels = {parts[1:4:2] + (parts[2],) for a in (expr.atoms(sp.Indexed) if expr is not None else ())
                  for parts in [split(key(a) or "")] if parts}
        for d in list(out):
            var = general_variable(key(d.lhs)) if d.shape == "indexed" else None
            for o, c, label in sorted(labels, key=str) if var is not None else ():
                lhs = shift(d.lhs, var, label, (o, c))
                if key(lhs) != key(d.lhs) and all(key(x.lhs) != key(lhs) for x in out):
                    out.append(Definition(lhs, shift(d.rhs, var, label, (o, c)), d.line, d.shape, d.loose, d.section))
        return out

    def body(self, e: sp.Basic) -> Optional[sp.Basic]:
        """What ``e`` is defined as, at its own indices (one level: what it is computed from stays)."""
        d = self.lookup(e)
        if d is None:
            return None
        if isinstance(e, sp.Indexed) and isinstance(d.lhs, sp.Indexed):
            return _body_at(d, e)
        return d.rhs if d.lhs == e else None

    def names(self) -> set[str]:
        return {key(d.lhs) for d in self._defs.values()}

    def loose_names(self) -> frozenset:
        """The quantities whose definition in force has a stray free index (an erratum itself)."""
        return frozenset(key(d.lhs) for d in self._defs.values() if d.loose)

    def _choose(self, e: sp.Indexed) -> tuple[Optional[Definition], Optional[str]]:
        """The indexed definition for the occurrence ``e``, and a doubt when the choice is a guess."""
        letters = letters_of(e)
        same = [d for d in self._defs.values() if d.shape == "indexed" and key(d.lhs) == key(e)
                and len(d.lhs.indices) == len(letters)]
        if not same:
            schema = self._schema(e)
            return (instantiate(schema, e), None) if schema is not None else (None, None)
        exact = [d for d in same if letters_of(d.lhs) == letters]
        if exact:
            return exact[-1], None
        schema = self._schema(e)
        if schema is not None:  # δ_j from δ_k = ∂E/∂u_k: what δ means, for every layer
            return instantiate(schema, e), None
        if len(same) == 1 and key(same[0].lhs) not in keys(same[0].rhs) \
                and not (self.layered and "^" not in key(e)):
            d = same[0]
            if "^" in key(e):  # a^{l}_{k'} by a^{l}_j: the label names the layer, the letter is free
                return d, None
            if self.linked is not None and not any(frozenset(p) in self.linked for p in zip(letters, letters_of(d.lhs))
                                                   if len(set(p)) == 2):
                return d, None  # no weight joins the two letters: one layer, two names for its index
            return d, f"the definition of {tex(d.lhs)} (line {d.line}) is used for {tex(e)}"
        if self.layered and "^" not in key(e) and self.linked and all(
                any(frozenset(p) in self.linked for p in zip(letters, letters_of(d.lhs))) for d in same):
            return None, None  # letters name layers, a weight joins them: y_j is the layer below y_k
        return None, (f"{tex(e)} is not defined (only " + ", ".join(tex(d.lhs) for d in same)
                      + " is; another index letter may be another layer)")

    def apply(self, expr: sp.Basic, frozen: frozenset = frozenset(),
              labelled: bool = True) -> tuple[sp.Basic, list[tuple[str, str, bool]]]:
        """``expr`` with every definition in force substituted (not inside ∂/∂ of the defined
        quantity itself, nor anywhere for the ``frozen`` names), and doubts ``(category, text,
        blocks proof)`` about the definitions used: one applied to another index letter, or
        one whose right side has a stray free index."""
        notes: list[tuple[str, str, bool]] = []
        expr = self._labelled(expr, frozen, notes) if labelled else expr
        names = self.names() - set(frozen)
        atoms = {d.lhs: d.rhs for d in self._defs.values() if d.shape == "atom"}
        for _ in range(12):
            if not (keys(expr) & names):
                break
            new = self._functions(expr)
            new = _replace_atoms(new, atoms)
            new = self._substitute(new, frozenset(frozen), notes)
            if labelled:
                new = self._labelled(new, frozen, notes, upstream_only=True)
            if new == expr:
                break
            expr = new
        else:
            raise UnsupportedClaim("the definitions keep expanding (circular?)")
        return expr, list(dict.fromkeys(notes))

    def _substitute(self, e: sp.Basic, skip: frozenset, notes: list) -> sp.Basic:
        """One round: every defined symbol and indexed symbol replaced, capture-free (bound
        indices of the definition renamed away from the occurrence's indices)."""
        if isinstance(e, sp.Derivative):
            names = skip | {self._kept(v) for v in e.variables}
            return sp.Derivative(self._substitute(e.expr, frozenset(names), notes), *e.variable_count)
        if isinstance(e, sp.Indexed):
            if key(e) in skip or (key(e), letters_of(e)) in skip or ("atom", e) in self._defs:
                return e
            d, doubt = self._choose(e)
            if doubt:
                notes.append(("letters", doubt, False))
            if d is None:
                return e
            self._loose(d, notes)
            used = set().union(*(sp.sympify(i).free_symbols for i in e.indices))
            body = rename_bound(d.rhs, bound_symbols(d.rhs) & used)
            return body.xreplace(dict(zip(d.lhs.indices, e.indices)))
        if isinstance(e, sp.Symbol):
            d = self._defs.get(("symbol", e.name))
            if d is None or e.name in skip or not is_quantity(e):
                return e
            self._loose(d, notes)
            return d.rhs
        if not e.args or isinstance(e, (sp.IndexedBase, sp.MatrixSymbol)):
            return e
        args = tuple(self._substitute(a, skip, notes) for a in e.args)
        return e.func(*args) if args != e.args else e

    def _kept(self, v: sp.Basic):
        """What stays unexpanded inside ∂/∂v: the quantity v — all of its name, or, where index
        letters name layers, only its own layer (∂E/∂u_j expands u_k down to u_j)."""
        if self.layered and isinstance(v, sp.Indexed):
            return (key(v), letters_of(v))
        return key(v)

    @staticmethod
    def _loose(d: Definition, notes: list) -> None:
        if d.loose:
            notes.append(("loose", f"it uses the definition of {tex(d.lhs)} (line {d.line}), whose right "
                                   f"side has the free index {', '.join(d.loose)} that its left side lacks", True))

    def _functions(self, expr: sp.Basic) -> sp.Basic:
        for d in self._defs.values():
            if d.shape != "function" or not isinstance(d.lhs, AppliedUndef):
                continue
            lam = sp.Lambda(d.lhs.args, d.rhs)
            f, n = d.lhs.func, len(d.lhs.args)
            expr = expr.replace(lambda e, f=f, n=n: isinstance(e, AppliedUndef) and e.func == f
                                and len(e.args) == n, lambda e, lam=lam: lam(*e.args))
        return expr


@lru_cache(maxsize=None)
def _instance(name: str, general: str):
    """:func:`.labels.at_label`, remembered: a pure function of two names (it parses their labels)."""
    return at_label(name, general)


def _at_values(expr: sp.Basic, mapping: dict) -> sp.Basic:
    """``φ′(z)`` (∂φ(z)/∂z of an unspecified φ) with ``z`` in ``mapping``: the derivative of φ at
    the value of z, ``φ′(ξ)|_{ξ = Σ_j w_j a_j}`` — z is a value here, not a variable."""
    def at_value(d: sp.Derivative) -> sp.Basic:
        xi = sp.Dummy("xi")
        return sp.Subs(sp.Derivative(d.expr.func(xi), xi), xi, mapping[d.variables[0]])

    return expr.replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef)
                        and len(e.expr.args) == 1 and e.variables == e.expr.args and e.variables[0] in mapping,
                        at_value)


def _body_at(d: Definition, e: sp.Indexed) -> sp.Basic:
    """The right side of ``d`` for the occurrence ``e``: its indices put in, capture-free."""
    used = set().union(*(sp.sympify(i).free_symbols for i in e.indices))
    return rename_bound(d.rhs, bound_symbols(d.rhs) & used).xreplace(dict(zip(d.lhs.indices, e.indices)))


def _replace_atoms(expr: sp.Basic, mapping: dict, kept: Optional[frozenset] = None) -> sp.Basic:
    """Replace whole atoms (``y_2``), never the variables of derivatives; with ``kept`` given,
    not the quantities a derivative around them is taken by either (``z^{l+1}_k`` in ∂/∂z^{l+1}_n)."""
    if not mapping:
        return expr
    if isinstance(expr, sp.Derivative):
        inner = None if kept is None else kept | {key(v) for v in expr.variables}
        return sp.Derivative(_replace_atoms(expr.expr, mapping, inner), *expr.variable_count)
    if expr in mapping:
        return mapping[expr] if kept is None or key(expr) not in kept else expr
    if not expr.args or isinstance(expr, (sp.IndexedBase, sp.Indexed)):
        return expr
    args = tuple(_replace_atoms(a, mapping, kept) for a in expr.args)
    return expr.func(*args) if args != expr.args else expr
