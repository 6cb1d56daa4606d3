r"""Parse tree → small AST (``ToAst``) → SymPy (``Builder``).

The grammar is flat, so meaning is decided here.  The rules below are the
contract other modules rely on; ``parse.py`` re-exports them in its docstring.

Superscripts (``x^s``), first matching row wins
-----------------------------------------------

========================================  =====================================
superscript ``s`` / base                  result
========================================  =====================================
``\top``, ``T``, ``\mathsf{T}``           ``transpose(x)`` (undefined function;
                                          ``M.T`` for an explicit matrix)
``'``, ``\prime``                         prime: derivative of a function
``*``, ``\ast``, ``\star``                label ``x^{*}``
base ``e`` (no subscript)                 ``exp(s)``
base is a number, group, fraction, ...    power
``label_superscripts=False``              power
``(l)``, ``(L-1)``, ``[l]``               layer label (parenthesised)
a list ``x,l``                            layer label ``a^{x,l}``
a number (``2``, ``-1``)                  power  (``x^2``, ``y_k^2``)
short index expression (``i``, ``L-1``,   layer label when the symbol also has a
``i+1``, ``\ell``) on a subscripted       subscript (``a^i_k``, ``h_j^{L-1}``)
symbol
short expression of ``layer_letters``     layer label (``a^L``, ``W^{l}``,
on a plain symbol                         ``\delta^{l+1}``)
anything else                             power (``x^n``, ``x^{2n}``)
========================================  =====================================

A layer label is folded into the name: ``w^{(l)}_{jk}`` →
``IndexedBase("w^{(l)}")[j, k]`` (label text with spaces removed).

Subscripts
----------
* one token or a list of letters/digits whose lowercase letters are all in
  ``index_letters`` → indices: ``w_{jk}`` → ``w[j, k]``, ``y_{i0}`` →
  ``y[i, 0]``, ``w_{1k}`` → ``w[1, k]``; a digit run is one number (``x_{10}``);
  a single letter is always an index (``y_L``); primes stay (``y_{j'}``).
* words (``E_{total}``, ``x_{\text{in}}``, ``a_{\rm out}``) → part of the
  name: ``Symbol("E_{total}")``.
* ``w_{j,k}`` → two indices; an expression (``M_{i-1}``) → one index.
* index symbols are ``Symbol(name, integer=True)``.

Juxtaposition and function application
--------------------------------------
A parenthesised group ``( )``/``[ ]`` directly after a *head* is an
application, otherwise juxtaposition multiplies:

1. known functions: ``\sigma`` (→ ``sigmoid``), ``\log \ln \exp \tanh \sin
   \cos \max \min``, the words ``sigmoid softmax softplus relu ReLU tanh exp
   log ln``, ``\operatorname{..}``/``\mathrm{..}`` names;
2. names in ``ParseOptions.function_names`` (default f g h phi varphi psi E C)
   with any subscript/label (``f_L``, ``\phi_i``, ``f^{(l)}``) →
   ``Function("phi_{i}")``;
3. a primed symbol (``f'``, ``\sigma^\prime``) → ``Derivative(f(u), u)``
   (``Subs`` form when ``u`` is not a symbol) — never evaluated here;
4. any symbol when the group holds a top-level comma (``C(w, b)``).

``y(1-y)``, ``2(y-t)``, ``a^L(x)`` multiply.  Known functions without
parentheses take the next factor (``\log y_k``, ``\log \sum_k \exp(u_k)``).
``\sum``/``\prod`` take the rest of the product term; ``\frac{\partial}{\partial
x}`` takes the following parenthesised group, else the rest of the term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import sympy as sp
from lark import Token, Transformer, v_args

from symbackprop.rules.functions import relu, sigmoid, softplus


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


REL_CANON = {
    "=": "=", ":=": ":=", r"\coloneqq": ":=", r"\approx": r"\approx",
    r"\neq": r"\neq", r"\ne": r"\neq", "<": "<", r"\lt": "<", ">": ">",
    r"\gt": ">", r"\le": r"\le", r"\leq": r"\le", r"\leqq": r"\le",
    r"\ge": r"\ge", r"\geq": r"\ge", r"\geqq": r"\ge", r"\equiv": r"\equiv",
    r"\simeq": r"\simeq", r"\propto": r"\propto", r"\leftarrow": r"\leftarrow",
    r"\gets": r"\leftarrow",
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
        return [s for s in c if isinstance(s, Stmt)]

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


# ------------------------------------------------------------------- vocabulary

GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
    "lambda mu nu xi pi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
    "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell".split()
)

KNOWN_FUNCTIONS: dict[str, Callable] = {
    "sigmoid": sigmoid, "relu": relu, "ReLU": relu, "softplus": softplus,
    "tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "ln": sp.log,
    "sinh": sp.sinh, "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos,
    "tan": sp.tan, "max": sp.Max, "min": sp.Min, "sgn": sp.sign,
    "sign": sp.sign, "det": sp.det, "softmax": sp.Function("softmax"),
}

DECOR_CANON = {
    "hat": r"\hat", "widehat": r"\hat", "tilde": r"\tilde", "widetilde": r"\tilde",
    "bar": r"\bar", "overline": r"\bar", "vec": r"\vec", "dot": r"\dot",
    "ddot": r"\ddot", "check": r"\check", "breve": r"\breve",
    "mathbf": r"\mathbf", "bm": r"\mathbf", "boldsymbol": r"\mathbf",
    "mathcal": r"\mathcal", "mathscr": r"\mathscr", "mathfrak": r"\mathfrak",
}

TRANSPOSE = sp.Function("transpose")
HADAMARD = sp.Function("hadamard")
NORM = sp.Function("norm")

_LABEL_RE = re.compile(r"^(?:[A-Za-z]|\\[A-Za-z]+)'*(?:[+-](?:[0-9]+|[A-Za-z]'*))*$")
_RELATIONAL = {"=": sp.Eq, r"\neq": sp.Ne, "<": sp.Lt, ">": sp.Gt,
               r"\le": sp.Le, r"\ge": sp.Ge}


def index_symbol(name: str) -> sp.Symbol:
    """The symbol used for an index letter: ``Symbol(name, integer=True)``."""
    return sp.Symbol(name, integer=True)


def unbounded_upper(var: sp.Symbol) -> sp.Symbol:
    """Upper bound of ``\\sum_k`` without bounds: ``n_{k}`` (integer, positive)."""
    return sp.Symbol(f"n_{{{var.name}}}", integer=True, positive=True)


def to_index(expr: sp.Basic) -> sp.Basic:
    """Turn plain symbols into integer index symbols, leaving IndexedBase names alone."""
    if isinstance(expr, sp.Symbol) and not isinstance(expr, sp.Dummy):
        return index_symbol(expr.name)
    if isinstance(expr, sp.IndexedBase) or not expr.args:
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(to_index(i) for i in expr.indices)]
    return expr.func(*[to_index(a) for a in expr.args])


def plain(expr: sp.Basic) -> sp.Basic:
    """Drop the integer assumption of a bare symbol (bounds read from subscripts)."""
    if isinstance(expr, sp.Symbol) and not isinstance(expr, sp.Dummy):
        return sp.Symbol(expr.name)
    return expr


def replace_symbol(expr: sp.Basic, name: str, new: sp.Symbol) -> sp.Basic:
    """Replace symbols called ``name`` by ``new`` outside IndexedBase labels."""
    if isinstance(expr, sp.Symbol) and expr.name == name:
        return new
    if isinstance(expr, (sp.IndexedBase, sp.Dummy)) or not expr.args:
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(replace_symbol(i, name, new) for i in expr.indices)]
    return expr.func(*[replace_symbol(a, name, new) for a in expr.args])


def _transpose(x: sp.Basic) -> sp.Basic:
    if isinstance(x, sp.MatrixSymbol):
        return sp.Transpose(x)
    if isinstance(x, sp.MatrixBase):
        return x.T
    return TRANSPOSE(x)


def _power(base: sp.Basic, exponent: sp.Basic) -> sp.Basic:
    if isinstance(base, sp.MatrixBase):
        return base ** exponent
    return sp.Pow(base, exponent)


# --------------------------------------------------------------- build helpers


@dataclass
class Head:
    """What a symbol means before a parenthesised group."""

    name: str
    fn: Callable
    primes: int = 0
    applicable: bool = False
    known: bool = False
    base_applicable: bool = False


@dataclass
class SymInfo:
    """A decoded symbol factor (name, indices, label, power/transpose, primes)."""

    base: str
    name: str
    fname: str
    indices: list = field(default_factory=list)
    power: Optional[sp.Basic] = None
    transpose: bool = False
    primes: int = 0


@dataclass
class DerivOp:
    """``\\frac{\\partial}{\\partial x}``: a prefix operator over ``vars``."""

    vars: list


def _single_factor(seq: Optional[Seq]) -> Optional[Factor]:
    """The only factor of ``seq`` if it is one unsigned factor, else None."""
    items = _simple_items(seq)
    if items and len(items) == 1 and isinstance(items[0], Factor):
        return items[0]
    return None


def _simple_items(seq: Optional[Seq]) -> Optional[list]:
    """Items of ``seq`` when it is one unsigned product term, else None."""
    if seq is None or seq.seps or len(seq.parts) != 1:
        return None
    return _term_items(seq.parts[0])


def _term_items(s: SumN) -> Optional[list]:
    if len(s.parts) != 1 or s.parts[0][0] is not None:
        return None
    ht = s.parts[0][1]
    if len(ht.terms) != 1:
        return None
    return ht.terms[0].items


def _prim(f: object) -> object:
    return f.primary if isinstance(f, Factor) else None


def _is_tok(f: object, *kinds: str) -> bool:
    p = _prim(f)
    return isinstance(p, Tok) and p.kind in kinds


def _sarg_items(s: Sarg) -> list:
    """A script/argument as a list of factors (one token → one factor)."""
    if s.tok is not None:
        return [Factor(s.tok, [], s.pos)]
    items = _simple_items(s.seq)
    return items if items is not None else []


def _unwrap(f: Factor) -> Factor:
    """``{x}_j`` → ``x_j``: a brace group around a single factor is transparent."""
    while isinstance(f.primary, Group) and f.primary.kind == "brace":
        inner = _single_factor(f.primary.seq)
        if inner is None or any(k != "prime" and any(k == k2 for k2, _ in inner.scripts)
                                for k, _ in f.scripts):
            break  # {w^{l+1}}^T: the outer ^ applies to the whole group
        f = Factor(inner.primary, inner.scripts + f.scripts, f.pos)
    return f


def _paren_group(f: object) -> Optional[Factor]:
    """``f`` as a parenthesised-group factor (``(x)``, ``[x]``, ``{(x)}``) or None."""
    if not isinstance(f, Factor):
        return None
    p = f.primary
    if isinstance(p, Group) and p.kind in ("paren", "bracket"):
        return f
    if isinstance(p, Group) and p.kind == "brace":
        inner = _single_factor(p.seq)
        if inner is not None and not inner.scripts and _paren_group(inner):
            return Factor(inner.primary, f.scripts, f.pos)
    return None


def _greek(text: str) -> str:
    return text[1:]


class Builder:
    """AST → SymPy under the given ``ParseOptions``."""

    def __init__(self, options) -> None:
        self.o = options
        self.fnames = {n.lstrip("\\") for n in options.function_names}
        self.index_letters = set(options.index_letters)
        self.layer_letters = set(options.layer_letters)

    # ----------------------------------------------------------- statements

    def stmt(self, st: Stmt) -> tuple[list, list]:
        return [self.sum(e) for e in st.exprs], list(st.ops)

    # ----------------------------------------------------------- sums

    def sum(self, s: SumN) -> sp.Basic:
        values: list = []
        where = None
        for sign, ht in s.parts:
            if self._is_ellipsis(ht):
                values.append(None)
                where = ht.pos if where is None else where
                continue
            v = self.hterm(ht)
            if sign == "-":
                v = -v
            values.append(v)
        if any(v is None for v in values):
            return self._series(values, where)
        if len(values) == 1:
            return values[0]
        try:
            return sp.Add(*values) if not any(isinstance(v, sp.MatrixBase) for v in values) \
                else _matrix_add(values)
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot add these terms: {exc}", s.pos) from exc

    @staticmethod
    def _is_ellipsis(ht: HTerm) -> bool:
        return (len(ht.terms) == 1 and len(ht.terms[0].items) == 1
                and _is_tok(ht.terms[0].items[0], "ellipsis")
                and not ht.terms[0].items[0].scripts)

    def hterm(self, ht: HTerm) -> sp.Basic:
        value = self.term(ht.terms[0])
        for t in ht.terms[1:]:
            value = HADAMARD(value, self.term(t))
        return value

    # ----------------------------------------------------------- products

    def term(self, t: TermN) -> sp.Basic:
        return self._product(t.items, 0, t.pos)

    def _product(self, items: list, i: int, pos: int) -> sp.Basic:
        return _mul(self._factors(items, i, pos), pos)

    def _factors(self, items: list, i: int, pos: int) -> list:
        factors: list = []
        while i < len(items):
            it = items[i]
            if isinstance(it, MulTok):
                if it.op == "/":
                    if not factors:
                        raise SemanticError("'/' without a numerator", it.pos)
                    if i + 1 >= len(items):
                        raise SemanticError("'/' without a denominator", it.pos)
                    den, i = self._unit(items, i + 1)
                    factors[-1] = factors[-1] / den
                    continue
                i += 1
                continue
            value, i = self._unit(items, i)
            factors.append(value)
        if not factors:
            raise SemanticError("missing operand", pos)
        return factors

    def _rest(self, items: list, i: int, what: str, pos: int) -> sp.Basic:
        while i < len(items) and isinstance(items[i], MulTok) and items[i].op == "*":
            i += 1
        if i >= len(items):
            raise SemanticError(f"{what} has no operand", pos)
        return self._product(items, i, pos)

    def _unit(self, items: list, i: int) -> tuple[sp.Basic, int]:
        """One factor starting at ``items[i]``; prefix operators take what follows."""
        f = items[i]
        if isinstance(f, MulTok):
            raise SemanticError("operator without a left operand", f.pos)
        f = _unwrap(f)
        p = f.primary
        if isinstance(p, Tok):
            if p.kind == "partial":
                return self._partial(items, i, f)
            if p.kind == "nabla":
                var = self._op_vars(f, r"\nabla")
                operand = self._rest(items, i + 1, r"\nabla", f.pos)
                return self._derivative(operand, var, f.pos), len(items)
            if p.kind == "ellipsis":
                raise SemanticError("ellipsis inside a product is not supported "
                                    "(ellipsis pattern not recognised)", f.pos)
            if p.kind == "bigop":
                return self._bigop(f, self._rest(items, i + 1, p.text, f.pos)), len(items)
            if p.kind in ("func", "word") or (p.kind == "text" and p.text[6:-1] in KNOWN_FUNCTIONS):
                return self._known_function(items, i, f)
        if isinstance(p, Frac):
            op = self._frac(p)
            if not isinstance(op, DerivOp):
                return self._scripted(op, f), i + 1
            if f.scripts:
                raise SemanticError("scripts on a derivative operator", f.pos)
            grp = _paren_group(items[i + 1]) if i + 1 < len(items) else None
            if grp is not None:
                return self._derivative(self._group_value(grp), op.vars, f.pos), i + 2
            operand = self._rest(items, i + 1, "derivative operator", f.pos)
            return self._derivative(operand, op.vars, f.pos), len(items)
        value, head = self._factor(f)
        nxt = items[i + 1] if i + 1 < len(items) else None
        grp = _paren_group(nxt)
        if head is not None:
            if grp is not None and (head.applicable or head.primes
                                    or self._has_commas(grp)):
                return self._apply(head, grp), i + 2
            if head.primes and (head.known or head.base_applicable):
                if nxt is None or isinstance(nxt, MulTok):
                    raise SemanticError(f"{head.name}' needs an argument", f.pos)
                arg, j = self._unit(items, i + 1)
                return self._apply_value(head, [arg], f.pos), j
        return value, i + 1

    # ----------------------------------------------------------- ∂ and d/dx

    def _partial(self, items: list, i: int, f: Factor) -> tuple[sp.Basic, int]:
        if any(k == "sub" for k, _ in f.scripts):
            var = self._op_vars(f, r"\partial")
            operand = self._rest(items, i + 1, r"\partial_x", f.pos)
            return self._derivative(operand, var, f.pos), len(items)
        n = len(items)
        if (i + 4 < n and isinstance(items[i + 2], MulTok) and items[i + 2].op == "/"
                and _is_tok(items[i + 3], "partial") and isinstance(items[i + 1], Factor)
                and isinstance(items[i + 4], Factor)):
            num = self._unit(items, i + 1)[0]
            var = self._var(items[i + 4])
            if var is None:
                raise SemanticError("malformed partial derivative: expected ∂x after '/'",
                                    items[i + 4].pos)
            return self._derivative(num, [var], f.pos), i + 5
        if f.scripts:
            raise SemanticError("a bare ∂ with scripts", f.pos)
        if i + 1 < n and isinstance(items[i + 1], Factor):
            g = _unwrap(items[i + 1])
            info = self._symbol(g, prefix=r"\partial ")
            if info is not None:
                return self._sym_value(info, g.pos), i + 2
        raise SemanticError("a bare ∂ must be followed by a symbol (∂w) or used in "
                            "\\frac{\\partial E}{\\partial w} / ∂E/∂w", f.pos)

    def _op_vars(self, f: Factor, what: str) -> list:
        subs = [s for k, s in f.scripts if k == "sub"]
        if len(subs) != 1 or len(f.scripts) != 1:
            raise SemanticError(f"{what} needs exactly one subscript (the variable)", f.pos)
        items = _sarg_items(subs[0])
        if len(items) != 1:
            raise SemanticError(f"{what}_x: the subscript must be one variable", subs[0].pos)
        var = self._var(items[0])
        if var is None:
            raise SemanticError(f"{what}_x: cannot differentiate with respect to this", subs[0].pos)
        return [var]

    def _var(self, f: Factor) -> Optional[tuple]:
        """A differentiation variable ``(v, n)`` from ``x``, ``w_{jk}``, ``x^2``."""
        try:
            v = self._factor(_unwrap(f))[0]
        except SemanticError:
            return None
        count = 1
        if isinstance(v, sp.Pow) and v.exp.is_Integer and v.exp > 0:
            v, count = v.base, int(v.exp)
        if isinstance(v, (sp.Symbol, sp.Indexed)) or (
                isinstance(v, sp.Function) and not isinstance(v, sp.Derivative)):
            return (v, count)
        return None

    def _derivative(self, expr: sp.Basic, vars_: list, pos: int) -> sp.Basic:
        try:
            return sp.Derivative(expr, *vars_, evaluate=False)
        except (ValueError, TypeError) as exc:
            raise SemanticError(f"cannot build the derivative: {exc}", pos) from exc

    def _frac(self, fr: Frac) -> Union[sp.Basic, DerivOp]:
        num, den = _sarg_items(fr.num), _sarg_items(fr.den)
        kind = None
        if num and _is_tok(num[0], "partial"):
            kind = "partial"
        elif num and self._is_d(num[0]):
            kind = "d"
        if kind is not None:
            order = self._order(num[0])
            vars_ = self._den_vars(den, kind)
            if vars_ is None and kind == "partial":
                raise SemanticError("malformed partial derivative: the denominator must "
                                    "read \\partial x (\\partial x \\partial y, \\partial x^2)",
                                    fr.den.pos)
            if vars_ is not None:
                if order is not None and order != sum(n for _, n in vars_):
                    raise SemanticError("derivative order mismatch between numerator "
                                        "and denominator", fr.pos)
                if len(num) == 1:
                    return DerivOp(vars_)
                return self._derivative(self._product(num, 1, fr.pos), vars_, fr.pos)
        return self._div(self._arg_factors(fr.num), self._arg_factors(fr.den), fr.pos)

    def _arg_factors(self, s: Sarg) -> list:
        """A fraction part as separate factors, so 2(x+y)/x keeps SymPy's own shape."""
        if s.seq is not None:
            items = _simple_items(s.seq)
            if items:
                return self._factors(items, 0, s.pos)
        return [self._arg(s)]

    def _is_d(self, f: object) -> bool:
        if not isinstance(f, Factor):
            return False
        p = _unwrap(f).primary
        ok = isinstance(p, Tok) and ((p.kind == "letter" and p.text == "d")
                                     or (p.kind == "text" and p.text == r"\text{d}"))
        return ok and all(k == "sup" for k, _ in f.scripts)

    def _order(self, f: Factor) -> Optional[int]:
        sups = [s for k, s in f.scripts if k == "sup"]
        if not sups:
            return None
        v = self._arg(sups[0])
        if not (v.is_Integer and v > 0):
            raise SemanticError("the order of a derivative must be a positive integer", sups[0].pos)
        return int(v)

    def _den_vars(self, den: list, kind: str) -> Optional[list]:
        out = []
        i = 0
        while i < len(den):
            marker = den[i]
            is_marker = (_is_tok(marker, "partial") if kind == "partial" else self._is_d(marker))
            if not is_marker or marker.scripts or i + 1 >= len(den):
                return None
            var = self._var(den[i + 1]) if isinstance(den[i + 1], Factor) else None
            if var is None:
                return None
            out.append(var)
            i += 2
        return out or None

    # ----------------------------------------------------------- sums ∑ ∏

    def _bigop(self, f: Factor, body: sp.Basic) -> sp.Basic:
        subs = [s for k, s in f.scripts if k == "sub"]
        sups = [s for k, s in f.scripts if k == "sup"]
        if len(subs) > 1 or len(sups) > 1 or any(k == "prime" for k, _ in f.scripts):
            raise SemanticError("malformed \\sum/\\prod scripts", f.pos)
        if not subs:
            raise SemanticError("\\sum without a summation index", f.pos)
        vars_, lower = self._bounds(subs[0])
        upper = self._arg(sups[0]) if sups else None
        limits = []
        for v in vars_:
            body = replace_symbol(body, v.name, v)
            limits.append((v, lower if lower is not None else sp.Integer(1),
                           upper if upper is not None else unbounded_upper(v)))
        cls = sp.Sum if f.primary.text == r"\sum" else sp.Product
        return cls(body, *limits)

    def _bounds(self, s: Sarg) -> tuple[list, Optional[sp.Basic]]:
        if s.tok is not None:
            if s.tok.kind in ("letter", "greek"):
                return [index_symbol(self._tok_name(s.tok))], None
            raise SemanticError("the summation index must be a letter", s.pos)
        seq = s.seq
        if len(seq.seps) > 1 or (seq.seps and seq.seps[0] != "="):
            if all(x == "," for x in seq.seps):
                return [v for part in seq.parts for v in self._index_vars(part)], None
            raise SemanticError("summation subscript must read k, k=1 or i,j", s.pos)
        vars_ = self._index_vars(seq.parts[0])
        lower = self.sum(seq.parts[1]) if seq.seps else None
        return vars_, lower

    def _index_vars(self, part: SumN) -> list:
        items = _term_items(part)
        if not items or not all(_is_tok(x, "letter", "greek") for x in items) or any(
                k != "prime" for x in items for k, _ in x.scripts):
            if items and any(_is_tok(x, "ellipsis") for x in items):
                raise SemanticError("ellipsis in a summation index is not supported", part.pos)
            raise SemanticError("the summation index must be letters", part.pos)
        return [index_symbol(self._tok_name(x.primary) + "'" * sum(n for _, n in x.scripts))
                for x in items]

    # ----------------------------------------------------------- functions

    def _known_function(self, items: list, i: int, f: Factor) -> tuple[sp.Basic, int]:
        p = f.primary
        name = p.text.lstrip("\\") if p.kind != "text" else p.text[6:-1]
        fn = KNOWN_FUNCTIONS[name]
        primes, post, base = 0, None, None
        for kind, s in f.scripts:
            if kind == "prime":
                primes += s
            elif kind == "sub" and name == "log":
                base = self._arg(s)
            elif kind == "sup":
                if self._sup_primes(s):
                    primes += self._sup_primes(s)
                else:
                    post = self._arg(s)
            else:
                raise SemanticError(f"unexpected subscript on {p.text}", f.pos)
        head = Head(name, (lambda *a: sp.log(*a, base)) if base is not None else fn,
                    primes, True, True, True)
        nxt = items[i + 1] if i + 1 < len(items) else None
        grp = _paren_group(nxt)
        if grp is not None:
            value, j = self._apply(head, grp), i + 2
        else:
            if nxt is None or isinstance(nxt, MulTok):
                raise SemanticError(f"{p.text} needs an argument", f.pos)
            arg, j = self._unit(items, i + 1)
            value = self._apply_value(head, [arg], f.pos)
        if post is not None:
            value = _power(value, post)
        return value, j

    def _has_commas(self, grp: Factor) -> bool:
        seq = grp.primary.seq
        return bool(seq.seps) and all(s == "," for s in seq.seps)

    def _apply(self, head: Head, grp: Factor) -> sp.Basic:
        seq = grp.primary.seq
        if seq.seps and any(s != "," for s in seq.seps):
            raise SemanticError("a relation cannot be a function argument", grp.pos)
        args = [self.sum(p) for p in seq.parts]
        subs = [s for k, s in grp.scripts if k == "sub"]
        if subs and head.name == "softmax":
            value = self._softmax(args, subs[0], grp.pos)
        elif subs:
            raise SemanticError("subscript after a function application", grp.pos)
        else:
            value = self._apply_value(head, args, grp.pos)
        for kind, s in grp.scripts:
            if kind == "sup":
                value = self._post_sup(value, s)
            elif kind == "prime":
                raise SemanticError("prime after a function application; write f'(x)", grp.pos)
        return value

    def _apply_value(self, head: Head, args: list, pos: int) -> sp.Basic:
        try:
            if head.primes:
                if len(args) != 1:
                    raise SemanticError("f'(...) needs exactly one argument", pos)
                return _fderiv(head.fn, args[0], head.primes)
            return head.fn(*args)
        except SemanticError:
            raise
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot apply {head.name}: {exc}", pos) from exc

    def _softmax(self, args: list, sub: Sarg, pos: int) -> sp.Basic:
        idx, words = self._sub_info(sub)
        if len(args) != 1 or not isinstance(args[0], sp.Symbol) or len(idx) != 1 or words \
                or not isinstance(idx[0], sp.Symbol):
            raise SemanticError("softmax(u)_k needs one vector symbol u and one index k", pos)
        u, k = sp.IndexedBase(args[0].name), idx[0]
        kp = index_symbol(k.name + "'")
        return sp.exp(u[k]) / sp.Sum(sp.exp(u[kp]), (kp, 1, unbounded_upper(kp)))

    # ----------------------------------------------------------- factors

    def _factor(self, f: Factor) -> tuple[sp.Basic, Optional[Head]]:
        """Value of one factor, and its head when it may be applied to ``( )``."""
        f = _unwrap(f)
        p = f.primary
        info = self._symbol(f)
        if info is not None:
            return self._sym_value(info, f.pos), self._head(info, f)
        if isinstance(p, Tok):
            if p.kind == "number":
                return self._scripted(sp.Rational(p.text), f), None
            if p.kind == "infty":
                return self._scripted(sp.oo, f), None
            if p.kind == "greek" and p.text == r"\pi":
                return self._scripted(sp.pi, f), None
            if p.kind in ("top", "primecmd"):
                raise SemanticError(f"{p.text} outside a superscript", f.pos)
            if p.kind == "ellipsis":
                raise SemanticError("ellipsis pattern not recognised", f.pos)
            if p.kind == "mathbb":
                return self._mathbb(f), None
            raise SemanticError(f"{p.text} cannot be used here", f.pos)
        if isinstance(p, Group):
            return self._group_value(f), None
        if isinstance(p, Frac):
            v = self._frac(p)
            if isinstance(v, DerivOp):
                raise SemanticError("derivative operator without an operand", f.pos)
            return self._scripted(v, f), None
        if isinstance(p, Sqrt):
            arg = self._arg(p.arg)
            v = sp.sqrt(arg) if p.index is None else sp.root(arg, self._seq_value(p.index))
            return self._scripted(v, f), None
        if isinstance(p, MatrixN):
            return self._scripted(self._matrix(p), f), None
        if isinstance(p, CasesN):
            return self._scripted(self._cases(p), f), None
        if isinstance(p, Decor):
            raise SemanticError(f"{p.cmd} needs a symbol", f.pos)
        raise SemanticError("unsupported construct", f.pos)  # pragma: no cover

    def _scripted(self, value: sp.Basic, f: Factor) -> sp.Basic:
        """Scripts on a non-symbol: ``^`` is a power (or transpose), ``_`` is an error."""
        for kind, s in f.scripts:
            if kind == "sup":
                value = self._post_sup(value, s)
            elif kind == "sub":
                raise SemanticError("subscript on something that is not a symbol", s.pos)
            else:
                raise SemanticError("prime on something that is not a function", f.pos)
        return value

    def _post_sup(self, value: sp.Basic, s: Sarg) -> sp.Basic:
        if self._is_transpose(s):
            return _transpose(value)
        return _power(value, self._arg(s))

    def _group_value(self, f: Factor) -> sp.Basic:
        g = f.primary
        v = self._seq_value(g.seq)
        if g.kind == "abs":
            v = sp.Abs(v)
        elif g.kind == "norm":
            subs = [s for k, s in f.scripts if k == "sub"]
            v = NORM(v, self._arg(subs[0])) if subs else NORM(v)  # \|x\|_2 → norm(x, 2)
            f = Factor(g, [x for x in f.scripts if x[0] != "sub"], f.pos)
        return self._scripted(v, f)

    def _seq_value(self, seq: Seq) -> sp.Basic:
        if not seq.seps:
            return self.sum(seq.parts[0])
        if all(s == "," for s in seq.seps):
            raise SemanticError("a comma-separated list is only allowed as function "
                                "arguments or indices", seq.pos)
        if len(seq.seps) == 1 and seq.seps[0] in _RELATIONAL:
            return _RELATIONAL[seq.seps[0]](self.sum(seq.parts[0]), self.sum(seq.parts[1]))
        raise SemanticError("unsupported relation inside a group", seq.pos)

    def _arg(self, s: Sarg) -> sp.Basic:
        if s.tok is not None:
            return self._factor(Factor(s.tok, [], s.pos))[0]
        return self._seq_value(s.seq)

    # ----------------------------------------------------------- symbols

    def _tok_name(self, t: Tok) -> str:
        return _greek(t.text) if t.kind == "greek" else t.text

    def _symbol(self, f: Factor, prefix: str = "") -> Optional[SymInfo]:
        """Decode ``f`` as a (decorated, scripted) symbol, or None if it is not one."""
        f = _unwrap(f)
        base, scripts = self._base_name(f.primary)
        if base is None:
            return None
        scripts = scripts + f.scripts
        subs = [s for k, s in scripts if k == "sub"]
        sups = [s for k, s in scripts if k == "sup"]
        primes = sum(s for k, s in scripts if k == "prime")
        if len(subs) > 1:
            raise SemanticError("double subscript", subs[1].pos)
        if len(sups) > 1:
            raise SemanticError("double superscript", sups[1].pos)
        base = prefix + base
        info = SymInfo(base, base, base, primes=primes)
        sub = subs[0] if subs else None
        if sups:
            self._classify_sup(info, sups[0], sub is not None)
        if sub is not None:
            idx, words = self._sub_info(sub)
            info.indices = idx
            if words:
                info.name = f"{info.base}_{{{','.join(words)}}}" + info.name[len(info.base):]
            info.fname = f"{info.base}_{{{sub.text}}}" + info.fname[len(info.base):]
        return info

    def _base_name(self, p: object) -> tuple[Optional[str], list]:
        if isinstance(p, Tok):
            if p.kind == "letter":
                return p.text, []
            if p.kind == "greek" and p.text != r"\pi":
                return _greek(p.text), []
            if p.kind == "text":
                content = p.text[6:-1]
                if content in KNOWN_FUNCTIONS:
                    return None, []
                return content, []
            return None, []
        if isinstance(p, Decor):
            items = _sarg_items(p.arg)
            if len(items) != 1:
                raise SemanticError(f"{p.cmd} must decorate a single symbol", p.pos)
            inner = _unwrap(items[0])
            name, scripts = self._base_name(inner.primary)
            if name is None:
                raise SemanticError(f"{p.cmd} must decorate a symbol", p.pos)
            latex = inner.primary.text if isinstance(inner.primary, Tok) else name
            if isinstance(inner.primary, Tok) and inner.primary.kind == "text":
                latex = name
            cmd = DECOR_CANON[p.cmd.lstrip("\\")]
            return f"{cmd}{{{latex}}}", scripts + inner.scripts
        return None, []

    def _sup_primes(self, s: Sarg) -> int:
        items = _sarg_items(s)
        if items and all(_is_tok(x, "primecmd") and not x.scripts for x in items):
            return len(items)
        return 0

    def _is_transpose(self, s: Sarg) -> bool:
        items = _sarg_items(s)
        if len(items) != 1 or items[0].scripts:
            return False
        p = items[0].primary
        return isinstance(p, Tok) and (p.kind == "top" or (p.kind in ("letter", "text")
                                       and p.text in ("T", r"\text{T}")))

    def _classify_sup(self, info: SymInfo, s: Sarg, has_sub: bool) -> None:
        if self._is_transpose(s):
            info.transpose = True
            return
        n = self._sup_primes(s)
        if n:
            info.primes += n
            return
        if s.tok is not None and s.tok.kind == "mulop" or (
                s.seq is None and s.text in ("*", r"\ast", r"\star")):
            self._label(info, "*")
            return
        if info.base == "e" and not has_sub:
            info.power = ("exp", self._arg(s))
            return
        text = s.text
        if not self.o.label_superscripts:
            info.power = self._arg(s)
            return
        if s.seq is not None and (_paren_group(_single_factor(s.seq)) is not None
                                  or (s.seq.seps and all(x == "," for x in s.seq.seps))):
            self._label(info, text)  # a^{(l)}, a^{x,l}
            return
        value = self._arg(s)
        if value.is_Number:
            info.power = value
            return
        if _LABEL_RE.match(text) and (has_sub or (
                not re.search(r"\\", text)
                and all(ch in self.layer_letters for ch in re.findall(r"[A-Za-z]", text)))):
            self._label(info, text)
            return
        info.power = value

    @staticmethod
    def _label(info: SymInfo, text: str) -> None:
        suffix = f"^{{{text}}}"
        info.name += suffix
        info.fname += suffix

    def _sub_info(self, s: Sarg) -> tuple[list, list]:
        """Indices and name-words of a subscript."""
        if s.tok is not None:
            return self._simple_indices([Factor(s.tok, [], s.pos)], s.pos)
        seq = s.seq
        if any(x != "," for x in seq.seps):
            raise SemanticError("a relation inside a subscript (only \\sum_{k=1} may use '=')",
                                s.pos)
        indices, words = [], []
        for part in seq.parts:
            items = _term_items(part)
            if items is not None and all(self._simple_index_item(x) for x in items):
                i, w = self._simple_indices(items, part.pos)
            else:
                if items and any(_is_tok(x, "ellipsis") for x in items):
                    raise SemanticError("ellipsis inside a subscript is not supported", part.pos)
                i, w = [to_index(self.sum(part))], []
            indices += i
            words += w
        return indices, words

    @staticmethod
    def _simple_index_item(x: object) -> bool:
        return (_is_tok(x, "letter", "number", "greek", "word", "text")
                and all(k == "prime" for k, _ in x.scripts))

    def _simple_indices(self, items: list, pos: int) -> tuple[list, list]:
        kinds = [x.primary.kind for x in items]
        if any(k in ("top", "primecmd", "mulop", "infty", "mathbb") for k in kinds):
            raise SemanticError("this symbol cannot be used as a subscript", pos)
        texts = []
        for x in items:
            t = x.primary.text
            if x.primary.kind == "text":
                t = t[6:-1]
            texts.append(t + "'" * sum(n for _, n in x.scripts))
        letters = [x.primary.text for x in items if x.primary.kind == "letter"]
        is_word = any(k in ("word", "text") for k in kinds) or (
            len(letters) >= 2 and any(ch.islower() and ch not in self.index_letters
                                      for ch in letters))
        if is_word:
            return [], ["".join(texts)]
        out = []
        for x, t in zip(items, texts):
            if x.primary.kind == "number":
                out.append(sp.Integer(t) if "." not in t else sp.Rational(t))
            else:
                out.append(index_symbol(_greek(t) if x.primary.kind == "greek" else t))
        return out, []

    def _head(self, info: SymInfo, f: Factor) -> Optional[Head]:
        if info.power is not None or info.transpose:
            return None
        if info.base == "sigma" and info.fname == "sigma":
            return Head("sigma", sigmoid, info.primes, True, True, True)
        if isinstance(f.primary, Tok) and f.primary.kind == "text" and len(info.base) > 1 \
                and info.fname == info.base:
            return Head(info.base, sp.Function(info.base), info.primes, True, False, True)
        applicable = info.base in self.fnames
        return Head(info.fname, sp.Function(info.fname), info.primes, applicable, False, applicable)

    def _sym_value(self, info: SymInfo, pos: int) -> sp.Basic:
        if isinstance(info.power, tuple):
            if info.indices or info.primes:
                raise SemanticError("e^{...} with scripts", pos)
            return sp.exp(info.power[1])
        if info.indices:
            if (self.o.kronecker and info.name in ("delta", r"\mathbb{1}")
                    and len(info.indices) == 2):
                value = sp.KroneckerDelta(*info.indices)
            else:
                value = sp.IndexedBase(info.name + "'" * info.primes)[tuple(info.indices)]
        else:  # a primed plain symbol that is not applied is just a name: w'
            value = sp.Symbol(info.name + "'" * info.primes)
        if info.power is not None:
            value = _power(value, info.power)
        if info.transpose:
            value = _transpose(value)
        return value

    def _mathbb(self, f: Factor) -> sp.Basic:
        name = f.primary.text
        subs = [s for k, s in f.scripts if k == "sub"]
        if subs and subs[0].seq is not None and subs[0].seq.seps == ["="]:
            if not self.o.kronecker:
                raise SemanticError("indicator \\mathbb{1}_{a=b} needs "
                                    "ParseOptions(kronecker=True)", f.pos)
            a, b = (to_index(self.sum(p)) for p in subs[0].seq.parts)
            rest = Factor(f.primary, [x for x in f.scripts if x[0] != "sub"], f.pos)
            return self._scripted(sp.KroneckerDelta(a, b), rest)
        if subs:
            idx, words = self._sub_info(subs[0])
            if self.o.kronecker and name == r"\mathbb{1}" and len(idx) == 2 and not words:
                value = sp.KroneckerDelta(*idx)
            else:
                value = sp.IndexedBase(name)[tuple(idx)] if idx else sp.Symbol(name)
            rest = Factor(f.primary, [x for x in f.scripts if x[0] != "sub"], f.pos)
            return self._scripted(value, rest)
        return self._scripted(sp.Symbol(name), f)

    # ----------------------------------------------------------- containers

    def _div(self, num: list, den: list, pos: int) -> sp.Basic:
        if any(d == 0 for d in den):
            raise SemanticError("division by zero", pos)
        if any(isinstance(d, sp.MatrixBase) for d in num + den):
            return _mul(num, pos) / _mul(den, pos)
        return sp.Mul(*num, *[sp.Pow(d, -1) for d in den])

    def _matrix(self, m: MatrixN) -> sp.Basic:
        for r in m.rows:
            for cell in r:
                if any(self._is_ellipsis(ht) for _, ht in cell.parts):
                    raise SemanticError("ellipsis inside a matrix: matrices of symbolic size "
                                        "are not supported", cell.pos)
        rows = [[self.sum(c) for c in r] for r in m.rows]
        if len({len(r) for r in rows}) != 1:
            raise SemanticError("matrix rows have different lengths", m.pos)
        return sp.ImmutableMatrix(rows)

    def _cases(self, c: CasesN) -> sp.Basic:
        pieces = []
        for value, conds, ops in c.rows:
            v = self.sum(value)
            if not ops:
                cond = self.sum(conds[0])
                if cond == sp.Symbol("otherwise"):
                    cond = sp.true
                elif not isinstance(cond, sp.core.relational.Relational):
                    raise SemanticError("a cases condition must be a relation or "
                                        "\\text{otherwise}", conds[0].pos)
            else:
                vals = [self.sum(x) for x in conds]
                rels = []
                for a, op, b in zip(vals, ops, vals[1:]):
                    if op not in _RELATIONAL:
                        raise SemanticError(f"unsupported relation {op} in a condition", c.pos)
                    rels.append(_RELATIONAL[op](a, b))
                cond = sp.And(*rels) if len(rels) > 1 else rels[0]
            pieces.append((v, cond))
        try:
            return sp.Piecewise(*pieces)
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot build cases: {exc}", c.pos) from exc

    # ----------------------------------------------------------- series a_1 + … + a_n

    def _series(self, values: list, pos: int) -> sp.Basic:
        return fold_series(values, self.o.index_letters, pos)


