"""The network a document describes, read from its definitions (issue 11): layers by label,
feed-forward order, generic activations and costs, stated cases, the chain rule through the
next layer.  Each test shows what the piece decides; the document tests at the end show the
verdicts it changes."""

import sympy as sp
import pytest

from symbackprop.checker import check_text
from symbackprop.checker.cases import in_case, next_case, stated_case
from symbackprop.checker.generic import activation_family, homogeneous_in_gradient, layer_letters
from symbackprop.checker.labels import shift
from symbackprop.checker.names import OPAQUE
from symbackprop.checker.order import consumers, only_through, upstream
from symbackprop.checker.table import SymbolTable
from symbackprop.prover.engine import _equal_for_every_dependence

i, j, k, n, l = sp.symbols("i j k n l", integer=True)
M = sp.IndexedBase("M")


def layered_table() -> SymbolTable:
    """z^{i}_k = Σ_j w^{i}_{kj} a^{i-1}_j, a^{i}_k = φ_i(z^{i}_k), as seed-like notes write them."""
    t = SymbolTable()
    z, w, a = (sp.IndexedBase(f"{x}^{{i}}") for x in "zwa")
    t.define(z[k], sp.Sum(w[k, j] * sp.IndexedBase("a^{i-1}")[j], (j, 1, M[i - 1])), 1)
    t.define(a[k], sp.Function("phi_{i}")(z[k]), 2)
    return t


# ── labels ──────────────────────────────────────────────────────────────────
def test_a_definition_at_another_label_shifts_its_activation_and_its_widths():
    t = layered_table()
    d = t.lookup(sp.IndexedBase("a^{i+1}")[k])
    assert d.rhs == sp.Function("phi_{i+1}")(sp.IndexedBase("z^{i+1}")[k])
    z = t.lookup(sp.IndexedBase("z^{i+1}")[k])
    assert str(z.rhs.limits[0][2]) == "M[i]"  # Σ_j over the width of layer i, not i − 1
    assert shift(sp.Function("f_{L}")(k), i, i + 1, ("", "")) == sp.Function("f_{L}")(k)


# ── feed-forward order ──────────────────────────────────────────────────────
def test_what_a_quantity_is_computed_from_and_who_uses_it():
    t = layered_table()
    up = upstream(t, sp.IndexedBase("z^{i+1}")[n])
    assert {"w^{i+1}", "a^{i}", "z^{i}", "w^{i}", "a^{i-1}"} <= up
    assert "a^{i+1}" not in up and "z^{i+1}" not in up
    assert consumers(t, "a^{i}") == {"z^{i+1}"} and consumers(t, "z^{i+1}") == {"a^{i+1}"}
    assert only_through(t, "a^{i}", "a^{i+1}") and not only_through(t, "a^{i+1}", "a^{i}")


def test_upstream_is_empty_without_layer_labels():
    t = SymbolTable()
    u, w, y = (sp.IndexedBase(x) for x in "uwy")
    t.define(u[k], sp.Sum(w[j, k] * y[j], (j, 1, n)), 1)
    assert upstream(t, u[k]) == frozenset()  # y_j and y_k share a name: no order can be read


def test_a_definition_at_another_label_is_put_in_alike_on_both_sides():
    t = layered_table()
    a_low = sp.IndexedBase("a^{i-1}")[n]
    written = sp.Function("phi_{i-1}")(sp.IndexedBase("z^{i-1}")[n])
    lhs, rhs = t.deepen([a_low, written])
    assert lhs == rhs


# ── generic costs and activations ───────────────────────────────────────────
def _grad(by: str):
    return sp.IndexedBase(f"{OPAQUE}E/{OPAQUE}{by}")


def test_a_generic_cost_is_seen_through_its_gradient_on_both_sides_only():
    g, A, B = _grad("a^{i+1}"), sp.IndexedBase("A"), sp.Symbol("B")
    assert homogeneous_in_gradient(sp.Sum(g[k] * A[k], (k, 1, n)), g[n] * B, "E") == "a^{i+1}"
    assert homogeneous_in_gradient(g[n], sp.Integer(0), "E") is None          # ∂E/∂a = 0: a claim about E
    assert homogeneous_in_gradient(g[n], sp.Symbol("y") - sp.Symbol("t"), "E") is None
    assert homogeneous_in_gradient(g[n] ** 2, g[n] * B, "E") is None           # not linear
    assert homogeneous_in_gradient(g[n], _grad("z^{i}")[n], "E") is None       # two quantities


