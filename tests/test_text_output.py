"""The terminal text of ``derive``: textbook maths, never Python syntax, and the same values.

The printer takes liberties for the reader (a sum over one element printed as its term,
2·…/2 reduced, textbook term order); they happen on a SymPy expression
(:func:`symbackprop.text_printer.textbook_form`) that is evaluated here against the
derived one at random points, so a printing choice can never change a formula.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.model import Layer, Network
from symbackprop.present import derivation_text, used_assumptions
from symbackprop.printing import text
from symbackprop.spec import load
from symbackprop.text_printer import textbook_form, to_ascii

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "derivations").glob("*.toml"))
_DERIVED: dict = {}


def derived(spec: Path):
    if spec not in _DERIVED:
        _DERIVED[spec] = derive(load(spec))
    return _DERIVED[spec]


def printed_expressions(d):
    """Every expression derivation_text prints."""
    out = []
    for r in d.forward:
        out += [r.lhs] + [s.expr for s in r.steps]
    for ld in d.layers:
        for r in ld.lemmas + ld.results:
            out += [r.lhs] + [s.expr for s in r.steps]
    for a in used_assumptions(d):
        out += [a.lhs, a.rhs]
    return out


# ── what the text must never show ───────────────────────────────────────────
_TRIVIAL_SUM = re.compile(r"=\s*(\d+)\s*\.\.\s*\1\b|[Σ∑]_\{[^{}=]+=(\d+)\}\^\{\2\}")
_COEFF = re.compile(r"(?<![\w/^{,=.'⁽])(\d+)(?![\d.])")
_DENOM = re.compile(r"/(\d+)(?![\d.])")


def _terms(line: str) -> list[str]:
    """The terms of a printed line: split at =, +, − (between spaces) outside brackets."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and line[i:i + 3] in (" = ", " + ", " − ", " - "):
            terms.append(line[start:i])
            start = i + 3
    return terms + [line[start:]]


def unreduced_factor(line: str) -> str:
    """A term holding a number n and /n (2·[k = k'](y − t)/2), or ''."""
    for term in _terms(line):
        dens = set(_DENOM.findall(term))
        nums = set(_COEFF.findall(_DENOM.sub("", term)))
        both = {n for n in dens & nums if n != "1"}
        if both:
            return term
    return ""


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_derive_text_is_textbook_maths(spec: Path) -> None:
    out = derivation_text(derived(spec))
    assert "**" not in out, [l for l in out.splitlines() if "**" in l]
    assert not _TRIVIAL_SUM.search(out), [l for l in out.splitlines() if _TRIVIAL_SUM.search(l)]
    bad = [l for l in out.splitlines() if unreduced_factor(l)]
    assert not bad, bad


def test_the_checks_catch_the_old_forms() -> None:
    """The patterns above fail on what the text printer used to write."""
    assert _TRIVIAL_SUM.search("E = −Σ_k=1..1 (log(1 − y_k)·(1 − t_k) + t_k·log(y_k))")
    assert _TRIVIAL_SUM.search("∂E/∂y_j = Σ_{k=1}^{1} δ_k w_jk")
    assert unreduced_factor("= Σ_q'=1..M4 2·[q = q']·(a_q' − t_q')/2    [differentiate]")
    assert unreduced_factor("= Σ_{k'=1}^{n} 2[k = k'](y_k' − t_k')/2")
    assert not unreduced_factor("E = Σ_{k=1}^{n} (y_k − t_k)²/2")
    assert not unreduced_factor("y⁽²⁾_2 w⁽²⁾_{j,2}/2")


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_ascii_text_is_ascii(spec: Path) -> None:
    out = derivation_text(derived(spec), ascii=True)
    assert out.isascii(), [l for l in out.splitlines() if not l.isascii()]
    assert "**" not in out
    # an encoding that cannot take the Unicode falls back by itself
    assert derivation_text(derived(spec), encoding="ascii") == out
    assert derivation_text(derived(spec), encoding="utf-8") == derivation_text(derived(spec))


def test_textbook_forms() -> None:
    texts = {spec.stem: derivation_text(derived(spec)) for spec in SPECS}
    reg, bce, cls, deep = texts["regression"], texts["binary_classifier"], texts["classification"], \
        texts["deep_tanh_relu"]
    assert "E = Σ_{k=1}^{n} (y_k − t_k)²/2" in reg
    assert "= Σ_{k'=1}^{n} [k = k'](y_k' − t_k')    [differentiate term by term]" in reg
    assert "δ_j = σ(u_j)(1 − σ(u_j)) Σ_{k=1}^{n} δ_k w_jk" in reg
    assert "δ_p = (1 − tanh(u_p)²) Σ_{q=1}^{c} δ_q w_pq" in deep
    # the width-1 output layer: no sum over one element, target term first
    assert "E = −(t_1 log y⁽²⁾_1 + (1 − t_1) log(1 − y⁽²⁾_1))" in bce
    assert "∂E/∂y_j = δ⁽²⁾_1 w⁽²⁾_{j,1}" in bce
    # a sum followed by more terms is bracketed
    assert "= (Σ_{k'=1}^{n} t_k' y_k) − t_k    [sifting" in cls
    assert "= y_k (Σ_{k'=1}^{n} t_k') − t_k    [linearity of the sum]" in cls
    assert "u_k = (Σ_{j=1}^{m} y_j w_jk) + b_k" in cls
    assert "δ_k = y_k − t_k" in cls and "∂E/∂w_jk = y_j δ_k" in cls


