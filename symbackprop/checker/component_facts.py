r"""What a document says about the entries of its vectors and matrices (for :mod:`.components`).

* A **vector** is a name the document also writes with one index (``a^{l}`` and ``a^{l}_j``), or a
  bold name whose letter it writes so (``\mathbf{y}^{l}`` and ``y^{l}_i``): one entry per unit of
  the layer of its label.
* A **matrix** is a name the document writes with two indices (``w^{l}`` and ``w^{l}_{jk}``), a
  matrix whose entries it states (``W^{l} = (w^{l}_{ij})_{ij}``: which index is the row, too), or
  an upper-case name whose lower-case letter it writes with two indices (``W^{l}``, ``w^{l}_{jk}``:
  a convention, so the components are not the document's own).  The layers of the two indices
  come from the document's forward definition that sums the entries (:func:`index_layers`).
* A total of indexed terms (``E = Σ_n E_n``) is a number (:func:`~.scan.total_of_terms`).
* **Orientations.**  The document's own vector-form definitions (``z^{l} = w^{l} a^{l-1} +
  b^{l}``) fit only some orientations (vectors as columns, ``w``'s first index its row): those
  are the document's, and every step is read under them (:meth:`DocumentComponents.allowed`).
"""

from __future__ import annotations

from typing import Callable, Optional

import sympy as sp

from .batches import BatchLoss, batch_total
from .components import BOLD_NAME, EXAMPLES, Component, Letter, matrix_letter as letter
from ..latex.patterns import PatternMatrix
from ..latex.vocabulary import TRANSPOSE
from .entry_claims import index_claims
from .collected import collected, example_first, paired_layer
from .labels import general_label, general_variable, split
from .names import key


def entry_name(name: str) -> str:
    """``\\mathbf{y}^{l}`` → ``y^{l}``: the name of a bold vector's entries."""
    return BOLD_NAME.sub(lambda m: m.group(1).lstrip("\\"), name)


def batch_of(parsed) -> Optional[BatchLoss]:
    """The loss of a batch a fragment states, ``E = Σ_{n=1}^{N} E_n`` or ``E = \\frac{1}{N} Σ_n E_n``
    (:func:`~.batches.batch_total`, the name's own indexed terms): its examples numbered by ``n``."""
    for chain in getattr(parsed, "chains", ()) if parsed is not None else ():
        exprs = chain.exprs
        if len(exprs) >= 2 and chain.ops and chain.ops[0] == "=":
            found = batch_total(exprs[0], exprs[1])
            if found is not None and str(found.term.base.label) == getattr(exprs[0], "name", None):
                return found
    return None


def entries_defined(table, a: sp.Symbol) -> bool:
    """Does a definition in force give the entries of the vector ``a`` (``z^{l}_j`` of ``z^{l}``, also
    at another label)?  Then ``a = …`` is a claim about them, not a new definition."""
    parts = split(a.name)
    return any(isinstance(d.lhs, sp.Indexed) and (str(d.lhs.base.label) == a.name or (
        parts is not None and (split(str(d.lhs.base.label)) or (None,))[0] == parts[0]))
        for d in table.definitions())


def forward_of(history, vector: str, matrix: str) -> bool:
    """Is ``vector``'s letter defined by a sum over the entries of ``matrix``'s letter
    (``z^{l}_j = Σ_k w^{l}_{jk} a^{l-1}_k + b^{l}_j`` for ``z`` and ``w``)?  Such a vector's
    vector-form definition is a forward definition of the document."""
    for d in history:
        own = split(str(d.lhs.base.label)) if isinstance(d.lhs, sp.Indexed) else None
        if own is None or own[0] != vector:
            continue
        if any((split(str(w.base.label)) or (None,))[0] == matrix and len(w.indices) == 2
               for total in d.rhs.atoms(sp.Sum) for w in total.function.atoms(sp.Indexed)):
            return True
    return False


