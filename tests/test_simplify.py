"""symbackprop/simplify.py, pinned: every pass is an equality, checked by an independent route.

The rules of simplify.py and the property each group of tests checks:

=====================  ==========================================================  ===========================
rule                   identity                                                    checked here
=====================  ==========================================================  ===========================
``_split``             a product = (factors free of d) · (factors with d)          parts multiply back, as named
``sum_linearity``      Σ_d (a x_d + b y_d) = a Σ_d x_d + b Σ_d y_d;                equal everywhere; no factor
                       Σ_{d=lo}^{hi} c = c (hi − lo + 1)                           free of d left in a sum
``collapse_kronecker`` Σ_{d=lo}^{hi} a_d δ_{d i} = a_i  when i runs over lo..hi     equal everywhere; collapses
(``_collapse_term``)   (``ranges[i] == (lo, hi)``) or i is an integer in lo..hi      when licensed; never when i
                                                                                   can leave lo..hi
``apply_equalities``   a stated Σ_{k'} t_{k'} = 1 replaces the same sum (any        equal wherever the stated
                       dummy name, same bounds)                                    equality holds
``has_kronecker``      is a δ left?                                                table
``tidy``               the fewest-operation form of cancel/factor                  equal; never more operations
``combine_sums``       a Σ_d x_d + a Σ_d y_d = a Σ_d (x_d + y_d), one sum per       equal everywhere; one sum
                       (dummy, lo, hi)                                             per range
``PASSES``             the passes by name, in the engine's order                   table
=====================  ==========================================================  ===========================

The independent route is :func:`written_out`: sizes and free indices get integer values
and every sum is written out term by term in plain Python, sharing no code with
simplify.py, ``prover/sums.py`` or ``Sum.doit``.  Two expressions are equal when their
written-out difference expands to 0 for every size in 1..3 and every value of every free
index in its range, with a_1, a_2, … left as symbols: exact.  A reversed range follows
Karr's convention (Σ_{k=3}^{1} f = −f(2)), SymPy's and so the one these passes assume
(Σ_{k=lo}^{hi} c = c (hi − lo + 1)); the prover reads such a sum as 0 and keeps the
symbolic passes away from any sum that may run backwards (``prover/sums.py``).

The property tests (hypothesis) print their seed on failure; ``SYMBACKPROP_TEST_SEED=N``
fixes it, ``SYMBACKPROP_TEST_EXAMPLES=N`` sets the examples per test (default 150).
The last section holds the capture and scope bugs these tests found (fixed the same day): each must stay fixed.
"""

from __future__ import annotations

import functools
import itertools
import os
import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st

from symbackprop.model import index_symbol, make_size
from symbackprop.prove import prove
from symbackprop.prover.runner import inline
from symbackprop.simplify import (PASSES, _collapse_term, _split, apply_equalities, collapse_kronecker,
                                  combine_sums, has_kronecker, sum_linearity, tidy)
from symbackprop.verdict import Status

SEED = int(os.environ.get("SYMBACKPROP_TEST_SEED") or random.SystemRandom().randrange(2 ** 32))
EXAMPLES = int(os.environ.get("SYMBACKPROP_TEST_EXAMPLES") or 150)


def property_test(*strategies, examples: int = EXAMPLES):
    """@given with the module's seed, which every failure report prints."""
    def wrap(test):
        @functools.wraps(test)
        def body(*args, **kwargs):
            note(f"seed: SYMBACKPROP_TEST_SEED={SEED} reproduces this run")
            test(*args, **kwargs)
        return seed(SEED)(settings(max_examples=examples, deadline=None, print_blob=True,
                                   suppress_health_check=[HealthCheck.too_slow])(given(*strategies)(body)))
    return wrap


n, m = make_size("n"), make_size("m")
i, j = index_symbol("i"), index_symbol("j")          # free indices
k, l, kp = index_symbol("k"), index_symbol("l"), index_symbol("k'")  # summation indices
a, b, t = (sp.IndexedBase(s) for s in "abt")
x = sp.IndexedBase("x")                                # two indices
c = sp.Symbol("c")
delta = sp.KroneckerDelta
SIZES = (1, 2, 3)
FREE = (i, j)
INDICES = (i, j, k, l, kp)  # a free occurrence of any of them is an index to give every value


# ── the independent route ──────────────────────────────────────────────────
def written_out(expr: sp.Expr, env: dict) -> sp.Expr:
    """``expr`` with env's symbols replaced by integers and every sum written out term by term."""
    if isinstance(expr, sp.Sum):
        return _sum_out(expr.function, list(expr.limits), env)
    if isinstance(expr, sp.Symbol):
        return env.get(expr, expr)
    if not expr.args or isinstance(expr, sp.IndexedBase):
        return expr
    return expr.func(*(written_out(arg, env) for arg in expr.args))


