"""Exact forms for numbers: the derived closed forms with every stated assumption lifted.

A derivation may specialise a result by an assumption its loss states.  Softmax +
cross-entropy, E = −Σ_k t_k log y_k, gives

    δ_k = Σ_{k'} (−t_{k'}/y_{k'}) y_{k'}(δ_{k'k} − y_k) = y_k Σ_{k'} t_{k'} − t_k    (every t)
        = y_k − t_k                                              (assumption Σ_k t_k = 1)

The textbook form is wrong wherever the assumption fails: soft, label-smoothed or
unnormalised targets, which PyTorch's CrossEntropyLoss accepts.  The numeric paths
(:mod:`~symbackprop.evaluate`, gradcheck, :func:`~symbackprop.matrix.batch_backprop`,
:mod:`~symbackprop.codegen`) use the exact form N of each such result instead:

    N = G                  when R = A(G)   (the derivation as derive() builds it)
    N = R + (G − A(G))     otherwise       (R changed after the assumption step)

where R is the derived closed form, G the form of the step before the first
``assumption`` step (true for every input: only definitions, the chain rule, sifting and
linearity lead to it) and A(G) what derive makes of G under the assumptions (stated
equalities applied, then tidied).  Either way N = R wherever the assumptions hold, and
N = G, exact for every input, whenever R follows from G by them.  The symbolic
derivation and its reports keep R and its stated assumption; this module never derives
anything anew, it only reads the steps derive recorded.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import Optional

import sympy as sp

from .derive import Assumption, Derivation, LayerDerivation, Result, Step
from .printing import text
from .simplify import apply_equalities, tidy


@dataclass(frozen=True)
class Lifted:
    """One result whose assumptions were lifted: the derived form R and the exact form N."""

    layer: int
    lhs: sp.Expr
    textbook: sp.Expr
    exact: sp.Expr
    assumptions: tuple[Assumption, ...]


@dataclass(frozen=True)
class ExactForms:
    """A derivation whose closed forms rely on no assumption (``assumptions`` is empty),
    and the results that were changed to make it so."""

    derivation: Derivation
    lifted: tuple[Lifted, ...]


def _assumption_step(result: Result) -> Optional[int]:
    """The position of the first step that applies an assumption (None: no such step)."""
    return next((i for i, s in enumerate(result.steps) if s.rule == "assumption"), None)


def exact_result(result: Result, assumptions: tuple[Assumption, ...]) -> Optional[Result]:
    """N as in the module docstring, as a Result (None when no step applies an assumption).

    When N = G the steps end at G (every one of them true for every input); otherwise the
    derived steps are kept and one ``assumption`` step adds G − A(G), zero where they hold.
    """
    at = _assumption_step(result)
    if at is None:
        return None
    if at == 0:
        raise AssertionError(f"{result.name} of layer {result.layer} starts with an assumption")
    general = result.steps[at - 1].expr
    assumed = tidy(apply_equalities(general, tuple((a.lhs, a.rhs) for a in assumptions)))
    if assumed == result.rhs:
        return replace(result, steps=result.steps[:at])
    lifted = sp.Add(result.rhs, general, -assumed)
    return replace(result, steps=result.steps + (
        Step(lifted, "assumption", "lifted: + (G − A(G)), zero where the assumptions hold"),))


def _exact_layer(ld: LayerDerivation, assumptions: tuple[Assumption, ...],
                 lifted: list[Lifted]) -> LayerDerivation:
    """The layer with each result that applies an assumption replaced by its exact form."""
    changes = {}
    for r in ld.results:
        exact = exact_result(r, assumptions)
        if exact is not None:
            changes[r.name] = exact
            lifted.append(Lifted(ld.layer, r.lhs, r.rhs, exact.rhs, assumptions))
    return replace(ld, **changes) if changes else ld


_CACHE: "weakref.WeakKeyDictionary[Derivation, ExactForms]" = weakref.WeakKeyDictionary()


def exact_forms(derivation: Derivation) -> ExactForms:
    """The exact forms of ``derivation`` (cached per derivation)."""
    hit = _CACHE.get(derivation)
    if hit is not None:
        return hit
    lifted: list[Lifted] = []
    layers = tuple(_exact_layer(ld, derivation.assumptions, lifted) for ld in derivation.layers)
    forms = ExactForms(replace(derivation, layers=layers, assumptions=()), tuple(lifted))
    _CACHE[derivation] = forms
    return forms


def assumption_notes(forms: ExactForms) -> list[str]:
    """What the numbers rely on, as plain lines for a docstring: no assumption, and for each
    lifted result the textbook form, the assumption it needs, and the form used instead."""
    net = forms.derivation.network
    if not forms.lifted:
        return ["Assumptions: none (no formula relies on an assumption about the inputs)."]
    lines = ["Assumptions: none.  Every formula holds for any targets T wherever the loss is",
             "defined; where the derivation assumed something, its form before that step is used:"]
    for x in forms.lifted:
        stated = "; ".join(f"{text(a.lhs, net)} = {text(a.rhs, net)} ({a.rule})"
                           for a in x.assumptions)
        lhs = text(x.lhs, net)
        lines += [f"    layer {x.layer}: the derived {lhs} = {text(x.textbook, net)} assumes {stated};",
                  f"        used here instead: {lhs} = {text(x.exact, net)}, exact for any",
                  "        targets (soft, label-smoothed or unnormalised)."]
    return lines
