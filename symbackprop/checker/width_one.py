r"""Vectors and matrices read at width one: an instance of the claim, so a refutation stands.

A claim about vectors and matrices of any size holds in particular when every vector and matrix
has one entry.  There a vector *is* a scalar, a product of two of them commutes, and a function
applied entrywise is the function: the step read with its vectors as scalars is exactly that
instance.  So a counterexample of the scalar reading refutes the claim (at width one).  A proof
of it proves the claim only where the scalar reading did so before (entrywise, no product of
vectors, which would commute there): the doubt keeps its say on proofs.

The reading is faithful only when nothing in the step ties a vector to its entries or to its
size, because the scalar reading treats those as unrelated quantities: no indexed quantity and
no sum (``y`` and ``y_k`` would be read as independent, ``Σ_k`` over a width the witness may
take > 1), no two names for one letter (``\mathbf{y}`` and ``y``), no transpose, Hadamard
product or norm (read as unknown functions), and no written matrix.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp
from sympy.core.function import AppliedUndef

from .doubt_rules import VECTOR_FUNCTIONS  # the functions that read vectors as such
from .doubts import Doubts
from .names import plain_symbols

if TYPE_CHECKING:  # pragma: no cover
    from .doubts import Step

READING = "read at width one (every vector and matrix with one entry), an instance of the claim"
_WRAPPER = re.compile(r"\\(mathbf|bm|boldsymbol|vec|mathsf|mathrm|mathit)\s*")
_CORE = re.compile(r"\\?[A-Za-z]+")


def letter(name: str) -> str:
    r"""The letter a quantity is written with: ``\mathbf{u}^{l}`` → ``u``, ``\delta_k`` → ``\delta``."""
    m = _CORE.search(_WRAPPER.sub("", name).replace("{", "").replace("}", ""))
    return m.group(0) if m else name


def faithful(step: "Step") -> bool:
    """Is the step read with scalars exactly its instance at width one (see the module docstring)?"""
    exprs = [e for e in (step.a, step.b, step.lhs, step.rhs) if isinstance(e, sp.Basic)]
    if any(e.atoms(sp.Indexed) or e.atoms(sp.Sum) or e.atoms(sp.MatrixBase) for e in exprs):
        return False
    if any(type(f).__name__ in VECTOR_FUNCTIONS for e in exprs for f in e.atoms(AppliedUndef)):
        return False
    return one_name_per_letter({x.name for e in exprs for x in plain_symbols(e)})


def one_name_per_letter(names: set) -> bool:
    r"""No two names for one letter (``\mathbf{y}`` and ``y``, ``\bm{y}^{l}`` and ``\bm{y}^{l-1}``):
    read as scalars they would be unrelated numbers, though one may be the other's entry or input."""
    letters = [letter(n) for n in names]
    return len(set(letters)) == len(letters)


def read_at_width_one(step: "Step", doubts: Doubts) -> None:
    """The step's vector doubts become the width-one reading when that reading is faithful:
    they then forbid a proof, no longer a refutation."""
    vector = [d for d in doubts.items if d[0] == "vector"]
    if not vector or not faithful(step):
        return
    for d in vector:
        doubts.items.remove(d)
    doubts.instance.extend(vector)
    doubts.instance_note = READING