def _sum_out(body: sp.Expr, limits: list, env: dict) -> sp.Expr:
    if not limits:
        return written_out(body, env)
    *inner, (d, lo, hi) = limits  # SymPy lists the innermost limit first
    lo, hi = int(written_out(lo, env)), int(written_out(hi, env))

    def total(first: int, last: int) -> sp.Expr:
        return sp.Add(*(_sum_out(body, inner, {**env, d: sp.Integer(v)}) for v in range(first, last + 1)))

    return total(lo, hi) if lo <= hi else -total(hi + 1, lo - 1)  # Karr: Σ_{lo}^{hi} = −Σ_{hi+1}^{lo−1}


def _bound_range(rng, env) -> range:
    lo, hi = (int(written_out(sp.sympify(e), env)) for e in rng)
    return range(lo, hi + 1)


def valuations(exprs, ranges: dict):
    """Every size in 1..3 and every value of every free index in its range (1..3 when not given)."""
    exprs = [sp.sympify(e) for e in exprs]
    free = sorted({s for e in exprs for s in e.free_symbols if s in INDICES}, key=str)
    bounds = [sp.sympify(e) for f in free for e in ranges.get(f, (1, 3))]
    sizes = sorted({s for e in exprs + bounds for s in e.free_symbols if s in (n, m)}, key=str)
    for values in itertools.product(SIZES, repeat=len(sizes)):
        env = dict(zip(sizes, map(sp.Integer, values)))
        spans = [_bound_range(ranges.get(f, (1, 3)), env) for f in free]
        for point in itertools.product(*spans):
            yield {**env, **dict(zip(free, map(sp.Integer, point)))}


def difference(before: sp.Expr, after: sp.Expr, ranges: dict, constraint=None):
    """The first valuation where the written-out sides differ (None: equal everywhere).

    ``constraint(env)`` maps quantities to values that make a stated equality hold there."""
    for env in valuations([before, after], ranges):
        left, right = written_out(before, env), written_out(after, env)
        if constraint is not None:
            fix = constraint(env)
            left, right = left.xreplace(fix), right.xreplace(fix)
        if sp.expand(left - right) != 0:
            return env, left, right
    return None


def assert_equal_everywhere(before, after, ranges, constraint=None):
    diff = difference(before, after, ranges, constraint)
    assert diff is None, f"{before}  ->  {after}  (ranges {ranges}) differ at {diff[0]}: {diff[1]} != {diff[2]}"


def test_the_independent_route_writes_sums_out_as_sympy_does():
    """Karr's convention included: Σ_{k=3}^{1} f = −f(2), Σ_{k=2}^{1} f = 0."""
    cases = [sp.Sum(a[k], (k, 1, 3)), sp.Sum(a[k], (k, 3, 1)), sp.Sum(a[k], (k, 2, 1)),
             sp.Sum(a[k] * b[l], (l, 1, 2), (k, 1, 3)), sp.Sum(delta(k, 2) * a[k], (k, 1, 3))]
    for e in cases:
        assert sp.expand(written_out(e, {}) - e.doit()) == 0, e
    assert written_out(sp.Sum(a[k], (k, 1, n)), {n: 2}) == a[1] + a[2]
    assert written_out(sp.Sum(a[k] * b[l], (l, 1, k), (k, 1, 2)), {}) == a[1] * b[1] + a[2] * b[1] + a[2] * b[2]
    assert list(valuations([a[j]], {j: (2, n)})) == [{n: 2, j: 2}, {n: 3, j: 2}, {n: 3, j: 3}]


def test_the_independent_route_sees_a_wrong_collapse():
    """It can fail: Σ_{k=2}^{3} δ_{jk} a_k is not a_j at j = 1."""
    diff = difference(sp.Sum(delta(j, k) * a[k], (k, 2, 3)), a[j], {j: (1, 3)})
    assert diff is not None and diff[0][j] == 1 and diff[1] == 0 and diff[2] == a[1]


# ── strategies ─────────────────────────────────────────────────────────────
#: sum bounds: concrete, symbolic, one that starts at 2, reversed (Karr) and empty ones
BOUNDS = [tuple(sp.sympify(r)) for r in [(1, 3), (2, 3), (1, 2), (3, 3), (1, n), (1, m), (2, n), (3, 1), (3, 2)]]
#: ranges of free indices (never reversed)
FREE_RANGES = [tuple(sp.sympify(r)) for r in [(1, 3), (2, 3), (1, 2), (1, n), (1, m), (2, n)]]


