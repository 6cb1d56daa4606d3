"""What one row of the notation table is: every form of one network function.

A network function (σ, ReLU, softplus, tanh, and the step H of ReLU′) is one SymPy function
that derivations hold opaque (σ′ = σ(1 − σ) stays in σ).  Besides its SymPy class it is
written, read and computed in many places; a row gathers them, so that each consumer reads
the one table (:mod:`symbackprop.rules.notation_table`) and a function is added in one place:

* printed — LaTeX head (``\\sigma``), text head (``σ``), the identifier MathML shows;
* read back — the words the LaTeX reader takes for it (``\\operatorname{ReLU}``, ``relu``);
* computed — a NumPy function for ``lambdify`` (evaluate, the batch form), a kernel per
  target for generated code, its elementary definition for the prover;
* verified — the verifier's own definition (:class:`VerifierForm`), written independently
  of the registry's derivative rule, which ``verify`` checks against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import sympy as sp


class Degenerate(ArithmeticError):
    """A point where a function is evaluated where it is not defined (H(0), log 0)."""


@dataclass(frozen=True)
class Kernel:
    """A function of a generated module: its name and its source per target (docstring = identity).

    ``constants`` are the scalars the torch source reads as 0-d module constants (``_C0`` = 0);
    ``convention`` is a line for the module's docstring wherever the kernel is used."""

    name: str
    numpy: str
    torch: str
    constants: tuple[str, ...] = ()
    convention: str = ""

    @property
    def source(self) -> str:
        """The NumPy source (the default target)."""
        return self.numpy


@dataclass(frozen=True)
class VerifierForm:
    """The verifier's own definition of f, for every number domain of ``symbackprop/verifier/``.

    ``derivative(dom, v, f(v))`` is f′(v) in the domain's arithmetic (the reverse mode's local
    partial); ``reflection(f(w), w)`` is f(−w), so that atoms f(±w) are one indeterminate;
    ``real`` is f at mpmath reals (witnesses; :class:`Degenerate` where f is undefined);
    ``symengine`` names SymEngine's own function (``"tanh"``), or is empty for an opaque
    ``symengine.Function(name)``.  Written independently of the activation
    registry's derivative rule, which ``verify`` compares with it."""

    name: str
    real: Callable[[Any], Any]
    derivative: Callable[[Any, Any, Any], Any]
    reflection: Optional[Callable[[Any, Any], Any]] = None
    symengine: str = ""


@dataclass(frozen=True)
class FunctionForms:
    """Every form of one network function: one row of the notation table.

    ``latex``, ``text`` and ``mathml`` are the heads each output shows (``\\sigma``, ``σ``,
    ``σ``); our printers write them, except where ``sympy_prints`` (tanh keeps SymPy's
    ``\\tanh{\\left(u \\right)}``, the head being what it shows).  ``numpy`` is None and
    ``kernel`` is None where the target library has the function itself (``np.tanh``).
    ``reads`` may be empty: H is not read back (a document's ``H(x)`` may be what it defines).
    ``definition`` (f in elementary functions) lets the prover open the function up."""

    name: str
    function: Callable[..., sp.Expr]
    meaning: str
    latex: str
    text: str
    mathml: str
    verifier: VerifierForm
    numpy: Optional[Callable[..., Any]] = None
    kernel: Optional[Kernel] = None
    reads: tuple[str, ...] = ()
    definition: Optional[Callable[[sp.Expr], sp.Expr]] = None
    sympy_prints: bool = False

    def __post_init__(self) -> None:
        missing = [k for k in ("name", "meaning", "latex", "text", "mathml") if not getattr(self, k)]
        if missing:
            raise ValueError(f"notation row {self.name!r} lacks its {', '.join(missing)} form")