def index_layers(history, base: str, label: sp.Expr) -> Optional[tuple]:
    """The layers of the two indices of ``base^{label}_{··}``, from a forward definition that
    sums its entries with a one-index quantity of another layer (``u^{l}_j = Σ_i w^{l}_{ij}
    y^{l-1}_i``: index 0 in layer ``l − 1``, index 1 in layer ``l``), shifted to ``label``."""
    for d in history:
        lhs = d.lhs
        own = split(str(key(lhs) or "")) if isinstance(lhs, sp.Indexed) else None
        if own is None or len(lhs.indices) != 1:
            continue
        for total in d.rhs.atoms(sp.Sum):
            if len(total.limits) != 1:
                continue
            v = total.limits[0][0]
            for w in total.function.atoms(sp.Indexed):
                parts = split(str(key(w) or ""))
                if parts is None or parts[0] != base or len(w.indices) != 2 or v not in w.indices:
                    continue
                others = [q for q in total.function.atoms(sp.Indexed) if q is not w and v in q.indices]
                inputs = [split(str(key(q) or "")) for q in others]
                if len(inputs) != 1 or inputs[0] is None or lhs.indices[0] not in w.indices \
                        or lhs.indices[0] == v:
                    continue
                shift = label - parts[2]
                layer_of = {v: sp.expand(inputs[0][2] + shift), lhs.indices[0]: sp.expand(own[2] + shift)}
                return tuple(layer_of[i] for i in w.indices)
    return None


