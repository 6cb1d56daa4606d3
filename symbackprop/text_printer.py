"""The one terminal printer: plain Unicode maths in the network's notation, with an ASCII fallback.

Two passes, so that every liberty taken for the reader is checked to keep the value:

1. :func:`textbook_form` rewrites a SymPy expression into an *equal* SymPy expression
   in the form a textbook prints (tests/test_text_output.py evaluates both at random
   points):

   * a sum over a range of one element becomes its term at that index
     (Σ_{k=1}^{1} t_k log y_k → t⁽²⁾_1 log y⁽²⁾_1);
   * numeric factors of a product are multiplied out (2·[k = k']·(y − t)/2 → [k = k'](y − t)),
     and a constant factor of a single sum is moved into the sum (½ Σ_k (y_k − t_k)² →
     Σ_k (y_k − t_k)²/2), where it usually cancels;
   * products and sums that SymPy ordered canonically are put in textbook order: numbers,
     then quantities and function values, then brackets, then logarithms, then sums
     (t_k log y_k, σ(u)(1 − σ(u)), (1 − t_k) log(1 − y_k)); positive terms first, the
     simpler term first (y_k − t_k, t_k log y_k + (1 − t_k) log(1 − y_k)).  Products and
     sums built in textbook order by the engine keep their order.

   The result is built with ``evaluate=False`` so SymPy does not undo the order.

2. :class:`NotationStrPrinter` prints that expression in order: powers with superscript
   digits ((y_k − t_k)²), sums as Σ_{k=1}^{n}, juxtaposed factors (σ(u_j)(1 − σ(u_j))),
   ``·`` only between factors that are fractions or derivatives, and parentheses wherever
   a sum's scope would be ambiguous: a sum followed by more text at the same level is
   bracketed ((Σ_{k'=1}^{n} t_k' y_k) − t_k, y_k (Σ_{k'=1}^{n} t_k') − t_k).

:func:`to_ascii` turns the Unicode text into ASCII (Σ → sum, σ → sigma, ∂ → d, ² → ^2,
− → -), for terminals whose encoding cannot show the Unicode (:func:`fits`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

import sympy as sp
from sympy.printing.str import StrPrinter

from .model import Network
from .notation import glyph_of
from .printing import _NotationMixin, fraction_factors, printed_row
from .textbook import is_negative, textbook_form

__all__ = ["NotationStrPrinter", "textbook_form", "text", "to_ascii", "fits"]

_SUPERSCRIPT = str.maketrans("0123456789-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁽⁾")
MINUS = "−"


# ── pass 2: print it ────────────────────────────────────────────────────────
def _greek(letter: str) -> str:
    return glyph_of(letter)


def _fraction_text(text: str) -> bool:
    """True when ``text`` holds a top-level ``/`` (a fraction or a derivative)."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "/" and depth == 0:
            return True
    return False