def _mul(factors: list, pos: int) -> sp.Basic:
    if len(factors) == 1:
        return factors[0]
    try:
        if not any(isinstance(x, sp.MatrixBase) for x in factors):
            return sp.Mul(*factors)
        out = factors[0]
        for x in factors[1:]:
            out = out * x
        return out
    except (TypeError, ValueError) as exc:
        raise SemanticError(f"cannot multiply these factors: {exc}", pos) from exc


def _matrix_add(values: list) -> sp.Basic:
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _fderiv(fn: Callable, arg: sp.Basic, n: int) -> sp.Basic:
    """``f^{(n)}(arg)`` unevaluated: Derivative(f(x), x) or Subs(...) for compound args."""
    if isinstance(arg, (sp.Symbol, sp.Indexed)):
        return sp.Derivative(fn(arg), (arg, n), evaluate=False)
    u = sp.Dummy("u")
    return sp.Subs(sp.Derivative(fn(u), (u, n), evaluate=False), u, arg)


# ------------------------------------------------------------ ellipsis series


def fold_series(values: list, index_letters, pos: int) -> sp.Basic:
    """``t_1 + t_2 + \\cdots + t_m (+ extra)`` → ``Sum(t_q, (q, 1, m)) + extra``.

    ``values`` are the signed terms in order, ``None`` marking an ellipsis.  The
    terms on both sides of the ellipses must differ in exactly one index value
    (``y_2 w_{2k}`` … ``y_m w_{mk}``); earlier terms that continue the pattern
    with consecutive values set the lower bound.  Anything else raises
    ``SemanticError("ellipsis pattern not recognised ...")``.
    """
    gaps = [k for k, v in enumerate(values) if v is None]
    first, last = gaps[0], gaps[-1]
    if first == 0 or last == len(values) - 1:
        raise SemanticError("ellipsis pattern not recognised: the series needs a term "
                            "before and after the ellipsis", pos)
    a_term, z_term = values[first - 1], values[last + 1]
    pair = _index_difference(a_term, z_term)
    if pair is None:
        raise SemanticError("ellipsis pattern not recognised: the terms around the "
                            "ellipsis must differ in one index", pos)
    a, z = pair
    q = _fresh_index(values, index_letters)
    template = a_term.xreplace({x: x.base[tuple(q if i == a else i for i in x.indices)]
                                for x in a_term.atoms(sp.Indexed)})
    if template.xreplace({q: z}) != z_term:
        raise SemanticError("ellipsis pattern not recognised: the last term does not "
                            "follow the first", pos)
    lo, start = a, first - 1
    for k in range(first - 2, -1, -1):
        v = _index_value(template, q, values[k])
        if v is None or sp.simplify(lo - v) != 1:
            break
        lo, start = v, k
    for k in range(first, last + 1):
        if values[k] is not None and _index_value(template, q, values[k]) is None:
            raise SemanticError(f"ellipsis pattern not recognised: {values[k]} does not "
                                "follow the pattern", pos)
    extras = values[:start] + values[last + 2:]
    return sp.Add(*extras, sp.Sum(template, (q, plain(lo), plain(z))))