def _factors(d: sp.Symbol, outer: tuple) -> list:
    """Factors a summand over d may have: d-quantities, free ones, deltas of every kind."""
    out = [a[d], b[d], x[d, j], x[i, d], a[d] ** 2, b[j], c, sp.Integer(2), sp.Integer(-1),
           delta(d, j), delta(j, d), delta(d, i), delta(i, j),
           delta(d, 1), delta(d, 2), delta(d, 3), 1 - a[d], b[j] - a[d]]
    for o in outer:
        out += [delta(d, o), x[d, o], a[o]]
    return out


@st.composite
def summands(draw, d: sp.Symbol, outer: tuple = (), depth: int = 1):
    """A sum of products of factors over d; a term may hold a nested sum over another dummy."""
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        term = sp.Mul(*draw(st.lists(st.sampled_from(_factors(d, outer)), max_size=3)))
        if depth and draw(st.integers(0, 3)) == 0:
            e = l if d == k else k
            term *= draw(sums(e, outer + (d,), depth - 1))
        terms.append(term)
    return sp.Add(*terms)


@st.composite
def sums(draw, d: sp.Symbol, outer: tuple = (), depth: int = 1):
    lo, hi = draw(st.sampled_from(BOUNDS))
    return sp.Sum(draw(summands(d, outer, depth)), (d, lo, hi))


def _bindings(expr: sp.Expr) -> dict:
    out: dict = {}
    for s in expr.atoms(sp.Sum):
        for d, lo, hi in s.limits:
            out.setdefault(d, set()).add((lo, hi))
    return out


@st.composite
def expressions(draw):
    """(expression, ranges): sums over k and l, nested or side by side, and free terms.

    ``ranges`` gives free indices a range (or none) and, like the prover's agreed ranges,
    a summation index the one range all its sums bind it with (never a reversed one)."""
    terms = []
    for _ in range(draw(st.integers(1, 2))):
        coeff = draw(st.sampled_from([sp.Integer(1), sp.Integer(3), c, b[j], a[i]]))
        terms.append(coeff * draw(sums(draw(st.sampled_from([k, l])))))
    if draw(st.booleans()):
        terms.append(draw(st.sampled_from([a[j], c * b[i], sp.Integer(5)])))
    expr = sp.Add(*terms)
    ranges = {f: draw(st.sampled_from(FREE_RANGES)) for f in FREE if draw(st.booleans())}
    for d, rs in _bindings(expr).items():
        (lo, hi), = rs if len(rs) == 1 else ((None, None),)
        if lo is not None and not (lo.is_number and hi.is_number and hi < lo) and draw(st.booleans()):
            ranges[d] = (lo, hi)
    return expr, ranges


# ── _split ─────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("expr,d,free,bound", [
    (3 * c * a[k] * b[j], k, 3 * c * b[j], a[k]),
    (a[k] * delta(k, j), k, sp.Integer(1), a[k] * delta(k, j)),
    (b[j], k, b[j], sp.Integer(1)),
    (sp.Sum(a[k], (k, 1, n)) * b[k], k, sp.Sum(a[k], (k, 1, n)), b[k]),  # a bound k is free of k
])
def test_split_table(expr, d, free, bound):
    assert _split(expr, d) == (free, bound)


@property_test(st.lists(st.sampled_from(_factors(k, (l,))), max_size=5), st.sampled_from([k, l, j]))
def test_split_separates_the_factors_with_d(factors, d):
    expr = sp.Mul(*factors)
    free, bound = _split(expr, d)
    assert sp.expand(free * bound - expr) == 0
    assert d not in free.free_symbols
    assert all(d in f.free_symbols for f in sp.Mul.make_args(bound) if f != 1)


