"""Feed-forward order read from the document's definitions: what a quantity is computed from
(:func:`upstream`), who uses it (:func:`consumers`), and whether everything computed from one
quantity passes through another (:func:`only_through`).  Labelled names only (``a^{i}``,
``z^{(l+1)}``): where index letters alone name layers (``y_j``, ``y_k``), one name may be two
layers, and no order is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import sympy as sp

from .labels import general_variable, shift, split
from .layers import tag_layers
from .names import definable, key, keys, letters_of, plain_symbols

if TYPE_CHECKING:  # pragma: no cover
    from .table import SymbolTable


def memo(table: "SymbolTable", question: tuple, answer: Callable):
    """``answer()``, once per state of the definitions in force (the walk asks the same question
    for every derivative and every atom of a step; the answer depends on the definitions only)."""
    k = (question, table.version)
    if k not in table.memo:
        table.memo[k] = answer()
    return table.memo[k]


def upstream(table: "SymbolTable", e: sp.Basic, depth: int = 8) -> frozenset:
    """See :func:`_upstream` (remembered per state of the definitions)."""
    return memo(table, ("upstream", e, depth), lambda: _upstream(table, e, depth))


def _upstream(table: "SymbolTable", e: sp.Basic, depth: int = 8) -> frozenset:
    """The layer-labelled names ``e`` is computed from (its definition, theirs, …, at most
    ``depth`` deep): ``w^{i+1}, a^{i}, z^{i}, w^{i}, a^{i-1}, …`` for ``z^{i+1}_n``.  In a
    feed-forward network none of them changes with ``e`` (∂w^{i+1}/∂z^{i+1} = 0).  Empty
    unless ``e`` and every name kept carry a layer label (index letters alone may name two
    layers ``y``), and empty when the definitions lead back to ``e`` (not feed-forward)."""
    own = key(e)
    if own is None or split(own) is None:
        return frozenset()
    seen: set = set()
    frontier = [e]
    for _ in range(depth):
        nxt = []
        for q in frontier:
            d = table.lookup(q) if definable(q) else None
            if d is None and isinstance(q, sp.Indexed):
                d = table._choose(q)[0] or table._at_label(q)
            if d is None:
                continue
            for a in sorted(d.rhs.atoms(sp.Indexed), key=str) + sorted(plain_symbols(d.rhs), key=str):
                k = key(a)
                if k == own:
                    return frozenset()
                if k and k not in seen and split(k) is not None:
                    seen.add(k)
                    nxt.append(a)
        frontier = nxt
    return frozenset(seen)


def beside(table: "SymbolTable", v: sp.Basic, layer_letters: frozenset) -> frozenset:
    """See :func:`_beside` (remembered per state of the definitions)."""
    return memo(table, ("beside", v, frozenset(layer_letters)), lambda: _beside(table, v, layer_letters))


def _beside(table: "SymbolTable", v: sp.Basic, layer_letters: frozenset) -> frozenset:
    """For a parameter ``v`` (a weight or bias the document defines nowhere): the names computed
    before ``v`` is used — the other names of each forward definition that uses it, and what
    those are computed from (``y⟨j⟩``, ``b⟨k⟩`` beside ``w⟨jk⟩`` in u⟨k⟩ := Σ_j w⟨jk⟩ y⟨j⟩ + b⟨k⟩).
    In a feed-forward network none of them changes with ``v`` (∂y_j/∂w_{jk} = 0: the layer below
    does not depend on the weights above it).  Names tagged by their layer letters (layers.py)
    are compared in the tagged form; labelled names (``w^{l}``) are left to :func:`upstream`.
    Empty when ``v`` is defined, or when ``v`` is met again below (not feed-forward)."""
    own = name_of(v)
    if own is None or split(own) is not None or table.lookup(v) is not None:
        return frozenset()
    forward = {name: set().union(*(used for _d, used in ds))
               for name, ds in forward_definitions(table, layer_letters, "⟨" in own).items()}
    users = [name for name, used in forward.items() if own in used]
    below = set().union(*(forward[u] for u in users)) - {own} - set(users) if users else set()
    todo = list(below)
    while todo:
        for k in forward.get(todo.pop(), ()):
            if k == own or k in users:
                return frozenset()
            if k not in below:
                below.add(k)
                todo.append(k)
    return frozenset(below)


def forward_definitions(table: "SymbolTable", layer_letters, tagged: bool) -> dict:
    """See :func:`_forward_definitions` (remembered per state of the definitions)."""
    return memo(table, ("forward", frozenset(layer_letters), tagged),
                lambda: _forward_definitions(table, layer_letters, tagged))


def _forward_definitions(table: "SymbolTable", layer_letters, tagged: bool) -> dict:
    """Each forward indexed definition (no derivative on its right side) under its name —
    tagged by its layer letters when ``tagged`` (``u⟨k⟩``) — with the names its right side uses:
    ``{name: [(definition, names used), …]}``.  Who uses what, for :func:`_beside` and the chain
    rule's cut (chain.py); a definition the letters cannot tag is left out."""
    out: dict = {}
    for d in table._defs.values():
        if d.shape != "indexed" or d.rhs.has(sp.Derivative) or not isinstance(d.lhs, sp.Indexed):
            continue
        sides = tag_layers([d.lhs, d.rhs], set(layer_letters)) if tagged else [d.lhs, d.rhs]
        if sides is not None:
            out.setdefault(name_of(sides[0]), []).append((d, frozenset(names_in(sides[1]))))
    return out


