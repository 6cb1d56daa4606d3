r"""Reading rules of the Builder (symbackprop.latex.build): labels, labelled
matrices, unevaluated arithmetic, decimals, application versus product,
multi-letter names, unbounded sums.  Expected values are built by hand."""

from __future__ import annotations

import signal

import pytest
import sympy as sp
from sympy import Function, ImmutableMatrix, IndexedBase, Integer, Rational, Sum, Symbol

from symbackprop.errors import ParseError
from symbackprop.latex.labels import (format_label, label_brackets, relabel, split_label,
                                      with_label)
from symbackprop.latex.arithmetic import decimal_places
from symbackprop.latex.parse import ParseOptions, parse_expr, parse_math
from symbackprop.rules.functions import relu, sigmoid

KR = ParseOptions(kronecker=True)


def S(name):
    return Symbol(name)


def I(name):  # noqa: E743
    return Symbol(name, integer=True)


def B(name):
    return IndexedBase(name)


def nb(v):
    return Symbol(f"n_{{{v}}}", integer=True, positive=True)


def U(cls, *args):
    return cls(*args, evaluate=False)


class _Timeout(Exception):
    pass


def _limited(fn, seconds=5.0):
    """Run ``fn`` under a SIGALRM timer so a hang fails the test instead."""
    def handler(*_):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    except _Timeout:
        pytest.fail(f"timed out after {seconds}s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def chains(src, options=KR):
    return [(list(c.exprs), list(c.ops)) for c in parse_math(src, options).chains]


# ------------------------------------------------------------ 1. no unbounded work

w = B("w")
M22 = ImmutableMatrix([[w[11], w[12]], [w[21], w[22]]])
ABCD = ImmutableMatrix([[S("a"), S("b")], [S("c"), S("d")]])

BOUNDED_CASES = [
    (r"W^{(d)} = \begin{bmatrix} w_{11} & w_{12} \\ w_{21} & w_{22}\end{bmatrix}^{(d)}",
     [([S("W^{(d)}"), M22], ["="])]),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{[l]}", [([ABCD], [])]),
    (r"\left(\begin{matrix} a & b \\ c & d\end{matrix}\right)^{(l-1)}", [([ABCD], [])]),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{L}", [([ABCD], [])]),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{mid}", [([ABCD], [])]),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{2}", [([ABCD * ABCD], [])]),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{T}", [([ABCD.T], [])]),
    (r"2^{2^{2^{2^{2}}}}",
     [([U(sp.Pow, 2, U(sp.Pow, 2, U(sp.Pow, 2, U(sp.Pow, 2, 2))))], [])]),
    (r"x^{10^{10}}", [([U(sp.Pow, S("x"), U(sp.Pow, 10, 10))], [])]),
    (r"(2x)^{1000000000}", [([U(sp.Pow, 2 * S("x"), 1000000000)], [])]),
]


@pytest.mark.parametrize("source, expected", BOUNDED_CASES, ids=[s for s, _ in BOUNDED_CASES])
def test_no_unbounded_work(source, expected):
    got = _limited(lambda: chains(source))
    assert got == expected, [[sp.srepr(e) for e in c[0]] for c in got]


@pytest.mark.parametrize("source, phrase", [
    (r"10^{10^{10}}", "number too large"),
    (r"2^{10^{10}} + 1", "number too large"),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{100}", "power of an explicit matrix"),
    (r"\begin{bmatrix} a & b \\ c & d\end{bmatrix}^{2n}", "power of an explicit matrix"),
])
def test_refused_without_hanging(source, phrase):
    with pytest.raises(ParseError, match=phrase):
        _limited(lambda: parse_math(source, KR))


# ------------------------------------------------------------ 2. labels are labels

LABEL_CASES = [
    (r"b_k^{mid}", B("b^{mid}")[I("k")]),
    (r"b^{out}_k", B("b^{out}")[I("k")]),
    (r"b^{\text{out}}_k", B("b^{out}")[I("k")]),
    (r"a^{\mathrm{out}}", S("a^{out}")),
    (r"W^{in}", S("W^{in}")),
    (r"W^{(d)}", S("W^{(d)}")),
    (r"W^{(d-1)}", S("W^{(d-1)}")),
    (r"a^{L-1}", S("a^{L-1}")),
    (r"a^{l+1}_j", B("a^{l+1}")[I("j")]),
    (r"a^{[l]}", S("a^{[l]}")),
    (r"a^{ L - 1 }", S("a^{L-1}")),
    (r"\delta^{\ell}", S(r"delta^{\ell}")),
    # powers stay powers
    (r"x^2", S("x") ** 2),
    (r"y_k^2", B("y")[I("k")] ** 2),
    (r"x^n", S("x") ** S("n")),
    (r"(a+b)^{n}", (S("a") + S("b")) ** S("n")),
    (r"x^{2n}", S("x") ** (2 * S("n"))),
    (r"A^{-1}", S("A") ** -1),
    (r"x^{\frac{1}{2}}", sp.sqrt(S("x"))),
]