# ── sum_linearity ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("before,after", [
    (sp.Sum(3 * a[k] + c * b[k], (k, 1, n)), 3 * sp.Sum(a[k], (k, 1, n)) + c * sp.Sum(b[k], (k, 1, n))),
    (sp.Sum(c, (k, 1, n)), c * n),
    (sp.Sum(c, (k, 2, n)), c * (n - 1)),
    (sp.Sum(5, (k, 3, 1)), sp.Integer(-5)),      # Karr: Σ_{k=3}^{1} 5 = −5
    (sp.Sum(5, (k, 3, 2)), sp.Integer(0)),       # empty
    (sp.Sum(b[j] * a[k], (k, 1, 3)), b[j] * sp.Sum(a[k], (k, 1, 3))),
    (sp.Sum(a[k] * b[l], (k, 1, n), (l, 1, m)), sp.Sum(a[k] * b[l], (k, 1, n), (l, 1, m))),  # several limits: left
    (sp.Sum(b[l] * sp.Sum(c * a[k], (k, 1, n)), (l, 1, m)),
     sp.Sum(a[k], (k, 1, n)) * c * sp.Sum(b[l], (l, 1, m))),               # inner first, then outer
])
def test_sum_linearity_table(before, after):
    out = sum_linearity(before)
    assert sp.expand(out - after) == 0, out
    assert_equal_everywhere(before, out, {})


@property_test(expressions())
def test_sum_linearity_is_an_equality(case):
    expr, ranges = case
    out = sum_linearity(expr)
    assert_equal_everywhere(expr, out, ranges)


@property_test(expressions())
def test_sum_linearity_leaves_no_constant_inside_a_sum(case):
    """After the pass every one-limit sum holds one product, each factor mentioning the dummy."""
    out = sum_linearity(case[0])
    for s in out.atoms(sp.Sum):
        if len(s.limits) == 1:
            assert not isinstance(s.function, sp.Add), s
            assert _split(s.function, s.limits[0][0])[0] == 1, s


# ── collapse_kronecker ─────────────────────────────────────────────────────
R3, RN = (sp.Integer(1), sp.Integer(3)), (sp.Integer(1), n)


@pytest.mark.parametrize("before,ranges,after", [
    # licensed: the free index runs over exactly the sum's range
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), {j: RN}, a[j]),
    (sp.Sum(delta(j, k) * a[k], (k, 1, 3)), {j: R3}, a[j]),
    (sp.Sum(a[k] * (delta(k, j) - b[j]), (k, 1, n)), {j: RN}, a[j] - b[j] * sp.Sum(a[k], (k, 1, n))),
    (sp.Sum(x[k, i] * delta(k, j) * delta(k, i), (k, 1, n)), {j: RN, i: RN}, x[j, i] * delta(i, j)),
    # licensed: an integer inside the range (also 1 ≤ n for a symbolic n)
    (sp.Sum(a[k] * delta(k, 2), (k, 1, 3)), {}, a[2]),
    (sp.Sum(a[k] * delta(k, 1), (k, 1, n)), {}, a[1]),
    (sp.Sum(a[k] * delta(k, 3), (k, 3, 3)), {}, a[3]),
    # the first δ whose index may leave the range is skipped, the next one used
    (sp.Sum(a[k] * delta(k, j) * delta(k, i), (k, 2, 3)), {j: R3, i: (2, 3)}, a[i] * delta(i, j)),
    # nested: the inner sum's δ with the outer index, whose range is the inner one
    (sp.Sum(b[l] * sp.Sum(a[k] * delta(k, l), (k, 1, n)), (l, 1, n)), {l: RN}, sp.Sum(a[l] * b[l], (l, 1, n))),
])
def test_collapse_table(before, ranges, after):
    """The expected form (as many sums left, equal to the result everywhere) and an equality."""
    out = collapse_kronecker(before, ranges)
    assert len(out.atoms(sp.Sum)) == len(after.atoms(sp.Sum)) and out.has(sp.KroneckerDelta) == after.has(
        sp.KroneckerDelta), out
    assert difference(out, after, ranges) is None, out
    assert_equal_everywhere(before, out, ranges)


#: (sum, ranges) that must stay as they are: the free index can take a value outside the sum.
NOT_LICENSED = [
    (sp.Sum(delta(j, k) * a[k], (k, 2, 3)), {j: R3}),           # the tester's example: j = 1 is outside 2..3
    (sp.Sum(delta(j, k) * a[k], (k, 1, 2)), {j: R3}),           # j = 3 is outside
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), {j: (1, m)}),       # m > n
    (sp.Sum(a[k] * delta(k, j), (k, 2, n)), {j: RN}),           # j = 1
    (sp.Sum(a[k] * delta(k, j), (k, 1, 2)), {j: RN}),           # n = 3
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), {j: R3}),           # n < 3
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), {}),                # no range known
    (sp.Sum(a[k] * delta(k, j), (k, 3, 1)), {j: R3}),           # reversed range
    (sp.Sum(a[k] * delta(k, 4), (k, 1, 3)), {}),                # integer above
    (sp.Sum(a[k] * delta(k, j - 2), (k, 1, 3)), {j: R3}),       # not an index symbol
    (sp.Sum(a[k] * delta(k, 2), (k, 1, n)), {}),                # 2 ≤ n unknown (n = 1)
    (sp.Sum(a[k] * delta(k, 1), (k, 2, n)), {}),
    (sp.Sum(a[k] * delta(k, j + 1), (k, 1, n)), {j: RN}),       # not an index symbol
    (sp.Sum(a[k] * delta(k, j), (k, 1, n), (l, 1, m)), {j: RN}),  # several limits: left alone
]