def test_ascii_forms() -> None:
    assert to_ascii("E = Σ_{k=1}^{n} (y_k − t_k)²/2") == "E = sum_{k=1}^{n} (y_k - t_k)^2/2"
    assert to_ascii("∂E/∂y⁽²⁾_1 · σ(u_j)") == "dE/dy^(2)_1 * sigma(u_j)"
    assert to_ascii("x¹² ξ_k") == "x^12 xi_k"


# ── the printed forms have the values of the derived ones ──────────────────
def _index_symbols(net: Network) -> dict:
    return {s: (lo, hi) for s, (lo, hi) in net.ranges.items()}


def _written_out(s: sp.Sum) -> sp.Expr:
    """A sum with numeric limits as its terms (SymPy's doit recurses on some Kronecker sums)."""
    body = s.function
    for d, lo, hi in s.limits:
        body = sp.Add(*[body.xreplace({d: sp.Integer(i)}) for i in range(int(lo), int(hi) + 1)])
    return body


def _value(expr: sp.Expr, net: Network, sizes: dict, indices: dict, values: dict) -> complex:
    e = expr.xreplace(sizes)
    e = e.replace(lambda x: isinstance(x, sp.Sum), _written_out)
    e = e.xreplace(indices)
    # a derivative of a bare quantity (∂E/∂u_k) is an unknown: one value per entry
    e = e.replace(lambda x: isinstance(x, sp.Derivative) and isinstance(x.expr, (sp.Symbol, sp.Indexed)),
                  lambda x: values.setdefault(("D", sp.srepr(x)), sp.Symbol(f"D{len(values)}")))
    e = e.doit()
    e = e.replace(lambda x: isinstance(x, sp.Indexed),
                  lambda x: values.setdefault(("I", sp.srepr(x)), sp.Symbol(f"I{len(values)}")))
    return e


def _same_value(a: sp.Expr, b: sp.Expr, net: Network, rng: random.Random) -> bool:
    widths = {s: rng.randint(2, 3) for s in net.width_symbols()}
    sizes = {s: sp.Integer(v) for s, v in widths.items()}
    indices = {}
    for sym, (lo, hi) in net.ranges.items():
        top = int(sp.sympify(hi).xreplace(sizes))
        indices[sym] = sp.Integer(rng.randint(int(lo), top))
    values: dict = {}
    va, vb = _value(a, net, sizes, indices, values), _value(b, net, sizes, indices, values)
    point = {sym: sp.Rational(rng.randint(5, 95), 100) for sym in values.values()}
    x, y = complex(sp.N(va.xreplace(point), 30)), complex(sp.N(vb.xreplace(point), 30))
    return abs(x - y) <= 1e-12 * (1 + abs(x))


def _free_letters(e: sp.Expr) -> set:
    """The free index letters and sizes (a trivial sum must not leave its dummy free)."""
    if isinstance(e, sp.Symbol):
        return {e}
    if isinstance(e, sp.Indexed):
        return set().union(*(_free_letters(i) for i in e.indices))
    if isinstance(e, sp.Sum):
        inner = _free_letters(e.function) - {d for d, *_ in e.limits}
        return inner.union(*(_free_letters(lo) | _free_letters(hi) for _, lo, hi in e.limits))
    return set().union(*(_free_letters(a) for a in e.args)) if e.args else set()


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_printed_forms_have_the_derived_values(spec: Path) -> None:
    d = derived(spec)
    net = d.network
    rng = random.Random(14)
    changed = 0
    for expr in printed_expressions(d):
        shown = textbook_form(expr)
        if shown == expr:
            continue
        changed += 1
        assert _free_letters(shown) == _free_letters(expr), (text(expr, net), sp.srepr(shown))
        for _ in range(2):
            assert _same_value(expr, shown, net, rng), (text(expr, net), sp.srepr(expr), sp.srepr(shown))
    assert changed  # the rewrite did something to check


def test_trivial_sum_is_its_term_at_that_index() -> None:
    net = Network((Layer(2, "j"), Layer(1, "k", "sigmoid")), "binary_cross_entropy")
    o = net.symbols[1]
    k = o.index
    s = sp.Sum(net.target[k] * o.y[k], (k, 1, 1))
    assert textbook_form(s) == net.target[1] * o.y[1]
    assert sp.simplify(s.doit() - textbook_form(s)) == 0
    n = sp.Symbol("n", integer=True, positive=True)
    assert textbook_form(sp.Sum(o.y[k], (k, 1, n))) == sp.Sum(o.y[k], (k, 1, n))
    assert "Σ" not in text(s, net) and "..1" not in text(s, net)


def test_numeric_factors_are_reduced_in_value() -> None:
    k, kp = sp.symbols("k k'", integer=True, positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    y, t = sp.IndexedBase("y_1"), sp.IndexedBase("t")
    e = sp.Rational(1, 2) * sp.Sum(2 * sp.KroneckerDelta(k, kp) * (y[kp] - t[kp]), (kp, 1, n))
    shown = textbook_form(e)
    assert sp.simplify((e - shown).doit()) == 0
    assert text(e) == "Σ_{k'=1}^{n} [k = k'](y⁽¹⁾_k' − t_k')"


def test_derive_ascii_option(capsys) -> None:
    from symbackprop.cli import main

    assert main(["derive", str(ROOT / "derivations/regression.toml"), "--ascii"]) == 0
    out = capsys.readouterr().out
    assert out.isascii() and "E = sum_{k=1}^{n} (y_k - t_k)^2/2" in out
    assert "delta_j = sigma(u_j)(1 - sigma(u_j)) sum_{k=1}^{n} delta_k w_jk" in out