def test_an_activation_family_is_a_function_named_by_a_layer_label():
    letters = layer_letters(["z^{i}", "a^{i-1}", "a^{N}", "w_{jk}"])
    assert letters == {"i", "N"}
    assert activation_family("phi_{i+1}", letters) and activation_family("f_{N}", letters)
    assert not activation_family("g", letters) and not activation_family("f_{k}", letters)


# ── a case stated in prose ──────────────────────────────────────────────────
class _Fragment:
    def __init__(self, line, display=True):
        self.line, self.display = line, display


def test_a_stated_case_holds_in_the_display_right_below_only():
    N = sp.Symbol("N")
    case = stated_case(sp.Symbol("i"), N, frozenset({"i", "N"}))
    assert case == (sp.Symbol("i"), N)
    assert stated_case(sp.Symbol("k"), N, frozenset({"i"})) is None  # k labels no layer
    assert next_case((case, 41), _Fragment(43)) == case
    assert next_case((case, 41), _Fragment(60)) is None and next_case((case, 41), _Fragment(42, False)) is None
    e = sp.Function("phi_{i}")(sp.IndexedBase("z^{N}")[n])
    assert in_case(e, case) == sp.Function("phi_{N}")(sp.IndexedBase("z^{N}")[n])


# ── the prover's "for every dependence" ─────────────────────────────────────
def test_no_proof_for_every_dependence_when_a_variable_is_made_a_function():
    a, z, w = sp.IndexedBase("a"), sp.IndexedBase("z"), sp.IndexedBase("w")
    f = sp.Function("f")
    s = sp.Sum(w[k, j] * a[j], (j, 1, n))
    lhs = sp.Derivative(f(s), a[n])
    rhs = sp.Derivative(f(s), z[n]) * sp.Derivative(s, a[n])
    assert not _equal_for_every_dependence(lhs, rhs)  # a_j would be a function of z_n, and a_n a variable


# ── documents ───────────────────────────────────────────────────────────────
GENERIC = r"""
$$
\begin{aligned}
u^{l}_j &= \sum_{i=1}^{n_{l-1}} w^{l}_{ji} y^{l-1}_i \\
y^{l}_j &= f_l(u^{l}_j)
\end{aligned}
$$

$$
\begin{aligned}
\frac{\partial E}{\partial y^{l}_j}
&= \sum_{k=1}^{n_{l+1}} \frac{\partial E}{\partial y^{l+1}_k} \frac{\partial y^{l+1}_k}{\partial y^{l}_j} \\
&= \sum_{k=1}^{n_{l+1}} \frac{\partial E}{\partial y^{l+1}_k} {ACT}(u^{l+1}_k) w^{l+1}_{kj}
\end{aligned}
$$
"""


def _steps(act: str):
    return [c for c in check_text(GENERIC.replace("{ACT}", act), timeout=5.0).claims if c.step > 1 or c.line > 9]


def test_the_chain_rule_through_the_next_layer_is_proved_for_any_cost_and_activation():
    first, second = _steps("f_{l+1}'")
    assert first.status == "proved" and second.status == "proved"
    assert "generic cost" in second.method


def test_the_activation_of_the_wrong_layer_is_refuted_with_a_chosen_activation():
    first, second = _steps("f_l'")
    assert first.status == "proved" and second.status == "refuted"
    assert any(name.startswith("f_{l") for name in second.witness["values"])  # the activations chosen


def test_a_named_activation_is_no_family_and_keeps_its_doubt():
    text = GENERIC.replace("f_l(u^{l}_j)", r"g(u^{l}_j)").replace("{ACT}", "g'")
    assert all(c.status != "refuted" for c in check_text(text, timeout=5.0).claims)


CASE = r"""
$$a^{i}_k = \phi_i(z^{i}_k)$$

$$z^{i}_k = \sum_j w^{i}_{kj} a^{i-1}_j$$

$$\xi^{i}_n = \frac{\partial E}{\partial a^{i}_n} \phi_i'(z^{i}_n)$$

STATED

$$\xi^{N}_n = \frac{\partial E}{\partial a^{N}_n} RIGHT$$
"""


@pytest.mark.parametrize("stated, right, status", [
    ("For the last layer, $i = N$:", r"\phi_i'(z^{N}_n)", "proved"),      # φ_i is φ_N here
    ("For the last layer, $i = N$:", r"\phi_N'(z^{N}_n)", "proved"),
    ("For the last layer, $i = N$:", r"\phi_N(z^{N}_n)", "refuted"),      # the derivative is missing
    ("For the last layer:", r"\phi_i'(z^{N}_n)", "inconclusive"),          # a slip of notation only
])
def test_a_case_stated_just_above_a_display_holds_there(stated, right, status):
    claims = check_text(CASE.replace("STATED", stated).replace("RIGHT", right), timeout=5.0).claims
    assert claims[-1].status == status, claims[-1]
    if status == "inconclusive":
        assert claims[-1].category == "notation" and "phi_{i} → phi_{N}" in claims[-1].reason


