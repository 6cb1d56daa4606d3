"""Update rules of gradient descent (checker/updates.py): p ← p − η G claims G = ∂E/∂p."""

import pytest
import sympy as sp

from symbackprop.checker import check_text

NET = ("$$y = \\sum_j v_j h_j + c$$\n\n"
       "$$E = \\frac{1}{2} (y - t)^2$$\n\n")


def _row(update: str):
    (c,) = [c for c in check_text(NET + f"$${update}$$\n", timeout=5.0).claims if c.line == 5]
    return c


def test_the_descent_step_is_proved_by_its_form():
    c = _row("w \\leftarrow w - \\eta \\frac{\\partial E}{\\partial w}")
    assert c.status == "proved" and "gradient-descent step" in c.method


def test_an_ascent_step_is_refuted():
    c = _row("w \\gets w + \\eta \\frac{\\partial E}{\\partial w}")
    assert c.status == "refuted" and "gradient ascent" in c.reason
    assert c.expected == "w - \\eta \\frac{\\partial E}{\\partial w}"


def test_the_gradient_put_in_is_checked_against_the_loss():
    c = _row("v_j \\leftarrow v_j - \\alpha (y - t) h_j")
    assert c.status == "proved" and "the update rule says" in c.method


@pytest.mark.parametrize("wrong", ["v_j + \\alpha (y - t) h_j", "v_j - \\alpha (t - y) h_j"])
def test_a_wrong_gradient_in_an_update_is_refuted(wrong):
    c = _row(f"v_j \\leftarrow {wrong}")
    assert c.status == "refuted" and c.witness is not None and c.expected.startswith("v_{j} - \\alpha")


@pytest.mark.parametrize("other", ["v_j - \\eta ((y - t) h_j + \\lambda v_j)",   # weight decay
                                   "v_j + m_j",                                      # no learning rate
                                   "v_j - \\eta (y - t) h_j + \\mu m_j"])            # momentum
def test_other_updates_stay_unchecked_assignments(other):
    c = _row(f"v_j \\leftarrow {other}")
    assert c.status == "inconclusive" and c.category == "update rule"


@pytest.mark.parametrize("wrong", ["v_j - \\eta \\cdot 2 (y - t) h_j", "v_j - \\eta (y - t)",
                                   "v_j - \\eta \\frac{\\partial E}{\\partial c}"])
def test_no_wrong_update_is_proved(wrong):
    assert _row(f"v_j \\leftarrow {wrong}").status != "proved"


# ── update rules written as equations (checker/update_forms.py) ──

@pytest.mark.parametrize("rule", [
    "v_j(\\tau+1) = v_j(\\tau) - \\eta \\frac{\\partial E}{\\partial v_j}",
    "v_j(k + 1) = v_j(k) - \\eta \\frac{\\partial E}{\\partial v_j}",
    "v^{(s+1)}_j = v^{(s)}_j - \\eta \\frac{\\partial E}{\\partial v_j}",
    "v^{new}_j = v^{old}_j - \\eta \\frac{\\partial E}{\\partial v_j}",
    "c_{s+1} = c_{s} - \\eta \\frac{\\partial E}{\\partial c}",
    "\\Delta v_j = - \\eta \\frac{\\partial E}{\\partial v_j}",
])
def test_a_descent_step_written_as_an_equation_is_proved_by_its_form(rule):
    c = _row(rule)
    assert c.status == "proved" and "gradient-descent step" in c.method


def test_an_ascent_step_written_as_an_equation_is_refuted():
    c = _row("v_j(\\tau+1) = v_j(\\tau) + \\eta \\frac{\\partial E}{\\partial v_j}")
    assert c.status == "refuted" and "gradient ascent" in c.reason


@pytest.mark.parametrize("rule, status", [
    ("v_j(\\tau+1) = v_j(\\tau) - \\alpha (y - t) h_j", "proved"),
    ("v_j(\\tau+1) = v_j(\\tau) - \\alpha (t - y) h_j", "refuted"),
    ("\\Delta v_j = - \\alpha (y - t) h_j", "proved"),
    ("\\Delta v_j = \\alpha (y - t) h_j", "refuted"),
])
def test_the_gradient_an_equation_puts_in_is_checked(rule, status):
    assert _row(rule).status == status


CHAIN = ("$$\n\\begin{aligned}\n"
         "v_j(\\tau+1) &= v_j(\\tau) - \\eta \\frac{\\partial E}{\\partial v_j} \\\\\n"
         "&= v_j(\\tau) - \\eta (y - t) h_j \\\\\n"
         "&= v_j(\\tau) - \\eta %s\n"
         "\\end{aligned}\n$$\n")


@pytest.mark.parametrize("last, status", [("(h_j y - h_j t)", "proved"), ("(t - y) h_j", "refuted"),
                                          ("(y - t)", "refuted")])
