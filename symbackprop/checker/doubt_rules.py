r"""Doubt rules: what a document leaves open about one step, before it is decided.

Each rule is a named function ``rule(step: Step) -> Iterable[Doubt]`` whose docstring is
its rationale.  A doubt forbids a refutation; one with ``blocks_proof`` forbids a proof
too (see :mod:`.doubts`).  Rules run in the order of :data:`DOUBT_RULES`; ``stage``
says whether a rule looks at the step with the definitions put in (``"written"``, before
derivatives are carried out) or at the prepared step (``"prepared"``).  Every rule has an
``example``: a small document whose claim is refuted when the rule is disabled and not
with it (``tests/checker/test_guards.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

import sympy as sp
from sympy.core.function import AppliedUndef

from .generic import generic_activation
from .order import upstream
from .names import GREEK_ALTERNATION, OPAQUE, key, keys, letter, plain_symbols, tex
from .scan import BOLD

if TYPE_CHECKING:  # pragma: no cover
    from .doubts import Step

Doubt = tuple  # (category, text, blocks_proof)

VECTOR_FUNCTIONS = ("transpose", "hadamard", "norm")
_ELLIPSIS = re.compile(r"\\(cdots|ldots|dots|vdots|ddots)\b|…|⋯")
_BRACED_FACTOR = re.compile(r"(\)|(?<![\\A-Za-z_^])[A-Za-z0-9])\s*\{[^{}]*[+-][^{}]*\}")
_JUXTAPOSED = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z]|\\(?:" + GREEK_ALTERNATION + r")(?![A-Za-z]))(?:\s*\^\s*(?:\{[^{}]*\}|\w))?(?:\s*_\s*(?:\{[^{}]*\}|\w))?"
    r"\s*\(\s*[A-Za-z](?:\s*_\s*(?:\{[^{}]*\}|\w))?\s*\)")


@dataclass(frozen=True)
class DoubtRule:
    name: str
    stage: str
    fn: Callable[["Step"], Iterable[Doubt]]
    example: str = field(repr=False)

    @property
    def rationale(self) -> str:
        return (self.fn.__doc__ or "").strip()


def _vectors(step: "Step") -> set:
    """The names read as vectors at this step: all the document writes so, but those it declares
    real numbers in the step's section (``u \\in \\mathbb{R}``, :meth:`DocumentScan.scalar_in`)."""
    section = getattr(step.table, "section", ())
    return {n for n in step.scan.vectors if not step.scan.scalar_in(n, section)}


def _vectorish(step: "Step", e: sp.Basic) -> bool:
    vectors = _vectors(step)
    if any(x.name in vectors for x in plain_symbols(e)):
        return True
    if any(BOLD.search(str(b.label)) for b in e.atoms(sp.IndexedBase)):
        return True
    return any(type(f).__name__ in VECTOR_FUNCTIONS for f in e.atoms(AppliedUndef))


def vector_notation(step: "Step") -> Iterable[Doubt]:
    """Vectors and matrices (bold names, a name used both with and without indices, ⊙, ^T,
    norms) are read as scalars here: such a step is never refuted; and a product of one with
    something else, as the claim writes it, would commute, so it is not proved either.  A name
    the document declares a real number in the step's section (``u \\in \\mathbb{R}``) is a scalar
    there, whatever indices it has elsewhere (``u_k`` of another section)."""
    for side, products in ((step.a, True), (step.b, True), (step.lhs, False), (step.rhs, False)):
        if not _vectorish(step, side):
            continue
        names = sorted({x.name for x in plain_symbols(side) if x.name in _vectors(step)})
        yield ("vector", "vector or matrix notation" + (f" ({', '.join(names)})" if names else "")
               + " read as scalars", False)
        for m in side.atoms(sp.Mul) if products else ():
            factors = [f for f in m.args if not f.is_number]
            if len(factors) >= 2 and any(_vectorish(step, f) for f in factors):
                yield ("vector", "a product of vectors or matrices (read as scalars, it would commute)", True)
                break


def unspecified_function(step: "Step") -> Iterable[Doubt]:
    """A function the document never specifies (``g``, ``h``) may be any function: a step that
    holds for every function is proved, one that fails for some is not wrong for the function
    the author has in mind.  A function named by a layer label of the document (``φ_i``,
    ``f_{l+1}``, ``f_L``) or applied by its forward pass (``y^{l}_j = f(u^{l}_j)``) is a layer's
    activation, left generic on purpose (generic.py)."""
    names = {x.func.__name__ for e in (step.lhs, step.rhs) for x in e.atoms(AppliedUndef)}
    for f in sorted(names - set(VECTOR_FUNCTIONS)):
        if not f.startswith(OPAQUE) and not generic_activation(f, step.scan.label_letters, step.table):
            yield ("function", f"{f} is not specified", False)


def defined_later(step: "Step") -> Iterable[Doubt]:
    """A quantity the document defines only further down may be meant as that definition
    says; read here as an unknown, the step cannot be refuted."""
    for k in sorted(set().union(*(keys(e) for e in (step.lhs, step.rhs)))):
        line = step.defined_later(k)
        if line and not k.startswith(OPAQUE) and k not in step.table.names():
            yield ("later", f"{k} is defined only later (line {line})", False)


