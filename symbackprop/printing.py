"""Printing in the network's own notation: a LatexPrinter subclass (the text twin is
:mod:`symbackprop.text_printer`).

Internal names (``y_2[k]``, ``w_2[j, k]``, ``delta_2[k]``) print as the document
writes them (``y_k``, ``w_{jk}`` or ``w_{kj}``, ``δ_k``).  A layer superscript
``^{(ℓ)}`` is added only where the indices alone do not tell the layer (e.g. a
numeric index).  The Kronecker delta prints as an Iverson bracket ``[a = b]`` so
it is never mistaken for the error signal δ.
"""

from __future__ import annotations

import re
from typing import Optional

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.latex import LatexPrinter

from .model import Network, Notation
from .rules.forms import FunctionForms
from .rules.notation_table import form_of

_INTERNAL = re.compile(r"^(y|u|w|b|delta|gy)_(\d+)$")

def printed_row(expr: sp.Basic) -> Optional[FunctionForms]:
    """The notation row our printers write ``expr`` by (None: SymPy's own printing, as for tanh)."""
    row = form_of(expr)
    return None if row is None or row.sympy_prints else row


class _NotationMixin:
    """Shared naming logic: what letter and which indices an internal symbol prints as."""

    network: Optional[Network]

    def _notation(self) -> Notation:
        return self.network.notation if self.network is not None else Notation()

    def _letter(self, role: str, layer: int) -> str:
        nt = self._notation()
        if role == "y":
            return nt.input if layer == 0 else nt.activation
        return {"u": nt.preactivation, "w": nt.weight, "b": nt.bias, "delta": nt.delta,
                "gy": "g"}[role]

    def _layer_letters(self, layer: int) -> set[str]:
        """The index letters that name layer ``layer``'s entries without a superscript: its own
        and, with a ``[training]`` table, the example's (y_{jn} is y_j of example n)."""
        if self.network is None or layer >= len(self.network.layers):
            return set()
        sample = {self.network.training.index} if self.network.training is not None else set()
        return {self.network.layers[layer].index} | sample

    def _indexed_parts(self, expr: sp.Indexed) -> tuple[str, list[sp.Expr], Optional[int]]:
        """(letter, indices in print order, layer superscript or None)."""
        name = str(expr.base.label)
        indices = list(expr.indices)
        m = _INTERNAL.match(name)
        if name == "t":
            return self._notation().target, indices, None
        if name == "E":  # E_n, the loss of one example
            return self._notation().loss, indices, None
        if not m:
            return name, indices, None
        role, layer = m.group(1), int(m.group(2))
        allowed = self._layer_letters(layer)
        if role == "w":
            allowed = allowed | self._layer_letters(layer - 1)
            if self._notation().weight_order == "to_from":
                indices = indices[::-1]
        plain = all(isinstance(i, sp.Symbol) and i.name.rstrip("'") in allowed for i in indices)
        return self._letter(role, layer), indices, None if plain else layer