class NotationStrPrinter(_NotationMixin, StrPrinter):
    """Plain Unicode text in the network's notation, for terminals (the text of ``derive``).

    ``doprint`` first rewrites the expression with :func:`textbook_form`.
    """

    printmethod = "_symbackprop_str"

    def __init__(self, network: Optional[Network] = None, settings: Optional[dict] = None):
        StrPrinter.__init__(self, settings or {})
        self.network = network
        self._followed = False      # more text follows at the same level (a sum must be bracketed)
        self._bare = False          # log y may drop its parentheses here
        self._next = (False, False)

    def doprint(self, expr) -> str:
        self._next = (False, True)
        return StrPrinter.doprint(self, textbook_form(expr))

    def _print(self, expr, **kwargs) -> str:
        (followed, bare), self._next = self._next, (False, False)
        saved = self._followed, self._bare
        self._followed, self._bare = followed, bare
        try:
            return StrPrinter._print(self, expr, **kwargs)
        finally:
            self._followed, self._bare = saved

    def _then(self, expr, followed: bool = False, bare: bool = False) -> str:
        """Print ``expr`` saying whether text follows it and whether ``log y`` may go bare."""
        self._next = (followed, bare)
        return self._print(expr)

    def _paren(self, expr) -> str:
        return f"({self._print(expr)})"

    # ── symbols and numbers ──
    def _print_Indexed(self, expr: sp.Indexed) -> str:
        letter, indices, layer = self._indexed_parts(expr)
        letter = _greek(letter)
        sup = f"({layer})".translate(_SUPERSCRIPT) if layer is not None else ""
        parts = [self._print(i) for i in indices]
        if all(isinstance(i, sp.Symbol) for i in indices) or (len(parts) == 1 and len(parts[0]) == 1):
            sub = "".join(parts)
        else:
            sub = "{" + ",".join(parts) + "}"
        return f"{letter}{sup}_{sub}"

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return _greek(self._notation().loss) if expr.name == "E" else expr.name

    def _print_Integer(self, expr) -> str:
        return str(expr).replace("-", MINUS)

    def _print_Rational(self, expr) -> str:
        return f"{self._print_Integer(sp.Integer(expr.p))}/{expr.q}"

    def _print_Float(self, expr) -> str:
        return StrPrinter._print_Float(self, expr).replace("-", MINUS)

    def _print_KroneckerDelta(self, expr) -> str:
        a, b = expr.args
        if a.is_Number and not b.is_Number:  # [k = 1], as written, not SymPy's [1 = k]
            a, b = b, a
        return f"[{self._print(a)} = {self._print(b)}]"

    # ── functions ──
    def _call(self, name: str, expr) -> str:
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Function(self, expr) -> str:
        """A network function by its row's text head (``σ(u)``); others by their name."""
        row = printed_row(expr)
        if row is not None:
            return f"{row.text}({self._print(expr.args[0])})"
        return self._call(expr.func.__name__, expr)

    _print_Heaviside = _print_Function  # SymPy's printer has its own, which the class would reach first

    def _print_exp(self, expr) -> str:
        return self._call("exp", expr)

    def _print_log(self, expr) -> str:
        arg = expr.args[0]
        if self._bare and (isinstance(arg, (sp.Symbol, sp.Indexed))):
            return f"log {self._print(arg)}"
        return self._call("log", expr)

    # ── calculus ──
    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (var, count), = expr.variable_count
        power = str(count).translate(_SUPERSCRIPT) if count != 1 else ""
        inner = expr.expr
        bottom = f"∂{self._print(var)}{power}"
        if isinstance(inner, (sp.Symbol, sp.Indexed)):
            return f"∂{power}{self._print(inner)}/{bottom}"
        return f"∂{power}/{bottom} ({self._print(inner)})"

    def _print_Sum(self, expr: sp.Sum) -> str:
        head = "".join(f"Σ_{{{self._print(d)}={self._print(lo)}}}^{{{self._print(hi)}}} "
                       for d, lo, hi in expr.limits)
        body = self._then(expr.function, bare=True)
        if isinstance(expr.function, sp.Add) or body.startswith(MINUS):
            body = f"({body})"
        out = head + body
        return f"({out})" if self._followed else out

    # ── arithmetic ──
    def _print_Add(self, expr: sp.Add, order=None) -> str:
        terms = list(expr.args)
        out = ""
        for i, term in enumerate(terms):
            followed = i < len(terms) - 1 or self._followed
            if is_negative(term):
                positive = _negate(term)
                text = (self._paren(positive) if isinstance(positive, sp.Add)
                        else self._then(positive, followed, bare=True))
                out += (f" {MINUS} " if i else MINUS) + text
            else:
                text = self._then(term, followed, bare=True)
                if isinstance(term, sp.Add):
                    text = f"({text})"
                out += (" + " if i else "") + text
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        if is_negative(expr):
            positive = _negate(expr)
            if isinstance(positive, sp.Add):
                return MINUS + self._paren(positive)
            return MINUS + self._then(positive, self._followed, self._bare)
        num, den = fraction_factors(expr.args, keep_order=True)
        if not den:
            return self._factors(num, self._followed, self._bare)
        top = self._factors(num, followed=True, bare=False) if num else "1"
        if len(num) == 1 and isinstance(num[0], sp.Add):
            top = f"({top})"
        if len(den) == 1 and not isinstance(den[0], (sp.Add, sp.Mul)):
            bottom = self._then(den[0], self._followed)
        else:
            bottom = f"({self._factors(den)})"
        return f"{top}/{bottom}"

    def _factors(self, factors: list, followed: bool = False, bare: bool = False) -> str:
        if not factors:
            return "1"
        texts = []
        last = len(factors) - 1
        for i, f in enumerate(factors):
            if isinstance(f, sp.Add) and len(factors) > 1:
                text = self._paren(f)
            elif is_negative(f) and i > 0:
                text = self._paren(f)
            else:
                text = self._then(f, followed or i < last, bare and i == last)
            texts.append(text)
        if len(texts) > 1 and any(_fraction_text(t) for t in texts):
            return " · ".join(texts)
        out = texts[0]
        for a, b in zip(texts, texts[1:]):
            if (a[-1] in ")]" and b[0] in "([") or (a.isdigit() and not b[0].isdigit()):
                out += b
            else:
                out += " " + b
        return out

    def _print_Pow(self, expr: sp.Pow, rational=False) -> str:
        base, exp = expr.base, expr.exp
        if exp.is_Number and exp.is_negative:
            if exp != -1:
                return "1/" + self._print_Pow(sp.Pow(base, -exp, evaluate=False))
            return "1/" + (self._paren(base) if isinstance(base, (sp.Add, sp.Mul, sp.Sum)) else self._print(base))
        if exp == sp.Rational(1, 2):
            return f"√({self._print(base)})"
        if isinstance(base, (sp.Add, sp.Mul, sp.Pow, sp.Sum, sp.Derivative, sp.Rational)) or \
                (base.is_Number and base.is_negative):
            text = self._paren(base)
        else:
            text = self._print(base)
        if exp.is_Integer:
            return text + str(exp).translate(_SUPERSCRIPT)
        power = self._print(exp)
        return f"{text}^{power}" if isinstance(exp, sp.Symbol) and len(power) == 1 else f"{text}^({power})"