#: Sizing commands before a bracket: ``H\left(u\right)`` is juxtaposed as ``H(u)`` is.
_SIZED = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)(?![A-Za-z])")


def juxtaposed_application(step: "Step") -> Iterable[Doubt]:
    r"""``g(x)`` with ``g`` no known function is read as the product g·x; the author may mean
    an application — also written ``g\left(x\right)`` (printers write it so: H(u) in a
    derivation of ReLU′ had been refuted as the product H·u), or with a Greek letter the reader
    took for a quantity (``\theta(u)``, the Heaviside step in many texts)."""
    quantities = {x.name for e in (step.a, step.b) for x in plain_symbols(e)}
    for m in _JUXTAPOSED.finditer(_SIZED.sub("", step.source)):
        name = m.group(1)
        if (name not in step.function_letters) if len(name) == 1 else name[1:] in quantities:
            yield ("notation", f"'{m.group(0)}' may be a function application, read as a product", False)
            return


def ellipsis_range(step: "Step") -> Iterable[Doubt]:
    """``y_1 + ⋯ + y_n`` is read as a sum whose range the reader guesses from the first and
    last terms: a step with sums in a display that writes an ellipsis is not refuted.  An
    ellipsis that is a whole cell of a matrix (``\\vdots``, ``& \\cdots &``) marks rows or
    columns of a pattern the reader has matched entry by entry, not a guessed range."""
    if _ELLIPSIS.search(_without_matrix_dots(step.source)) and any(e.has(sp.Sum) for e in (step.lhs, step.rhs)):
        yield ("ellipsis", "the range of a sum written with an ellipsis (⋯) is a guess", False)


_MATRIX = re.compile(r"\\begin\{([pbBvV]?matrix)\}(.*?)\\end\{\1\}", re.S)
_CELL_SPLIT = re.compile(r"(&|\\\\)")


def _without_matrix_dots(source: str) -> str:
    """``source`` with every matrix cell that is only an ellipsis emptied."""
    def cells(m: re.Match) -> str:
        parts = _CELL_SPLIT.split(m.group(2))
        kept = ["" if _ELLIPSIS.fullmatch(p.strip()) else p for p in parts]
        return m.group(0).replace(m.group(2), "".join(kept))
    return _MATRIX.sub(cells, source)


def ambiguous_kronecker(step: "Step") -> Iterable[Doubt]:
    """δ with two indices is read as the Kronecker delta; in a document that also writes δ
    with one index (the error signal δ_k), ``δ_{jk}`` may be an error signal too."""
    if step.scan.kronecker_ambiguous and any(e.has(sp.KroneckerDelta) for e in (step.lhs, step.rhs)):
        yield ("kronecker", "δ with two indices read as the Kronecker delta, but the document also "
                            "writes δ with one index", False)


def kronecker_across_layers(step: "Step") -> Iterable[Doubt]:
    """In a document whose index letters name layers (``u_k`` beside ``y_j``), ``u_i`` and
    ``u_j`` are read as quantities of two layers; but a step that sets two such letters equal
    (``Σ_{i'} [i' = j] e^{u_{i'}} = e^{u_j}``, the softmax Jacobian beside a weighted input)
    uses them as one range: there the letters do not name layers, and a witness that gives the
    two readings different values would refute a correct sifting step.  Not refuted."""
    if not step.scan.layered:
        return
    for d in (x for e in (step.a, step.b) for x in e.atoms(sp.KroneckerDelta)):
        ends = {letter(i) for i in d.args}
        if len(ends) == 2 and None not in ends and ends <= step.scan.layer_letters:
            yield ("letters", f"{tex(d)} sets indices of two letters equal that name different layers elsewhere "
                              "in the document: here they may not", False)
            return


def braced_factor(step: "Step") -> Iterable[Doubt]:
    """``σ(z){1 − σ(z)}`` renders as σ(z)·1 − σ(z) (braces group, they do not show), and is
    read so; but its author almost surely means the factor (1 − σ(z)).  What it renders and
    what it means differ, so such a step is neither refuted nor proved."""
    m = _BRACED_FACTOR.search(step.source)
    if m:
        yield ("notation", f"'{m.group(0)}': braces render no parentheses; read as written, the author "
                           "may mean a parenthesised factor", True)


def related_unknowns(step: "Step") -> Iterable[Doubt]:
    """Quantities the step leaves as unknowns are given values independently by a witness; but
    ``a^{i-1}_m`` and ``z^{i-1}_m`` (one computed from the other by the document's definitions)
    cannot take any values at once: a counterexample that sets both freely may be one the
    network never produces.  Such a step is not refuted.  Not a rule of :data:`DOUBT_RULES`
    that may be switched off: the walk puts related quantities in alike on both sides
    (``SymbolTable.deepen``), so no document example shows a false alarm it prevents today —
    it is the invariant every witness rests on, checked on every prepared step.  So is a
    function the document defines (``f(x) = tanh(x)``) still applied in the prepared step: the
    definitions put it in everywhere (``SymbolTable.apply``, ``deepen``), and a witness giving
    ``f`` a value of its own (a polynomial) would set two networks side by side."""
    yield from _defined_functions(step)
    atoms = {a for e in (step.lhs, step.rhs) for a in e.atoms(sp.Indexed) if not str(a.base.label).startswith(OPAQUE)}
    present = {key(a) for a in atoms}
    for a in sorted(atoms, key=str):
        below = upstream(step.table, a) & (present - {key(a)})
        if below:
            yield ("dependence", f"{key(a)} is computed from {', '.join(sorted(below))}, which the step also "
                                 "holds: they are not independent", False)
            return