def test_later_steps_of_an_update_are_claims_about_the_gradient(last, status):
    claims = check_text(NET + CHAIN % last, timeout=5.0).claims
    by_line = {c.line: c for c in claims}
    assert by_line[7].status == "proved" and by_line[8].status == "proved"
    assert by_line[9].status == status
    if status == "refuted":
        assert by_line[9].witness is not None


def test_the_step_letter_comes_from_the_shape_of_the_update():
    from symbackprop.latex.parse import parse_math
    from symbackprop.checker.update_forms import read_update

    def form(src, labels=frozenset()):
        (chain,) = parse_math(src).chains
        found = read_update(chain.exprs[0], chain.exprs[1], labels)
        return found if found is None or found.value(chain.exprs[1]) is not None else None
    assert form("w_{jk}(\\tau+1) = w_{jk}(\\tau) - \\eta g").kind == "argument"
    assert form("w_{jk}(\\tau+1) = u_{k}(\\tau) - \\eta g") is None       # another quantity at τ
    assert form("w_{jk}(\\tau+1) = w_{jk}(\\tau) - \\eta \\tau g") is None  # τ a quantity of the rest
    assert form("w(t+1) = w(t) - \\eta (u_k - t_k)").kind == "argument"   # t_k: a target, no step
    # a letter that labels another quantity too is a layer's: a^{(l+1)} = a^{(l)} + … relates two layers
    assert form("a^{(l+1)} = a^{(l)} - \\eta g", frozenset({"a^{(l)}", "a^{(l+1)}"})).kind == "superscript"
    assert form("a^{(l+1)} = a^{(l)} - \\eta g", frozenset({"a^{(l)}", "z^{(l)}"})) is None


# ── mini-batch updates (checker/batches.py) ──

BATCH_NET = ("$$u_j = \\sum_i w_{ij} x_i$$\n\n$$y_j = \\sigma(u_j)$$\n\n$$u_k = \\sum_j w_{jk} y_j$$\n\n"
             "$$E = \\frac{1}{2} \\sum_k (u_k - t_k)^2$$\n\n$$\\delta_k = u_k - t_k$$\n\n")
BATCH_STEPS = ["w_{jk}(\\tau+1) &= w_{jk}(\\tau) - \\eta \\frac{\\partial E}{\\partial w_{jk}}",
               "&= w_{jk}(\\tau) - \\eta \\frac{\\partial}{\\partial w_{jk}} "
               "\\left(\\frac{1}{N} \\sum_{n=1}^{N} E_{n}\\right)",
               "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\frac{\\partial E_{n}}{\\partial w_{jk}}",
               "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} y_{jn}"]
FIRST_ROW = 13  # BATCH_NET takes lines 1-10; "$$" and "\begin{aligned}" lines 11, 12


def _batch(steps, net=BATCH_NET):
    doc = net + "$$\n\\begin{aligned}\n" + " \\\\\n".join(steps) + "\n\\end{aligned}\n$$\n"
    return {c.line: c for c in check_text(doc, timeout=5.0).claims}


def test_a_mini_batch_update_is_proved_step_by_step():
    by_line = _batch(BATCH_STEPS)
    assert [by_line[FIRST_ROW + i].status for i in range(4)] == ["proved", "inconclusive", "proved", "proved"]
    assert "the loss of a batch" in by_line[FIRST_ROW + 1].reason and "the mean" in by_line[FIRST_ROW + 1].reason
    assert "example by example" in by_line[FIRST_ROW + 3].method


@pytest.mark.parametrize("row, wrong", [
    (3, "&= w_{jk}(\\tau) + \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} y_{jn}"),       # sign
    (3, "&= w_{jk}(\\tau) - \\frac{1}{N} \\sum_{n=1}^{N} \\delta_{kn} y_{jn}"),           # η lost
    (3, "&= w_{jk}(\\tau) - \\eta \\sum_{n=1}^{N} \\delta_{kn} y_{jn}"),                  # 1/N lost
    (2, "&= w_{jk}(\\tau) - \\eta \\sum_{n=1}^{N} \\frac{\\partial E_{n}}{\\partial w_{jk}}"),  # 1/N lost
    (3, "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{jn} y_{jn}"),       # wrong δ index
    (3, "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} y_{kn}"),       # wrong y index
    (3, "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} u_{jn}"),       # u for y
    (3, "&= w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} x_{jn}"),       # y of the wrong layer
])
def test_each_kind_of_wrong_mini_batch_update_is_refuted_at_its_line(row, wrong):
    steps = BATCH_STEPS[:row] + [wrong] + BATCH_STEPS[row + 1:]
    by_line = _batch(steps)
    assert by_line[FIRST_ROW + row].status == "refuted"
    assert all(by_line[FIRST_ROW + i].status != "refuted" for i in range(row))


