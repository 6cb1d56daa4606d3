"""Names the reader knows: Greek letters, known functions, decorations, and
the symbols used for indices and for the sizes of unbounded sums."""

from __future__ import annotations

import re
from typing import Callable, Iterator, Mapping, Optional

import sympy as sp

from symbackprop.notation import GREEK_NAMES
from symbackprop.rules.notation_table import read_as, reads, rows

#: Elementary maths the reader knows by name; the network functions are the notation table's.
ELEMENTARY_FUNCTIONS: dict[str, Callable] = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log,
    "sinh": sp.sinh, "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos,
    "tan": sp.tan, "max": sp.Max, "min": sp.Min, "sgn": sp.sign,
    "sign": sp.sign, "det": sp.det, "softmax": sp.Function("softmax"),
}

def _step(x: sp.Basic) -> sp.Basic:
    """The Heaviside step H(x) (H(0) = 1/2, as SymPy and the derivative of max(0, x) take it).
    At a point where its argument is 0 the value is a convention the texts do not share (0, ½
    or 1): such an application is not read."""
    if x.is_zero:
        raise ValueError("the value of the step function at 0 is a convention (0, 1/2 or 1)")
    return sp.Heaviside(x)


#: Functions a document may give a letter of its own in prose (``$H$ is the Heaviside step
#: function``, checker/named_functions.py): the word → the function.
DECLARABLE_FUNCTIONS: dict[str, Callable] = {"heaviside": _step}

#: Words the grammar lexes as one name (``WORD``) besides the notation table's readings.
ELEMENTARY_WORDS = ("softmax", "exp", "log", "ln")


class KnownFunctions(Mapping[str, Callable]):
    """Word → function, read at each lookup: every reading of the notation table
    (``relu``, ``ReLU``, ``softplus``, …) and :data:`ELEMENTARY_FUNCTIONS`."""

    def __getitem__(self, word: str) -> Callable:
        row = read_as(word)
        return row.function if row is not None else ELEMENTARY_FUNCTIONS[word]

    def __iter__(self) -> Iterator[str]:
        yield from reads()
        yield from (w for w in ELEMENTARY_FUNCTIONS if read_as(w) is None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


KNOWN_FUNCTIONS = KnownFunctions()


def words() -> tuple[str, ...]:
    """Every word the grammar lexes as one function name, longest first."""
    return tuple(sorted({*reads(), *ELEMENTARY_WORDS}, key=lambda w: (-len(w), w)))


def greek_function(letter: str) -> Optional[Callable]:
    """The network function a Greek letter stands for (``sigma`` → σ: its row's LaTeX head is
    ``\\sigma``), or None."""
    if letter not in GREEK_NAMES:
        return None
    return next((r.function for r in rows() if r.latex == "\\" + letter), None)

def _logit(y: sp.Basic) -> sp.Basic:
    """σ⁻¹(y) = log(y / (1 − y))."""
    return sp.log(y / (1 - y))


#: ``f^{-1}`` of a known function is its inverse function (``\tanh^{-1}`` is artanh).
INVERSE_FUNCTIONS: dict[str, Callable] = {
    "sigmoid": _logit, "sigma": _logit, "tanh": sp.atanh, "sinh": sp.asinh, "cosh": sp.acosh,
    "sin": sp.asin, "cos": sp.acos, "tan": sp.atan, "exp": sp.log, "log": sp.exp, "ln": sp.exp,
}

DECOR_CANON = {
    "hat": r"\hat", "widehat": r"\hat", "tilde": r"\tilde", "widetilde": r"\tilde",
    "bar": r"\bar", "overline": r"\bar", "vec": r"\vec", "dot": r"\dot",
    "ddot": r"\ddot", "check": r"\check", "breve": r"\breve",
    "mathbf": r"\mathbf", "bm": r"\mathbf", "boldsymbol": r"\mathbf",
    "mathcal": r"\mathcal", "mathscr": r"\mathscr", "mathfrak": r"\mathfrak",
}

#: Bold commands under which ``1`` (``0``) is the vector of ones (zeros): ``\mathbf{1}``.
BOLD_ONES = frozenset({"mathbf", "bm", "boldsymbol"})

TRANSPOSE = sp.Function("transpose")
HADAMARD = sp.Function("hadamard")
NORM = sp.Function("norm")

LABEL_RE = re.compile(r"^(?:[A-Za-z]|\\[A-Za-z]+)'*(?:[+-](?:[0-9]+|[A-Za-z]'*))*$")
RELATIONAL = {"=": sp.Eq, r"\neq": sp.Ne, "<": sp.Lt, ">": sp.Gt,
               r"\le": sp.Le, r"\ge": sp.Ge}


def index_symbol(name: str) -> sp.Symbol:
    """The symbol used for an index letter: ``Symbol(name, integer=True)``."""
    return sp.Symbol(name, integer=True)


def unbounded_upper(var: sp.Symbol) -> sp.Symbol:
    """Upper bound of ``\\sum_k`` without bounds: ``n_{k}`` (integer, positive);
    a primed letter shares the size of the unprimed one (``\\sum_{k'}`` → ``n_{k}``)."""
    return sp.Symbol(f"n_{{{var.name.rstrip(chr(39))}}}", integer=True, positive=True)


def to_index(expr: sp.Basic) -> sp.Basic:
    """Turn plain symbols into integer index symbols, leaving IndexedBase names alone."""
    if isinstance(expr, sp.Symbol) and not isinstance(expr, sp.Dummy):
        return index_symbol(expr.name)
    if isinstance(expr, sp.IndexedBase) or not expr.args:
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(to_index(i) for i in expr.indices)]
    from symbackprop.latex.arithmetic import rebuild
    return rebuild(expr, [to_index(a) for a in expr.args])


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
    from symbackprop.latex.arithmetic import rebuild
    return rebuild(expr, [replace_symbol(a, name, new) for a in expr.args])