def _defined_functions(step: "Step") -> Iterable[Doubt]:
    """A function of the definitions in force left applied in the step (see :func:`related_unknowns`)."""
    defined = {(key(d.lhs), len(d.lhs.args)) for d in step.table.definitions()
               if d.shape == "function" and isinstance(d.lhs, AppliedUndef)}
    kept = sorted({f.func.__name__ for e in (step.lhs, step.rhs) for f in e.atoms(AppliedUndef)
                   if (f.func.__name__, len(f.args)) in defined})
    if kept:
        yield ("function", f"{', '.join(kept)} is defined by the document but left unknown in the step as "
                           "read: a counterexample would give it another value", False)


_NUMBER_ABOVE = re.compile(r"[A-Za-z}]\s*\^\s*\{?\s*\d+\s*\}?\s*_|(?<!\\sum)(?<!\\prod)(?<!\\int)(?<!\\lim)_\s*(\{[^{}]*\}|\w)\s*\^\s*\{?\s*\d+\s*\}?(?![\d.])")


def numeric_superscript(step: "Step") -> Iterable[Doubt]:
    """``a^{2}_j`` is read as a power (a_j)²; but a document that also writes ``a^{1}_j`` (an
    exponent 1 or 0 on an indexed quantity means nothing) numbers its layers that way, and
    ``a^{2}_j`` is the output of layer 2.  Such a step is neither proved nor refuted."""
    if step.scan.numeric_labels:
        m = _NUMBER_ABOVE.search(step.source)
        if m:
            yield ("notation", f"'{m.group(0).strip()}…': a number above an indexed quantity may be a layer "
                               "label here (the document writes one as 1 or 0), read as a power", True)


#: The doubt rules, in the order they run.
DOUBT_RULES: tuple[DoubtRule, ...] = (
    DoubtRule("vector-notation", "written", vector_notation,
              "$$\\mathbf{x}^\\top \\mathbf{y} = \\mathbf{y}^\\top \\mathbf{x}$$\n"),
    DoubtRule("numeric-superscript", "written", numeric_superscript,
              "$$a^{1}_j = \\sigma(z_j)$$\n\n$$a^{2}_j = \\sigma(a^{1}_j)^2$$\n"),
    DoubtRule("braced-factor", "written", braced_factor,
              "$$\\frac{d}{dz}\\sigma(z) = \\sigma(z){1-\\sigma(z)}$$\n"),
    DoubtRule("unspecified-function", "prepared", unspecified_function,
              "$$g'(x) = 2 g(x)$$\n"),
    DoubtRule("defined-later", "prepared", defined_later,
              "$$z y = y$$\n\n$$z := 1$$\n"),
    DoubtRule("juxtaposed-application", "prepared", juxtaposed_application,
              "$$\\frac{d}{dx} p(x) = 1$$\n"),
    DoubtRule("ellipsis-range", "prepared", ellipsis_range,
              "$$a_1 + \\cdots + a_n = \\sum_{k=1}^{n} a_k + a_1$$\n"),
    DoubtRule("kronecker-across-layers", "prepared", kronecker_across_layers,
              "## Weighted input\n\n$$\\partial u_{k}/\\partial w_{jk} = y_{j}$$\n\n"
              "Assuming: $u_{k} := b_{k} + \\sum_{j'=1}^{m} y_{j'} w_{j'k}$\n\n## Softmax\n\n"
              "Assuming: $y_{i} := \\frac{e^{u_{i}}}{\\sum_{i'=1}^{n} e^{u_{i'}}}$\n\n"
              "$$\\sum_{i'=1}^{n} [i' = j] e^{u_{i'}} = e^{u_{j}}$$\n"),
    DoubtRule("ambiguous-kronecker", "prepared", ambiguous_kronecker,
              "$$\\delta_k = y_k - t_k$$\n\n$$\\sum_{k=1}^{n} \\delta_{jk} a_k = a_1$$\n"),
)

DOUBT_RULE_NAMES = frozenset(r.name for r in DOUBT_RULES)


def doubts_of(step: "Step", stage: str, disabled: frozenset = frozenset()) -> list[Doubt]:
    """Every doubt the rules of ``stage`` (not ``disabled``) raise about ``step``."""
    out: list[Doubt] = []
    for rule in DOUBT_RULES:
        if rule.stage == stage and rule.name not in disabled:
            out.extend(d for d in rule.fn(step) if d not in out)
    return out
