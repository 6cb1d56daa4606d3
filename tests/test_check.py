"""The document checker: every relation a claim, errata refuted with re-checked witnesses,
correct formulas never refuted, and what the document leaves open reported as such.

Every ``refuted`` expected below says, in a comment, why the formula really is wrong.
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.checker import check_claim, check_document, check_text, exit_code
import contextlib

from symbackprop import cli
from symbackprop.errors import ParseError
from symbackprop.latex.parse import parse_math

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
CORPUS = sorted(p for p in (SHARED / "corpus").glob("*") if p.suffix in (".md", ".html", ".ipynb") and p.name != "SOURCES.md")
SEED_004 = SHARED / "seeds" / "004_1a0fd6a722884e4f.txt"
needs_shared = pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")


def verdicts(text: str) -> list[tuple[str, str]]:
    """(status, category) of every claim of a small Markdown document, in order."""
    return [(c.status, c.category) for c in check_text(text, "markdown").claims]


# ── small documents: the expected verdict of every claim ───────────────────
P, R = ("proved", ""), "refuted"
DEF = ("inconclusive", "definition")

DOCUMENTS = {
    "squared error, definition used later": (
        r"""$$E = \frac12 \sum_k (y_k - t_k)^2$$
        $$\frac{\partial E}{\partial y_k} = y_k - t_k$$
        $$\frac{\partial E}{\partial y_k} = 2(y_k - t_k)$$""",
        # 3rd: wrong — ½·2(y_k − t_k) = y_k − t_k; the factor 2 is cancelled by the ½.
        [DEF, P, (R, "")]),
    "bound index reused as free (textbook abuse)": (
        r"$$\frac{\partial}{\partial y_k}\frac12\sum_k(y_k-t_k)^2 = y_k - t_k$$",
        [P]),
    "undefined loss": (
        r"$$\frac{\partial E}{\partial y_k} = y_k - t_k$$",
        [("inconclusive", "undefined")]),
    "weighted input": (
        r"""$$u_k = \sum_j y_j w_{jk} + b_k$$
        $$\frac{\partial u_k}{\partial w_{jk}} = y_j$$
        $$\frac{\partial u_k}{\partial y_j} = w_{jk}$$
        $$\frac{\partial u_k}{\partial b_k} = 1$$
        $$\frac{\partial u_k}{\partial w_{jk}} = y_k$$""",
        # 5th: wrong — u_k depends on w_{jk} through the term y_j w_{jk} only: the factor is y_j, not y_k.
        [DEF, P, P, P, (R, "")]),
    "sigmoid, with y defined": (
        r"""$$y = \sigma(u)$$
        $$\frac{\partial y}{\partial u} = y(1-y)$$
        $$\frac{\partial y}{\partial u} = y(1+y)$$""",
        # 3rd: wrong — σ′ = σ(1 − σ); at u = 0 the right side is ½·(3/2) = 3/4, σ′(0) = 1/4.
        [DEF, P, (R, "")]),
    "softmax + cross-entropy without Σ t = 1": (
        r"""$$E = -\sum_k t_k \log y_k$$
        $$y_k = \frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}$$
        $$\frac{\partial E}{\partial u_k} = y_k - t_k$$""",
        [DEF, DEF, ("inconclusive", "needs Σ t = 1")]),
    "softmax + cross-entropy, Σ t = 1 stated in math": (
        r"""$$E = -\sum_k t_k \log y_k$$
        $$y_k = \frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}$$
        One-hot targets: $\sum_k t_k = 1$.
        $$\frac{\partial E}{\partial u_k} = y_k - t_k$$""",
        [DEF, DEF, ("inconclusive", "assumption"), P]),
    "chain rule through undefined quantities": (
        r"$$\frac{\partial E}{\partial w_{jk}} = \frac{\partial E}{\partial u_k}\frac{\partial u_k}{\partial w_{jk}}$$",
        [("inconclusive", "undefined")]),
    "shorthand definitions (seed 000 style)": (
        r"""$$\partial w_{jk} = \frac{\partial E}{\partial w_{jk}}$$
        $$\delta y_j = \frac{\partial E}{\partial y_j}$$
        $$\delta y_j = \sum_r \delta_r w_{jr}$$""",
        [DEF, DEF, ("inconclusive", "undefined")]),
    "redefinition is not an erratum": (
        r"""$$E = \frac12 (y - t)^2$$
        $$E = \frac12 (a - b)^2 = \frac12 (a^2 - 2ab + b^2)$$""",
        [DEF, ("inconclusive", "redefinition"), P]),
    "conditions and unchecked relations": (
        r"""$$l = L$$ $$l \neq L$$ $$\frac{\partial C}{\partial w} \approx 0$$ $$w \leftarrow w - \eta g$$ $$1 \le l \le L$$""",
        [("inconclusive", "condition"), ("inconclusive", "condition"), ("inconclusive", "approximation"),
         ("inconclusive", "update rule"), ("inconclusive", "inequality"), ("inconclusive", "inequality")]),
    "a new name at the end of a chain, and two unknowns equated": (
        r"""$$E = \frac12 (y - t)^2 = L$$ $$\frac{\partial L}{\partial y} = y - t$$ $$a = b = c$$""",
        [DEF, DEF, P, ("inconclusive", "condition"), ("inconclusive", "condition")]),
    "function defined, then used": (
        r"""$$f(x) = x^2$$ $$f(a + 1) = a^2 + 2a + 1$$""",
        [DEF, P]),
    "a known function given another meaning": (
        r"$$\sigma(z) = z$$",
        [DEF]),
    "vector notation is never refuted": (
        r"""$$a^l_j = \sigma(z^l_j)$$ $$a^l = \sigma(w^l a^{l-1})$$ $$a^l = w^l a^{l-1}$$""",
        [DEF, ("inconclusive", "vector"), ("inconclusive", "vector")]),
    "kink of |x| is not a counterexample": (
        r"$$\frac{\partial}{\partial x}|x| = \mathrm{sign}(x)$$",
        [("inconclusive", "domain")]),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_small_documents_give_the_expected_verdict_per_claim(name):
    text, expected = DOCUMENTS[name]
    assert verdicts(text) == expected


def test_undefined_quantity_says_which_and_why():
    (c,) = check_text(r"$$\frac{\partial E}{\partial y_k} = y_k - t_k$$", "markdown").claims
    assert c.status == "inconclusive" and c.reason == "depends on E, not defined"
    (c,) = check_text(r"$$\frac{\partial E}{\partial y_k} = y_k - t_k$$ $$E = \frac12\sum_k (y_k - t_k)^2$$",
                      "markdown").claims[:1]
    assert c.status == "inconclusive" and "E (defined only later, line 1)" in c.reason


def test_definitions_apply_in_document_order():
    doc = r"""$$\frac{\partial E}{\partial y} = y - t$$
    $$E = \frac12 (y - t)^2$$
    $$\frac{\partial E}{\partial y} = y - t$$"""
    assert verdicts(doc) == [("inconclusive", "undefined"), DEF, P]


def test_hidden_dependence_is_not_assumed_away():
    # y is differentiated elsewhere (∂y/∂u), so it may depend on w: ∂/∂w (y w) = y is not proved,
    # and never refuted; the chain-rule step through u is proved once y and u are defined.
    doc = r"""$$\frac{\partial y}{\partial u} = 1$$
    $$\frac{\partial}{\partial w}(y w) = y$$"""
    assert verdicts(doc)[1] == ("inconclusive", "dependence")
    doc = r"""$$u = w x$$ $$y = \sigma(u)$$
    $$\frac{\partial y}{\partial w} = \frac{\partial y}{\partial u}\frac{\partial u}{\partial w}$$"""
    assert verdicts(doc)[2] == P


LAYERED = r"""$$u_j = \sum_i x_i w_{ij} + b_j$$ $$y_j = \sigma(u_j)$$ $$u_k = \sum_j y_j w_{jk} + b_k$$ $$y_k = u_k$$
$$E = \frac12\sum_k (y_k - t_k)^2$$
$$\frac{\partial E}{\partial u_k} = y_k - t_k$$
$$\frac{\partial y_j}{\partial u_j} = y_j(1 - y_j)$$
$$\frac{\partial u_k}{\partial w_{jk}} = y_j$$
$$\frac{\partial E}{\partial w_{jk}} = (y_k - t_k) y_j$$
$$\frac{\partial E}{\partial y_j} = \sum_k (y_k - t_k) w_{jk}$$"""


def test_index_letters_that_name_layers_are_not_confused():
    # u_j/y_j (hidden) and u_k/y_k (output) share their letters u, y; w_{ij} and w_{jk} share w.
    # Read as one vector, ∂u_k/∂w_{jk} would pick up ∂w_{ij}/∂w_{jk} terms: every claim below is
    # correct.  Tagged by their letters (checker/layers.py) the layers are told apart, so the
    # claims across layers are proved too.
    results = check_text(LAYERED, "markdown").claims
    assert all(c.status != "refuted" for c in results)
    assert [c.status for c in results[5:]] == ["proved"] * 5


#: every English Markdown report, and one HTML report (its formulas read from MathML annotations);
#: the Japanese and TeX reports hold the same formulas (benchmarked in the notes, not here: minutes)
REPORTS = sorted([*(Path(__file__).resolve().parents[1] / "reports").glob("*.en.md"),
                  Path(__file__).resolve().parents[1] / "reports" / "classification.en.html"])


@pytest.mark.parametrize("report", REPORTS, ids=[p.name for p in REPORTS])
def test_a_generated_report_is_correct_so_nothing_is_refuted(report):
    """Our reports are correct by construction: a refuted claim in one is a false alarm (one was,
    in binary_classifier: a counterexample from a pass told not to refute)."""
    r = check_document(report)
    assert r.summary()["claims"] > 20 and r.count("refuted") == 0, \
        [(c.line, c.statement) for c in r.claims if c.status == "refuted"]


#: every report in every reproducible format and language (md, tex, html × en, ja)
EVERY_REPORT = sorted(p for p in (Path(__file__).resolve().parents[1] / "reports").glob("*.*.*")
                      if p.suffix in (".md", ".tex", ".html"))
#: what states a setting, not a step of a derivation: not counted in the proved share
SETTINGS = ("definition", "condition", "assumption", "redefinition", "declaration")  # u ∈ ℝ declares
#: Reports known to fall short of the share, with why (an xfail): none today.  The identities
#: report was, until its sections were read as the separate lemmas they are (checker/contexts.py).
SHORT_OF_THE_SHARE: dict[str, str] = {}


def _proved_share(report: Path) -> tuple[int, int]:
    claims = [c for c in check_document(report).claims if c.category not in SETTINGS]
    return sum(c.status == "proved" for c in claims), len(claims)


@pytest.mark.parametrize("report", [
    pytest.param(p, marks=pytest.mark.xfail(reason=SHORT_OF_THE_SHARE[p.name.split(".")[0]], strict=False))
    if p.name.split(".")[0] in SHORT_OF_THE_SHARE else p for p in EVERY_REPORT], ids=[p.name for p in EVERY_REPORT])
def test_a_generated_report_has_at_least_95_percent_of_its_derivation_claims_proved(report):
    """Our reports are correct by construction and in a notation we know: a step not proved is a
    gap in the checker's model, whatever the format (a formula set over the cells of an HTML table
    was one: latex/cells.py) or the language."""
    proved, counted = _proved_share(report)
    assert counted > 20 and proved >= 0.95 * counted, f"{proved} of {counted} proved"


def test_an_annotation_column_is_not_read_as_a_quantity():
    # "&& \text{(}\text{definition}\text{)}" annotates the row (it was read as a symbol
    # "definition" that the next row "&= …" continued); the chain is δ_k = ∂E/∂u_k = ….
    doc = (r"$$\begin{aligned} \delta_k &= \frac{\partial E}{\partial u_k} && \text{(}\text{definition}\text{)} \\"
           r" &= \frac{\partial E}{\partial y_k} \frac{\partial y_k}{\partial u_k} && \text{(}\text{chain rule}\text{)}"
           r" \end{aligned}$$")
    claims = check_text(doc).claims
    assert not [c for c in claims if "definition" in c.statement]
    assert [c.statement.split(" = ")[0] for c in claims] == [r"\delta_{k}", r"\frac{\partial E}{\partial u_{k}}"]


def test_a_refutation_carries_the_expected_right_side():
    # ∂/∂y_k ½Σ(y − t)² is y_k − t_k, not 2(y_k − t_k).
    doc = r"""$$E = \frac12 \sum_k (y_k - t_k)^2$$ $$\frac{\partial E}{\partial y_k} = 2(y_k - t_k)$$"""
    c = check_text(doc, "markdown").claims[1]
    assert c.status == "refuted" and c.expected == "y_{k} - t_{k}"
    assert c.witness["values"] and c.witness["lhs"] != c.witness["rhs"]


def test_the_expected_formula_is_written_as_the_document_writes_it():
    """A generic activation's derivative as the textbook writes it, ``φ'_i(z^i_n)`` (it was
    ``∂/∂z^i_n (\\operatorname{phi}_i(z^i_n))``), and a layer's width by the document's name for it,
    ``M_{i+1}`` (it was the walk's ``n^{(i + 1)}``)."""
    doc = (r"$$z^{i+1}_k = \sum_{j=1}^{M_i} w^{i+1}_{kj} \phi_i(z^i_j)$$" "\n\n"
           r"$$\frac{\partial E}{\partial z^i_n} = \sum_{k=1}^{M_{i+1}} \frac{\partial E}{\partial z^{i+1}_k} w^{i+1}_{kn}$$")
    (c,) = [c for c in check_text(doc).claims if c.status == "refuted"]
    assert c.expected == (r"\phi'_{i}\left(z^{i}_{n}\right) \sum_{k=1}^{M_{i + 1}} "
                          r"\frac{\partial E}{\partial z^{i+1}_{k}} w^{i+1}_{kn}"), c.expected


def test_a_function_applied_with_sized_brackets_is_no_product_to_refute():
    """``H\\left(u\\right)`` (as printers write it) is read as the product H·u, as ``H(u)`` is; the
    author may mean the application, so neither is refuted (the ReLU section of our identities
    report, checked on its own, was: witness H = −2, u = −1/7)."""
    doc = "$$\\frac{\\partial}{\\partial u} \\left(\\max\\left(0, u\\right)\\right) = H\\left(u\\right)$$\n"
    (c,) = check_text(doc).claims
    assert c.status != "refuted" and "function application" in c.reason, (c.status, c.reason)



@pytest.mark.parametrize("written", [r"\theta(u)", r"\theta\left(u\right)"])
def test_a_greek_letter_applied_to_a_variable_is_no_product_to_refute(written):
    """``θ(u)`` is the Heaviside step in many texts; the reader takes θ for a quantity (no known
    function), so the step is read as θ·u and must not be refuted: it was (a false alarm on
    ``ReLU′(u) = θ(u)``).  θ·u written as a product is still decided."""
    doc = f"$$\\frac{{d}}{{du}} \\operatorname{{ReLU}}(u) = {written}$$\n\n$$\\frac{{d}}{{du}} (\\theta u) = \\theta$$\n"
    applied, product = check_text(doc).claims
    assert applied.status != "refuted" and "function application" in applied.reason, (applied.status, applied.reason)
    assert product.status == "proved"

#: a catalog of identities: the sigmoid's u a real number, the next section's u a layer's vector
DECLARED_REAL = r"""# Identities

## The sigmoid

Assuming: $u \in \mathbb{R}$

$$\frac{d}{du} \sigma(u) = \sigma(u) \left(1 - \sigma(u)\right)$$

## A layer

$$\frac{d}{du} \tanh(u) = \left(1 - \tanh(u)\right) \left(1 + \tanh(u)\right)$$

$$u_k = \sum_{j=1}^{m} y_j w_{jk} + b_k$$
"""


def test_a_name_declared_a_real_number_is_a_scalar_in_its_section_only():
    r"""``u`` written also as ``u_k`` is read as a vector, so σ(u)(1 − σ(u)) and (1 − tanh u)(1 + tanh u)
    are products of vectors that would commute: not proved.  Where the document declares ``u \in \mathbb{R}`` it is a scalar
    (the author's words win over the inference) — in that section only."""
    declared, other, _u = [c for c in check_text(DECLARED_REAL).claims if c.category != "declaration"]
    assert declared.status == "proved", (declared.category, declared.reason)
    assert other.status == "inconclusive" and other.category == "vector", (other.status, other.reason)


# ── check_claim ─────────────────────────────────────────────────────────────
def test_check_claim_proves_the_sigmoid_derivative():
    (c,) = check_claim(r"\sigma'(x) = \sigma(x)(1-\sigma(x))")
    assert c.status == "proved" and c.method.startswith("exact symbolic proof")


def test_check_claim_refutes_a_wrong_sigmoid_derivative_with_a_witness():
    # σ′(x) = σ(x)(1 − σ(x)) ≠ σ(x): at any x they differ (σ′(0) = 1/4, σ(0) = 1/2).
    (c,) = check_claim(r"\sigma'(x) = \sigma(x)")
    assert c.status == "refuted"
    x = sp.Rational(c.witness["values"]["x"])
    lhs = float(sp.exp(-x) / (1 + sp.exp(-x)) ** 2)
    rhs = float(1 / (1 + sp.exp(-x)))
    assert abs(lhs - rhs) > 1e-6
    assert abs(lhs - float(c.witness["lhs"])) < 1e-9 and abs(rhs - float(c.witness["rhs"])) < 1e-9
    assert "1 - \\sigma" in c.expected


def test_check_claim_gives_one_result_per_step_and_rejects_non_claims():
    results = check_claim(r"(a + b)^2 = a^2 + 2ab + b^2 = (b + a)^2")
    assert [(c.step, c.status) for c in results] == [(1, "proved"), (2, "proved")]
    with pytest.raises(ParseError):
        check_claim(r"a + b")
    with pytest.raises(ParseError):
        check_claim(r"\frac{a}{")


# ── the real documents ─────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def real_documents():
    """Every seed and corpus document, checked once."""
    out = {p.name: check_document(p) for p in SEEDS + CORPUS}
    for name, r in out.items():
        s = r.summary()
        print(f"{name}: {s['fragments']} fragments, {s['parsed']} parsed, {s['claims']} claims, "
              f"{s['decided']} decided ({s['proved']} proved, {s['refuted']} refuted), {s['seconds']:.2f} s")
    return out


@needs_shared
def test_every_real_document_is_checked_without_a_crash(real_documents):
    assert set(real_documents) == {p.name for p in SEEDS + CORPUS}
    for name, r in real_documents.items():
        s = r.summary()
        assert s["fragments"] > 0 and s["claims"] > 0, name
        assert not [c for c in r.claims if "internal error" in c.reason], name
        assert s["proved"] + s["refuted"] + s["inconclusive"] == s["claims"]


@needs_shared
def test_the_seeds_parse_to_at_least_90_percent(real_documents):
    seeds = [real_documents[p.name] for p in SEEDS]
    found = sum(r.fragments for r in seeds)
    parsed = sum(r.parsed for r in seeds)
    assert parsed / found >= 0.9, (parsed, found)


def _labelled() -> dict:
    """file name → the lines of its known errata (../shared/errata/dev.json)."""
    data = json.loads((SHARED / "errata" / "dev.json").read_text(encoding="utf-8"))
    out: dict = {}
    for e in data["errata"]:
        lines = e["line"] if isinstance(e["line"], list) else [e["line"]]
        out.setdefault(Path(e["file"]).name, set()).update(int(n) for n in lines)
    return out


@needs_shared
def test_every_refuted_claim_of_the_shared_documents_is_a_known_erratum(real_documents):
    # No false alarm: a refuted claim covers a labelled erratum line (copies of a refuted
    # formula, like nnadl's margin pop-ups of eq. 23, refer to the first report instead).
    labelled = _labelled()
    for name, r in real_documents.items():
        for c in r.claims:
            if c.status == "refuted":
                assert any(c.line <= n <= c.end_line for n in labelled.get(name, ())), (name, c.line, c.statement)


@needs_shared
def test_the_errata_found_today_stay_found(real_documents):
    # seed 004 l.73 drops a factor 2; seed 000 l.247 sums over the free index k;
    # nnadl l.189 writes b^l_k for b^l_j (index discipline).
    found = {(name, n) for name, r in real_documents.items() for c in r.claims if c.status == "refuted"
             for n in _labelled().get(name, ()) if c.line <= n <= c.end_line}
    assert {(SEED_004.name, 73), ("000_a95a9fd27c711a75.txt", 247), ("nnadl-chap2.html", 189)} <= found


@needs_shared
def test_the_seed_004_witness_is_rechecked_independently(real_documents):
    (c,) = [c for c in real_documents[SEED_004.name].claims if c.status == "refuted"]
    step = parse_math(r"\frac{1}{2}\sum_{i=1}^n(2A-2Y)=\frac{1}{2}\sum_{i=1}^n(A-Y)").chains[0]
    values = {sp.Symbol(k): sp.Rational(v) for k, v in c.witness["values"].items()}
    lhs, rhs = (e.xreplace(values).doit() for e in step.exprs)
    assert lhs != rhs
    assert Fraction(str(lhs)) == Fraction(c.witness["lhs"]) and Fraction(str(rhs)) == Fraction(c.witness["rhs"])
    assert c.expected == r"n \left(A - Y\right)"


#: Correct formulas of the seeds (as written there): none may ever be refuted, alone or in context.
CORRECT_SEED_FORMULAS = [
    r"\partial w_{jk} = \frac{\partial E}{\partial w_{jk}} = \frac{\partial E}{\partial u_k} \frac{\partial u_k}{\partial w_{jk}}",
    r"\frac{\partial u_k}{\partial w_{jk}} = \frac{\partial(\sum_{q=1}^m y_q w_{qk} + b_k)}{\partial w_{jk}}",
    r"\frac{\partial}{\partial w_{jk}}(y_1 w_{1k} + y_2 w_{2k} + \cdots + y_j w_{jk} + \cdots + y_m w_{mk} + b_k) = y_j",
    r"\frac{\partial E}{\partial u_k} = \frac{\partial E}{\partial y_k} \frac{\partial y_k}{\partial u_k}",
    r"\delta_k = \frac{\partial E}{\partial u_k} = \frac{\partial E}{\partial y_k} \frac{\partial y_k}{\partial u_k}",
    r"\partial w_{jk} = y_j \delta_k",
    r"\frac{\partial u_r}{\partial y_j} = \frac{\partial}{\partial y_j}(y_1 w_{1r} + y_2 w_{2r} + \cdots + y_m w_{mr} + b_r) = w_{jr}",
    r"\delta y_j = \sum_{r=1}^n \delta_r w_{jr}",
    r"\frac{\partial E}{\partial y_k} = \frac{\partial}{\partial y_k} \left(\frac{1}{2} \sum_k (y_k - t_k)^2 \right) = y_k - t_k",
    r"\frac{\partial y_k}{\partial u_k} = \frac{\partial u_k}{\partial u_k} = 1",
    r"\delta_k = y_k - t_k",
    r"\log \frac{p}{q} = \log p - \log q",
    r"\log(\exp(x)) = x",
    r"\sum_k t_k = 1",
    r"E = - \sum_k t_k u_k + \log \sum_k \exp(u_k)",
    r"\delta_k = \frac{\partial}{\partial u_k} \left(- \sum_k t_k u_k + \log \sum_k \exp(u_k) \right) = -t_k + \frac{\exp(u_k)}{\sum_k \exp(u_k)}",
    r"\frac{\partial E}{\partial w^i_{nm}} = \frac{\partial E}{\partial a^i_n} \frac{\partial a^i_n}{\partial z^i_n} \frac{\partial z^i_n}{\partial w^i_{nm}} = \frac{\partial E}{\partial a^i_n} \phi'_i(z^i_n) a^{i-1}_m",
    r"\xi^i_n = \phi'_i(z^i_n) \sum_{k=1}^{M_{i+1}} \xi^{i+1}_k w^{i+1}_{kn}",
    r"\frac{\partial E}{\partial w^i_{nm}} = \xi^i_n a^{i-1}_m",
    r"E=\frac{1}{2}\sum_{i=1}^n(A-Y)^2=\frac{1}{2}\sum_{i=1}^n(A^2-2AY+Y^2)",
    r"\frac{\partial E}{\partial W}=\frac{\partial E}{\partial A}\frac{\partial A}{\partial Z}\frac{\partial Z}{\partial W}",
    r"\frac{\partial A}{\partial Z}=\sigma^\prime(Z)=\sigma(Z){1-\sigma(Z)}",
]


@pytest.mark.parametrize("latex", CORRECT_SEED_FORMULAS)
def test_correct_seed_formulas_are_never_refuted_alone(latex):
    assert all(c.status != "refuted" for c in check_claim(latex, timeout=3.0))


@needs_shared
def test_correct_seed_formulas_are_not_refuted_in_context(real_documents):
    sources = {" ".join(c.source.split()) for name, r in real_documents.items() if name.startswith("0")
               for c in r.claims if c.status == "refuted"}
    for latex in CORRECT_SEED_FORMULAS:
        assert " ".join(latex.split()) not in sources
    # and a few are decided in context: the softmax + cross-entropy chain of seed 000 is proved
    seed0 = real_documents["000_a95a9fd27c711a75.txt"]
    chain = [c for c in seed0.claims if c.fragment_line == 227]
    assert len(chain) == 5 and all(c.status == "proved" for c in chain)


# ── JSON contract and exit codes (via the CLI) ─────────────────────
def run_cli(*argv: str) -> tuple[int, str, str]:
    """``symbackprop check ARGV`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["check", *(argv[1:] if argv[:1] == ("check",) else argv)])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def docs(tmp_path):
    files = {
        "ok.md": "$$\\sigma'(x) = \\sigma(x)(1-\\sigma(x))$$\n",
        # wrong: σ′ = σ(1 − σ), not σ.
        "bad.md": "Intro.\n\n$$\\sigma'(x) = \\sigma(x)$$\n",
        "open.md": "$$\\frac{\\partial E}{\\partial y} = y - t$$\n",
        "none.md": "No formulas here.\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_json_follows_the_check_results_contract(docs):
    code, out, _ = run_cli(str(docs / "bad.md"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) >= {"file", "claims", "summary"}
    (claim,) = data["claims"]
    for key in ("line", "end_line", "source", "status", "reason", "witness", "expected", "step", "method"):
        assert key in claim
    assert claim["line"] == 3 and claim["end_line"] == 3 and claim["status"] == "refuted"
    assert claim["source"] == "\\sigma'(x) = \\sigma(x)" and claim["step"] == 1
    assert set(claim["witness"]) == {"values", "lhs", "rhs", "difference"}
    s = data["summary"]
    assert (s["fragments"], s["parsed"], s["claims"], s["refuted"]) == (1, 1, 1, 1)
    code, out, _ = run_cli(str(docs / "ok.md"), str(docs / "open.md"), "--format", "json")
    assert isinstance(json.loads(out), list) and len(json.loads(out)) == 2


@pytest.mark.parametrize("files,code", [
    (["ok.md"], 0),                 # proved, nothing refuted
    (["ok.md", "open.md"], 0),      # something decided, no erratum
    (["bad.md"], 1),                # something refuted
    (["ok.md", "bad.md"], 1),
    (["open.md"], 3),               # inconclusive only
    (["none.md"], 3),               # nothing to decide
])
def test_exit_codes(docs, files, code):
    assert run_cli(*[str(docs / f) for f in files])[0] == code


def test_bad_input_or_usage_exits_2(docs, tmp_path):
    assert run_cli(str(tmp_path / "missing.md"))[0] == 2
    assert run_cli(str(docs / "ok.md"), "--format", "pdf")[0] == 2
    assert run_cli(str(docs / "ok.md"), "--timeout", "0")[0] == 2
    assert run_cli()[0] == 2
    (tmp_path / "latin1.md").write_bytes("$x = \xe9$".encode("latin-1"))
    code, _, err = run_cli(str(tmp_path / "latin1.md"))
    assert code == 2 and "UTF-8" in err


def test_text_output_shows_position_verdict_witness_and_summary(docs):
    code, out, err = run_cli("check", str(docs / "bad.md"))
    assert code == 1 and err == ""  # no progress when stderr is not a terminal
    bad = str(docs / "bad.md")
    lines = out.splitlines()
    # the erratum as a compiler diagnostic FILE:LINE: refuted: STATEMENT, details indented below it
    at = lines.index(f"{bad}:3: refuted: \\frac{{\\partial}}{{\\partial x}} \\left(\\sigma\\left(x\\right)\\right)"
                     " = \\sigma\\left(x\\right)")
    assert lines[at + 1].startswith("    witness:  x = ")
    assert lines[at + 2].startswith("    the right side should be: ")
    assert lines[at + 3].startswith("    method:   ")
    # one summary line per document that starts with the file name
    (summary,) = [l for l in lines if "fragments found" in l]
    assert summary.startswith(f"{bad}: 1 fragments found, 1 parsed")
    assert "1 fragments found, 1 parsed" in out and "1 steps decided" in out


def test_progress_goes_to_stderr_on_request(docs):
    _code, _out, err = run_cli(str(docs / "ok.md"), "--progress")
    assert "ok.md" in err and "100%" in err


@pytest.mark.parametrize("fmt,lang", [("md", "en"), ("html", "ja")])
def test_markdown_and_html_reports(docs, tmp_path, fmt, lang):
    target = tmp_path / f"report.{fmt}"
    code, out, _ = run_cli(str(docs / "bad.md"), str(docs / "open.md"), "--format", fmt, "-o", str(target),
                           "--lang", lang)
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "bad.md" in text and "open.md" in text
    if fmt == "md":
        assert "### Errata found" in text and "$\\sigma\\left(x\\right) \\left(1 - \\sigma\\left(x\\right)\\right)$" in text
    else:
        assert text.startswith("<!DOCTYPE html>") and "<math" in text and "見つかった誤り" in text


def test_exit_code_function_matches_the_cli(docs):
    results = [check_document(docs / "open.md")]
    assert exit_code(results) == 3