@pytest.mark.parametrize("before,ranges", NOT_LICENSED, ids=[f"{sp.sstr(e)} {r}" for e, r in NOT_LICENSED])
def test_collapse_is_refused_where_the_index_may_leave_the_range(before, ranges):
    assert collapse_kronecker(before, ranges) == before
    if len(before.limits) == 1:
        d, lo, hi = before.limits[0]
        assert _collapse_term(before.function, d, lo, hi, ranges) is None


def test_the_refused_collapses_would_have_been_wrong():
    """The table above is no matter of taste: each collapsed form differs somewhere (the
    several-limits case is only refused)."""
    for before, ranges in NOT_LICENSED[:-1]:
        d, lo, hi = before.limits[0]
        (f,) = [f for f in before.function.atoms(sp.KroneckerDelta)]
        other = f.args[0] if f.args[1] == d else f.args[1]
        wrong = (before.function / f).subs(d, other)
        assert difference(before, wrong, ranges) is not None, before


#: no δ at all: a factor that merely has d among its arguments is no δ (w_{jk} is not δ_{jk})
NO_DELTA = [
    (sp.Sum(x[i, k], (k, 1, n)), {i: RN}),
    (sp.Sum(x[2, k], (k, 1, 3)), {}),
    (sp.Sum(x[j, k] * b[k], (k, 1, n)), {j: RN, k: RN}),
]


@pytest.mark.parametrize("before,ranges", NO_DELTA, ids=[sp.sstr(e) for e, _r in NO_DELTA])
def test_only_a_kronecker_delta_is_collapsed(before, ranges):
    (d, lo, hi), = before.limits
    assert _collapse_term(before.function, d, lo, hi, ranges) is None
    assert collapse_kronecker(before, ranges) == before


def test_a_delta_of_the_dummy_with_itself_is_passed_over():
    """δ_kk kept unevaluated (as a reader keeps arithmetic as written) is 1: the next δ is used."""
    term = sp.KroneckerDelta(k, k, evaluate=False) * a[k] * delta(k, l)
    assert [f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)][-1] == delta(k, l)  # δ_kk first
    assert _collapse_term(term, k, sp.Integer(1), n, {l: RN}) == a[l]


@property_test(expressions())
def test_collapse_is_an_equality(case):
    """Every index value of every size agrees: the range check is what makes this hold."""
    expr, ranges = case
    note(f"ranges: {ranges}")
    out = collapse_kronecker(expr, ranges)
    assert_equal_everywhere(expr, out, ranges)


@st.composite
def licensed(draw):
    """Σ_{k∈R} F_k δ(k, j) with j running over R, or δ(k, v) with an integer v in R."""
    lo, hi = draw(st.sampled_from([r for r in BOUNDS if not (r[0].is_number and r[1].is_number and r[1] < r[0])]))
    factors = [f for f in _factors(k, ()) if not f.has(sp.KroneckerDelta)]
    F = sp.Mul(*draw(st.lists(st.sampled_from(factors), max_size=3)))
    if lo.is_number and hi.is_number and draw(st.booleans()):
        v = sp.Integer(draw(st.integers(int(lo), int(hi))))
        return F * delta(k, v), (lo, hi), {}, F.subs(k, v)
    if lo == 1 and draw(st.booleans()):
        return F * delta(k, 1), (lo, hi), {}, F.subs(k, 1)
    return F * delta(k, j), (lo, hi), {j: (lo, hi)}, F.subs(k, j)


@property_test(licensed())
def test_collapse_happens_when_licensed(case):
    summand, (lo, hi), ranges, expected = case
    before = sp.Sum(summand, (k, lo, hi))
    out = collapse_kronecker(before, ranges)
    assert sp.expand(out - expected) == 0, out
    assert not out.has(sp.KroneckerDelta) and not out.has(sp.Sum)
    assert_equal_everywhere(before, out, ranges)


