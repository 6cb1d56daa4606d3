r"""Check the mathematics of a document: every relation becomes a claim, decided or explained.

The flow, top to bottom::

    document ─► extract ─► parse ─► scan ─► walk the chains in document order ─► ClaimResult per step
                                     │             │
                                     │             └─ symbol table: definitions, stated assumptions
                                     └─ what the document differentiates, defines, writes as vectors

An equality chain ``a = b = c`` gives the steps ``a = b`` and ``b = c``.  Each step
is prepared (definitions in force applied, derivatives of unknown quantities made
explicit unknowns, symbols real, logarithms of positive products split) and decided
by the prover's own passes (:data:`symbackprop.prover.engine.PASSES`), run in this
process under a SIGALRM timer (a fork per pass costs more than most steps; off the
main thread the forked :func:`symbackprop.prove.prove` is used).  A step that
differentiates by a defined quantity (``∂E/∂u_k`` with ``u_k`` defined) is first
tried with that quantity kept as a variable (proof only: the chain rule puts the
definition in afterwards); then with every definition put in.

Zero false alarms
-----------------
A step is ``refuted`` only when the prover found a confirmed witness *and* nothing
the document leaves open could explain the difference.  Each case below keeps a step
``inconclusive`` with a precise reason (and a category, counted in the summary):

* **Undefined quantities** (``undefined``).  ``∂E/∂y_k`` with ``E`` defined nowhere
  before the line becomes an unknown ``[∂E/∂y_k]`` (one unknown per quantity and
  variables, the same wherever it occurs).  Such a step can be *proved* (it holds
  whatever the unknowns are) but never refuted: "depends on E, not defined".  A
  chain-rule step between undefined derivatives is such a step; an unknown on one
  side only is not even tried.
* **Hidden dependence** (``dependence``).  In ``∂F/∂x`` of an explicit ``F``, a
  quantity the document differentiates or defines somewhere (``y`` in
  ``∂y_k/∂u_k``) may depend on ``x``: it is differentiated as an unknown function
  (chain rule, giving ``[∂y_q/∂w_{jk}]``), so only what holds whatever that
  dependence is gets proved.  When nothing in ``F`` mentions ``x``, every unknown in
  it is treated so.  Quantities the document never differentiates nor defines
  (targets ``t_k``, inputs) are constants.
* **Bound index reused as free** (``∂/∂y_k ½Σ_k (y_k − t_k)²``): the bound index is
  renamed before differentiating, as the textbook means it.
* **Index letters naming layers** (``letters``).  Indexed definitions belong to their
  letters: ``u_j := Σ_i x_i w_{ij} + b_j`` and ``u_k := Σ_j y_j w_{jk} + b_k`` are two
  layers (``u_{k'}`` and ``Σ_{k'}`` use the ``k`` one).  A document that defines a name
  with two letters, or writes ``w_{ij}`` and ``w_{jk}``, names layers by letters: there
  ``∂/∂y_j`` of an expression in ``y_k`` (SymPy would answer ``δ_{jk}``) is neither
  proved nor refuted, except for a summation letter the document uses for no layer
  (the ``q`` of ``y_1 + ⋯ + y_m``).  A definition used for another letter (``y_k :=
  softmax`` for ``y_j``) blocks refutation; in a layered document it is not used.
* **Sums without bounds** (``\sum_k`` → ``Σ_{k=1}^{n_{k}}``, ``bounds``): primed letters
  share the range (``Σ_{k'}`` runs like ``Σ_k``); a refutation must survive reading
  every such sum over one common range.
* **Ellipses** (``y_0 + ⋯ + y_n``, ``ellipsis``): the parser guesses the range, so a
  step with sums in a fragment that writes an ellipsis is never refuted.
* **Definitions** (``definition``, ``redefinition``, ``condition``, ``notation``,
  ``loose``).  A chain whose first side is a bare symbol, indexed symbol or function
  application not defined yet (``\partial w_{jk} = \frac{\partial E}{\partial w_{jk}}``,
  ``\delta_k = …``, ``E = ½Σ…``, ``f(x) = x``) defines it: recorded in document order,
  reported ``inconclusive`` "definition", the rest of the chain checked.  ``:=`` and
  ``\equiv`` always define.  ``X = …`` for an ``X`` already defined is a claim; when
  it is refuted it reads as a *redefinition* (the document changed its example:
  ``E = ½Σ(A − Y)²`` after ``E = ½Σ(ŷ − y)²``) and replaces the definition.
  ``δy_j`` (parsed δ·y_j) as a whole side is the name ``δy_j``.  ``l = L``, ``k = j``
  are conditions; ``w = 4`` is a value (kept unless ``w`` is a size); a name used for
  the first time as a side (``… = g_w``) names the other side.  ``y = y(x)``
  (the name on both sides) is notation.  A definition whose right side has a free
  index its left side lacks (``a^l_j = σ(… + b^l_k)``) is a slip: claims using it are
  not decided.  Quantities defined only later in the document (``later``) block
  refutation.
* **Σ_k t_k = 1** is used once the document writes it in math (a one-step relation
  between unknowns and a number is a stated ``assumption``).  A refuted step that
  holds with it is "needs Σ t = 1".
* **Vectors and matrices** (``vector``: bold names, a name used with and without
  indices, ``⊙``, ``^\top``, norms, explicit matrices) are read as scalars, so such
  steps are never refuted, and not proved when one multiplies something (products
  commute here).
* **Functions** (``function``, ``domain``).  Unspecified ones (``f_L``, ``\phi_i``)
  may be proved for every function, never refuted; ``y(x)`` parsed as a product
  blocks refutation; a known function redefined (``\sigma(z) = z``) is a definition
  that is not used.  A witness outside the real domain (log of a negative) is none;
  a derivative at a kink (``∂|x|/∂x`` at 0) is re-checked away from the kink.
* ``≈``, inequalities, ``≠`` and update rules ``←`` are reported, not checked.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from .errors import ParseError
from .latex.extract import Fragment, extract, extract_file
from .latex.parse import ParseOptions, Parsed, parse_math
from .printing import latex as _latex
from .prover.claim import UnsupportedClaim, bound_symbols, index_structure, make_claim, rename_bound
from .prover.engine import PASSES
from .prover.prepare import elementary
from .prover.symbolic import canonical_dummies, index_rounds, value_atoms
from .verdict import Status, Verdict, inconclusive, proved

__all__ = ["ClaimResult", "DocumentResult", "check_document", "check_text", "check_claim",
           "check_fragments", "exit_code", "PARSE_OPTIONS"]

#: How documents are read: ``\delta_{jj'}`` is a Kronecker delta (the error signal δ_k has one index).
PARSE_OPTIONS = ParseOptions(kronecker=True)

#: Seconds for a step that can be proved but not refuted (an undefined quantity, a vector …).
DOUBTFUL_SECONDS = 0.3
#: Seconds for the first try with the defined variables of a step kept as variables.
FROZEN_SECONDS = 1.0
DEFINING_OPS = frozenset({"=", ":=", r"\equiv"})
EXPLICIT_DEFINING_OPS = frozenset({":=", r"\equiv"})
UNCHECKED_OPS = {
    r"\approx": ("approximation", "an approximation (≈) is not checked"),
    r"\simeq": ("approximation", "an approximation (≃) is not checked"),
    r"\propto": ("relation", "a proportionality (∝) is not checked"),
    "<": ("inequality", "an inequality is not checked"),
    ">": ("inequality", "an inequality is not checked"),
    r"\le": ("inequality", "an inequality is not checked"),
    r"\ge": ("inequality", "an inequality is not checked"),
    r"\neq": ("condition", "an inequation (≠) states a condition; not checked"),
    r"\leftarrow": ("update rule", "an update rule (←) is an assignment, not a claim"),
}
#: Categories of inconclusive steps, most telling first (a step reports the first that applies).
CATEGORIES = ("definition", "redefinition", "condition", "assumption", "notation", "loose", "undefined",
              "dependence", "later", "function", "vector", "needs Σ t = 1", "bounds", "ellipsis",
              "domain", "letters", "kronecker", "approximation", "inequality", "relation",
              "update rule", "unsupported", "timed out", "no proof")

_NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)
_VECTOR_FUNCS = ("transpose", "hadamard", "norm")
_BOLD = re.compile(r"\\(mathbf|bm|boldsymbol|vec|mathsf)\b")
_ELLIPSIS = re.compile(r"\\(cdots|ldots|dots|vdots|ddots)\b|…|⋯")
_FUNCTION_LETTERS = frozenset(n for n in PARSE_OPTIONS.function_names if len(n) == 1)
_JUXTAPOSED = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z])(?:\s*\^\s*(?:\{[^{}]*\}|\w))?(?:\s*_\s*(?:\{[^{}]*\}|\w))?"
    r"\s*\(\s*[A-Za-z](?:\s*_\s*(?:\{[^{}]*\}|\w))?\s*\)")
_TARGET = re.compile(r"^t($|[_^'])")
_PROSE = re.compile(r"[a-z]{4,}")  # a bare lowercase word as a symbol: prose that reached the math
_OPAQUE = "\\partial "
_GREEK = re.compile(r"^(alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|kappa|lambda|mu|nu|"
                    r"xi|rho|sigma|tau|phi|varphi|chi|psi|omega|Delta|Sigma|Phi|Psi|Omega)(?=$|[\^_'{ ])")


# ═════════════════════════════ results ═════════════════════════════════════
@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one step of one relation chain of a document."""

    line: int
    end_line: int
    source: str
    chain: int
    step: int
    relation: str
    statement: str
    status: str
    reason: str = ""
    category: str = ""
    method: str = ""
    witness: Optional[dict] = None
    expected: Optional[str] = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The claim as DESIGN.md's "Check results" contract has it (plus chain, step, method …)."""
        return {"line": self.line, "end_line": self.end_line, "source": self.source,
                "chain": self.chain, "step": self.step, "relation": self.relation,
                "statement": self.statement, "status": self.status, "reason": self.reason,
                "category": self.category, "method": self.method, "witness": self.witness,
                "expected": self.expected}