def _index_difference(a: sp.Basic, z: sp.Basic) -> Optional[tuple]:
    diffs = set()
    for x in a.atoms(sp.Indexed):
        same = [y for y in z.atoms(sp.Indexed)
                if y.base == x.base and len(y.indices) == len(x.indices)]
        if len(same) != 1:
            continue
        diffs |= {(p, r) for p, r in zip(x.indices, same[0].indices) if p != r}
    return diffs.pop() if len(diffs) == 1 else None


def _index_value(template: sp.Basic, q: sp.Symbol, term: sp.Basic) -> Optional[sp.Basic]:
    for x in template.atoms(sp.Indexed):
        if q not in x.indices:
            continue
        p = x.indices.index(q)
        for y in term.atoms(sp.Indexed):
            if y.base == x.base and len(y.indices) == len(x.indices):
                v = y.indices[p]
                if template.xreplace({q: v}) == term:
                    return v
    return None


def _fresh_index(values: list, index_letters) -> sp.Symbol:
    used = {s.name for v in values if v is not None for s in v.atoms(sp.Symbol)}
    for name in ["q", "r", "s", "p", *sorted(index_letters)] + [f"q_{{{n}}}" for n in range(1, 99)]:
        if name not in used:
            return index_symbol(name)
    raise SemanticError("no free index name for the ellipsis series")  # pragma: no cover
