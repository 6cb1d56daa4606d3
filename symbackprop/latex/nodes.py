"""The small AST between the Lark tree and SymPy, and ``ToAst`` that builds it.

Nodes keep source offsets (``pos``, row offsets) so errors point into the row.
The helpers at the end query the AST shape (one factor? a parenthesised
group?) without building anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from lark import Token, Transformer, v_args


class SemanticError(Exception):
    """A well-formed row that cannot be given a meaning; ``pos`` is a row offset."""

    def __init__(self, message: str, pos: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# --------------------------------------------------------------------------- AST


@dataclass
class Tok:
    """A leaf: ``kind`` is the rule alias (letter, greek, partial, ...)."""

    kind: str
    text: str
    pos: int


@dataclass
class Seq:
    """``a, b`` / ``k = 1`` / ``l = L``: parts with separators; ``text`` is the source."""

    parts: list
    seps: list
    pos: int
    text: str


@dataclass
class SumN:
    """Signed terms in source order: ``[(sign or None, HTerm), ...]``."""

    parts: list
    pos: int


@dataclass
class HTerm:
    """Products joined by ``\\odot``."""

    terms: list
    pos: int


@dataclass
class TermN:
    """A product term: ``Factor`` and ``MulTok`` in source order."""

    items: list
    pos: int


@dataclass
class MulTok:
    """An explicit product operator; ``op`` is ``"*"`` or ``"/"``."""

    op: str
    pos: int


@dataclass
class Sarg:
    """Argument of ``_``/``^``/``\\frac``: a ``Seq`` or one token, plus its text."""

    seq: Optional[Seq]
    tok: Optional[Tok]
    text: str
    pos: int


@dataclass
class Factor:
    """A primary with its scripts ``[("sub"|"sup", Sarg) | ("prime", n)]``."""

    primary: object
    scripts: list
    pos: int


@dataclass
class Group:
    """``( )``, ``[ ]``, ``{ }``, ``\\{ \\}``, ``| |``, ``\\| \\|``."""

    kind: str
    seq: Seq
    pos: int


@dataclass
class Frac:
    num: Sarg
    den: Sarg
    pos: int


@dataclass
class Sqrt:
    arg: Sarg
    index: Optional[Seq]
    pos: int


@dataclass
class Decor:
    cmd: str
    arg: Sarg
    pos: int


@dataclass
class MatrixN:
    rows: list
    pos: int


@dataclass
class CasesN:
    rows: list  # [(SumN, [SumN...], [op...])]
    pos: int


@dataclass
class Stmt:
    """One statement of a row: expressions and relation operators."""

    continued: bool
    exprs: list
    ops: list
    pos: int
    listed: bool = False  # it follows a top-level comma (an item of a list)


REL_CANON = {
    "=": "=", ":=": ":=", r"\coloneqq": ":=", r"\approx": r"\approx",
    r"\neq": r"\neq", r"\ne": r"\neq", "<": "<", r"\lt": "<", ">": ">",
    r"\gt": ">", r"\le": r"\le", r"\leq": r"\le", r"\leqq": r"\le",
    r"\ge": r"\ge", r"\geq": r"\ge", r"\geqq": r"\ge", r"\equiv": r"\equiv",
    r"\simeq": r"\simeq", r"\propto": r"\propto", r"\leftarrow": r"\leftarrow",
    r"\gets": r"\leftarrow", r"\in": r"\in",
}


def _pos(meta, children) -> int:
    if not getattr(meta, "empty", True):
        return meta.start_pos
    for c in children:
        if isinstance(c, Token):
            return c.start_pos or 0
        if hasattr(c, "pos"):
            return c.pos
    return 0

@v_args(meta=True)


class ToAst(Transformer):
    """Lark tree → AST; one method per rule alias.  ``source`` is the row text."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def _slice(self, meta) -> str:
        return re.sub(r"\s+", "", self.source[meta.start_pos:meta.end_pos])

    def start(self, meta, c):
        return c[0]

    def row(self, meta, c):
        out, listed = [], False
        for s in c:
            if isinstance(s, Token):
                listed = listed or s.type == "COMMA"  # ", \quad k = 1" is listed too
            elif isinstance(s, Stmt):
                s.listed, listed = listed, False
                out.append(s)
        return out

    def chain(self, meta, c):
        return Stmt(False, c[0::2], c[1::2], _pos(meta, c))

    def continued(self, meta, c):
        return Stmt(True, c[1::2], c[0::2], _pos(meta, c))

    def rel(self, meta, c):
        return REL_CANON[str(c[0])]

    def seqsep(self, meta, c):
        return REL_CANON.get(str(c[0]), str(c[0]))

    def sum(self, meta, c):
        parts, sign = [], None
        for x in c:
            if isinstance(x, Token):
                sign = str(x)
            else:
                parts.append((sign, x))
                sign = None
        return SumN(parts, _pos(meta, c))

    def hterm(self, meta, c):
        return HTerm([x for x in c if not isinstance(x, Token)], _pos(meta, c))

    def term(self, meta, c):
        items = []
        for x in c:
            if isinstance(x, Token):
                items.append(MulTok("/" if str(x) == "/" else "*", x.start_pos))
            else:
                items.append(x)
        return TermN(items, _pos(meta, c))

    def factor(self, meta, c):
        return Factor(c[0], list(c[1:]), _pos(meta, c))

    def sub(self, meta, c):
        return ("sub", c[0])

    def sup(self, meta, c):
        return ("sup", c[0])

    def prime(self, meta, c):
        return ("prime", len(str(c[0])))

    def seq(self, meta, c):
        return Seq(c[0::2], c[1::2], _pos(meta, c), self._slice(meta))

    def sarg_group(self, meta, c):
        return Sarg(c[0], None, c[0].text, _pos(meta, c))

    def sarg_token(self, meta, c):
        tok = c[0]
        return Sarg(None, Tok(tok.type.lower(), str(tok), tok.start_pos), str(tok), tok.start_pos)

    farg_group = sarg_group
    farg_token = sarg_token

    def _leaf(kind):  # noqa: N805 - factory used at class creation
        def method(self, meta, c):
            return Tok(kind, str(c[0]), c[0].start_pos)
        method.__name__ = kind
        return method

    letter = _leaf("letter")
    number = _leaf("number")
    greek = _leaf("greek")
    word = _leaf("word")
    text = _leaf("text")
    mathbb = _leaf("mathbb")
    infty = _leaf("infty")
    partial = _leaf("partial")
    nabla = _leaf("nabla")
    ellipsis = _leaf("ellipsis")
    bigop = _leaf("bigop")
    func = _leaf("func")
    top = _leaf("top")
    primecmd = _leaf("primecmd")
    del _leaf

    def paren(self, meta, c):
        return Group("paren", c[0], _pos(meta, c))

    def bracket(self, meta, c):
        return Group("bracket", c[0], _pos(meta, c))

    def brace(self, meta, c):
        return Group("brace", c[0], _pos(meta, c))

    def setbrace(self, meta, c):
        return Group("set", c[1], _pos(meta, c))

    def abs(self, meta, c):
        return Group("abs", c[1], _pos(meta, c))

    def norm(self, meta, c):
        return Group("norm", c[1], _pos(meta, c))

    def frac(self, meta, c):
        return Frac(c[1], c[2], _pos(meta, c))

    def sqrt(self, meta, c):
        index = c[1] if len(c) == 3 else None
        return Sqrt(c[-1], index, _pos(meta, c))

    def decor(self, meta, c):
        return Decor(str(c[0]), c[1], _pos(meta, c))

    def matrix(self, meta, c):
        return MatrixN(c[1], _pos(meta, c))

    def cases(self, meta, c):
        return CasesN(c[1], _pos(meta, c))

    def mrows(self, meta, c):
        return [r for r in c if isinstance(r, list)]

    def mrow(self, meta, c):
        return [x for x in c if isinstance(x, SumN)]

    def crows(self, meta, c):
        return [r for r in c if isinstance(r, tuple)]

    def crow(self, meta, c):
        parts = [x for x in c if not isinstance(x, Token)]
        return (parts[0], parts[1::2], parts[2::2])