def transpose(x: sp.Basic) -> sp.Basic:
    if isinstance(x, sp.MatrixSymbol):
        return sp.Transpose(x)
    if isinstance(x, sp.MatrixBase):
        return x.T
    return TRANSPOSE(x)


def power(base: sp.Basic, exponent: sp.Basic, pos: int = 0) -> sp.Basic:
    """``base^exponent`` without unbounded work (see ``arithmetic`` and ``matrix_power``)."""
    from symbackprop.latex import arithmetic
    if isinstance(base, sp.MatrixBase):
        return matrix_power(base, exponent, pos)
    return arithmetic.power(base, exponent, pos)


MAX_MATRIX_POWER = 8


def matrix_power(m: sp.MatrixBase, k: sp.Basic, pos: int = 0) -> sp.Basic:
    """A small integer power of an explicit matrix, multiplied out; anything else
    (``M^n``, ``M^{100}``, the inverse of a matrix larger than 3×3) is refused:
    SymPy would try a Jordan decomposition or blow up."""
    from symbackprop.latex.nodes import SemanticError
    if not (k.is_Integer and abs(int(k)) <= MAX_MATRIX_POWER) or not m.is_square:
        raise SemanticError("a power of an explicit matrix is only read for a square "
                            f"matrix and an integer exponent up to {MAX_MATRIX_POWER}", pos)
    k = int(k)
    if k < 0:
        if m.rows > 3:
            raise SemanticError("the inverse of an explicit matrix larger than 3×3 is "
                                "not computed", pos)
        try:
            m, k = sp.ImmutableMatrix(m.inv()), -k
        except ValueError as exc:
            raise SemanticError(f"cannot invert this matrix: {exc}", pos) from exc
    out = sp.ImmutableMatrix(sp.eye(m.rows))
    for _ in range(k):
        out = out * m
    return out