def name_of(e: sp.Basic):
    """A quantity's name with its layer tag (``y⟨j⟩``; :func:`.names.key` leaves the tag out)."""
    return str(e.base.label) if isinstance(e, sp.Indexed) else key(e)


def names_in(e: sp.Basic) -> set:
    """The names (with layer tags) of the quantities in ``e``."""
    return {name_of(a) for a in e.atoms(sp.Indexed)} | {s.name for s in plain_symbols(e)}


def consumers(table: "SymbolTable", name: str) -> set:
    """See :func:`_consumers` (remembered per state of the definitions)."""
    return set(memo(table, ("consumers", name), lambda: frozenset(_consumers(table, name))))


def _consumers(table: "SymbolTable", name: str) -> set:
    """The names whose forward definition (at any label) uses ``name``: ``a^{i}`` is used by
    ``z^{i+1}`` through the general ``z^{i}_k = Σ_j w^{i}_{kj} a^{i-1}_j``.  Definitions that
    hold derivatives (δ := ∂E/∂u, backward quantities) use nothing in this sense."""
    want = split(name)
    out = set()
    for d in table._defs.values():
        if d.shape != "indexed" or d.rhs.has(sp.Derivative):
            continue
        var = general_variable(key(d.lhs))
        for used in keys(d.rhs):
            if used == name:
                out.add(key(d.lhs))
                continue
            have = split(used)
            if var is None or want is None or have is None or var not in have[2].free_symbols \
                    or (have[0], have[1], have[3], have[4]) != (want[0], want[1], want[3], want[4]):
                continue
            t = sp.Dummy("t")  # the general layer variable, apart from the same letter in ``name``
            target = sp.solve(sp.Eq(have[2].subs(var, t), want[2]), t)
            if len(target) == 1:
                out.add(key(shift(d.lhs, var, target[0], (have[1], have[3]))))
    return out


def only_through(table: "SymbolTable", low: str, high: str, steps: int = 4) -> bool:
    """Does everything computed from ``low`` pass through ``high`` (a chain of sole users
    ``a^{i} → z^{i+1} → a^{i+1}``): in a feed-forward network E then depends on ``low``
    only through ``high``."""
    name = low
    for _ in range(steps):
        users = consumers(table, name)
        if len(users) != 1:
            return False
        (name,) = users
        if name == high:
            return True
    return False


def same_width(table: "SymbolTable", a: sp.Expr, b: sp.Expr, section: tuple = ()) -> bool:
    """Do layers ``a`` and ``b`` have one width by the definitions of ``section`` (or a section
    that holds it)?  An entrywise definition from one label to another, ``y^{l}_j := f(y^{l-1}_j)``
    (one index, the same on both sides, no sum), makes an activation layer: its width is the
    width below — in the part of the document that defines it (notes that split a network into
    activation and fully connected layers reuse the label l for both)."""
    return sp.expand(a - b) in entrywise_offsets(table, section)


def entrywise_offsets(table: "SymbolTable", section: tuple = ()) -> frozenset:
    """The label differences of the entrywise definitions in force in ``section`` (see :func:`same_width`)."""
    return memo(table, ("entrywise offsets", section), lambda: _entrywise_offsets(table, section))


def _entrywise_offsets(table: "SymbolTable", section: tuple) -> frozenset:
    out = set()
    for d in table.history():
        if tuple(section[:len(d.section)]) != tuple(d.section):
            continue
        own = split(str(key(d.lhs) or "")) if isinstance(d.lhs, sp.Indexed) and len(d.lhs.indices) == 1 else None
        if own is None or not isinstance(d.rhs, sp.Basic) or d.rhs.has(sp.Sum):
            continue
        for q in d.rhs.atoms(sp.Indexed):
            other = split(str(key(q) or ""))
            if other is not None and q.indices == d.lhs.indices and sp.expand(own[2] - other[2]) != 0:
                out |= {sp.expand(own[2] - other[2]), sp.expand(other[2] - own[2])}
    return frozenset(out)


def defined_twice(table: "SymbolTable") -> dict:
    """The quantities the document defines more than once at one label, differently (``y^{l}_j =
    f_l(u^{l}_j)``, later ``y^{l}_i = f(y^{l-1}_i)`` for another kind of layer) → their lines."""
    seen: dict = {}
    for _k, d in table._history:
        lhs = d.lhs.base.label if isinstance(d.lhs, sp.Indexed) else d.lhs
        body = d.rhs.xreplace(dict(zip(d.lhs.indices, sp.symbols("i_:3")))) \
            if isinstance(d.lhs, sp.Indexed) and isinstance(d.rhs, sp.Basic) else d.rhs
        layer = letters_of(d.lhs) if table.layered and isinstance(d.lhs, sp.Indexed) else ()  # y_j, y_k: two layers
        seen.setdefault((str(lhs), layer), {})[str(body)] = d.line
    return {name: sorted(v.values()) for (name, _layer), v in seen.items() if len(v) > 1}