@pytest.mark.parametrize("source, expected", LABEL_CASES, ids=[s for s, _ in LABEL_CASES])
def test_labels(source, expected):
    got = parse_expr(source)
    assert got == expected, sp.srepr(got)


l_, d_, L_ = I("l"), I("d"), I("L")

SPLIT_CASES = [
    ("a^{l+1}", ("a", l_ + 1), ""),
    ("a^{(d-1)}", ("a", d_ - 1), "()"),
    ("b^{mid}", ("b", "mid"), ""),
    ("a", ("a", None), ""),
    ("w^{[l]}", ("w", l_), "[]"),
    ("h^{L-1}", ("h", L_ - 1), ""),
    ("w^{*}", ("w", "*"), ""),
    (r"\mathbf{y}^{L}", (r"\mathbf{y}", L_), ""),
    (r"delta^{\ell}", ("delta", I("ell")), ""),
    ("x_{in}^{(l)}", ("x_{in}", l_), "()"),
]


@pytest.mark.parametrize("name, parts, brackets", SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_split_and_with_label_are_inverse(name, parts, brackets):
    assert split_label(name) == parts
    assert label_brackets(name) == brackets
    assert with_label(*parts, brackets=brackets) == name


def test_label_arithmetic_is_structural():
    assert relabel("w^{(l)}", lambda v: v + 1) == "w^{(l+1)}"
    assert relabel("a^{L}", lambda v: v - 1) == "a^{L-1}"
    assert relabel("b^{mid}", lambda v: v + 1) == "b^{mid}"
    assert format_label(l_ + 1) == "l+1"
    # the Builder folds exactly with_label's name
    name = with_label("a", l_ + 1)
    assert parse_expr(r"a^{l + 1}_j") == B(name)[I("j")]


# ------------------------------------------------------------ 3. application vs product

A, Bf, C, f = Function("A"), Function("B"), Function("C"), Function("f")
x, y, t, a, b, c, Z = (S(v) for v in "xytabcZ")

APPLY_CASES = [
    (r"f(x)=A(B(C(x)))", [([f(x), A(Bf(C(x)))], ["="])]),
    (r"L(y) = y^2 \quad L(a)", [([Function("L")(y), y ** 2], ["="]), ([Function("L")(a)], [])]),
    (r"G(x) = x + 1 \quad z = G(a + b)",
     [([Function("G")(x), x + 1], ["="]), ([S("z"), Function("G")(a + b)], ["="])]),
    # products stay products
    (r"y(1-y)", [([y * (1 - y)], [])]),
    (r"2(y-t)", [([2 * (y - t)], [])]),
    (r"a^L(x)", [([S("a^{L}") * x], [])]),
    (r"t_k(1 - y_k)", [([B("t")[I("k")] * (1 - B("y")[I("k")])], [])]),
    # a braced group renders without parentheses
    (r"\sigma(Z){1-\sigma(Z)}", [([sigmoid(Z) * 1 - sigmoid(Z)], [])]),
    (r"a{b-c}", [([a * b - c], [])]),
    (r"a{b-c}d", [([a * b - c * S("d")], [])]),
    (r"-{a+b}", [([-a + b], [])]),
    (r"a{(b-c)}", [([a * (b - c)], [])]),
    (r"{a+b}^2", [([(a + b) ** 2], [])]),
]


@pytest.mark.parametrize("source, expected", APPLY_CASES, ids=[s for s, _ in APPLY_CASES])
def test_application_versus_product(source, expected):
    assert chains(source, ParseOptions()) == expected


# ------------------------------------------------------------ 4. multi-letter names

NAME_CASES = [
    (r"Cost", S("Cost")),
    (r"Cost_i", B("Cost")[I("i")]),
    (r"Cost(w)", Function("Cost")(S("w"))),
    (r"net_j^{l}", B("net^{l}")[I("j")]),
    (r"\mathrm{softmax}(u)", Function("softmax")(S("u"))),
    (r"\text{loss}", S("loss")),
    (r"\mathrm{Loss}(y)", Function("Loss")(y)),
    (r"\operatorname{ReLU}(x)", relu(x)),
    (r"max(0, x)", sp.Max(0, x)),
    # products of single letters stay products
    (r"xy", x * y),
    (r"2AY", 2 * S("A") * S("Y")),
    (r"a b c", a * b * c),
    (r"ijk", S("i") * S("j") * S("k")),
    (r"w_{jk}", B("w")[I("j"), I("k")]),
    (r"E_{total}", S("E_{total}")),
]


@pytest.mark.parametrize("source, expected", NAME_CASES, ids=[s for s, _ in NAME_CASES])
def test_multi_letter_names(source, expected):
    got = parse_expr(source)
    assert got == expected, sp.srepr(got)


# ------------------------------------------------------------ 5. arithmetic as written

ARITH_CASES = [
    (r"3 \times 11 + 2 \times 5 = 43",
     [([U(sp.Add, U(sp.Mul, 3, 11), U(sp.Mul, 2, 5)), Integer(43)], ["="])]),
    (r"5 - 3", [([U(sp.Add, 5, -3)], [])]),
    (r"2^{3} = 8", [([U(sp.Pow, 2, 3), Integer(8)], ["="])]),
    (r"0.5 \times 5 = 2.5", [([U(sp.Mul, Rational(1, 2), 5), Rational(5, 2)], ["="])]),
    (r"\frac{6}{4}", [([U(sp.Mul, 6, U(sp.Pow, 4, -1))], [])]),
    (r"\frac{3}{4}", [([Rational(3, 4)], [])]),
    (r"x + 3 \times 11", [([U(sp.Add, x, U(sp.Mul, 3, 11))], [])]),
    (r"\sum_{k} (3 \times 2) x_k",
     [([Sum(U(sp.Mul, U(sp.Mul, 3, 2), B("x")[I("k")]), (I("k"), 1, nb("k")))], [])]),
    (r"3.3", [([Rational(33, 10)], [])]),
    (r"0.39", [([Rational(39, 100)], [])]),
    # numbers with symbols combine as before
    (r"\frac{1}{2 (x + y)}", [([Rational(1, 2) / (x + y)], [])]),
    (r"\frac{3x}{2}", [([Rational(3, 2) * x], [])]),
    (r"0.5 x", [([x / 2], [])]),
]


@pytest.mark.parametrize("source, expected", ARITH_CASES, ids=[s for s, _ in ARITH_CASES])
def test_arithmetic_as_written(source, expected):
    got = chains(source)
    assert got == expected, [[sp.srepr(e) for e in c[0]] for c in got]
    assert all(not isinstance(e, sp.Float) for c in got for e in c[0])


def test_written_arithmetic_still_evaluates():
    (lhs, rhs), _ = chains(r"3 \times 11 + 2 \times 5 = 43")[0]
    assert lhs != rhs and sp.simplify(lhs - rhs) == 0 and lhs.doit() == 43


@pytest.mark.parametrize("source, places", [
    (r"0.5 \times 5 = 2.5", 1), (r"z = 0.39 + 3.3", 2), (r"x = 3", None),
    (r"y = 0.0625 \text{ (v1.2)}", 4), (r"x_{1} = 10", None),
])
def test_decimal_places(source, places):
    assert decimal_places(source) == places


# ------------------------------------------------------------ 6. unbounded sums

i, j, k = I("i"), I("j"), I("k")
xx = B("x")


@pytest.mark.parametrize("source, expected", [
    (r"\sum_{i,j} x_{ij}", Sum(xx[i, j], (j, 1, nb("j")), (i, 1, nb("i")))),
    (r"\sum_{ij} x_{ij}", Sum(xx[i, j], (j, 1, nb("j")), (i, 1, nb("i")))),
    (r"\sum_i \sum_j x_{ij}", Sum(xx[i, j], (j, 1, nb("j")), (i, 1, nb("i")))),
    (r"\sum_{k'} x_{k'}", Sum(xx[I("k'")], (I("k'"), 1, nb("k")))),
    (r"\sum_k x_k", Sum(xx[k], (k, 1, nb("k")))),
    (r"\sum_{k=1}^{n} x_k", Sum(xx[k], (k, 1, S("n")))),
])
def test_unbounded_sums(source, expected):
    assert parse_expr(source) == expected


def test_sum_over_pairs_equals_nested_sums():
    assert parse_expr(r"\sum_{i,j} x_{ij}") == parse_expr(r"\sum_i\sum_j x_{ij}")