@st.composite
def unlicensed(draw):
    """Σ_{k∈R} F_k δ(k, j) where j (at some size) takes a value outside R."""
    lo, hi = draw(st.sampled_from(BOUNDS))
    rj = draw(st.sampled_from(FREE_RANGES))
    F = sp.Mul(*draw(st.lists(st.sampled_from([f for f in _factors(k, ()) if not f.has(sp.KroneckerDelta)]),
                              max_size=3)))
    return sp.Sum(F * delta(k, j) * draw(st.sampled_from([1, b[j]])), (k, lo, hi)), {j: rj}


def _may_leave(lo, hi, rj) -> bool:
    for env in valuations([j, lo, hi], {j: rj}):
        first, last = int(written_out(lo, env)), int(written_out(hi, env))
        if not first <= env[j] <= last:
            return True
    return False


@property_test(unlicensed())
def test_collapse_is_refused_when_the_free_index_may_leave_the_range(case):
    before, ranges = case
    (_d, lo, hi), = before.limits
    if not _may_leave(lo, hi, ranges[j]):
        return  # j stays inside: a collapse would be right (the pass may still refuse it)
    assert collapse_kronecker(before, ranges) == before


# ── the prover, through these passes ───────────────────────────────────────
@pytest.mark.parametrize("lhs,rhs,ranges,status", [
    (sp.Sum(delta(j, k) * a[k], (k, 2, 3)), a[j], {j: R3}, Status.REFUTED),   # the tester's false identity
    (sp.Sum(delta(j, k) * a[k], (k, 1, 3)), a[j], {j: R3}, Status.PROVED),
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), a[j], None, Status.PROVED),      # j's range inferred from a_k
    (sp.Sum(a[k] * delta(k, j), (k, 1, n)), a[j], {j: (1, m)}, Status.REFUTED),
    (sp.Sum(a[k] * delta(k, j), (k, 2, n)), a[j], {j: RN}, Status.REFUTED),
    (sp.Sum(a[k] * delta(k, 2), (k, 1, n)), a[2], None, Status.REFUTED),     # n = 1
    (sp.Sum(a[k] * delta(k, 1), (k, 1, n)), a[1], None, Status.PROVED),
])
def test_the_prover_proves_only_licensed_collapses(lhs, rhs, ranges, status):
    v = prove(lhs, rhs, ranges=ranges, runner=inline)
    assert v.status is status, (v.status, v.method, v.reason)
    if status is Status.PROVED:  # symbolically, or exactly at every index value of fixed sizes
        assert "exact" in v.method, v.method


def test_the_tester_s_false_identity_is_refuted_at_j_1():
    v = prove(sp.Sum(delta(j, k) * a[k], (k, 2, 3)), a[j], ranges={j: R3}, runner=inline)
    assert v.refuted and v.witness.values["j"] == "1"


# ── apply_equalities ───────────────────────────────────────────────────────
TARGETS = ((sp.Sum(t[kp], (kp, 1, n)), sp.Integer(1)),)


def _targets_sum_to_one(env: dict) -> dict:
    """t_n = 1 − Σ_{k<n} t_k at this n: the stated equality holds."""
    size = int(env.get(n, 3))
    return {t[size]: 1 - sum(t[v] for v in range(1, size))}


@pytest.mark.parametrize("before,after", [
    (sp.Sum(t[k], (k, 1, n)), sp.Integer(1)),
    (sp.Sum(t[kp], (kp, 1, n)), sp.Integer(1)),
    (c * sp.Sum(t[l], (l, 1, n)) + a[j], c + a[j]),
    (sp.Sum(t[k], (k, 1, m)), sp.Sum(t[k], (k, 1, m))),         # other bounds: not the stated sum
    (sp.Sum(t[k], (k, 2, n)), sp.Sum(t[k], (k, 2, n))),
    (sp.Sum(2 * t[k], (k, 1, n)), sp.Sum(2 * t[k], (k, 1, n))),  # not linear-split yet
    (sp.Sum(b[l] * sp.Sum(t[k], (k, 1, n)), (l, 1, m)), sp.Sum(b[l], (l, 1, m))),
    # several limits (innermost first): only the inner limits that form the stated sum
    (sp.Sum(t[k], (k, 1, n), (j, 1, m)), sp.Sum(1, (j, 1, m))),
    (sp.Sum(t[k], (j, 1, m), (k, 1, n)), sp.Sum(t[k], (j, 1, m), (k, 1, n))),
])
def test_apply_equalities_table(before, after):
    out = apply_equalities(before, TARGETS)
    assert out == after
    assert_equal_everywhere(before, out, {}, _targets_sum_to_one)


def test_apply_equalities_of_plain_expressions():
    assert apply_equalities(a[j] + c, ((c, sp.Integer(2)),)) == a[j] + 2
    assert apply_equalities(a[j] + c, ()) == a[j] + c