class DocumentComponents:
    """The components a document gives its names (see the module docstring), read once: which
    indexed names it writes with one index and which with two."""

    def __init__(self, readings, facts, examples=None) -> None:
        self.facts = facts  # ShapeFacts: matrices the document states or writes out
        self._conventions: dict = {}
        self.ranks: dict = {}
        for reading in readings:
            for chain in getattr(reading.parsed, "chains", ()) if reading.parsed is not None else ():
                for e in chain.exprs:
                    for i in e.atoms(sp.Indexed) if isinstance(e, sp.Basic) else ():
                        self.ranks.setdefault(str(i.base.label), set()).add(len(i.indices))
        self.vectors = frozenset(n for n in self.ranks if split(n) is not None)
        self.batch = examples.loss if examples is not None else \
            next((b for r in readings for b in [batch_of(r.parsed)] if b is not None), None)
        self._read: dict = {}  # document-wide readings for batch matrices filled in words (collected.py)
        self.examples = examples  # every quantity carries the example's index, at examples.position

    def rank(self, name: str) -> set:
        """How many indices the document writes ``name`` with (at any label, when not at its own)."""
        if name in self.ranks:
            return self.ranks[name]
        parts = split(name)
        out: set = set()
        for other, ranks in self.ranks.items():
            have = split(other)
            if parts and have and (have[0], have[1], have[3]) == (parts[0], parts[1], parts[3]):
                out |= ranks
        return out

    def resolver(self, section: tuple, table) -> Callable[[sp.Basic], Optional[Component]]:
        """The components of a name in ``section`` under the definitions in force."""
        from .order import memo

        return lambda s: memo(table, ("components", s, section), lambda: self.component(s, section, table))

    def allowed(self, section: tuple, table, without=None) -> Callable[[dict], bool]:
        """The orientations the document's own vector-form definitions fit (``z^{l} = w^{l} a^{l-1} +
        b^{l}``: vectors are columns, ``w``'s first index its row); every one where none says.
        The formula being checked (``without``) never orients itself: ``u = W y`` alone would fix
        W's rows so that it holds, and be proved by the orientation it chose."""
        k = (section, len(table.history()))  # the definitions a matrix's layers are read from
        if k not in self._conventions:
            self._conventions[k] = self._fixed(section, table)
        fixed = [fits for reading, fits in self._conventions[k] if reading is not without]
        if any(map(self._batch_pattern, self.facts.written.values())):  # (y_1 ⋯ y_N): the vectors are columns
            fixed = fixed + [[{"vectors": "col"}]]
        return lambda choice: all(any(all(choice.get(k, v) == v for k, v in t.items()) for t in fits) for fits in fixed)

    def _fixed(self, section: tuple, table) -> list:
        resolve = self.resolver(section, table)
        out = []
        for reading in self.facts.readings:
            parsed = self.facts.ordered(reading) if reading.parsed is not None else None
            for chain in getattr(parsed, "chains", ()) if parsed is not None else ():
                a, b = (chain.exprs + [None, None])[:2] if isinstance(chain.exprs, list) else (tuple(chain.exprs) + (None, None))[:2]
                if not (chain.ops and chain.ops[0] == "=" and isinstance(a, sp.Symbol) and isinstance(b, sp.Expr)):
                    continue
                comp = resolve(a)
                matrices = [c for c in map(resolve, b.free_symbols) if c is not None and len(c.axes) == 2]
                if comp is None or len(comp.axes) != 1 or not matrices or not all(
                        forward_of(table.history(), letter(comp), letter(m)) for m in matrices):
                    continue
                fits = [{k: v for k, v in choice.items()} for choice, r in index_claims(a, b, resolve)
                        if r.lhs is not None]
                if fits:
                    out.append((reading, fits))
        return out

    def component(self, s: sp.Basic, section: tuple, table) -> Optional[Component]:
        name = getattr(s, "name", "")
        if not isinstance(s, sp.Symbol):
            return None
        if name in self.facts.written:
            return self._batch_pattern(self.facts.written[name])
        general = self._general_pattern(name)
        if general is not None:
            return general
        if BOLD_NAME.search(name):
            entry = entry_name(name)
            parts = split(entry)
            ok = parts is not None and 1 in self.rank(entry)
            return Component(sp.IndexedBase(sp.Symbol(entry)), (parts[2],), True) if ok else None
        parts = split(name)
        stated = self.facts.stated(name, section)
        if stated is not None and not stated.label:  # Y^{(1)} = (y_{jn})_{nj}: axes by letters
            axes = tuple(EXAMPLES if self.batch and x == self.batch.index.name else Letter(x) for x in stated.letters)
            return Component(sp.IndexedBase(sp.Symbol(stated.base)), axes, True, "ij".index(stated.row))
        if stated is None and self.batch is not None:
            found = self._collected(name)
            if found is not None:
                return found
        if parts is None:
            return None
        if stated is not None and len(stated.letters) == 1:  # b^{l} = (b^{l}_j)_j
            return Component(sp.IndexedBase(sp.Symbol(stated.base + name[len(parts[0]):])), (parts[2],), True)
        if stated is not None and self.batch is not None and self.batch.index.name in stated.letters:
            entry = stated.base + name[len(parts[0]):]  # (Y^{(l)})_{nj} = y^{(l)}_{nj}: row n is example n's
            axes = tuple(EXAMPLES if x == self.batch.index.name else parts[2] for x in stated.letters)
            return Component(sp.IndexedBase(sp.Symbol(entry)), axes, True, "ij".index(stated.row))
        if stated is not None:
            entry = stated.base + name[len(parts[0]):]
            axes = index_layers(table.history(), stated.base, parts[2])
            return Component(sp.IndexedBase(sp.Symbol(entry)), axes, True, "ij".index(stated.row)) if axes else None
        ranks = self.rank(name)
        if ranks == {1}:
            return Component(sp.IndexedBase(sp.Symbol(name)), (parts[2],), True)
        if ranks == {2}:
            axes = index_layers(table.history(), parts[0], parts[2])
            return Component(sp.IndexedBase(sp.Symbol(name)), axes, True) if axes else None
        lower = name[:1].lower() + name[1:]
        if not ranks and name[:1].isupper() and self.rank(lower) == {2}:
            axes = index_layers(table.history(), parts[0].lower(), parts[2])
            return Component(sp.IndexedBase(sp.Symbol(lower)), axes, False) if axes else None
        examples_row = self._examples_row()
        if not ranks and name[:1].isupper() and examples_row is not None and self.rank(lower) == {1}:
            # Δ^{(l)} beside δ^{(l)}_j and a stated (Y^{(l)})_{nj}: a batch matrix laid out as the stated
            # ones (a convention: it may prove, never refute)
            axes = (EXAMPLES, parts[2]) if examples_row else (parts[2], EXAMPLES)
            return Component(sp.IndexedBase(sp.Symbol(lower)), axes, False, 0)
        return None

    def _once(self, k: tuple, read: Callable):
        """A document-wide reading (every parsed formula walked) done once per document."""
        if k not in self._read:
            self._read[k] = read()
        return self._read[k]

    def _collected(self, name: str) -> Optional[Component]:
        """A batch matrix a sentence fills with a quantity's entries (:mod:`.collected`): its
        unit axis is its own label's layer, or (no label: ``T``) the layer of the quantity the
        document subtracts its entries from (``y^{(L)}_{nk} − t_{nk}``)."""
        sentences = self._once(("sentences",), lambda: collected(
            [r.fragment for r in self.facts.readings], self.batch.index.name, str(self.batch.size)))
        want = split(name)
        for c in sentences:
            have = split(c.name)
            if not (c.name == name or (have and want and have[0] == want[0] and general_label(c.name))):
                continue
            rows = c.examples_row if c.examples_row is not None else self._examples_row()
            entry = c.base + (name[len(want[0]):] if want else "")
            unit = want[2] if want else self._once(("paired", entry), lambda: paired_layer(
                self.facts.readings, entry, self.batch.index))
            first = self.examples.position == 0 if self.examples is not None else self._once(
                ("first", c.base), lambda: example_first(self.facts.readings, c.base, self.batch.index))
            if rows is None or unit is None or first is None:
                return None
            axes = (EXAMPLES, unit) if first else (unit, EXAMPLES)
            return Component(sp.IndexedBase(sp.Symbol(entry)), axes, True,
                             axes.index(EXAMPLES) if rows else 1 - axes.index(EXAMPLES))
        return None

    def _examples_row(self) -> Optional[bool]:
        """Are the examples of a batch the rows (True) or the columns (False) of the batch matrices
        whose entries the document states or writes out — None where it gives none, or both."""
        if self.batch is None:
            return None
        n = self.batch.index.name
        rows = {s.letters[0 if s.row == "i" else 1] == n for s in self.facts.statements
                if len(s.letters) == 2 and n in s.letters}
        rows |= {c.axes[0] == EXAMPLES for c in map(self._batch_pattern, self.facts.written.values()) if c is not None}
        return rows.pop() if len(rows) == 1 else None

    def _general_pattern(self, name: str) -> Optional[Component]:
        """``Y^{l-1}`` where the document writes ``Y^{l} = (\\mathbf{y}^{l}_1 ⋯)`` for a general layer:
        that pattern at label ``l − 1``."""
        want = split(name)
        for other, written in self.facts.written.items():
            have = split(other)
            comp = self._batch_pattern(written) if want and have and have[0] == want[0] and \
                general_variable(other) is not None else None
            if comp is not None:
                entry = split(str(comp.base.label))[0] + name[len(want[0]):]
                return Component(sp.IndexedBase(sp.Symbol(entry)), tuple(
                    want[2] if ax != EXAMPLES else ax for ax in comp.axes), True, 0)
        return None

    def _batch_pattern(self, written) -> Optional[Component]:
        """``Y^{l} = (\\mathbf{y}^{l}_1 ⋯ \\mathbf{y}^{l}_N)``: column n is example n's ``\\mathbf{y}^{l}``
        (``X = ((\\mathbf{x}_1)^T; ⋯)``: row n); the entries are the bold vector's, read at one example."""
        if self.batch is None or not isinstance(written, PatternMatrix):
            return None
        size, t = str(self.batch.size), written.template
        if (str(written.rows), str(written.cols)) == ("1", size):
            across, inner, examples_first = written.c, t, False
        elif (str(written.rows), str(written.cols)) == (size, "1") and getattr(t, "func", None) == TRANSPOSE:
            across, inner, examples_first = written.r, t.args[0], True
        else:
            return None
        if not (isinstance(inner, sp.Indexed) and inner.indices == (across,) and BOLD_NAME.search(str(inner.base.label))):
            return None
        entry = entry_name(str(inner.base.label))
        parts = split(entry)
        if parts is None or 1 not in self.rank(entry):
            return None
        axes = (EXAMPLES, parts[2]) if examples_first else (parts[2], EXAMPLES)
        return Component(sp.IndexedBase(sp.Symbol(entry)), axes, True, 0)
