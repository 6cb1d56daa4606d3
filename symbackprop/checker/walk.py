r"""The walk: every relation chain of a document in order, each step a claim or a definition.

An equality chain ``a = b = c`` gives the steps ``a = b`` and ``b = c``.  A chain whose
first side is a bare (indexed) symbol or function application not defined yet defines it
(``δ_k = …``, ``E = ½Σ…``; ``:=`` and ``\equiv`` always define); the rest of the chain is
checked.  Each claim is prepared (definitions in force put in, derivatives of unknown
quantities made explicit unknowns, symbols real, logarithms split), tested by the doubt
rules (:mod:`.doubt_rules`), decided by the prover's one engine (:mod:`.decide`), and a
refutation is confirmed by the guards (:mod:`.guards`).  Every step runs under the time
bound of the options; a step that runs out is *inconclusive: timed out* and the walk goes on.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Iterable, Optional, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.claim import UnsupportedClaim, index_structure
from ..prover.runner import inline
from ..verdict import Status
from .decide import Decision, decide, expected
from .derivatives import Derivatives, loss_derivatives
from .doubt_rules import doubts_of, related_unknowns
from .doubts import Doubts, Step
from .index_rules import index_erratum, of_the_label
from .known_functions import speaks_of
from .layers import retagged, tag_layers
from .guards import Outcome, Refutation, confirm, open_
from .names import GREEK, definable, indices, key, keys, self_reference, shorthand, tex
from .read import Reading
from .realify import domain_note, expand_logs, one_sided_unknowns, primed_sizes, realify
from .outcomes import EXPLICIT_DEFINING_OPS, UNCHECKED_OPS, first_report, of_bounded_run, timed_out, undecided
from .results import ClaimResult
from .scan import DEFINING_OPS, scan
from .matrices import SHAPES, matrix_step
from .component_facts import entries_defined
from .vector_definitions import entry_note, of_vector
from .shape_steps import ENTRY_CATEGORIES, ShapeSteps, written_order
from .apart import apart_from
from . import implied
from .cases import in_case, next_case, stated_case
from .order import beside, upstream
from .examples import at_one_example, batch_of_defined, example_index
from .chain import kept_routes
from .generic import generic_activation, generic_costs, through_next_layer
from .width_one import read_at_width_one
from .layer_instances import at_each_layer, own_layer
from .recursions import as_claim, recursion
from .updates import Updates
from .inequalities import ORIENTATION, inequality
from .batches import example_deltas
from .relations import (StatedExclusions, assumption_shape, at_every_convention, conditioned as _conditioned,
                        has_matrix as _has_matrix, related)
from .table import SymbolTable

#: Seconds for a step that can be proved but not refuted (an undefined quantity, a vector …).
DOUBTFUL_SECONDS = 0.3
_PROSE = re.compile(r"[a-z]{4,}")  # a bare lowercase word as a symbol: prose that reached the math


@dataclass(frozen=True)
class Options:
    """How a document is checked: the time bound per fragment parse and per step (seconds),
    the rules and guards switched off (by name), and whether a first side may define."""

    timeout: float = 5.0
    disabled: frozenset = frozenset()
    definitions: bool = True
    deadline: Optional[float] = None  # time.monotonic() past which no new chain is begun


class Checker:
    """Walks the chains of one document in order, keeping the symbol table."""

    def __init__(self, readings: Sequence[Reading], options: Options, function_letters: frozenset,
                 withdraw: frozenset = frozenset()) -> None:
        examples = example_index(readings)  # every quantity with the example's index: read at one example
        self.readings = at_one_example(readings, examples)
        self.options, self.timeout, self.function_letters = options, float(options.timeout), function_letters
        self.withdraw = withdraw  # positions before which a spec's definitions end (checker/given.py)
        self.scan = scan([(r.fragment, r.parsed) for r in self.readings])
        self.table = SymbolTable(self.scan.layered, self.scan.linked_letters)
        self.pos: tuple = (0, 0)
        self.chain_length = 0
        self.phase = ""
        self.case = self.pending_case = None  # a stated case: ``i = N`` (cases.py)
        self._decided: dict = {}  # the same step under the same definitions is decided once
        self._refuted_at: dict = {}  # (formula, step) → the line it was first refuted at
        self.implied: set = set()  # (name, line) of definitions read from a step (implied.py)
        self.joined = False  # the chain walked continues the previous display
        self.stopped_at: Optional[int] = None  # the first reading the deadline kept from the walk
        self.exclusions = StatedExclusions()  # u ≠ 0 stated for a section's claims
        self.updates = Updates(self.table, self.scan)  # update rules, the batch loss they descend
        self.shape_steps = ShapeSteps(self.readings, examples, self.updates)  # vector steps refuted by their shapes

    # ── the walk ──
    def run(self) -> Iterable[ClaimResult]:
        """Every step of every chain in order; stops before a chain begun past the deadline."""
        for n, reading in enumerate(self.readings):
            if n in self.withdraw:  # the lines of a spec's network are over
                self.table.withdraw(0)
            self.table.enter(getattr(reading.fragment, "section", ()) or ())
            if reading.parsed is None:
                continue
            # a case the prose states just before a display holds in that display (cases.py)
            self.case = next_case(self.pending_case, reading.fragment)
            self.pending_case = None
            if self.options.deadline is not None and time.monotonic() > self.options.deadline:
                self.stopped_at = n
                return
            for ci, chain in enumerate(reading.parsed.chains):
                self.pos = (n, ci)
                self.chain_length = len(chain.ops)
                self.joined = bool(getattr(chain, "continues_previous", False))
                yield from self._chain(reading, ci + 1, chain)

    def _chain(self, reading: Reading, ci: int, chain) -> Iterable[ClaimResult]:
        frag = reading.fragment
        exprs = [in_case(example_deltas(shorthand(e), self.scan), self.case) if e is not None else None
                 for e in chain.exprs]  # Σ_n δ_{kn} y_{jn}: example n's δ_k, not a Kronecker delta
        gaps = getattr(chain, "gaps", frozenset())
        conditions = getattr(chain, "conditions", ()) or ()
        erratum = None  # the line of the chain's first refuted step
        for si, (a, op, b) in enumerate(zip(exprs, chain.ops, exprs[1:]), 1):
            t0 = time.monotonic()
            line = reading.line_of(chain, si)
            if si in gaps:
                out = open_("unparsed row", "this step crosses a row that could not be read")
            elif a is None or b is None:
                out = open_("unparsed row", "the left side of this step is not known")
            else:
                conds = conditions[si - 1] if si - 1 < len(conditions) else ()
                out = self._bounded_relation(frag, si, a, op, b, exprs, conds)
                if out.status == "inconclusive" and out.category in ENTRY_CATEGORIES and op == "=":
                    out = self.shape_steps.decide(reading, ci - 1, si, self.table,
                                                  lambda x, y: self._layered(frag, x, y), out.category) or out
                out = self._layered(frag, a, b, out) if op == "=" else out
                if out.status == "refuted" and erratum is not None:
                    out = (self.shape_steps.after_erratum(reading, ci - 1, si, self.table, out, erratum)
                           or self._after_erratum(frag, out, exprs, op, b, conds, erratum))
                elif out.status == "refuted":
                    erratum = line
            statement = implied.statement(a, op, b)
            if written_order(out):  # its products as written, not as a number reads them
                statement = self.shape_steps.facts.statement(reading, ci - 1, si) or statement
            out = first_report(self._refuted_at, (statement or frag.source, si), line, out)
            yield ClaimResult(line, reading.end_of(chain, si), frag.source, ci, si,
                              op, statement, out.status, out.reason, out.category,
                              out.method, out.witness, out.expected, round(time.monotonic() - t0, 3),
                              fragment_line=frag.line, section=tuple(getattr(frag, "section", ()) or ()))

    def _after_erratum(self, frag, out: Outcome, exprs: list, op: str, b, conds, erratum: int) -> Outcome:
        """A step refuted after an erratum of its chain that leads back to the truth (the chain's
        start = its right side holds) is wrong only through that erratum: one slip, one report."""
        if out.method.startswith(SHAPES) and out.reason.startswith("the left side has"):
            return open_("follows", f"refuted only through the erratum at line {erratum}: its left side "
                                    f"is that step's right side, whose shapes do not fit", out.method)
        if op != "=" or exprs[0] is None:
            return out
        again = self._bounded_relation(frag, 2, exprs[0], op, b, exprs, conds)
        if again.status != "proved":
            return out
        return open_("follows", f"refuted only through the erratum at line {erratum}: from the chain's "
                                f"start, {tex(exprs[0])} = {tex(b)} holds", again.method)

    def _bounded_relation(self, frag, si, a, op, b, exprs, conds) -> Outcome:
        self.phase = "reading the step"
        res = inline(self._relation, frag, si, a, op, b, exprs, conds, seconds=self.timeout)
        return of_bounded_run(res, self.timeout, self.phase)

    def _relation(self, frag, si: int, a, op: str, b, chain: Sequence, conds: Sequence = ()) -> Outcome:
        out = self.updates.step(si, a, op, b, chain, frag, self._claim)
        if out is not None:  # p ← p − η ∂E/∂p, p(t+1) = p(t) − η G, …: descends, by E's gradient
            return out
        excluded = self.exclusions.state(a, op, b, self.chain_length == 1, self.table.section, frag.line)
        if excluded is not None:  # Assuming: u ≠ 0
            return excluded
        if op in ORIENTATION:  # a ≥ b: proved by sign rules, else left open
            return inequality(a, op, b, lambda x, y, d: self._prepare_step(frag, x, y, d), self.timeout)
        if op in UNCHECKED_OPS:
            return open_(*UNCHECKED_OPS[op])
        if op not in DEFINING_OPS:
            return open_("relation", f"the relation {op} is not checked")
        if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)):
            return open_("unsupported", "a side is not an expression (a set, a relation or a list)")
        if any(_has_matrix(e) for e in (a, b)):
            if si == 1 and self.options.definitions and definable(a):
                return open_("definition", f"definition of {tex(a)} by its written entries (they define "
                                           "nothing else here)")
            return matrix_step(a, b, lambda x, y: self._claim(frag, x, y))
        a, b, pairs = _conditioned(a, b, conds)
        joined = si == 1 and self.joined  # "= …" joined to the previous display: maybe a pop-up copy
        wrong = None if joined else index_erratum(a, b, self.scan.layer_letters, self.options.disabled)
        if wrong is not None:  # u_j = Σ_i w_{ij} x_i + b_k: the indices alone show the erratum
            if si == 1 and self.options.definitions and definable(a) in ("symbol", "indexed"):
                self._record(a, b, frag, "definition", "")  # still what the document means by it (loose)
            return Outcome("refuted", "", wrong[1], f"index discipline ({wrong[0]})")
        if si == 1 and self.options.definitions and definable(a):
            out = self._definition(frag, a, op, b)
            if out is not None:
                return out
        if self.options.definitions:
            alias = self._implied(frag, si, a, b, chain)
            if alias is not None:
                return alias
        return self._claim(frag, a, b, extra=pairs)

    def _implied(self, frag, si: int, a: sp.Expr, b: sp.Expr, chain: Sequence) -> Optional[Outcome]:
        """A definition the step implies (:mod:`.implied`): written out under ∂, or a new name."""
        found = implied.substituted(a, b, self.table, self._weak) if si == 1 else None
        if found is not None:
            self.implied.add((key(found[0]), frag.line))
        found = found or implied.alias(a, b, chain, self.table, self.scan.first_seen, self.pos)
        if found is not None and found[2] == "both":
            return open_("condition", f"{tex(a)} = {tex(b)} relates two quantities nothing defines; not checked")
        return found and self._record(found[0], found[1], frag, "definition", found[2])

    def _weak(self, d) -> bool:
        """A definition a step implied, or a spec's (line 0, ``--network``): the document's own replaces it."""
        return d.line == 0 or (key(d.lhs), d.line) in self.implied

    # ── definitions ──
    def defined_later(self, name: str) -> Optional[int]:
        for pos, line in self.scan.defined_at.get(name, ()):
            if pos > self.pos:
                return line
        return None

    def _definition(self, frag, a: sp.Expr, op: str, b: sp.Expr) -> Optional[Outcome]:
        shape = definable(a)
        if shape == "symbol" and _PROSE.fullmatch(a.name) and not GREEK.match(a.name):
            return open_("notation", f"'{a.name}' looks like a word of prose read as a quantity; not checked")
        name = key(a) if shape != "function" or isinstance(a, AppliedUndef) else a.func.__name__
        if self_reference(a, b):
            return open_("notation", f"{tex(a)} appears on both sides (read as notation, e.g. y = y(x)); "
                                     "not checked")
        if shape == "function" and not isinstance(a, AppliedUndef):
            if op in EXPLICIT_DEFINING_OPS or not speaks_of(a.func, b):  # σ(u) := …, σ(z) = z
                return open_("definition", f"{name} is given another meaning here ({tex(a)} {op} {tex(b)}); "
                                           "not used for other claims")
            out = self._claim(frag, a, b)  # σ(u) = …: a statement about the known function
            if out.status == "refuted":
                return replace(out, reason=f"{out.reason}; {name} is read as the known function "
                                           f"(write := or another letter for a function of your own)")
            return out
        if shape == "symbol" and (isinstance(b, sp.Symbol) or (b.is_number and (a in self.scan.sizes or any(
                s.name == a.name for s in self.scan.sizes) or a.name in self.scan.label_letters))):
            case = stated_case(a, b, self.scan.label_letters)
            self.pending_case = (case, frag.end_line) if case else self.pending_case
            return open_("condition", f"{tex(a)} = {tex(b)} states a case or a condition; not checked")
        if shape == "symbol" and (a.name in self.scan.vectors and entries_defined(self.table, a)
                                   or batch_of_defined(self.shape_steps.examples, self.table, a)):
            return open_("vector", f"{tex(a)} is a vector whose entries the document defines: a claim about "
                                   "them, read entry by entry")
        known = self.table.lookup(a)
        if known is None and recursion(a, b):  # ξ^{i}_n = Σ_k … ξ^{i+1}_k: relates two layers
            return as_claim(self._claim(frag, a, b), a)
        if known is not None and self._weak(known):  # the author's own words win
            return self._record(a, b, frag, "definition", implied.replacing(a, known.line))
        if known is not None and op not in EXPLICIT_DEFINING_OPS:
            out = self._claim(frag, a, b)
            if out.status != "refuted":
                return out
            if self.table.general(a) and not (own_layer(a) and not known.rhs.has(sp.Derivative)):  # z^{l+1}_k, δ_j
                return replace(out, reason=f"{out.reason}; by the definition for every layer at line {known.line}")
            if known.rhs.has(sp.Derivative) and not loss_derivatives(known.rhs) & loss_derivatives(b):  # δ_k := ∂E/∂u_k, its value
                return replace(out, reason=f"{out.reason}; {name} is {tex(known.rhs)} by line {known.line}")
            return self._record(a, b, frag, "redefinition",
                                f"{name} was defined differently at line {known.line}; read as a new definition")
        entries = of_vector(self.shape_steps, self.table, frag, a, b) if shape == "symbol" else None
        if entries is not None:  # a^{l} = σ(z^{l}): a^{l}_j = σ(z^{l}_j) for every j
            self._record(*entries, frag, "definition", "")
        return self._record(a, b, frag, "definition", f"definition of {tex(a)}, used by later claims{entry_note(entries)}")

    def _layered(self, frag, a: sp.Expr, b: sp.Expr, out: Optional[Outcome] = None) -> Optional[Outcome]:
        """The step (decided unless ``out``), then at each layer (layer_instances.py) where left open."""
        out = out or inline(self._claim, frag, a, b, seconds=self.timeout).value
        if out is None or out.status != "inconclusive" or out.category not in ("dependence", "undefined"):
            return out
        return at_each_layer(a, b, self.table, self.scan.label_letters, lambda x, y, t: inline(
            self._claim, frag, x, y, seconds=t).value or open_("timed out", f"timed out after {t:.3g} s"), self.timeout,
            self.scan.sized) or out

    def _record(self, a: sp.Expr, b: sp.Expr, frag, category: str, text: str) -> Outcome:
        self.phase = "applying the definitions"
        try:
            expanded, _ = self.table.apply(b)
        except UnsupportedClaim as exc:
            return open_("notation", f"not recorded: {exc}")
        if self_reference(a, expanded):
            return open_("notation", f"not recorded: {tex(a)} would be defined through itself")
        try:
            _c, free_b, _s = index_structure([b])
            loose = tuple(sorted(str(i) for i in free_b - set(indices(a)) if not of_the_label(a, b, i)))
        except Exception:  # index structure of an odd expression: no note
            loose = ()
        self.table.define(a, b, frag.line, loose)
        extra = ""
        if loose:
            extra = (f"; note: the free index {', '.join(loose)} occurs on the right side only "
                     "(claims that use this definition are not decided)")
        return open_(category, text + extra)

    # ── claims ──
    def _claim(self, frag, a: sp.Expr, b: sp.Expr, refute: bool = True, extra: Sequence = ()) -> Outcome:
        quick = kept_routes(self, frag, a, b, extra)  # defined quantities kept as variables (chain, frozen)
        if quick is not None:
            return quick
        doubts = Doubts()
        extra = [*extra, *self.exclusions.of(self.table.section, a - b)]
        prepared = self._prepare_step(frag, a, b, doubts, extra=extra)
        if doubts.items and all(c == "loose" for c, _t, _b in doubts.items):
            apart = apart_from(self, frag, a, b, self.table.loose_names() & keys(a - b), extra)
            if apart is not None:
                return apart
        if isinstance(prepared, Outcome):
            return prepared
        lhs, rhs, pairs, positive, assumption = prepared
        refutable = refute and not doubts.blocks_refutation and not assumption
        if doubts.items and not assumption and one_sided_unknowns(lhs, rhs):
            return open_(doubts.category(), doubts.reason())
        # A step that can only be proved gets a short try: hard proofs of such steps are rare.
        budget = self.timeout if refutable else min(self.timeout, DOUBTFUL_SECONDS)
        d = self._decide(lhs, rhs, pairs, budget, refutable)
        v = d.verdict
        if v.status is Status.PROVED:
            if doubts.blocks_proof:  # an instance of the claim was proved, and only that
                return open_(doubts.category(), doubts.reason())
            convention = at_every_convention(lhs, rhs, lambda x, y: self._decide(
                x, y, pairs, budget, False).verdict.status is Status.PROVED)  # H(u) + H(−u) = 1: only if H(0) = ½
            if convention:
                return open_("domain", convention)
            return Outcome("proved", "", v.reason, v.method + domain_note(positive) + doubts.notes())
        if assumption:
            self.table.constraints.append((a, b, frag.line))
            return open_("assumption", f"{tex(a)} = {tex(b)} is taken as a stated assumption for later claims")
        if doubts.items:
            if timed_out(v):  # the real cause first: under load the decision ran out of time
                return open_("timed out", f"{v.reason}; besides: {doubts.reason()}", v.method)
            return open_(doubts.category(), doubts.reason())
        if v.status is Status.INCONCLUSIVE or not refutable:
            return undecided(v)
        return self._confirmed(frag, d, doubts.notes(refuted=True))

    def _decide(self, lhs, rhs, pairs, budget: float, refutable: bool) -> Decision:
        self.phase = "deciding"
        k = (lhs, rhs, tuple(pairs), budget, refutable)
        if k not in self._decided:
            generic = sorted({f.func.__name__ for e in (lhs, rhs) for f in e.atoms(AppliedUndef)
                              if generic_activation(f.func.__name__, self.scan.label_letters, self.table)})
            self._decided[k] = decide(lhs, rhs, pairs, budget, refute=refutable, generic=generic)
        return self._decided[k]

    def _confirmed(self, frag, d: Decision, note: str = "") -> Outcome:
        """A refuted decision through the guards: the refutation that stands, or why not."""
        self.phase = "checking the refutation"
        stands = confirm(Refutation(d, frag.source, self.timeout), self.options.disabled)
        if isinstance(stands, Outcome):
            return stands
        w = stands.verdict
        return Outcome("refuted", "", w.reason, w.method + note, w.witness.to_json() if w.witness else None,
                       expected(stands, self.table.definitions(stands.lhs), self.scan.written_widths))

    def _prepare_step(self, frag, a: sp.Expr, b: sp.Expr, doubts: Doubts,
                      frozen: frozenset = frozenset(), extra: Sequence = ()):
        """Definitions applied, derivatives of unknowns made unknowns, symbols real, logs split:
        ``(lhs, rhs, constraints, positive names, assumption?)``, or an outcome already."""
        self.phase = "applying the definitions"
        lhs, notes_a = self.table.apply(self.scan.sized(a), frozen)  # Σ_k δ^{(2)}_k: over layer 2, as written
        rhs, notes_b = self.table.apply(self.scan.sized(b), frozen)
        for category, text, blocks in notes_a + notes_b:
            doubts.add(category, text, blocks_proof=blocks)
        if any(_has_matrix(e) for e in (lhs, rhs)):
            return open_("vector", "a vector or matrix claim; only scalar claims are checked")
        step = Step(a, b, lhs, rhs, frag.source, self.scan, self.table, self.defined_later, self.function_letters)
        for c, t, blocks in doubts_of(step, "written", self.options.disabled):
            doubts.add(c, t, blocks)
        read_at_width_one(step, doubts)
        if doubts.blocks_proof and doubts.blocks_refutation:
            return open_(doubts.category(), doubts.reason())
        tagged = tag_layers([lhs, rhs], self.scan.layer_letters) if self.scan.layered else None
        if tagged is not None:
            lhs, rhs = tagged
        self.phase = "carrying out the derivatives"
        names = self.table.names() - frozen
        derivs = Derivatives(self.scan, self.defined_later, doubts,
                             lambda k: k in names or (k not in frozen and self.table.defined_at_label(k)),
                             lambda x: upstream(self.table, x) | beside(self.table, x, self.scan.layer_letters))
        lhs, rhs = derivs(lhs), derivs(rhs)
        for _ in range(3):  # definitions of the variables, into derivatives carried out
            if not derivs.carried_out:
                break
            derivs.carried_out = False
            lhs, rhs = (derivs(retagged(self.table.apply(e, frozen, labelled=False)[0], tagged is not None, self.scan.layer_letters))
                        for e in (lhs, rhs))
        for cost in doubts.undefined_names():
            lhs, rhs = through_next_layer(self.table, [lhs, rhs], cost)
        lhs, rhs = self.table.deepen([lhs, rhs], frozen)
        lhs, rhs = self.scan.sized(primed_sizes(lhs)), self.scan.sized(primed_sizes(rhs))
        step = Step(a, b, lhs, rhs, frag.source, self.scan, self.table, self.defined_later, self.function_letters)
        for c, t, blocks in [*doubts_of(step, "prepared", self.options.disabled), *related_unknowns(step)]:
            doubts.add(c, t, blocks)
        generic_costs(doubts, lhs, rhs)
        if doubts.blocks_proof and doubts.blocks_refutation:
            return open_(doubts.category(), doubts.reason())
        constraints = related([(self.scan.sized(retagged(self.table.apply(c, frozen)[0], tagged is not None, self.scan.layer_letters)),
                                self.scan.sized(retagged(self.table.apply(d, frozen)[0], tagged is not None, self.scan.layer_letters)))
                               for c, d, _l in self.table.constraints], lhs, rhs)  # only those about the step's quantities
        assumption = self.chain_length == 1 and assumption_shape(lhs, rhs, self.table.names(), (a, b))
        (lhs, rhs, *flat), positive = realify([lhs, rhs, *[x for pair in constraints for x in pair]])
        lhs, rhs = expand_logs(lhs), expand_logs(rhs)
        pairs = [(expand_logs(flat[2 * i]), expand_logs(flat[2 * i + 1])) for i in range(len(constraints))]
        return lhs, rhs, pairs + list(extra), positive, assumption