def single_factor(seq: Optional[Seq]) -> Optional[Factor]:
    """The only factor of ``seq`` if it is one unsigned factor, else None."""
    items = simple_items(seq)
    if items and len(items) == 1 and isinstance(items[0], Factor):
        return items[0]
    return None


def simple_items(seq: Optional[Seq]) -> Optional[list]:
    """Items of ``seq`` when it is one unsigned product term, else None."""
    if seq is None or seq.seps or len(seq.parts) != 1:
        return None
    return term_items(seq.parts[0])


def term_items(s: SumN) -> Optional[list]:
    if len(s.parts) != 1 or s.parts[0][0] is not None:
        return None
    ht = s.parts[0][1]
    if len(ht.terms) != 1:
        return None
    return ht.terms[0].items


def prim(f: object) -> object:
    return f.primary if isinstance(f, Factor) else None


def is_tok(f: object, *kinds: str) -> bool:
    p = prim(f)
    return isinstance(p, Tok) and p.kind in kinds


def sarg_items(s: Sarg) -> list:
    """A script/argument as a list of factors (one token → one factor)."""
    if s.tok is not None:
        return [Factor(s.tok, [], s.pos)]
    items = simple_items(s.seq)
    return items if items is not None else []


def unwrap(f: Factor) -> Factor:
    """``{x}_j`` → ``x_j``: a brace group around a single factor is transparent."""
    while isinstance(f.primary, Group) and f.primary.kind == "brace":
        inner = single_factor(f.primary.seq)
        if inner is None or any(k != "prime" and any(k == k2 for k2, _ in inner.scripts)
                                for k, _ in f.scripts):
            break  # {w^{l+1}}^T: the outer ^ applies to the whole group
        f = Factor(inner.primary, inner.scripts + f.scripts, f.pos)
    return f


def paren_group(f: object) -> Optional[Factor]:
    """``f`` as a parenthesised-group factor (``(x)``, ``[x]``, ``{(x)}``) or None."""
    if not isinstance(f, Factor):
        return None
    p = f.primary
    if isinstance(p, Group) and p.kind in ("paren", "bracket"):
        return f
    if isinstance(p, Group) and p.kind == "brace":
        inner = single_factor(p.seq)
        if inner is not None and not inner.scripts and paren_group(inner):
            return Factor(inner.primary, f.scripts, f.pos)
    return None


def greek(text: str) -> str:
    return text[1:]