def _negate(term: sp.Expr) -> sp.Expr:
    """−term, built without reordering (the first factor's sign is flipped)."""
    if term.is_Number:
        return -term
    first, rest = term.args[0], list(term.args[1:])
    if isinstance(first, sp.Mul):
        first = _negate(first)
    else:
        first = -first
    factors = ([first] if first != 1 else []) + rest
    if not factors:
        return sp.Integer(1)
    return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)


def text(expr: sp.Expr, network: Optional[Network] = None, ascii: bool = False) -> str:
    """Plain text of ``expr`` in ``network``'s notation (ASCII only with ``ascii=True``)."""
    out = NotationStrPrinter(network).doprint(expr)
    return to_ascii(out) if ascii else out


# ── ASCII ────────────────────────────────────────────────────────────────────
_ASCII = {
    "−": "-", "·": "*", "Σ": "sum", "∑": "sum", "∂": "d", "σ": "sigma", "δ": "delta", "ξ": "xi",
    "ε": "eps", "√": "sqrt", "′": "'", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "←": "<-",
    "…": "...", "—": "--", "–": "-", "×": "x", "⊙": "(.)", "½": "1/2", "∈": "in", "≈": "~",
    "“": '"', "”": '"', "‘": "'", "’": "'",
}
_SUPER_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁽⁾]+")
_FROM_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁽⁾", "0123456789-()")


def _ascii_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _ASCII:
        return _ASCII[ch]
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK SMALL LETTER ") or name.startswith("GREEK CAPITAL LETTER "):
        word = name.split("LETTER ", 1)[1].lower()
        return word.capitalize() if "CAPITAL" in name else word
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return plain or "?"


def _ascii_super(m: re.Match) -> str:
    s = m.group(0).translate(_FROM_SUPER)
    return "^" + (s if s.isdigit() or s.startswith("(") else f"({s})")


def to_ascii(s: str) -> str:
    """The ASCII twin of a Unicode text: y_k²→y_k^2, y⁽²⁾_1→y^(2)_1, Σ→sum, σ→sigma, ∂→d, −→-."""
    s = _SUPER_RUN.sub(_ascii_super, s)
    return "".join(_ascii_char(ch) for ch in s)


def fits(s: str, encoding: Optional[str]) -> bool:
    """True when ``s`` can be written in ``encoding`` (None: assume it can)."""
    if not encoding:
        return True
    try:
        s.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