class NotationLatexPrinter(_NotationMixin, LatexPrinter):
    """LaTeX in the network's notation (``w_{jk}``, ``δ_k``, ``σ(u_j)``, ``y_k − t_k``)."""

    printmethod = "_symbackprop_latex"

    def __init__(self, network: Optional[Network] = None, settings: Optional[dict] = None):
        LatexPrinter.__init__(self, settings or {})
        self.network = network

    # ── symbols ──
    def _print_Indexed(self, expr: sp.Indexed) -> str:
        letter, indices, layer = self._indexed_parts(expr)
        sub = "".join(self._print(i) for i in indices)
        if len(indices) > 1 and any(not isinstance(i, sp.Symbol) for i in indices):
            sub = ",".join(self._print(i) for i in indices)
        sup = f"^{{({layer})}}" if layer is not None else ""
        return f"{letter}{sup}_{{{sub}}}"

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr.name == "E":
            return self._notation().loss
        if expr.name.endswith("'"):
            return self._print_Symbol(sp.Symbol(expr.name[:-1])) + "'"
        return LatexPrinter._print_Symbol(self, expr, style)

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp=None) -> str:
        a, b = (self._print(x) for x in expr.args)
        return f"[{a} = {b}]"

    # ── functions ──
    def _print_Function(self, expr, exp=None) -> str:
        """A network function by its row's LaTeX head (``\\sigma\\left(u\\right)``); others as SymPy."""
        row = printed_row(expr)
        if row is not None:
            return self._fn(row.latex, expr, exp)
        name = type(expr).__name__
        if name in ("hadamard", "transpose") and exp is None:  # the reader's ⊙ and ^T (undefined functions)
            return getattr(self, f"_print_{name}")(expr)
        return LatexPrinter._print_Function(self, expr, exp)

    _print_Heaviside = _print_Function  # SymPy's printer has its own, which the class would reach first

    def _print_hadamard(self, expr, exp=None) -> str:
        r"""A document's ``A \odot B`` (the checker's reading of ⊙ and ∗) as written."""
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_transpose(self, expr, exp=None) -> str:
        inner = self.parenthesize(expr.args[0], PRECEDENCE['Pow'])
        return f"{{{inner}}}^{{\\top}}" if "^" in inner and not inner.endswith(")") else f"{inner}^{{\\top}}"

    def _fn(self, name: str, expr, exp=None) -> str:
        head = f"{name}^{{{exp}}}" if exp else name
        return f"{head}\\left({self._print(expr.args[0])}\\right)"

    # ── calculus ──
    def _print_Derivative(self, expr: sp.Derivative) -> str:
        (var, count), = expr.variable_count
        top = r"\partial" if count == 1 else rf"\partial^{{{count}}}"
        bottom = rf"\partial {self._print(var)}" + (f"^{{{count}}}" if count > 1 else "")
        inner = expr.expr
        if isinstance(inner, (sp.Symbol, sp.Indexed)):
            return rf"\frac{{{top} {self._print(inner)}}}{{{bottom}}}"
        return rf"\frac{{{top}}}{{{bottom}}} \left({self._print(inner)}\right)"

    def _print_Sum(self, expr: sp.Sum) -> str:
        out = ""
        for d, lo, hi in expr.limits:
            out += rf"\sum_{{{self._print(d)}={self._print(lo)}}}^{{{self._print(hi)}}} "
        body = expr.function
        text = self._print(body)
        if isinstance(body, sp.Add):
            text = rf"\left({text}\right)"
        return out + text

    # ── arithmetic in textbook order ──
    def _print_Add(self, expr: sp.Add, order=None) -> str:
        terms = _add_terms(expr)
        out = ""
        for i, term in enumerate(terms):
            if _is_negative(term):
                text = self._print(-term)
                if isinstance(-term, sp.Add):
                    text = rf"\left({text}\right)"
                out += (" - " if i else "- ") + text
            else:
                text = self._print(term)
                out += (" + " if i else "") + text
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        if isinstance(expr, sp.Pow):  # LatexPrinter sends x^{-n} here as a fraction
            return rf"\frac{{1}}{{{self._print(sp.Pow(expr.base, -expr.exp))}}}"
        if _is_negative(expr):
            inner = -expr
            text = self._print(inner)
            return "- " + (rf"\left({text}\right)" if isinstance(inner, sp.Add) else text)
        num, den = _split_fraction(expr)
        if den and any(isinstance(f, sp.Sum) for f in num):
            coeff = [f for f in num if f.is_number]
            rest = [f for f in num if not f.is_number]
            return (rf"\frac{{{self._print_factors(coeff)}}}{{{self._print_factors(den)}}} "
                    + self._print_factors(rest))
        if den:
            return rf"\frac{{{self._print_factors(num)}}}{{{self._print_factors(den)}}}"
        return self._print_factors(num)

    def _print_factors(self, factors: list) -> str:
        if not factors:
            return "1"
        parts = []
        for f in factors:
            text = self._print(f)
            if isinstance(f, sp.Add) and len(factors) > 1:
                text = rf"\left({text}\right)"
            elif isinstance(f, sp.Pow) and f.exp == -1:
                text = rf"\frac{{1}}{{{self._print(f.base)}}}"
            parts.append(text)
        return " ".join(parts)