@st.composite
def target_sums(draw):
    """Sums of t over k or l with any bounds, scaled, nested in a product or as a second limit."""
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        d = draw(st.sampled_from([k, l]))
        lo, hi = draw(st.sampled_from([(1, n), (1, n), (1, m), (2, n), (1, 3)]))
        inner = sp.Sum(draw(st.sampled_from([t[d], t[d], 2 * t[d], t[d] * a[d], t[d] + c])), (d, lo, hi))
        e = l if d == k else k
        nest = draw(st.sampled_from(["none", "product", "limits"]))
        if nest == "product":
            inner = sp.Sum(b[e] * inner, (e, 1, draw(st.sampled_from([n, m]))))
        elif nest == "limits":  # Σ_e Σ_d … as one sum with two limits
            inner = sp.Sum(inner.function, *inner.limits, (e, 1, draw(st.sampled_from([n, m]))))
        terms.append(draw(st.sampled_from([1, c, a[j], 3])) * inner)
    return sp.Add(*terms)


@property_test(target_sums())
def test_apply_equalities_holds_where_the_stated_equality_holds(expr):
    out = apply_equalities(expr, TARGETS)
    assert_equal_everywhere(expr, out, {}, _targets_sum_to_one)


# ── has_kronecker ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("expr,left", [
    (a[j], False), (delta(i, j), True), (sp.Sum(a[k] * delta(k, j), (k, 1, n)), True),
    (sp.Integer(1), False), (a[j] * (1 + delta(i, 2)), True),
])
def test_has_kronecker(expr, left):
    assert has_kronecker(expr) is left


# ── tidy ───────────────────────────────────────────────────────────────────
y = sp.IndexedBase("y")


@pytest.mark.parametrize("before,after", [
    (y[k], y[k]), (sp.Integer(3), sp.Integer(3)), (c, c),                   # atoms and entries as they are
    (a[k] * b[k] - a[k] * b[k] ** 2, (1 - b[k]) * a[k] * b[k]),            # factored: fewer operations
    (y[k] * (1 - y[k]) + y[k] ** 2, y[k]),                                  # cancelled
    (y[k] - t[k], y[k] - t[k]),                                             # already simplest: kept
    ((y[k] ** 2 - t[k] ** 2) / (y[k] - t[k]), y[k] + t[k]),
    (c * (2 - 2 * y[k]), 2 * c * (1 - y[k])),                              # a tie: the later candidate
])
def test_tidy_table(before, after):
    assert tidy(before) == after


_TIDY_ATOMS = [y[k], t[k], c, sp.Integer(2), sp.Rational(1, 2), 1 - y[k]]


@st.composite
def rational_expressions(draw, depth: int = 3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_TIDY_ATOMS))
    op = draw(st.sampled_from("+-*/"))
    p, q = draw(rational_expressions(depth - 1)), draw(rational_expressions(depth - 1))
    if op == "/" and sp.cancel(q) == 0:
        op = "*"
    return {"+": p + q, "-": p - q, "*": p * q, "/": p / q}[op]


@property_test(rational_expressions())
def test_tidy_is_an_equality_with_no_more_operations(expr):
    out = tidy(expr)
    assert sp.cancel(out - expr) == 0
    assert sp.count_ops(out) <= sp.count_ops(expr)


# ── combine_sums ───────────────────────────────────────────────────────────
@pytest.mark.parametrize("before,after", [
    (c * sp.Sum(a[k], (k, 1, n)) + c * sp.Sum(b[k], (k, 1, n)), c * sp.Sum(a[k] + b[k], (k, 1, n))),
    (sp.Sum(a[k], (k, 1, n)) - y[j] * sp.Sum(a[k], (k, 1, n)), (1 - y[j]) * sp.Sum(a[k], (k, 1, n))),
    (sp.Sum(a[k], (k, 1, n)) + sp.Sum(b[k], (k, 1, m)), sp.Sum(a[k], (k, 1, n)) + sp.Sum(b[k], (k, 1, m))),
    (y[j] * sp.Sum(a[k] * y[k], (k, 1, n)) - y[j] * t[j], y[j] * sp.Sum(a[k] * y[k], (k, 1, n)) - y[j] * t[j]),
    (sp.Sum(a[k], (k, 1, n)) * sp.Sum(b[l], (l, 1, n)), sp.Sum(a[k], (k, 1, n)) * sp.Sum(b[l], (l, 1, n))),
])
def test_combine_sums_table(before, after):
    out = combine_sums(before)
    assert sp.expand(out - after) == 0 and sp.srepr(out).count("Sum(") == sp.srepr(after).count("Sum("), out
    assert_equal_everywhere(before, out, {})


