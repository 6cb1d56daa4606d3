"""The document scan: what the whole document says about its names, read before any claim.

Which names are differentiated or defined somewhere (and where), which are written as
vectors, which symbols bound sums (sizes), whether index letters name layers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Any, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..latex.extract import Fragment
from ..latex.parse import Parsed
from ..prover.claim import bound_symbols
from .generic import layer_letters
from . import implied
from .labels import split
from .names import definable, key, keys, letter, letters_of, plain_symbols, shorthand

DEFINING_OPS = frozenset({"=", ":=", r"\equiv"})
_IMPLICIT = re.compile(r"n_\{([A-Za-z])'*\}")
#: ``\delta_{kj}`` written (not ``[k = j]`` nor ``\mathbb{1}_{k=j}``): the letter δ with two indices.
_TWO_INDEX_DELTA = re.compile(r"\\delta\s*_\s*\{\s*[A-Za-z]'*\s*,?\s*[A-Za-z]'*\s*\}")
BOLD = re.compile(r"\\(mathbf|bm|boldsymbol|vec|mathsf)\b")
#: ``a^{1}_j`` or ``a_j^{0}``: an exponent 0 or 1 on an indexed quantity means nothing, a layer does.
#: ``\\mathbb{R}`` as the reader names it: the set of a declared real number.
REALS = "\\mathbb{R}"
NUMERIC_LABEL = re.compile(r"[A-Za-z}]\s*\^\s*\{?\s*[01]\s*\}?\s*_|(?<!\\sum)(?<!\\prod)(?<!\\int)(?<!\\lim)_\s*(\{[^{}]*\}|\w)\s*\^\s*\{?\s*[01]\s*\}?(?![\d.])")


def declares_real(chain) -> bool:
    """``u \\in \\mathbb{R}``: a chain declaring a real number."""
    return tuple(chain.ops) == ("\\in",) and getattr(chain.exprs[1], "name", None) == REALS


@dataclass
class DocumentScan:
    """What the whole document says about its names (read before any claim is checked)."""

    dependent: set = field(default_factory=set)      # names differentiated or defined somewhere
    defined_at: dict = field(default_factory=dict)   # name → [(position, line)] of defining chains
    vectors: set = field(default_factory=set)        # names written as vectors or matrices
    sizes: set = field(default_factory=set)          # symbols used as sum bounds
    kronecker_ambiguous: bool = False                # δ with one index and δ with two
    layered: bool = False                            # index letters name layers (u_j and u_k both defined)
    layer_letters: set = field(default_factory=set)  # letters of definitions (left indices, sums on the right)
    free_letters: dict = field(default_factory=dict)  # name → letters it is used with as a free index
    first_seen: dict = field(default_factory=dict)   # name → position (fragment, chain) of its first use
    letter_bounds: dict = field(default_factory=dict)  # summation letter → upper bounds written for it
    label_letters: frozenset = frozenset()           # letters of layer labels (z^{l+1}, a^{L}: l, L)
    numeric_labels: bool = False                     # a^{1}_j written: numbers above indexed names are layers
    linked_letters: frozenset = frozenset()          # {j, k} of a two-index quantity (w_{jk}): maybe two layers
    labelled: frozenset = frozenset()                # names written with a layer label (z^{(l)}, W^{(2)})
    ranks: dict = field(default_factory=dict)        # name → numbers of indices it is written with (0: plain)
    scalars: dict = field(default_factory=dict)      # name → sections that declare it a real number (u ∈ ℝ)
    paired: dict = field(default_factory=dict)       # unlabelled name → layer labels it is summed beside (t: {L})

    def scalar_in(self, name: str, section: tuple) -> bool:
        """The document declares ``name`` a real number (``u \\in \\mathbb{R}``) in ``section`` or a
        section holding it: there it is a scalar, though elsewhere it is written with indices
        too (``u_k``), which would make it a vector.  The author's words win over the inference."""
        return any(tuple(section[:len(s)]) == s for s in self.scalars.get(name, ()))

    def sized(self, expr: sp.Basic) -> sp.Basic:
        """``Σ_k`` written without bounds runs over ``n_{k}``; where the document writes the range
        of that letter (``Σ_{k=1}^{n}``, one upper bound only), it runs over that range; and where
        the summand holds a vector of a labelled layer indexed by the summation letter
        (``Σ_j w^{l+1}_{kj} a^{l}_j``), over the width of that layer, ``n^{(l)}`` — whatever letter
        the sum uses, so ``Σ_j a^l_j`` and ``Σ_k a^l_k`` run alike."""
        mapping = {}
        for s in expr.free_symbols:
            m = _IMPLICIT.fullmatch(getattr(s, "name", ""))
            bounds = self.letter_bounds.get(m.group(1), set()) if m else set()
            if len(bounds) == 1:
                mapping[s] = next(iter(bounds))
        expr = expr.xreplace(mapping) if mapping else expr
        return _layer_widths(expr, {k: next(iter(v)) for k, v in self.paired.items() if len(v) == 1})

    def written_widths(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with each layer width the walk names ``n^{(l)}`` written as the document
        writes it (``M_{i+1}`` for ``n^{(i + 1)}``), where the document bounds its sums with one
        name for that layer's width: the expected formula in the document's own notation."""
        named: dict = {}
        for hi in set().union(*self.letter_bounds.values()) if self.letter_bounds else ():
            if isinstance(hi, sp.Indexed) and len(hi.indices) == 1 and len(str(hi.base.label)) == 1:
                named.setdefault(f"n^{{({hi.indices[0]})}}", set()).add(hi)
        mapping = {x: next(iter(named[x.name])) for x in expr.free_symbols
                   if isinstance(x, sp.Symbol) and len(named.get(x.name, ())) == 1}
        return expr.xreplace(mapping) if mapping else expr


def _layer_widths(expr: sp.Basic, paired: Optional[dict] = None) -> sp.Basic:
    """Every bound-free sum ``Σ_{k=1}^{n_k}`` whose summand has a one-index quantity of one
    labelled layer indexed by ``k`` (``a^{l}_k``, ``δ^{l+1}_k``) runs to that layer's width; so
    does one of unlabelled quantities that the document sums beside one layer's only (``paired``:
    ``t`` of ``E = −Σ_k t_k log y^{L}_k``, so ``Σ_k t_k = 1`` runs over layer ``L`` too)."""
    paired = paired or {}

    def width(s: sp.Sum) -> sp.Basic:
        if len(s.limits) != 1:
            return s
        var, lo, hi = s.limits[0]
        if not (lo == 1 and isinstance(hi, (sp.Symbol, sp.Indexed))):
            return s
        mine, labels = _summed(s)
        if not labels and mine and all(str(a.base.label) in paired for a in mine):
            labels = {paired[str(a.base.label)] for a in mine}
        if len(labels) != 1:
            return s
        (label,) = labels
        if not (isinstance(hi, sp.Symbol) and _IMPLICIT.fullmatch(hi.name) or _names_width(hi, label)):
            return s
        return sp.Sum(s.function, (var, lo, sp.Symbol(f"n^{{({label})}}", integer=True, positive=True)))

    return expr.replace(lambda e: isinstance(e, sp.Sum), width)


def _summed(s: sp.Sum) -> tuple[list, set]:
    """The one-index quantities ``s`` (one limit) sums by its letter, and their layer labels."""
    from .labels import split

    var = s.limits[0][0]
    mine = [a for a in _free_atoms(s.function, var) if len(a.indices) == 1 and a.indices[0] == var]
    return mine, {split(str(a.base.label))[2] for a in mine if split(str(a.base.label))}


def _pair(s: sp.Sum, paired: dict) -> None:
    """Record the layer labels beside which ``s`` sums unlabelled one-index quantities (``t_k`` and
    ``y^{L}_k`` in one summand of ``Σ_k``: ``t`` runs over layer ``L``'s units)."""
    from .labels import split

    if len(s.limits) != 1:
        return
    mine, labels = _summed(s)
    if len(labels) == 1:
        for a in mine:
            if not split(str(a.base.label)):
                paired.setdefault(str(a.base.label), set()).update(labels)


def _names_width(bound: sp.Basic, label: sp.Expr) -> bool:
    """Is ``bound`` the document's name for the width of the layer ``label`` (``n_{l-1}``,
    ``n^{(l-1)}``, ``n_l`` over units of layer ``l − 1``, ``l``)?  A sum of that layer's units up
    to it runs over the whole layer, the width the entry reader names ``n^{(l-1)}``; a bound
    naming another layer (``Σ_{j=1}^{n_l} y^{l-1}_j``) is left as written."""
    from .size_statements import size

    if isinstance(bound, sp.Indexed):  # n_{l-1} as parsed: n[l - 1]
        (index,) = bound.indices if len(bound.indices) == 1 else (None,)
        named = len(str(bound.base.label)) == 1 and index is not None
        return named and _same_label(index, label)
    width = size(bound.name) if len(bound.name) < 30 else None
    return isinstance(width, AppliedUndef) and _same_label(width.args[0], label)


def _same_label(a: sp.Basic, b: sp.Basic) -> bool:
    """``l − 1`` and ``l − 1`` whatever assumptions their letters carry."""
    plain = lambda e: e.xreplace({s: sp.Symbol(s.name) for s in e.free_symbols if isinstance(s, sp.Symbol)})
    return isinstance(a, sp.Expr) and isinstance(b, sp.Expr) and sp.expand(plain(a) - plain(b)) == 0


def _free_atoms(e: sp.Basic, var: sp.Symbol) -> set:
    """The indexed quantities of ``e`` outside the sums of ``e`` that bind ``var`` again (the
    ``y^{(L)}_k`` of a loss ``½ Σ_k (y^{(L)}_k − t_k)²`` put into ``Σ_k ∂E/∂u^{(l+1)}_k`` is not the
    outer sum's)."""
    if isinstance(e, sp.Sum) and any(lim[0] == var for lim in e.limits):
        return set()
    if isinstance(e, sp.Indexed):
        return {e}
    return set().union(*(_free_atoms(a, var) for a in e.args)) if e.args else set()


def total_of_terms(name: sp.Symbol, value) -> bool:
    """``E = \frac{1}{N} Σ_{n} E_n`` (or ``Σ_n E_n``): the name is the total (or mean) of its
    indexed terms — the loss of a batch from the losses of its examples — a number, not the
    vector of its terms, though the document writes it both with and without an index."""
    if not isinstance(value, sp.Basic):
        return False
    return any(isinstance(t.function, sp.Indexed) and str(t.function.base.label) == name.name
               and t.function.indices == tuple(t.variables) for t in value.atoms(sp.Sum))


def summed_terms(value) -> set:
    """``(X, n, N)`` of sums ``Σ_{n=1}^{N} X_n`` in ``value`` whose term is one quantity with the sum's
    letter as its only index (``L = \frac{1}{N} Σ_n E_n``: E, the loss of one example)."""
    if not isinstance(value, sp.Basic):
        return set()
    return {(str(t.function.base.label), letter(t.limits[0][0]), t.limits[0][2]) for t in value.atoms(sp.Sum)
            if isinstance(t.function, sp.Indexed) and t.function.indices == tuple(t.variables)}


def stated_totals(exprs: Sequence) -> set:
    """``∂E/∂w = ∂/∂w (\frac{1}{N} Σ_n E_n)`` (two neighbours of a chain, as an update rule writes
    the loss of a batch): the names so stated to be the total (or mean) of their indexed terms."""
    out = set()
    for x, y in zip(exprs, exprs[1:]):
        if not (isinstance(x, sp.Basic) and isinstance(y, sp.Basic)):
            continue
        for d in x.atoms(sp.Derivative):
            out |= {d.expr.name for e in y.atoms(sp.Derivative) if isinstance(d.expr, sp.Symbol)
                    and e.variables == d.variables and total_of_terms(d.expr, e.expr)}
    return out


def _returns_with_other_letters(definitions: list) -> bool:
    """y_k := u_k and u_k := Σ_j y_j w_{jk} + b_k: following the definitions from y with the
    letter k comes back to y with the letter j — read without letters the definitions would be
    circular, so the letters name layers (the output y_k is computed from the hidden y_j)."""
    graph: dict = {}
    for name, value in definitions:
        if split(key(name)) is not None:
            continue
        graph.setdefault((key(name), letters_of(name)), set()).update(
            (key(i), letters_of(i)) for i in value.atoms(sp.Indexed) if split(key(i)) is None)
    for start in graph:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt[0] == start[0] and nxt[1] != start[1] and None not in nxt[1]:
                    return True
                todo.extend(n for n in graph if n[0] == nxt[0] and n not in seen)
                seen.update(todo)
    return False


class _NothingDefined:
    """A table in which nothing is defined: what a step would imply on its own."""

    @staticmethod
    def lookup(_e) -> None:
        return None


_NOTHING_DEFINED = _NothingDefined()


def scan(items: Sequence[tuple[Fragment, Any]]) -> DocumentScan:
    sc = DocumentScan()
    plain: set = set()
    labels: set = set()
    delta_ranks: set = set()
    kron = False
    defined_letters: dict = {}
    pairs: dict = {}
    linked: set = set()
    numbered: list = []  # (name, position) of "l = 3": a size at a value (a case), no definition
    through: list = []  # (name, value) of indexed definitions, written or implied
    totals: set = set()  # E of E = (1/N) Σ_n E_n: a total of its indexed terms, no vector
    losses: set = set()  # E of L = (1/N) Σ_n E_n: one example's loss (if differentiated), no vector
    for pos, (frag, parsed) in enumerate(items):
        sc.numeric_labels = sc.numeric_labels or bool(NUMERIC_LABEL.search(getattr(frag, "source", "") or ""))
        if not isinstance(parsed, Parsed):
            continue
        for ci, chain in enumerate(parsed.chains):
            exprs = [shorthand(e) for e in chain.exprs]
            if declares_real(chain) and isinstance(exprs[0], sp.Symbol):
                sc.scalars.setdefault(exprs[0].name, set()).add(tuple(getattr(frag, "section", ()) or ()))
            if chain.ops and chain.ops[0] in DEFINING_OPS and definable(exprs[0]) == "indexed":
                defined_letters.setdefault(key(exprs[0]), set()).add(letters_of(exprs[0]))
                sc.layer_letters |= set(letters_of(exprs[0]))
                if isinstance(exprs[1], sp.Basic):
                    sc.layer_letters |= {letter(v) for x in exprs[1].atoms(sp.Sum) for v in x.variables}
            found = implied.substituted(exprs[0], exprs[1], _NOTHING_DEFINED) \
                if chain.ops and chain.ops[0] in DEFINING_OPS else None
            if found is not None and definable(found[0]) == "indexed":  # u_k written out under ∂
                sc.layer_letters |= set(letters_of(found[0]))
            if definable(found[0] if found else exprs[0]) == "indexed" and chain.ops \
                    and chain.ops[0] in DEFINING_OPS and isinstance((found or exprs)[1], sp.Basic):
                through.append((found or exprs)[:2])
            if chain.ops and chain.ops[0] in DEFINING_OPS and isinstance(exprs[0], sp.Symbol) \
                    and total_of_terms(exprs[0], exprs[1]):
                totals.add(exprs[0].name)
            if chain.ops and chain.ops[0] in DEFINING_OPS and isinstance(exprs[0], sp.Symbol):
                losses |= summed_terms(exprs[1])  # L = (1/N) Σ_n E_n: E of one example (a loss), no vector
            totals |= stated_totals(exprs)
            if chain.ops and chain.ops[0] in DEFINING_OPS and definable(exprs[0]):
                k = key(exprs[0]) if not isinstance(exprs[0], sp.Function) or isinstance(exprs[0], AppliedUndef) \
                    else None
                if k:
                    sc.defined_at.setdefault(k, []).append(((pos, ci), frag.line))
                    sc.dependent.add(k)
                    if isinstance(exprs[0], sp.Symbol) and isinstance(exprs[1], sp.Basic) and exprs[1].is_number:
                        numbered.append((k, (pos, ci)))
            for e in exprs:
                if not isinstance(e, sp.Basic):
                    continue
                for k in keys(e):
                    sc.first_seen.setdefault(k, (pos, ci))
                for d in e.atoms(sp.Derivative):
                    if isinstance(d.expr, (sp.Symbol, sp.Indexed, AppliedUndef)):
                        sc.dependent.add(key(d.expr))
                plain |= {s.name for s in plain_symbols(e)}
                for x in plain_symbols(e):
                    sc.ranks.setdefault(x.name, set()).add(0)
                for b in e.atoms(sp.IndexedBase):
                    labels.add(str(b.label))
                bound = bound_symbols(e)
                for i in e.atoms(sp.Indexed):
                    sc.ranks.setdefault(str(i.base.label), set()).add(len(i.indices))
                    if str(i.base.label) == "delta":
                        delta_ranks.add(len(i.indices))
                    letters = letters_of(i)
                    free = {letter(x) for x in i.indices if isinstance(x, sp.Symbol) and x not in bound}
                    sc.free_letters.setdefault(key(i), set()).update(free)
                    if len(letters) == 2 and None not in letters and not (set(i.indices) & bound):
                        pairs.setdefault(key(i), set()).add(letters)
                    if len(set(letters)) == 2 and None not in letters and str(i.base.label) != "delta":
                        linked.add(frozenset(letters))
                kron = kron or (e.has(sp.KroneckerDelta) and bool(_TWO_INDEX_DELTA.search(getattr(frag, "source", "") or "")))
                for s in e.atoms(sp.Sum):
                    _pair(s, sc.paired)
                    for v, lo, hi in s.limits:
                        sc.sizes |= lo.free_symbols | hi.free_symbols
                        if lo == 1 and not any(_IMPLICIT.fullmatch(x.name) for x in hi.free_symbols):
                            sc.letter_bounds.setdefault(letter(v), set()).add(hi)
    widths = set().union(*(sc.letter_bounds.get(x, set()) for x in sc.layer_letters))
    totals |= {x for x, n, size in losses if x in sc.dependent and n not in sc.layer_letters and size not in widths}
    sc.vectors = {n for n in plain | labels if BOLD.search(n)} | ((plain & labels) - totals)
    sc.label_letters = layer_letters(plain | labels)
    sc.labelled = frozenset(n for n in plain | labels if split(n) is not None)
    sc.kronecker_ambiguous = kron and 1 in delta_ranks
    # A name with a layer label (y^{l}_j, w^{l}_{ij}) is one layer's whatever its letters.
    pairs = {k: v for k, v in pairs.items() if split(k) is None}
    defined_letters = {k: v for k, v in defined_letters.items() if split(k) is None}
    chained = any(a[1] == b[0] and a[0] != b[1] for ps in pairs.values() for a in ps for b in ps)
    sc.layered = chained or any(len({t for t in ts}) > 1 for ts in defined_letters.values()) \
        or _returns_with_other_letters(through)
    sc.linked_letters = frozenset(linked)
    size_names = {getattr(x, "name", None) for x in sc.sizes}
    for k, at in numbered:  # the walk reads "l = 3" for a size as a case: nothing defined later
        if k in size_names:
            sc.defined_at[k] = [d for d in sc.defined_at.get(k, []) if d[0] != at]
    return sc