def test_a_lost_one_over_n_is_refuted_with_a_batch_of_several_examples():
    c = _batch(BATCH_STEPS[:3] + ["&= w_{jk}(\\tau) - \\eta \\sum_{n=1}^{N} \\delta_{kn} y_{jn}"])[FIRST_ROW + 3]
    assert c.status == "refuted" and "every example of the batch alike" in c.reason
    assert int(c.witness["values"]["N"]) >= 2


@pytest.mark.parametrize("loss, factor, status", [
    ("L = \\frac{1}{N} \\sum_{n=1}^{N} E_n", "\\frac{\\eta}{N}", "proved"),
    ("L = \\frac{1}{N} \\sum_{n=1}^{N} E_n", "\\eta", "refuted"),
    ("L = \\sum_{n=1}^{N} E_n", "\\eta", "proved"),
    ("L = \\sum_{n=1}^{N} E_n", "\\frac{\\eta}{N}", "refuted"),
    ("E = \\frac{1}{N} \\sum_{n=1}^{N} E_n", "\\frac{\\eta}{N}", "proved"),
    ("E = \\frac{1}{N} \\sum_{n=1}^{N} E_n", "\\eta", "refuted"),
])
def test_the_factor_of_a_batch_update_follows_the_documents_batch_loss(loss, factor, status):
    doc = BATCH_NET + f"$${loss}$$\n\n$$w_{{jk}}(\\tau+1) = w_{{jk}}(\\tau) - {factor} \\sum_{{n=1}}^{{N}} " \
                      "\\delta_{kn} y_{jn}$$\n"
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 13]
    assert c.status == status


def test_a_batch_update_without_a_stated_batch_loss_stays_open():
    doc = BATCH_NET + "$$w_{jk}(\\tau+1) = w_{jk}(\\tau) - \\frac{\\eta}{N} \\sum_{n=1}^{N} \\delta_{kn} y_{jn}$$\n"
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 11]
    assert c.status == "inconclusive" and c.category == "batch"


def _scan(**kw):
    from symbackprop.checker.scan import DocumentScan
    return DocumentScan(**kw)


def test_a_delta_of_an_example_only_where_its_unit_and_the_example_run_over_different_ranges():
    from symbackprop.checker.batches import example_deltas
    k, n, j = (sp.Symbol(x, integer=True) for x in "knj")
    K, N = sp.symbols("K N")
    y = sp.IndexedBase(sp.Symbol("y"))
    s = sp.Sum(sp.KroneckerDelta(k, n) * y[j, n], (n, 1, N))
    ranks = {"delta": {1}, "y": {1, 2}}
    batch = _scan(ranks=ranks, letter_bounds={"k": {K}, "n": {N}}, layer_letters={"j", "k"})
    assert not example_deltas(s, batch).has(sp.KroneckerDelta)
    same_range = _scan(ranks=ranks, letter_bounds={"k": {N}, "n": {N}}, layer_letters={"j", "k"})
    assert example_deltas(s, same_range) == s  # Σ_{n=1}^{N} δ_{kn} y_{jn}, k ≤ N: sifting
    no_single_delta = _scan(ranks={"y": {1, 2}}, letter_bounds={"k": {K}, "n": {N}}, layer_letters={"j", "k"})
    assert example_deltas(s, no_single_delta) == s


def test_a_sum_over_a_layer_or_with_its_letter_left_over_is_no_batch_sum():
    from symbackprop.checker.batches import _is_batch_sum, per_example
    k, n, j = (sp.Symbol(x, integer=True) for x in "knj")
    K, N = sp.symbols("K N")
    y, d = sp.IndexedBase(sp.Symbol("y")), sp.IndexedBase(sp.Symbol("delta"))
    sc = _scan(ranks={"delta": {1, 2}, "y": {1, 2}}, letter_bounds={"k": {K}}, layer_letters={"j", "k"})
    assert _is_batch_sum(sp.Sum(d[k, n] * y[j, n], (n, 1, N)), sc)
    assert not _is_batch_sum(sp.Sum(d[k] * y[j, k], (k, 1, N)), sc)   # k: a layer's letter
    assert not _is_batch_sum(sp.Sum(d[k, n] * y[j, n], (n, 1, K)), sc)  # K: a layer's width
    assert per_example(n * d[k, n] * y[j, n], n, sc) is None           # n itself in the term


@pytest.mark.parametrize("rule, status", [
    ("W(\\tau+1) = W(\\tau) - \\eta \\frac{\\partial E}{\\partial W}", "proved"),
    ("W(\\tau+1) = W(\\tau) - \\eta X^{\\top} \\Delta", "inconclusive"),
])
def test_a_matrix_update_is_checked_by_its_form_only(rule, status):
    c = _row(rule)
    assert c.status == status and (status == "proved" or "matrix update rule" in c.reason)