@st.composite
def sums_to_combine(draw):
    """Side-by-side sums over a few ranges with coefficients free of every dummy."""
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        d = draw(st.sampled_from([k, l]))
        lo, hi = draw(st.sampled_from([(1, n), (1, m), (2, 3), (3, 1)]))
        body = sp.Mul(*draw(st.lists(st.sampled_from([a[d], b[d], x[d, j], 1 - a[d], delta(d, j)]),
                                     min_size=1, max_size=2)))
        coeff = draw(st.sampled_from([1, -1, 2, c, b[j], 1 - b[j]]))
        terms.append(coeff * sp.Sum(body, (d, lo, hi)))
    if draw(st.booleans()):
        terms.append(draw(st.sampled_from([a[j], c * b[j], sp.Integer(4)])))
    return sp.Add(*terms)


@property_test(sums_to_combine())
def test_combine_sums_is_an_equality_with_one_sum_per_range(expr):
    out = combine_sums(expr)
    assert_equal_everywhere(expr, out, {})
    tops = {f for term in sp.Add.make_args(out) for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)}
    limits = [tuple(s.limits[0]) for s in tops]
    assert len(limits) == len(set(limits)), out


# ── the pass table ─────────────────────────────────────────────────────────
def test_the_passes_in_the_engine_s_order():
    assert list(PASSES) == ["linearity", "kronecker", "assumption", "combine", "algebra"]
    assert list(PASSES.values()) == [sum_linearity, collapse_kronecker, apply_equalities, combine_sums, tidy]
    for fn in PASSES.values():
        assert fn.__doc__ and fn.__doc__.strip()


# ── capture and scope: four bugs these tests found, fixed on 2026-12-06 ─────────
# was wrong: apply_equalities compares the summand after renaming the dummy to the stated one, which captures  a free index of that name: Σ_{k=1}^{n} t_{k'} (= n t_{k'}) becomes 1
def test_apply_equalities_does_not_capture_a_free_index():
    before = b[kp] * sp.Sum(t[kp], (k, 1, n))
    out = apply_equalities(before, TARGETS)
    assert_equal_everywhere(before, out, {}, _targets_sum_to_one)


CAPTURED = sp.Sum(delta(k, j) * a[k] * sp.Sum(x[j, k], (j, 1, n)), (k, 1, n))


# was wrong: collapse_kronecker substitutes k → j with subs() into a summand holding Σ_j …, which binds j:  Σ_k δ_kj a_k Σ_j x_jk becomes a_j Σ_j x_jj (it is a_j Σ_j' x_j'j)
def test_collapse_does_not_capture_an_index_bound_inside():
    out = collapse_kronecker(CAPTURED, {j: RN})
    assert_equal_everywhere(CAPTURED, out, {j: RN})


# was wrong: collapse_kronecker captures j (see above): prove() 'proves'  Σ_k δ_kj a_k Σ_j x_jk = a_j Σ_j x_jj, false at n = 2, without any range given
def test_the_prover_does_not_prove_a_captured_collapse():
    v = prove(CAPTURED, a[j] * sp.Sum(x[j, j], (j, 1, n)), runner=inline)
    assert not v.proved, v.method


# was wrong: collapse_kronecker takes ranges[j] for a j that an enclosing sum binds with another range:  in Σ_{j=1}^{3} b_j Σ_{k=1}^{n} a_k δ_kj with ranges {j: (1, n)} the inner sum becomes a_j,  wrong for n < 3 (prove() no longer proves that claim: its concrete pass refutes it at n = 1)
def test_collapse_uses_the_range_of_the_enclosing_sum():
    before = sp.Sum(b[j] * sp.Sum(a[k] * delta(k, j), (k, 1, n)), (j, 1, 3))
    out = collapse_kronecker(before, {j: RN})
    assert_equal_everywhere(before, out, {})


# was wrong: combine_sums moves a coefficient into the sum without checking that it is free of the dummy:  k Σ_k x_k (k free outside) becomes Σ_k k x_k; a_k Σ_k b_k becomes Σ_k a_k b_k
@pytest.mark.parametrize("coeff", [k, a[k]])
def test_combine_sums_does_not_capture_a_free_index(coeff):
    before = coeff * sp.Sum(b[k], (k, 1, n))
    out = combine_sums(before)
    assert_equal_everywhere(before, out, {})
