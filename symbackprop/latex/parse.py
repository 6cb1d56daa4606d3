r"""Derivation-aware LaTeX → SymPy: the public entry points.

``parse_math`` reads one display fragment (possibly an ``aligned`` block with
several rows) into relation chains, row by row; ``parse_expr`` reads a single
expression.

Pipeline: ``normalise`` (``normalise.py``: spacing, ``\left``/``\right``,
colours, tags, prose ``\text``, condition words, environments; keeps a map
back to source offsets) → ``split_rows`` (``rows.py``: ``\\`` outside
matrices, continuation rows joined) → per row: conditions cut out
(``conditions.py``) → Lark LALR parser (``grammar.lark``; error messages by
example in ``errors.py``) → ``transform.ToAst`` → ``transform.Builder``.

Output conventions (see ``transform`` for the full tables):

* ``w_{jk}`` → ``IndexedBase("w")[j, k]`` with ``j = Symbol("j", integer=True)``;
  ``E_{total}`` → ``Symbol("E_{total}")``.
* layer labels fold into the name: ``a^{i-1}_j`` → ``IndexedBase("a^{i-1}")[j]``,
  ``a^L`` → ``Symbol("a^{L}")``; numeric superscripts are powers.
* ``\frac{\partial E}{\partial w}``, ``\partial_x f``, ``\frac{d}{dx} f``,
  ``\partial E / \partial w`` → ``Derivative(..., evaluate=False)``.
* ``\sum_{k=1}^{n} f`` → ``Sum(f, (k, 1, n))``; ``\sum_k f`` →
  ``Sum(f, (k, 1, Symbol("n_{k}", integer=True, positive=True)))``.
* ``t_1 + \cdots + t_m`` → ``Sum(t_q, (q, 1, m))`` (fresh index q, r, s, p, ...).
* ``\sigma(x)`` → ``sigmoid(x)``; ``f'(u)`` → ``Derivative(f(u), u)`` (or
  ``Subs`` for compound arguments); ``x^\top`` → ``Function("transpose")(x)``;
  ``a \odot b`` and ``a \circ b`` → ``Function("hadamard")(a, b)``; ``\|x\|`` →
  ``Function("norm")``.
* matrices → ``ImmutableMatrix``; ``cases`` → ``Piecewise``.
* a bare ``\partial w_{jk}`` (gradient shorthand) → ``IndexedBase("\partial w")[j, k]``.
* conditions (``\text{if } i = j``, ``(i \neq j)``, ``\quad (k = 1, \dots, n)``,
  ``（i=j のとき）``) are not part of any expression: they are
  ``Chain.conditions`` (SymPy relationals, see ``conditions``).

Row by row
----------
Each row is read on its own.  A row that cannot be read becomes a
``RowError`` in ``Parsed.unparsed``; ``parse_math`` raises ``ParseError``
(the first failing row's error) only when no row of the fragment can be read,
or when the fragment cannot be normalised at all (unbalanced braces).

* A failing *continuation* row (it starts with a relation: ``&= …``) keeps
  the chain open: the next row that starts with a relation continues the same
  chain, and that step (``exprs[s-1]`` to ``exprs[s]``) is in ``Chain.gaps``.
* A failing row with its own left side ends the chain.  A following row with
  its own left side starts a new chain as usual; a following continuation row
  continued the lost row, so it starts a new chain whose left side is missing
  (``exprs[0] is None``, ``lines[0] is None``) with step 1 in ``gaps`` —
  never joined to the older chain, whose last expression it does not relate to.
* A fragment whose first row starts with a relation (``= b``, ``&= b``) gives a
  chain with ``continues_previous=True`` and ``exprs[0] is None``: the checker
  joins it to the previous display's chain (with step 1 in ``gaps`` too when
  the fragment's first row itself failed).
* Conditions on the row (statement) holding a chain's first expression apply
  to every step of the chain; conditions on a continuation row apply to that
  row's steps; a row holding only conditions applies them to the row before
  it (or, at the start of a fragment, to the first chain).  A range
  ``k = 1, \dots, n`` is recorded as ``(Ge(k, 1), Le(k, n))``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import sympy as sp

from symbackprop.errors import ParseError
from symbackprop.latex.arity import one_arity
from symbackprop.latex.conditions import CondError, Found, extract, match_symbols, read
from symbackprop.latex.errors import TOO_DEEP, UnexpectedInput, error, parser, syntax_error, too_deep
from symbackprop.latex.lists import CONDITION_OPS, is_ellipsis_item, is_index, list_range
from symbackprop.latex.mentions import is_mention
from symbackprop.latex.normalise import Text, normalise
from symbackprop.latex.rows import row_line, row_source, split_rows, starts_with_relation
from symbackprop.latex.transform import Builder, SemanticError, ToAst

__all__ = ["ParseOptions", "Chain", "Parsed", "RowError", "parse_math", "parse_expr",
           "ParseError", "normalise", "split_rows"]

_Text = Text  # the name parse.py used before the split


@dataclass(frozen=True)
class ParseOptions:
    """How ambiguous notation is read.

    index_letters: lowercase letters that may form multi-letter index lists
        (``w_{jk}``); a subscript with another lowercase letter is a word.
    layer_letters: letters whose short expressions (``L``, ``l+1``) are layer
        labels on a symbol *without* subscript (``a^L``, ``W^{l}``).
    label_superscripts: False ⇒ every superscript except ``^T``/``'`` is a power.
    function_names: names applied to a following ``( )`` (others multiply).
    kronecker: ``\\delta_{ij}`` and ``\\mathbb{1}_{i=j}`` are ``KroneckerDelta``.
    ordered_products: every product of two or more factors that are not numbers is kept
        in its written order (a ``MatrixProduct``), for reading shapes (checker/shapes.py).
    declared_functions: ``(name, function word)`` pairs a document declares in its prose
        (``$H$ is the Heaviside step function``: ``("H", "heaviside")``); the name applied to
        ``( )`` is that function (:data:`~symbackprop.latex.vocabulary.DECLARABLE_FUNCTIONS`).
    """

    index_letters: frozenset = frozenset("ijklmnpqrs")
    layer_letters: frozenset = frozenset("lLNi")
    label_superscripts: bool = True
    function_names: frozenset = frozenset({"f", "g", "h", "phi", "varphi", "psi", "E", "C"})
    kronecker: bool = False
    ordered_products: bool = False
    declared_functions: tuple = ()


@dataclass(frozen=True)
class RowError:
    """A row that could not be read."""

    line: int      # 0-based line offset, within the fragment source, where the row starts
    source: str    # the row as written in the source
    reason: str    # one line: why it could not be read (from the ParseError message)


@dataclass(frozen=True)
class Chain:
    """A relation chain ``e0 op0 e1 op1 e2 …`` (``len(exprs) == len(ops) + 1``).

    ``ops`` are canonical: ``"="``, ``":="``, ``"\\approx"``, ``"\\neq"``,
    ``"<"``, ``">"``, ``"\\le"``, ``"\\ge"``, ``"\\equiv"``, ``"\\simeq"``,
    ``"\\propto"``, ``"\\leftarrow"`` (update rules ``w \\gets w - \\eta g``).
    ``row_texts`` are the source rows the chain was read from.

    ``lines``: per expression, the 0-based line offset (within the fragment
    source) of the row it stands in; ``None`` for a missing left side.
    ``gaps``: 1-based step numbers ``s`` (step ``s`` relates ``exprs[s-1]`` and
    ``exprs[s]``) that cross an unparsed row.  ``conditions``: per step, the
    SymPy relationals stated as conditions for it.  ``continues_previous``: the
    fragment's first row starts with a relation, so ``exprs[0] is None``.
    """

    exprs: tuple
    ops: tuple
    row_texts: tuple
    lines: tuple = ()
    gaps: frozenset = frozenset()
    conditions: tuple = ()
    continues_previous: bool = False

    @property
    def lhs(self) -> sp.Basic:
        return self.exprs[0]

    @property
    def relations(self) -> tuple:
        """``((a, op, b), ...)`` for adjacent pairs."""
        return tuple(zip(self.exprs, self.ops, self.exprs[1:]))


@dataclass(frozen=True)
class Parsed:
    """All chains of one fragment, in source order; ``unparsed``: the rows that could
    not be read (a ``RowError`` each)."""

    source: str
    chains: tuple
    unparsed: tuple = ()

    @property
    def relations(self) -> tuple:
        """Every ``(a, op, b)`` of every chain."""
        return tuple(r for c in self.chains for r in c.relations)


# ----------------------------------------------------------------- one row


@dataclass
class _Stmt:
    exprs: list
    ops: list
    continued: bool
    pos: int
    conds: list


def _read_row(source: str, row: Text, builder: Builder) -> tuple[list, list]:
    """(statements, conditions of a row without statements); raises ParseError."""
    def where_ok(text: Text) -> bool:
        try:
            rels = read(Found(text, False, 0, "where"), builder)
        except CondError:
            return False
        return bool(rels) and all(x.name.rstrip("'") in builder.index_letters
                                  for r in rels for x in r.atoms(sp.Symbol))

    try:
        clean, found = extract(row, where_ok)
    except CondError as e:
        raise error(source, row, e.pos, e.reason) from None
    text = clean.text
    try:
        tree = parser().parse(text)
    except UnexpectedInput as e:
        raise syntax_error(source, clean, e) from None
    deep = too_deep(tree)
    if deep is not None:
        raise error(source, clean, deep, TOO_DEEP)

    def build(st) -> tuple[list, list]:
        try:
            return builder.stmt(st)
        except SemanticError as e:
            raise error(source, clean, e.pos, e.message) from None
        except (TypeError, ValueError, AttributeError, ArithmeticError) as e:  # 9…9e^{e^{…}} = y: too large
            raise error(source, clean, st.pos, f"cannot build this expression ({e})") from None

    asts = ToAst(text).transform(tree)
    stmts: list = []
    i = 0
    while i < len(asts):
        st = asts[i]
        i += 1
        if st.listed and is_ellipsis_item(st):
            continue  # u_1, u_2, \ldots: the ellipsis ends a list, it is no statement
        exprs, ops = build(st)
        if stmts and st.listed and not st.continued and len(ops) == 1:
            end = list_range(asts, i) if ops[0] == "=" and is_index(exprs[0], builder) else None
            if end is not None:  # a_k = b_k, k = 1, \dots, n: the range of k
                last, _ = build(asts[end])
                stmts[-1].conds += [sp.Ge(exprs[0], exprs[1]), sp.Le(exprs[0], last[0])]
                i = end + 1
                continue
            if ops[0] in CONDITION_OPS:  # r'(u) = 1, u > 0: the condition of the item before
                stmts[-1].conds.append(CONDITION_OPS[ops[0]](*exprs))
                continue
        stmts.append(_Stmt(exprs, ops, st.continued, st.pos, []))
    loose: list = []
    for f in found:
        try:
            rels = read(f, builder)
        except CondError as e:
            raise error(source, f.text, e.pos, e.reason) from None
        if not stmts:
            if f.keyword in ("paren", "range") and not all(
                    _bound_name(x.name, builder) for r in rels for x in r.atoms(sp.Symbol)):
                raise error(source, f.text, 0, "a row holding only a condition may relate "
                            "only indices and bounds (i \\ne j, k = 1, \\dots, N)")
            loose.extend(rels)
            continue
        if f.prefix:
            target = next((s for s in stmts if s.pos >= f.anchor), stmts[-1])
        else:
            target = next((s for s in reversed(stmts) if s.pos < f.anchor), stmts[0])
        target.conds.extend(rels)
    return stmts, loose


def _bound_name(name: str, builder: Builder) -> bool:
    """An index letter or a one-letter capital (a bound such as N): what a row holding
    only a bare condition ``(i \\ne j)`` / ``i = 1, \\dots, N`` may mention."""
    name = name.rstrip("'")
    return name in builder.index_letters or (len(name) == 1 and name.isupper())


# ----------------------------------------------------------------- chains


class _Chains:
    """Assembles statements row by row into chains (the rules in the module docstring)."""

    _VOID = object()

    def __init__(self) -> None:
        self.chains: list = []
        self.open: Optional[dict] = None   # the chain a continuation row extends
        self.gap = False                  # a continuation row failed since ``open`` grew
        self.lost = False                 # a row with its own left side failed
        self.seen = False                 # a chain was started or a row with a left side failed
        self.target = None                # where a row of bare conditions applies
        self.pending: list = []           # bare conditions before the first statement

    def add(self, st: _Stmt, line: int, text: str) -> None:
        conds = self.pending + st.conds
        self.pending = []
        if st.continued and self.open is not None and not self.lost:
            rec = self.open
            if self.gap:
                rec["gaps"].add(len(rec["ops"]) + 1)
            if rec["rows"][-1] != text:
                rec["rows"].append(text)
        elif st.continued:
            rec = self._new([None], [None], text)
            rec["cont"] = not self.seen
            if self.gap or self.lost:
                rec["gaps"].add(1)
        else:
            rec = self._new([], [], text)
            rec["base"] = conds
            self.seen = True
        first = len(rec["ops"])
        rec["exprs"] += st.exprs
        rec["lines"] += [line] * len(st.exprs)
        rec["ops"] += st.ops
        rec["steps"] += [[] for _ in st.ops]
        steps = list(range(first, len(rec["ops"])))
        if st.continued:
            for s in steps:
                rec["steps"][s] += conds
            self.target = (rec, steps)
        else:
            self.target = (rec, None)
        self.open, self.gap, self.lost = rec, False, False

    def _new(self, exprs: list, lines: list, text: str) -> dict:
        rec = {"exprs": list(exprs), "lines": list(lines), "ops": [], "rows": [text],
               "gaps": set(), "base": [], "steps": [], "cont": False}
        self.chains.append(rec)
        return rec

    def conditions(self, conds: list) -> None:
        """A row holding only conditions."""
        if self.target is None:
            self.pending += conds
        elif self.target is not self._VOID:
            rec, steps = self.target
            if steps is None:
                rec["base"] += conds
            else:
                for s in steps:
                    rec["steps"][s] += conds

    def fail(self, row: Text) -> None:
        if starts_with_relation(row.text):
            self.gap = True
        else:
            self.open, self.lost, self.gap, self.seen = None, True, False, True
        self.target = self._VOID

    def result(self, options: ParseOptions) -> tuple:
        out = []
        for r in self.chains:
            exprs = tuple(one_arity(list(r["exprs"])))
            conds = tuple(match_symbols(r["base"] + extra, exprs, options.index_letters)
                          for extra in r["steps"])
            out.append(Chain(exprs, tuple(r["ops"]), tuple(r["rows"]), tuple(r["lines"]),
                             frozenset(r["gaps"]), conds, r["cont"]))
        return tuple(out)


# ----------------------------------------------------------------- entry points


#: Letters the fragment uses as an index: summed over (\sum_{c=1}^{n}) or alone as a subscript (u_c).
_INDEX_USE = re.compile(r"_\s*(?:\{\s*([A-Za-z])\s*(?:=[^{}]*)?\}|([A-Za-z])(?![A-Za-z]))")


def _parse(source: str, options: ParseOptions) -> tuple[Parsed, list]:
    """(Parsed, the ParseError of every unparsed row)."""
    if not isinstance(source, str):
        raise ParseError(f"expected LaTeX source text, got {type(source).__name__}")
    text = normalise(source)
    builder = Builder(options)
    builder.index_letters |= {a or b for a, b in _INDEX_USE.findall(text.text)}  # δ_{jc} beside u_c
    chains = _Chains()
    unparsed, errors, read_rows = [], [], 0
    for row in split_rows(text):
        line, original = row_line(source, row), row_source(source, row)
        try:
            stmts, loose = _read_row(source, row, builder)
        except ParseError as e:
            reason = (getattr(e, "reason", None) or str(e)).splitlines()[0]
            unparsed.append(RowError(line, original, reason))
            errors.append(e)
            chains.fail(row)
            continue
        read_rows += 1
        for st in stmts:
            chains.add(st, line, original)
        if loose:
            chains.conditions(loose)
    if errors and not read_rows:
        if is_mention(text.text, lambda rest: _parses(rest, options)):
            return Parsed(source, ()), []  # "$\sigma'$ is its derivative": no claim
        raise errors[0]
    return Parsed(source, chains.result(options), tuple(unparsed)), errors


def _parses(source: str, options: ParseOptions) -> bool:
    try:
        return not _parse(source, options)[1]
    except ParseError:
        return False


def parse_math(source: str, options: ParseOptions = ParseOptions()) -> Parsed:
    """Parse one display fragment into relation chains, row by row.

    Rows are separated by ``\\\\``; a row starting with a relation (``&= c``)
    continues the previous chain, a row with its own left side starts a new
    one; rows starting with ``+``/``-`` continue the previous expression.
    ``\\Rightarrow``, ``\\to``, ``\\quad`` and prose ``\\text{...}`` separate
    statements within a row.  A row that cannot be read is a ``RowError`` in
    ``Parsed.unparsed`` (gaps and missing left sides: see the module
    docstring).  Raises ``ParseError`` with line/column only when no row can
    be read.
    """
    return _parse(source, options)[0]


def parse_expr(source: str, options: ParseOptions = ParseOptions()) -> sp.Basic:
    """Parse a single expression (no relation, one statement, every row read)."""
    parsed, errors = _parse(source, options)
    if errors:
        raise errors[0]
    if len(parsed.chains) != 1:
        raise ParseError(f"expected one expression, found {len(parsed.chains)} statements "
                         f"in {source!r}")
    chain = parsed.chains[0]
    if chain.ops:
        raise ParseError(f"expected an expression, found a relation '{chain.ops[0]}' in {source!r}")
    return chain.exprs[0]