@dataclass(frozen=True)
class DocumentResult:
    """Every claim of a document, the fragments that could not be read, and the counts."""

    file: str
    fragments: int
    parsed: int
    claims: tuple[ClaimResult, ...]
    unparsed: tuple[dict, ...] = ()
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for c in self.claims if c.status == status)

    def summary(self) -> dict[str, Any]:
        """Fragments found and parsed; claims proved, refuted, inconclusive (by reason)."""
        by_reason: dict[str, int] = {}
        for c in self.claims:
            if c.status == Status.INCONCLUSIVE.value:
                by_reason[c.category] = by_reason.get(c.category, 0) + 1
        order = {c: n for n, c in enumerate(CATEGORIES)}
        by_reason = dict(sorted(by_reason.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
        proved_, refuted_ = self.count("proved"), self.count("refuted")
        return {"fragments": self.fragments, "parsed": self.parsed,
                "unparsed": self.fragments - self.parsed, "claims": len(self.claims),
                "proved": proved_, "refuted": refuted_, "inconclusive": self.count("inconclusive"),
                "decided": proved_ + refuted_, "inconclusive_by_reason": by_reason,
                "seconds": round(self.seconds, 3)}

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "claims": [c.to_json() for c in self.claims],
                "summary": self.summary(), "unparsed": list(self.unparsed)}


def exit_code(results: Iterable[DocumentResult]) -> int:
    """DESIGN.md for ``check``: 1 something refuted, 0 no erratum found (something decided),
    3 nothing could be decided (inconclusive only, or no claims at all)."""
    statuses = {c.status for r in results for c in r.claims}
    if "refuted" in statuses:
        return 1
    return 0 if "proved" in statuses else 3


# ═════════════════════════════ public face ═════════════════════════════════
Progress = Callable[[int, int], None]


def check_document(path: str | os.PathLike[str], *, timeout: float = 5.0,
                   progress: Optional[Progress] = None) -> DocumentResult:
    """Check every relation in the document at ``path`` (md, tex, txt, html, rst, ipynb)."""
    start = time.monotonic()
    return check_fragments(extract_file(path), name=str(path), timeout=timeout, progress=progress,
                           start=start)


def check_text(text: str, kind: str = "markdown", *, name: str = "<text>", timeout: float = 5.0,
               progress: Optional[Progress] = None) -> DocumentResult:
    """Check a document given as text of ``kind`` (see :data:`symbackprop.latex.extract.KINDS`)."""
    start = time.monotonic()
    return check_fragments(extract(text, kind), name=name, timeout=timeout, progress=progress,
                           start=start)


def check_claim(latex: str, *, timeout: float = 5.0) -> list[ClaimResult]:
    """Check one LaTeX relation (a chain ``a = b = c`` gives a result per step).

    Raises :class:`ParseError` when the text cannot be read or holds no relation.
    """
    parsed = parse_math(latex, PARSE_OPTIONS)
    if not any(c.ops for c in parsed.chains):
        raise ParseError(f"no relation in {latex!r}: write a claim such as a = b")
    frag = Fragment(latex, 1, 1 + latex.count("\n"), True, None)
    return list(_Checker([(frag, parsed)], timeout).run())


def check_fragments(fragments: Sequence[Fragment], *, name: str = "<document>", timeout: float = 5.0,
                    progress: Optional[Progress] = None, start: Optional[float] = None) -> DocumentResult:
    """Parse and check extracted fragments in document order."""
    start = time.monotonic() if start is None else start
    items: list[tuple[Fragment, Any]] = []
    unparsed = []
    for frag in fragments:
        try:
            items.append((frag, parse_math(frag.source, PARSE_OPTIONS)))
        except ParseError as exc:
            items.append((frag, exc))
            unparsed.append({"line": frag.line, "end_line": frag.end_line, "source": frag.source,
                             "reason": getattr(exc, "reason", None) or str(exc).splitlines()[0]})
    claims = tuple(_Checker(items, timeout).run(progress))
    parsed = sum(1 for _f, p in items if isinstance(p, Parsed))
    return DocumentResult(name, len(fragments), parsed, claims, tuple(unparsed),
                          time.monotonic() - start)


# ═════════════════════════════ names ═══════════════════════════════════════
def _key(e: sp.Basic) -> Optional[str]:
    """The name a quantity is known by: ``y`` for ``y_k``, ``E`` for ``E``, ``f_{L}`` for ``f_L(u)``."""
    if isinstance(e, sp.Indexed):
        return str(e.base.label)
    if isinstance(e, sp.IndexedBase):
        return str(e.label)
    if isinstance(e, sp.Symbol):
        return e.name
    if isinstance(e, AppliedUndef):
        return e.func.__name__
    return None


def _indices(e: sp.Basic) -> tuple:
    return tuple(e.indices) if isinstance(e, sp.Indexed) else ()


def _is_quantity(e: sp.Basic) -> bool:
    """A symbol or indexed symbol that stands for a value (not an index or a size)."""
    if isinstance(e, sp.Indexed):
        return True
    return isinstance(e, sp.Symbol) and not isinstance(e, sp.Dummy) and not e.is_integer


def _is_opaque(e: sp.Basic) -> bool:
    k = _key(e)
    return bool(k) and k.startswith(_OPAQUE)


def _sizes_of(expr: sp.Basic) -> set:
    """Symbols in the bounds of sums (sizes, never values)."""
    return {s for x in expr.atoms(sp.Sum) for _d, lo, hi in x.limits for s in (lo.free_symbols | hi.free_symbols)}


def _plain_symbols(expr: sp.Basic) -> set:
    """Quantity symbols used as such (not the labels of indexed symbols)."""
    out, stack = set(), [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, sp.IndexedBase):
            continue
        if isinstance(e, sp.Symbol):
            if _is_quantity(e):
                out.add(e)
            continue
        stack.extend(e.args)
    return out


def _unknowns(expr: sp.Basic) -> set:
    """The value atoms of ``expr``: symbols and indexed symbols, not indices or sizes."""
    sizes = _sizes_of(expr)
    return {a for a in value_atoms(expr) if _is_quantity(a) and a not in sizes}


def _keys(expr: sp.Basic) -> set[str]:
    """Every name used in ``expr``, including functions and derivative variables."""
    out = {_key(a) for a in expr.atoms(sp.Indexed)} | {s.name for s in _plain_symbols(expr)}
    out |= {a.func.__name__ for a in expr.atoms(AppliedUndef)}
    return {k for k in out if k}


def _shorthand(e: sp.Basic) -> sp.Basic:
    """``δy_j`` is parsed δ·y_j; as a whole side of a relation it is the name ``δy_j``."""
    if isinstance(e, sp.Mul) and len(e.args) == 2:
        a, b = e.args
        if isinstance(b, sp.Symbol) and b.name in ("delta", "Delta"):
            a, b = b, a
        if isinstance(a, sp.Symbol) and a.name in ("delta", "Delta") and isinstance(b, (sp.Indexed, sp.Symbol)):
            name = f"\\{a.name} {_key(b)}"
            return sp.IndexedBase(name)[b.indices] if isinstance(b, sp.Indexed) else sp.Symbol(name)
    return e


def _tex(expr: sp.Basic) -> str:
    """LaTeX with Greek names written as Greek letters."""
    def greek(name: str) -> str:
        return _GREEK.sub(lambda m: "\\" + m.group(1), name)

    # plain names for printing (assumptions and dummies only matter to the prover)
    mapping: dict = {b: sp.IndexedBase(greek(str(b.label))) for b in expr.atoms(sp.IndexedBase)}
    names = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    for s in expr.atoms(sp.Symbol):
        if isinstance(s, sp.Dummy):
            mapping[s] = sp.Symbol(s.name if s.name not in names else s.name + "'", integer=True)
        elif s.assumptions0 or greek(s.name) != s.name:
            mapping[s] = sp.Symbol(greek(s.name), integer=True) if s.is_integer else sp.Symbol(greek(s.name))
    try:
        return _latex(expr.xreplace(mapping) if mapping else expr)
    except Exception:  # printing must never stop a check
        return sp.sstr(expr)


# ═════════════════════════════ document scan ═══════════════════════════════
@dataclass
class _Scan:
    """What the whole document says about its names (read before any claim is checked)."""

    dependent: set = field(default_factory=set)      # names differentiated or defined somewhere
    defined_at: dict = field(default_factory=dict)   # name → [(position, line)] of defining chains
    vectors: set = field(default_factory=set)        # names written as vectors or matrices
    sizes: set = field(default_factory=set)          # symbols used as sum bounds
    kronecker_ambiguous: bool = False                # δ with one index and δ with two
    layered: bool = False                            # index letters name layers (u_j and u_k both defined)
    layer_letters: set = field(default_factory=set)  # letters of definitions (left indices, sums on the right)
    free_letters: dict = field(default_factory=dict)  # name → letters it is used with as a free index
    first_seen: dict = field(default_factory=dict)   # name → position (fragment, chain) of its first use


def _definable(e: sp.Basic) -> Optional[str]:
    """The shape of a side that can be defined: symbol, indexed (pattern), atom (y_2), function."""
    if isinstance(e, sp.Symbol) and _is_quantity(e):
        return "symbol"
    if isinstance(e, sp.Indexed):
        idx = e.indices
        if all(isinstance(i, sp.Symbol) for i in idx) and len(set(idx)) == len(idx):
            return "indexed"
        return "atom"
    if isinstance(e, sp.Function) and e.args and all(isinstance(a, sp.Symbol) for a in e.args) \
            and len(set(e.args)) == len(e.args) and not isinstance(e, (sp.Derivative,)):
        return "function"
    return None


def _self_reference(a: sp.Basic, b: sp.Basic) -> bool:
    """``y = y(x)``, ``C = Σ_x C_x``, ``u_k = u_k + …``: the defined quantity on its own right side.
    ``y_k = Σ_j w_{jk} y_j`` is not (another index letter is another layer)."""
    if isinstance(a, sp.Indexed):
        bound = bound_symbols(b)
        return any(_key(x) == _key(a) and _letters_of(x) == _letters_of(a) and not (set(x.indices) & bound)
                   for x in b.atoms(sp.Indexed)) or _key(a) in {s.name for s in _plain_symbols(b)}
    return _key(a) in _keys(b) if not isinstance(a, sp.Function) or isinstance(a, AppliedUndef) \
        else a.func.__name__ in _keys(b)


def _scan(items: Sequence[tuple[Fragment, Any]]) -> _Scan:
    sc = _Scan()
    plain: set = set()
    labels: set = set()
    delta_ranks: set = set()
    kron = False
    defined_letters: dict = {}
    pairs: dict = {}
    for pos, (frag, parsed) in enumerate(items):
        if not isinstance(parsed, Parsed):
            continue
        for ci, chain in enumerate(parsed.chains):
            exprs = [_shorthand(e) for e in chain.exprs]
            if chain.ops and chain.ops[0] in DEFINING_OPS and _definable(exprs[0]) == "indexed":
                defined_letters.setdefault(_key(exprs[0]), set()).add(_letters_of(exprs[0]))
                sc.layer_letters |= set(_letters_of(exprs[0]))
                if isinstance(exprs[1], sp.Basic):
                    sc.layer_letters |= {_letter(v) for x in exprs[1].atoms(sp.Sum) for v in x.variables}
            if chain.ops and chain.ops[0] in DEFINING_OPS and _definable(exprs[0]):
                k = _key(exprs[0]) if not isinstance(exprs[0], sp.Function) or isinstance(exprs[0], AppliedUndef) \
                    else None
                if k:
                    sc.defined_at.setdefault(k, []).append(((pos, ci), frag.line))
                    sc.dependent.add(k)
            for e in exprs:
                if not isinstance(e, sp.Basic):
                    continue
                for k in _keys(e):
                    sc.first_seen.setdefault(k, (pos, ci))
                for d in e.atoms(sp.Derivative):
                    if isinstance(d.expr, (sp.Symbol, sp.Indexed, AppliedUndef)):
                        sc.dependent.add(_key(d.expr))
                plain |= {s.name for s in _plain_symbols(e)}
                for b in e.atoms(sp.IndexedBase):
                    labels.add(str(b.label))
                bound = bound_symbols(e)
                for i in e.atoms(sp.Indexed):
                    if str(i.base.label) == "delta":
                        delta_ranks.add(len(i.indices))
                    letters = _letters_of(i)
                    free = {_letter(x) for x in i.indices if isinstance(x, sp.Symbol) and x not in bound}
                    sc.free_letters.setdefault(_key(i), set()).update(free)
                    if len(letters) == 2 and None not in letters and not (set(i.indices) & bound):
                        pairs.setdefault(_key(i), set()).add(letters)
                kron = kron or e.has(sp.KroneckerDelta)
                for s in e.atoms(sp.Sum):
                    for _d, lo, hi in s.limits:
                        sc.sizes |= lo.free_symbols | hi.free_symbols
    sc.vectors = {n for n in plain | labels if _BOLD.search(n)} | (plain & labels)
    sc.kronecker_ambiguous = kron and 1 in delta_ranks
    chained = any(a[1] == b[0] and a[0] != b[1] for ps in pairs.values() for a in ps for b in ps)
    sc.layered = chained or any(len({t for t in ts}) > 1 for ts in defined_letters.values())
    return sc


# ═════════════════════════════ symbol table ════════════════════════════════
@dataclass(frozen=True)
class Definition:
    """``lhs := rhs`` stated at ``line``: a symbol, an indexed pattern, one entry, or a function."""

    lhs: sp.Basic
    rhs: sp.Basic
    line: int
    shape: str
    loose: tuple = ()  # free indices of the right side that the left side lacks (a slip)


def _letter(i: sp.Basic) -> Optional[str]:
    """The index letter of a subscript: ``k`` for k, k′, k″ (and a renamed dummy k); None for 2, k+1."""
    return i.name.rstrip("'") if isinstance(i, sp.Symbol) else None


def _letters_of(e: sp.Indexed) -> tuple:
    return tuple(_letter(i) for i in e.indices)


def _table_key(e: sp.Basic, shape: str) -> tuple:
    if shape == "symbol":
        return ("symbol", e.name)
    if shape == "indexed":
        return ("indexed", _key(e), _letters_of(e))
    if shape == "atom":
        return ("atom", e)
    return ("function", _key(e), len(e.args))


class SymbolTable:
    """Definitions in force, in document order, and the assumptions the document states.

    An indexed definition belongs to its index letters: ``u_j := Σ_i x_i w_{ij} + b_j`` and
    ``u_k := Σ_j y_j w_{jk} + b_k`` are two layers, as in textbooks that name a layer by its
    index letter.  ``u_{k'}`` and a sum over ``k'`` use the definition of ``u_k``.  When the
    letter matches no definition and the name has exactly one, that one is used (and the
    claim is not refuted, since the letter may mean another layer).
    """

    def __init__(self, layered: bool = False) -> None:
        self._defs: dict[tuple, Definition] = {}
        self.constraints: list[tuple[sp.Expr, sp.Expr, int]] = []
        self.layered = layered  # index letters name layers: no definition for another letter

    def lookup(self, e: sp.Basic) -> Optional[Definition]:
        """The definition of exactly this quantity (same name, same index letters), if any."""
        shape = _definable(e)
        if shape is None:
            return None
        if shape in ("indexed", "atom") and ("atom", e) in self._defs:
            return self._defs[("atom", e)]
        if shape == "atom":
            return None
        return self._defs.get(_table_key(e, shape))

    def define(self, lhs: sp.Basic, rhs: sp.Basic, line: int, loose: tuple = ()) -> None:
        shape = _definable(lhs)
        key = _table_key(lhs, shape)
        self._defs.pop(key, None)
        self._defs[key] = Definition(lhs, rhs, line, shape, tuple(loose))

    def names(self) -> set[str]:
        return {_key(d.lhs) for d in self._defs.values()}

    def _choose(self, e: sp.Indexed) -> tuple[Optional[Definition], Optional[str]]:
        """The indexed definition for the occurrence ``e``, and a doubt when the choice is a guess."""
        letters = _letters_of(e)
        same = [d for d in self._defs.values() if d.shape == "indexed" and _key(d.lhs) == _key(e)
                and len(d.lhs.indices) == len(letters)]
        if not same:
            return None, None
        exact = [d for d in same if _letters_of(d.lhs) == letters]
        if exact:
            return exact[-1], None
        if len(same) == 1 and _key(same[0].lhs) not in _keys(same[0].rhs) \
                and not (self.layered and "^" not in _key(e)):
            d = same[0]
            return d, f"the definition of {_tex(d.lhs)} (line {d.line}) is used for {_tex(e)}"
        return None, (f"{_tex(e)} is not defined (only " + ", ".join(_tex(d.lhs) for d in same)
                      + " is; another index letter may be another layer)")

    def apply(self, expr: sp.Basic, frozen: frozenset = frozenset()) -> tuple[sp.Basic, list[tuple[str, str, bool]]]:
        """``expr`` with every definition in force substituted (not inside ∂/∂ of the defined
        quantity itself, nor anywhere for the ``frozen`` names), and doubts ``(category, text,
        blocks proof)`` about the definitions used: one applied to another index letter, or
        one whose right side has a stray free index."""
        notes: list[tuple[str, str, bool]] = []
        names = self.names() - set(frozen)
        atoms = {d.lhs: d.rhs for d in self._defs.values() if d.shape == "atom"}
        for _ in range(12):
            if not (_keys(expr) & names):
                break
            new = self._functions(expr)
            new = _replace_atoms(new, atoms)
            new = self._substitute(new, frozenset(frozen), notes)
            if new == expr:
                break
            expr = new
        else:
            raise UnsupportedClaim("the definitions keep expanding (circular?)")
        return expr, list(dict.fromkeys(notes))

    def _substitute(self, e: sp.Basic, skip: frozenset, notes: list) -> sp.Basic:
        """One round: every defined symbol and indexed symbol replaced, capture-free (bound
        indices of the definition renamed away from the occurrence's indices)."""
        if isinstance(e, sp.Derivative):
            names = skip | {_key(v) for v in e.variables}
            return sp.Derivative(self._substitute(e.expr, frozenset(names), notes), *e.variable_count)
        if isinstance(e, sp.Indexed):
            if _key(e) in skip or ("atom", e) in self._defs:
                return e
            d, doubt = self._choose(e)
            if doubt:
                notes.append(("letters", doubt, False))
            if d is None:
                return e
            self._loose(d, notes)
            used = set().union(*(sp.sympify(i).free_symbols for i in e.indices))
            body = rename_bound(d.rhs, bound_symbols(d.rhs) & used)
            return body.xreplace(dict(zip(d.lhs.indices, e.indices)))
        if isinstance(e, sp.Symbol):
            d = self._defs.get(("symbol", e.name))
            if d is None or e.name in skip or not _is_quantity(e):
                return e
            self._loose(d, notes)
            return d.rhs
        if not e.args or isinstance(e, (sp.IndexedBase, sp.MatrixSymbol)):
            return e
        args = tuple(self._substitute(a, skip, notes) for a in e.args)
        return e.func(*args) if args != e.args else e

    @staticmethod
    def _loose(d: Definition, notes: list) -> None:
        if d.loose:
            notes.append(("loose", f"it uses the definition of {_tex(d.lhs)} (line {d.line}), whose right "
                                   f"side has the free index {', '.join(d.loose)} that its left side lacks", True))

    def _functions(self, expr: sp.Basic) -> sp.Basic:
        for d in self._defs.values():
            if d.shape != "function" or not isinstance(d.lhs, AppliedUndef):
                continue
            lam = sp.Lambda(d.lhs.args, d.rhs)
            f, n = d.lhs.func, len(d.lhs.args)
            expr = expr.replace(lambda e, f=f, n=n: isinstance(e, AppliedUndef) and e.func == f
                                and len(e.args) == n, lambda e, lam=lam: lam(*e.args))
        return expr


def _replace_atoms(expr: sp.Basic, mapping: dict) -> sp.Basic:
    """Replace whole atoms (``y_2``), never the variables of derivatives."""
    if not mapping:
        return expr
    if isinstance(expr, sp.Derivative):
        return sp.Derivative(_replace_atoms(expr.expr, mapping), *expr.variable_count)
    if expr in mapping:
        return mapping[expr]
    if not expr.args or isinstance(expr, (sp.IndexedBase, sp.Indexed)):
        return expr
    args = tuple(_replace_atoms(a, mapping) for a in expr.args)
    return expr.func(*args) if args != expr.args else expr


# ═════════════════════════════ doubts ══════════════════════════════════════
@dataclass
class _Doubts:
    """What the document leaves open for one step, and what it forbids (a proof, a refutation)."""

    items: list = field(default_factory=list)  # (category, text, blocks_proof)

    def add(self, category: str, text: str, blocks_proof: bool = False) -> None:
        if (category, text, blocks_proof) not in self.items:
            self.items.append((category, text, blocks_proof))

    @property
    def blocks_refutation(self) -> bool:
        return bool(self.items)

    @property
    def blocks_proof(self) -> bool:
        return any(b for _c, _t, b in self.items)

    def category(self) -> str:
        """The most telling category; one that forbids a proof first."""
        order = {c: n for n, c in enumerate(CATEGORIES)}
        items = [i for i in self.items if i[2]] or self.items
        return min((c for c, _t, _b in items), key=lambda c: order.get(c, 99))

    def reason(self) -> str:
        undefined = [t for c, t, _b in self.items if c == "undefined"]
        parts = []
        if undefined:
            parts.append("depends on " + ", ".join(dict.fromkeys(undefined)) + ", not defined")
        order = {c: n for n, c in enumerate(CATEGORIES)}
        rest = sorted(((c, t, b) for c, t, b in self.items if c != "undefined"),
                      key=lambda ctb: (not ctb[2], order.get(ctb[0], 99)))
        rest = [(c, t) for c, t, _b in rest]
        parts += list(dict.fromkeys(t for _c, t in rest))
        return "; ".join(parts[:3])


# ═════════════════════════════ derivatives ═════════════════════════════════
def _opaque(quantity: sp.Basic, variable_count: Sequence) -> sp.Basic:
    """The unknown ``[∂q/∂x]``: one name per quantity and variables, indices of both."""
    name = _OPAQUE + str(_key(quantity)) + "/" + "".join(
        f"\\partial {_key(v)}" + (f"^{n}" if n > 1 else "") for v, n in variable_count)
    idx = _indices(quantity) + tuple(i for v, _n in variable_count for i in _indices(v))
    return sp.IndexedBase(name)[idx] if idx else sp.Symbol(name)


def _whole_opaque(F: sp.Basic, variable_count: Sequence) -> sp.Symbol:
    inner = sp.sstr(canonical_dummies(F))
    return sp.Symbol(_OPAQUE + "(" + inner + ")/" + "".join(
        f"\\partial {sp.sstr(v)}" + (f"^{n}" if n > 1 else "") for v, n in variable_count))


class _Derivatives:
    """Make derivatives of unknown quantities explicit unknowns (see the module docstring)."""

    def __init__(self, scan: _Scan, defined_later: Callable[[str], Optional[int]], doubts: _Doubts,
                 defined: Callable[[str], bool] = lambda name: False):
        self.scan, self.later, self.doubts, self.defined = scan, defined_later, doubts, defined
        self.carried_out = False  # a derivative by a defined quantity was carried out here

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        if isinstance(expr, sp.Derivative):
            return self.one(self(expr.expr), expr.variable_count)
        if not expr.args or isinstance(expr, (sp.IndexedBase, sp.Indexed)):
            return expr
        args = tuple(self(a) for a in expr.args)
        return expr.func(*args) if args != expr.args else expr

    def _same_layer(self, x: sp.Indexed, v: sp.Indexed, bound: set) -> bool:
        """Index by index: the same letter (k, k′), or a summation index with a letter that names
        no layer in the document (a generic q from ``y_1 + ⋯ + y_m``)."""
        known = self.scan.layer_letters | self.scan.free_letters.get(_key(v), set())
        for i, j in zip(x.indices, v.indices):
            if _letter(i) == _letter(j) and i is not None:
                continue
            if isinstance(i, sp.Symbol) and i in bound and _letter(i) not in known:
                continue
            return False
        return True

    def _undefined(self, name: str) -> None:
        line = self.later(name)
        self.doubts.add("undefined", f"{name} (defined only later, line {line})" if line else name)

    def one(self, F: sp.Basic, vc: Sequence) -> sp.Basic:
        variables = [v for v, _n in vc]
        avoid = set().union(*(sp.sympify(i).free_symbols for v in variables for i in _indices(v)))
        F = rename_bound(F, bound_symbols(F) & avoid)
        var_keys = {_key(v) for v in variables}
        if self.scan.layered:
            bound = bound_symbols(F)
            for v in variables:
                if isinstance(v, sp.Indexed) and "^" not in _key(v):
                    other = sorted({_tex(x) for x in F.atoms(sp.Indexed)
                                    if _key(x) == _key(v) and not self._same_layer(x, v, bound)})
                    if other:
                        self.doubts.add("letters", f"∂/∂{_tex(v)} of {', '.join(other)}: in this document "
                                                   "index letters name layers", blocks_proof=True)
        if isinstance(F, (sp.Symbol, sp.Indexed)) and _is_quantity(F):
            if _key(F) in var_keys:
                return sp.Derivative(F, *vc)
            if not _is_opaque(F):
                self._undefined(_key(F))
            return _opaque(F, vc)
        by_defined = any(self.defined(k) for k in var_keys)
        unknown = {a for a in _unknowns(F) if _key(a) not in var_keys}
        if not unknown:
            return self._carry_out(F, vc) if by_defined else sp.Derivative(F, *vc)
        dep = {a for a in unknown if _key(a) in self.scan.dependent or _is_opaque(a)}
        mentions = any(k in _keys(F) for k in var_keys)
        if not dep and not mentions:
            dep = unknown
        if not dep:
            return self._carry_out(F, vc) if by_defined else sp.Derivative(F, *vc)
        names = ", ".join(sorted({str(_key(a)) for a in dep if not _is_opaque(a)}))
        xs = ", ".join(str(k) for k in sorted(var_keys))
        for a in dep:
            if not _is_opaque(a):
                line = self.later(_key(a))
                if line:
                    self.doubts.add("later", f"{_key(a)} is defined only later (line {line})")
        self.doubts.add("dependence", f"how {names or 'the unknowns'} depend{'s' if ',' not in names else ''} "
                                      f"on {xs} is not stated")
        if len(vc) != 1 or vc[0][1] != 1 or F.has(sp.Derivative) or F.atoms(*_NONSMOOTH):
            return _whole_opaque(F, vc)
        x = variables[0]
        funcs = {a: sp.Function(str(_key(a)))(*_indices(a), x) for a in dep}
        inverse = {f: a for a, f in funcs.items()}
        D = sp.diff(elementary(F.xreplace(funcs)), x)
        D = D.replace(lambda e: isinstance(e, sp.Derivative) and e.expr in inverse and e.variables == (x,),
                      lambda e: _opaque(inverse[e.expr], ((x, 1),)))
        D = D.xreplace(inverse)
        if any(x in d.variables or d.has(*funcs.values()) for d in D.atoms(sp.Derivative)) \
                or D.has(*funcs.values()):
            return _whole_opaque(F, vc)  # SymPy could not carry it out: keep it unknown
        self.carried_out = self.carried_out or by_defined
        return D

    def _carry_out(self, F: sp.Basic, vc: Sequence) -> sp.Basic:
        """∂F/∂u with u defined (u = wx): carried out now, in elementary form, so that the
        definition of u can be substituted into the result (∂σ(u)/∂u at u = wx)."""
        if F.atoms(*_NONSMOOTH):
            return _whole_opaque(F, vc)
        D = sp.diff(elementary(F), *vc)
        if any(set(d.variables) & {v for v, _n in vc} for d in D.atoms(sp.Derivative)):
            return _whole_opaque(F, vc)
        self.carried_out = True
        return D


# ═════════════════════════════ real symbols, logarithms ════════════════════
def _one_sided_unknowns(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """An unknown derivative on one side only: the step cannot be proved (it would have to cancel)."""
    def unknowns(e):
        return {a for a in e.atoms(sp.Indexed, sp.Symbol) if _is_opaque(a)}
    return unknowns(lhs) != unknowns(rhs)


def _realify(exprs: Sequence[sp.Basic]) -> tuple[list[sp.Basic], list[str]]:
    """Every quantity real; the bare factors of log arguments positive (where logs are real).
    Returns the expressions and the names taken positive."""
    bases, syms = set(), set()
    for e in exprs:
        bases |= e.atoms(sp.IndexedBase)
        syms |= {s for s in e.atoms(sp.Symbol) if _is_quantity(s)}
    labels = {b.label for b in bases}
    positive: set = set()
    if not any(e.atoms(*_NONSMOOTH) for e in exprs):
        for e in exprs:
            for lg in e.atoms(sp.log):
                for f in sp.Mul.make_args(lg.args[0]):
                    f = f.base if isinstance(f, sp.Pow) else f
                    if isinstance(f, (sp.Symbol, sp.Indexed)):
                        positive.add(_key(f))
    def assume(name: str) -> dict:
        return {"positive": True} if name in positive else {"real": True}
    bmap = {b: sp.IndexedBase(str(b.label), **assume(str(b.label))) for b in bases}
    smap = {s: sp.Symbol(s.name, **assume(s.name)) for s in syms if s not in labels}
    return [e.xreplace(bmap).xreplace(smap) for e in exprs], sorted(positive)


def _split_log(arg: sp.Expr) -> sp.Expr:
    """log(ab) = log a + log b, log(aᵖ) = p log a for positive a, b; log(eˣ) = x for real x."""
    if isinstance(arg, sp.exp) and arg.args[0].is_extended_real:
        return arg.args[0]
    if arg.is_Mul and all(p.is_positive for p in arg.args):
        return sp.Add(*(_split_log(p) for p in arg.args))
    if arg.is_Pow and arg.base.is_positive and arg.exp.is_extended_real:
        return arg.exp * _split_log(arg.base)
    return sp.log(arg)


def _expand_logs(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: _split_log(e.args[0]))


def _primed_sizes(expr: sp.Expr) -> sp.Expr:
    """Σ_{k'} without bounds runs like Σ_k: ``n_{k'}`` → ``n_{k}``."""
    mapping = {}
    for s in expr.free_symbols:
        m = re.fullmatch(r"n_\{([A-Za-z])'+\}", getattr(s, "name", ""))
        if m:
            mapping[s] = sp.Symbol(f"n_{{{m.group(1)}}}", **s.assumptions0)
    return expr.xreplace(mapping) if mapping else expr


def _implicit_sizes(exprs: Iterable[sp.Expr]) -> set:
    return {s for e in exprs for s in e.free_symbols if re.fullmatch(r"n_\{.+\}", getattr(s, "name", ""))}


# ═════════════════════════════ deciding, under a timer ═════════════════════
class _Timeout(Exception):
    """The timer of an in-process pass ran out."""


def _alarm_available() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0)


def _timed(fn: Callable, seconds: float, *args: Any) -> tuple[Any, bool, Optional[str]]:
    """(value, timed out, error) of ``fn(*args)`` run here with a wall-clock limit (SIGALRM)."""
    state = {"active": True}

    def handler(signum, frame):
        if state["active"]:
            raise _Timeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
    try:
        value = fn(*args)
        state["active"] = False
        return value, False, None
    except _Timeout:
        return None, True, None
    except RecursionError:
        return None, False, "RecursionError"
    except Exception as exc:  # a pass that fails is a note, never a crash
        return None, False, f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class _Decision:
    verdict: Verdict
    claim: Any = None
    prepared: Any = None


def _decide(lhs: sp.Expr, rhs: sp.Expr, assumptions: Sequence, seconds: float, witness: bool) -> _Decision:
    """The prover's passes, in this process (a fork per pass costs more than most steps)."""
    if not _alarm_available():
        from .prove import prove

        return _Decision(prove(lhs, rhs, assumptions=assumptions, timeout=seconds))
    deadline = time.monotonic() + seconds
    try:
        claim = make_claim(lhs, rhs, assumptions)
    except UnsupportedClaim as exc:
        return _Decision(inconclusive(f"unsupported claim: {exc}", method="none"))
    if claim.lhs0 == claim.rhs0 and not claim.lhs0.has(sp.Derivative):
        return _Decision(proved("identical after definitions"), claim)
    from .prover.prepare import prepare

    prepared, timed_out, error = _timed(prepare, 0.4 * seconds, claim)
    if prepared is None:
        why = "timed out while preparing (differentiating)" if timed_out else f"preparation failed: {error}"
        return _Decision(inconclusive(why, method="none"), claim)
    notes: list[str] = []
    passes = [p for p in PASSES if witness or p[0] != "witness"]
    for n, (name, fn, share, applies) in enumerate(passes):
        if not applies(claim, prepared):
            continue
        if name == "concrete" and not witness and claim.symbolic_sizes:
            continue  # it could only find a counterexample, and none is wanted
        remaining = deadline - time.monotonic()
        if remaining < 0.05:
            notes.append(f"time limit reached before the {name} pass")
            break
        budget = remaining if n == len(passes) - 1 else max(0.05, share * remaining)
        v, timed_out, error = _timed(fn, budget, claim, prepared, budget)
        if timed_out:
            notes.append(f"{name} pass timed out after {budget:.1f} s")
        elif error:
            notes.append(f"{name} pass failed ({error})")
        elif v is not None and v.status is Status.INCONCLUSIVE:
            notes.append(v.reason)
            if name == "concrete" and v.reason.startswith("exact at"):
                break  # exact at every concrete size checked: a random search would only agree
        elif v is not None:
            return _Decision(v, claim, prepared)
    return _Decision(inconclusive("; ".join(notes) or "no pass could decide the claim",
                                  method="no proof found"), claim, prepared)


def _expected(lhs: sp.Expr, decision: _Decision) -> Optional[str]:
    """The value the right side should have: the left side with its derivatives carried out
    (by the textbook rules, σ′ = σ(1 − σ)), Kronecker deltas collapsed, simplified."""
    claim = decision.claim
    if claim is None:
        return None

    def value() -> sp.Expr:
        e = lhs.replace(lambda x: isinstance(x, sp.Derivative), lambda x: x.doit())
        e, _used = index_rounds(e, claim)
        if not e.has(sp.KroneckerDelta):
            e = e.doit()
        return sp.simplify(e)

    if not _alarm_available():
        return _tex(lhs)
    out, _t, _e = _timed(value, 1.0)
    return _tex(out if out is not None else lhs)


def _complex_witness(v: Verdict) -> bool:
    w = v.witness
    if w is None:
        return False
    try:
        return any(sp.sympify(s).has(sp.I) for s in (w.lhs, w.rhs) if s)
    except (sp.SympifyError, TypeError, SyntaxError):
        return "I" in (w.lhs + w.rhs)


# ═════════════════════════════ the checker ═════════════════════════════════
@dataclass
class _Outcome:
    status: str
    category: str = ""
    reason: str = ""
    method: str = ""
    witness: Optional[dict] = None
    expected: Optional[str] = None


def _has_matrix(e: sp.Basic) -> bool:
    return bool(getattr(e, "is_Matrix", False) or e.atoms(sp.MatrixBase, sp.MatrixSymbol)
                or any(getattr(a, "is_Matrix", False) for a in sp.preorder_traversal(e)))


def _open(category: str, reason: str, method: str = "") -> _Outcome:
    return _Outcome("inconclusive", category, reason, method)


class _Checker:
    """Walks the chains of one document in order, keeping the symbol table."""

    def __init__(self, items: Sequence[tuple[Fragment, Any]], timeout: float) -> None:
        self.items = list(items)
        self.timeout = float(timeout if timeout and timeout > 0 else 5.0)
        self.scan = _scan(self.items)
        self.table = SymbolTable(self.scan.layered)
        self.pos: tuple = (0, 0)
        self._decided: dict = {}  # the same step under the same definitions is decided once

    # ── the walk ──
    def run(self, progress: Optional[Progress] = None):
        total = len(self.items)
        for n, (frag, parsed) in enumerate(self.items):
            if progress:
                progress(n, total)
            if not isinstance(parsed, Parsed):
                continue
            for ci, chain in enumerate(parsed.chains):
                self.pos = (n, ci)
                yield from self._chain(frag, ci + 1, chain)
        if progress:
            progress(total, total)

    def _chain(self, frag: Fragment, ci: int, chain) -> Iterable[ClaimResult]:
        exprs = [_shorthand(e) for e in chain.exprs]
        for si, (a, op, b) in enumerate(zip(exprs, chain.ops, exprs[1:]), 1):
            t0 = time.monotonic()
            try:
                out = self._relation(frag, si, a, op, b, exprs)
            except UnsupportedClaim as exc:
                out = _open("unsupported", f"unsupported claim: {exc}")
            except Exception as exc:  # one odd step must not stop the document
                text = str(exc).splitlines()[0][:120] if str(exc) else ""
                out = _open("unsupported", f"internal error while preparing this step "
                                           f"({type(exc).__name__}: {text})")
            yield ClaimResult(frag.line, frag.end_line, frag.source, ci, si, op,
                              self._statement(a, op, b), out.status, out.reason, out.category,
                              out.method, out.witness, out.expected, round(time.monotonic() - t0, 3))

    @staticmethod
    def _statement(a, op, b) -> str:
        rel = {"=": "=", ":=": ":=", r"\equiv": r"\equiv"}.get(op, op)
        return f"{_tex(a)} {rel} {_tex(b)}" if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) else ""

    def _relation(self, frag: Fragment, si: int, a, op: str, b, chain: Sequence = ()) -> _Outcome:
        if op in UNCHECKED_OPS:
            return _open(*UNCHECKED_OPS[op])
        if op not in DEFINING_OPS:
            return _open("relation", f"the relation {op} is not checked")
        if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)):
            return _open("unsupported", "a side is not an expression (a set, a relation or a list)")
        if any(_has_matrix(e) for e in (a, b)):
            return _open("vector", "a vector or matrix claim; only scalar claims are checked")
        if si == 1 and _definable(a):
            out = self._definition(frag, a, op, b)
            if out is not None:
                return out
        alias = self._alias(frag, a, b, chain)
        if alias is not None:
            return alias
        return self._claim(frag, a, b)

    def _alias(self, frag: Fragment, a: sp.Expr, b: sp.Expr, chain: Sequence) -> Optional[_Outcome]:
        """``… = g_w`` with ``g_w`` used nowhere before: a new name for the other side, not a claim."""
        new = [x for x in (b, a) if _definable(x) in ("symbol", "indexed") and self.table.lookup(x) is None
               and not _is_opaque(x)]
        if len(new) == 2:
            return _open("condition", f"{_tex(a)} = {_tex(b)} relates two quantities nothing defines; not checked")
        new = [x for x in new if self.scan.first_seen.get(_key(x), self.pos) >= self.pos
               and not any(_key(x) in _keys(e) for e in chain if e is not x and isinstance(e, sp.Basic))]
        if not new:
            return None
        name, other = new[0], (a if new[0] is b else b)
        if _self_reference(name, other):
            return None
        return self._record(name, other, frag, "definition", f"{_tex(name)} names the other side (a definition)")

    # ── definitions ──
    def _defined_later(self, name: str) -> Optional[int]:
        for pos, line in self.scan.defined_at.get(name, ()):
            if pos > self.pos:
                return line
        return None

    def _definition(self, frag: Fragment, a: sp.Expr, op: str, b: sp.Expr) -> Optional[_Outcome]:
        shape = _definable(a)
        if shape == "symbol" and _PROSE.fullmatch(a.name) and not _GREEK.match(a.name):
            return _open("notation", f"'{a.name}' looks like a word of prose read as a quantity; not checked")
        name = _key(a) if shape != "function" or isinstance(a, AppliedUndef) else a.func.__name__
        if _self_reference(a, b):
            return _open("notation", f"{_tex(a)} appears on both sides (read as notation, e.g. y = y(x)); "
                                     "not checked")
        if shape == "function" and not isinstance(a, AppliedUndef):
            out = self._claim(frag, a, b, refute=False)
            if out.status == "proved":
                return out
            return _open("definition", f"{name} is given another meaning here ({_tex(a)} = {_tex(b)}); "
                                       "not used for other claims")
        if shape == "symbol" and (isinstance(b, sp.Symbol) or (b.is_number and (a in self.scan.sizes or any(
                s.name == a.name for s in self.scan.sizes)))):
            return _open("condition", f"{_tex(a)} = {_tex(b)} states a case or a condition; not checked")
        known = self.table.lookup(a)
        if known is not None and op not in EXPLICIT_DEFINING_OPS:
            out = self._claim(frag, a, b)
            if out.status != "refuted":
                return out
            return self._record(a, b, frag, "redefinition",
                                f"{name} was defined differently at line {known.line}; "
                                "read as a new definition")
        return self._record(a, b, frag, "definition", f"definition of {_tex(a)}, used by later claims")

    def _record(self, a: sp.Expr, b: sp.Expr, frag: Fragment, category: str, text: str) -> _Outcome:
        try:
            expanded, _ = self.table.apply(b)
        except UnsupportedClaim as exc:
            return _open("notation", f"not recorded: {exc}")
        if _self_reference(a, expanded):
            return _open("notation", f"not recorded: {_tex(a)} would be defined through itself")
        try:
            _c, free_b, _s = index_structure([b])
            loose = tuple(sorted(str(i) for i in free_b - set(_indices(a))))
        except Exception:  # index structure of an odd expression: no note
            loose = ()
        self.table.define(a, b, frag.line, loose)
        extra = ""
        if loose:
            extra = (f"; note: the free index {', '.join(loose)} occurs on the right side only "
                     "(claims that use this definition are not decided)")
        return _open(category, text + extra)

    # ── claims ──
    def _claim(self, frag: Fragment, a: sp.Expr, b: sp.Expr, refute: bool = True) -> _Outcome:
        frozen = self._freezable(a, b)
        if frozen:
            quick = self._frozen_proof(frag, a, b, frozen)
            if quick is not None:
                return quick
        doubts = _Doubts()
        if _alarm_available():
            prepared, timed_out, error = _timed(self._prepare_step, self.timeout, frag, a, b, doubts)
            if timed_out:
                return _open("timed out", f"timed out after {self.timeout:.1f} s while applying the "
                                          "definitions and carrying out the derivatives")
            if error:
                return _open("unsupported", f"cannot prepare this step ({error})")
        else:
            prepared = self._prepare_step(frag, a, b, doubts)
        if isinstance(prepared, _Outcome):
            return prepared
        lhs, rhs, pairs, positive, assumption = prepared
        refutable = refute and not doubts.blocks_refutation and not assumption
        if doubts.items and not assumption and _one_sided_unknowns(lhs, rhs):
            return _open(doubts.category(), doubts.reason())
        # A step that can only be proved gets a short try: hard proofs of such steps are rare.
        budget = self.timeout if refutable else min(self.timeout, DOUBTFUL_SECONDS)
        key = (lhs, rhs, tuple(pairs), budget, refutable)
        d = self._decided.get(key)
        if d is None:
            d = self._decided[key] = _decide(lhs, rhs, pairs, budget, witness=refutable)
        v = d.verdict
        if v.status is Status.PROVED:
            domain = f"; for {', '.join(positive)} > 0, where the logarithms are real" if positive else ""
            return _Outcome("proved", "", v.reason, v.method + domain)
        if assumption:
            self.table.constraints.append((a, b, frag.line))
            return _open("assumption", f"{_tex(a)} = {_tex(b)} is taken as a stated assumption for later claims")
        if doubts.items:
            return _open(doubts.category(), doubts.reason())
        if v.status is Status.INCONCLUSIVE or not refutable:
            return self._undecided(v)
        return self._confirm(lhs, rhs, pairs, d)

    def _freezable(self, a: sp.Expr, b: sp.Expr) -> frozenset:
        """Defined quantities the claim differentiates by, and nowhere differentiates: ``u_k`` in
        ``∂E/∂u_k = y_k − t_k``.  Kept as variables, the claim is an identity in them, and a
        proof of it holds with their definitions put in afterwards (the chain rule)."""
        names = self.table.names()
        variables = {_key(v) for e in (a, b) for d in e.atoms(sp.Derivative) for v in d.variables} & names
        if not variables:
            return frozenset()
        frozen = frozenset(variables)
        for e in (a, b):
            applied, _notes = self.table.apply(e, frozen)
            if any(_keys(d.expr) & frozen - {_key(v) for v in d.variables} for d in applied.atoms(sp.Derivative)):
                return frozenset()  # differentiated by something else: its definition matters
        return frozen

    def _frozen_proof(self, frag: Fragment, a: sp.Expr, b: sp.Expr, frozen: frozenset) -> Optional[_Outcome]:
        """A short try at a proof with the ``frozen`` quantities kept as variables (never a refutation)."""
        doubts = _Doubts()
        if _alarm_available():
            prepared, timed_out, error = _timed(self._prepare_step, self.timeout, frag, a, b, doubts, frozen)
            if timed_out or error:
                return None
        else:
            prepared = self._prepare_step(frag, a, b, doubts, frozen)
        if isinstance(prepared, _Outcome) or doubts.blocks_proof:
            return None
        lhs, rhs, pairs, positive, _assumption = prepared
        d = _decide(lhs, rhs, pairs, min(self.timeout, FROZEN_SECONDS), witness=False)
        if not d.verdict.proved:
            return None
        domain = f"; for {', '.join(positive)} > 0, where the logarithms are real" if positive else ""
        return _Outcome("proved", "", d.verdict.reason,
                        f"{d.verdict.method}; {', '.join(sorted(frozen))} kept as variables{domain}")

    def _prepare_step(self, frag: Fragment, a: sp.Expr, b: sp.Expr, doubts: _Doubts,
                      frozen: frozenset = frozenset()):
        """Definitions applied, derivatives of unknowns made unknowns, symbols real, logs split:
        ``(lhs, rhs, constraints, positive names, assumption?)``, or an outcome already."""
        lhs, notes_a = self.table.apply(a, frozen)
        rhs, notes_b = self.table.apply(b, frozen)
        for category, text, blocks in notes_a + notes_b:
            doubts.add(category, text, blocks_proof=blocks)
        if any(_has_matrix(e) for e in (lhs, rhs)):
            return _open("vector", "a vector or matrix claim; only scalar claims are checked")
        self._vector_doubts((a, b), doubts, products=True)   # products as the claim writes them
        self._vector_doubts((lhs, rhs), doubts, products=False)
        if doubts.blocks_proof:
            return _open(doubts.category(), doubts.reason())
        names = self.table.names() - frozen
        derivs = _Derivatives(self.scan, self._defined_later, doubts, lambda k: k in names)
        lhs, rhs = derivs(lhs), derivs(rhs)
        for _ in range(3):  # definitions of the variables, into derivatives carried out
            if not derivs.carried_out:
                break
            derivs.carried_out = False
            lhs, rhs = derivs(self.table.apply(lhs, frozen)[0]), derivs(self.table.apply(rhs, frozen)[0])
        lhs, rhs = _primed_sizes(lhs), _primed_sizes(rhs)
        self._document_doubts(frag, lhs, rhs, doubts)
        if doubts.blocks_proof:
            return _open(doubts.category(), doubts.reason())
        constraints = [(self.table.apply(c, frozen)[0], self.table.apply(d, frozen)[0])
                       for c, d, _l in self.table.constraints]
        assumption = self._assumption_shape(a, b, lhs, rhs)
        (lhs, rhs, *flat), positive = _realify([lhs, rhs, *[x for pair in constraints for x in pair]])
        lhs, rhs = _expand_logs(lhs), _expand_logs(rhs)
        pairs = [(_expand_logs(flat[2 * i]), _expand_logs(flat[2 * i + 1])) for i in range(len(constraints))]
        return lhs, rhs, pairs, positive, assumption

    def _undecided(self, v: Verdict) -> _Outcome:
        reason = v.reason
        if "timed out" in reason or "time limit" in reason:
            return _open("timed out", reason, v.method)
        if reason.startswith("unsupported"):
            return _open("unsupported", reason, v.method)
        return _open("no proof", reason, v.method)

    def _confirm(self, lhs: sp.Expr, rhs: sp.Expr, pairs: list, d: _Decision) -> _Outcome:
        """A refutation stands only if it survives what the document may have meant."""
        v = d.verdict
        if v.details.get("kink"):
            kinks = [sp.Ne(x, x0) for x, x0 in v.details.get("substitution", {}).items()]
            where = ", ".join(f"{k.lhs} ≠ {k.rhs}" for k in kinks)
            again = _decide(lhs, rhs, pairs + kinks, self.timeout, witness=True)
            if again.verdict.refuted and not again.verdict.details.get("kink"):
                d, v = again, again.verdict  # wrong also away from the kink: a real refutation
            else:
                status = "holds" if again.verdict.proved else "not decided"
                return _open("domain", f"no derivative at the kink ({where.replace('≠', '=')}), "
                                       f"which the document does not exclude; for {where}: {status}",
                             again.verdict.method)
        if _complex_witness(v):
            return _open("domain", "the only counterexample found leaves the real domain "
                                   "(e.g. the logarithm of a negative number)", v.method)
        for t_sum in self._target_sums(lhs, rhs):
            again = _decide(lhs, rhs, pairs + [(t_sum, sp.Integer(1))], self.timeout, witness=False)
            if again.verdict.proved:
                return _open("needs Σ t = 1", f"holds only if {_tex(t_sum)} = 1 (one-hot targets), "
                                              "which the document does not state in math before this line",
                             again.verdict.method)
        sizes = _implicit_sizes([lhs, rhs])
        if len({s.name for s in sizes}) > 1:
            common = sp.Symbol("n", integer=True, positive=True)
            common = sp.Dummy("n", integer=True, positive=True) if common in (lhs.free_symbols | rhs.free_symbols) \
                else common
            sub = {s: common for s in sizes}
            again = _decide(lhs.xreplace(sub), rhs.xreplace(sub), pairs, self.timeout, witness=True)
            if not again.verdict.refuted:
                return _open("bounds", "refuted only when the sums without bounds "
                                       f"({', '.join(sorted(s.name for s in sizes))}) run over different ranges; "
                                       "the document does not say", v.method)
        witness = v.witness.to_json() if v.witness else None
        return _Outcome("refuted", "", v.reason, v.method, witness, _expected(lhs, d))

    @staticmethod
    def _target_sums(lhs: sp.Expr, rhs: sp.Expr) -> list[sp.Expr]:
        """Σ_k t_k over every range a sum of targets t runs over in the step."""
        out = []
        for s in (lhs - rhs).atoms(sp.Sum):
            for d, lo, hi in s.limits:
                for a in s.function.atoms(sp.Indexed):
                    if _TARGET.match(str(a.base.label)) and a.indices == (d,):
                        total = sp.Sum(a.base[d], (d, lo, hi))
                        if total not in out:
                            out.append(total)
        return out

    def _assumption_shape(self, a: sp.Expr, b: sp.Expr, lhs: sp.Expr, rhs: sp.Expr) -> bool:
        """``Σ_k t_k = 1``: a one-step relation between unknowns and a number, no derivatives."""
        if self.pos and self._chain_length() != 1:
            return False
        for side, other in ((lhs, rhs), (rhs, lhs)):
            if other.is_number and not side.has(sp.Derivative) and _unknowns(side) \
                    and not (set(_keys(side)) & self.table.names()) and _definable(side) is None:
                return True
        return False

    def _chain_length(self) -> int:
        n, ci = self.pos
        parsed = self.items[n][1]
        return len(parsed.chains[ci].ops)

    # ── doubts from the document ──
    def _vector_doubts(self, sides: Sequence[sp.Expr], doubts: _Doubts, products: bool) -> None:
        """Vectors read as scalars: never refuted; a product of one with something else, as the
        claim writes it, would commute, so such a claim is not proved either."""
        def vectorish(e: sp.Basic) -> bool:
            if any(x.name in self.scan.vectors for x in _plain_symbols(e)):
                return True
            if any(_BOLD.search(str(b.label)) for b in e.atoms(sp.IndexedBase)):
                return True
            return any(type(f).__name__ in _VECTOR_FUNCS for f in e.atoms(AppliedUndef))

        for side in sides:
            if not vectorish(side):
                continue
            names = sorted({x.name for x in _plain_symbols(side) if x.name in self.scan.vectors})
            doubts.add("vector", "vector or matrix notation" + (f" ({', '.join(names)})" if names else "")
                       + " read as scalars")
            for m in side.atoms(sp.Mul) if products else ():
                factors = [f for f in m.args if not f.is_number]
                if any(vectorish(f) for f in factors) and len(factors) >= 2:
                    doubts.add("vector", "a product of vectors or matrices (read as scalars, it would commute)",
                               blocks_proof=True)
                    break

    def _document_doubts(self, frag: Fragment, lhs: sp.Expr, rhs: sp.Expr, doubts: _Doubts) -> None:
        both = [lhs, rhs]
        for f in sorted({x.func.__name__ for e in both for x in e.atoms(AppliedUndef)}
                        - set(_VECTOR_FUNCS)):
            if not f.startswith(_OPAQUE):
                doubts.add("function", f"{f} is not specified")
        for k in sorted(set().union(*(_keys(e) for e in both))):
            line = self._defined_later(k)
            if line and not k.startswith(_OPAQUE) and k not in self.table.names():
                doubts.add("later", f"{k} is defined only later (line {line})")
        if _JUXTAPOSED.search(frag.source):
            m = _JUXTAPOSED.search(frag.source)
            if m.group(1) not in _FUNCTION_LETTERS:
                doubts.add("notation", f"'{m.group(0)}' may be a function application, read as a product")
        if _ELLIPSIS.search(frag.source) and any(e.has(sp.Sum) for e in both):
            doubts.add("ellipsis", "the range of a sum written with an ellipsis (⋯) is a guess")
        if self.scan.kronecker_ambiguous and any(e.has(sp.KroneckerDelta) for e in both):
            doubts.add("kronecker", "δ with two indices read as the Kronecker delta, but the document "
                                    "also writes δ with one index")