def _add_terms(expr: sp.Add) -> list:
    """Terms in textbook order: as built when built unevaluated, else positive terms first."""
    if tuple(sp.Add(*expr.args).args) != expr.args:
        return list(expr.args)
    return sorted(expr.args, key=lambda t: (_is_negative(t), _is_number(t)))


def fraction_factors(factors, keep_order: bool = False) -> tuple[list, list]:
    """Numerator and denominator of a product's factors, without multiplying them out again:
    x^{-n} and the denominator of a rational go below.  ``keep_order`` (the text printer)
    builds the powers unevaluated and takes only numeric exponents as written."""
    num, den = [], []
    for f in factors:
        negative_power = isinstance(f, sp.Pow) and f.exp.is_negative and \
            (f.exp.is_Number if keep_order else f.exp.is_number)
        if negative_power:
            den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=not keep_order))
        elif f.is_Rational and not f.is_Integer:
            if f.p != 1:
                num.append(sp.Integer(f.p))
            den.append(sp.Integer(f.q))
        else:
            num.append(f)
    return num, den


def _split_fraction(expr: sp.Mul) -> tuple[list, list]:
    """Numerator and denominator factors, without multiplying them out again."""
    evaluated = _evaluated(expr)
    num, den = fraction_factors(expr.args)
    if evaluated:
        num.sort(key=_factor_rank)
        den.sort(key=_factor_rank)
    return num, den


def _evaluated(expr: sp.Mul) -> bool:
    """True for an ordinary (canonically ordered) product; False for one built in textbook order."""
    return sp.Mul(*expr.args) == expr and tuple(sp.Mul(*expr.args).args) == expr.args


def _is_number(term: sp.Expr) -> bool:
    return term.is_number is True


def _is_negative(term: sp.Expr) -> bool:
    coeff = term.as_coeff_Mul()[0] if isinstance(term, sp.Mul) else term
    return bool(coeff.is_number and coeff.is_negative)


def _factor_rank(f: sp.Expr) -> tuple[int, str]:
    """Numbers, then symbols and function values, then brackets, then sums."""
    if f.is_number:
        return (0, "")
    if isinstance(f, sp.Sum):
        return (3, str(f))
    if isinstance(f, sp.Add):
        return (2, "" if f.has(sp.Function) else str(f))
    return (1, "")


def latex(expr: sp.Expr, network: Optional[Network] = None) -> str:
    """LaTeX of ``expr`` in ``network``'s notation."""
    return NotationLatexPrinter(network).doprint(expr)


def text(expr: sp.Expr, network: Optional[Network] = None, ascii: bool = False) -> str:
    """Plain text of ``expr`` in ``network``'s notation: the one terminal printer
    (:mod:`symbackprop.text_printer`; ``ascii=True`` for terminals without Unicode)."""
    from .text_printer import text as _text

    return _text(expr, network, ascii)


def __getattr__(name: str):
    if name == "NotationStrPrinter":  # the plain-text printer lives in text_printer.py
        from .text_printer import NotationStrPrinter

        return NotationStrPrinter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def derivation_latex(derivation) -> str:
    """All closed forms of a derivation as one ``aligned`` block (for Jupyter)."""
    net = derivation.network
    rows = []
    for ld in derivation.layers:
        for r in ld.results:
            rows.append(f"{latex(r.lhs, net)} &= {latex(r.rhs, net)}")
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