def test_the_txt_display_markup_reports_the_line_of_each_row(tmp_path):
    from symbackprop.checker import check_document

    doc = tmp_path / "notes.txt"
    doc.write_text("prose\n@blmath{\n\\begin{aligned}\nx &= 1 + 1 \\\\\n&= 2\n\\end{aligned}\n}\n")
    claims = check_document(str(doc), timeout=5.0).claims
    assert [c.line for c in claims] == [4, 5] and claims[1].status == "proved"


# ── the value a refuted step should have, in the document's notation ─────────
def test_the_expected_value_is_written_with_the_documents_own_names():
    from symbackprop.checker.folding import document_tex, folded
    from symbackprop.checker.table import Definition

    kp = sp.Symbol("kp", integer=True)
    N = sp.Symbol("n_k", integer=True, positive=True)
    u, y, t = sp.IndexedBase("u"), sp.IndexedBase("y"), sp.IndexedBase("t")
    softmax = Definition(y[k], sp.exp(u[k]) / sp.Sum(sp.exp(u[kp]), (kp, 1, N)), 3, "indexed")
    tagged = sp.IndexedBase("u⟨k⟩")  # a letter-layered document's tag, and another bound letter
    value = sp.exp(tagged[j]) / sp.Sum(sp.exp(tagged[n]), (n, 1, N)) - t[j]
    assert document_tex(folded(value, [softmax])) == "y_{j} - t_{j}"
    ranged = sp.Piecewise((y[j], (j >= 1) & (j <= N)), (0, True))
    assert document_tex(folded(ranged, [])) == "y_{j}"
    g = sp.IndexedBase(f"{OPAQUE}E/{OPAQUE}a^{{l}}")
    assert document_tex(g[k]) == r"\frac{\partial E}{\partial a^{l}_{k}}"


def test_a_refuted_step_of_a_generic_layer_says_the_right_side_in_its_own_notation():
    claims = check_text(GENERIC.replace("{ACT}", "f_l'"), timeout=5.0).claims
    refuted = [c for c in claims if c.status == "refuted"]
    # the derivative of the generic activation as the document writes one, f'_{l+1}(u^{l+1}_k),
    # and the width by the document's name for it, n_{l+1}
    assert refuted and "\\sum_{k=1}^{n_{l + 1}} f'_{l+1}\\left(u^{l+1}_{k}\\right)" in refuted[0].expected


@pytest.mark.parametrize("wrong", [
    "\\sum_{k=1}^{n_{l+1}} \\frac{\\partial E}{\\partial y^{l+1}_k} f_{l+1}'(u^{l+1}_k) w^{l+1}_{jk}",  # indices swapped
    "\\frac{\\partial E}{\\partial y^{l+1}_j} f_{l+1}'(u^{l+1}_j) w^{l+1}_{jj}",                       # the sum dropped
    "\\sum_{k=1}^{n_{l+1}} \\frac{\\partial E}{\\partial y^{l+1}_k} w^{l+1}_{kj}",                      # f′ dropped
    "\\sum_{k=1}^{n_{l+1}} \\frac{\\partial E}{\\partial y^{l+1}_k} f_{l+1}(u^{l+1}_k) w^{l+1}_{kj}",   # f for f′
])
def test_no_wrong_step_of_a_general_layer_is_proved(wrong):
    """The new proof paths (generic cost through the next layer, generic activations, feed-forward
    order, quantities put in alike) never prove a wrong step: each slip is refuted."""
    text = GENERIC.replace("{ACT}(u^{l+1}_k) w^{l+1}_{kj}", "XX").replace(
        r"\sum_{k=1}^{n_{l+1}} \frac{\partial E}{\partial y^{l+1}_k} XX", wrong)
    assert wrong in text
    last = check_text(text, timeout=5.0).claims[-1]
    assert last.status == "refuted", (last.status, last.reason)


def test_a_layer_letter_set_to_a_number_in_prose_states_a_case_not_a_definition():
    # "in the hidden layer ($l = 1$)": l stays the general layer of every later formula
    text = r"""
$$z^{(l)}_j = \sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$$

In the hidden layer ($l = 1$) the activation is the sigmoid.

$$\frac{\partial z^{(l)}_j}{\partial b^{(l)}_j} = 1$$
"""
    from symbackprop.checker import check_text
    claims = check_text(text, timeout=5.0).claims
    (case,) = [c for c in claims if c.source.strip() == "l = 1"]
    assert case.category == "condition"
    assert claims[-1].status == "proved"
