"""Records the Builder passes between its parts (heads, decoded symbols, ∂ operators)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import sympy as sp


@dataclass
class Head:
    """What a symbol means before a parenthesised group."""

    name: str
    fn: Callable
    primes: int = 0
    applicable: bool = False
    known: bool = False
    base_applicable: bool = False


@dataclass
class SymInfo:
    """A decoded symbol factor (name, indices, label, power/transpose, primes)."""

    base: str
    name: str
    fname: str
    indices: list = field(default_factory=list)
    power: Optional[sp.Basic] = None
    transpose: bool = False
    primes: int = 0


@dataclass
class DerivOp:
    """``\\frac{\\partial}{\\partial x}``: a prefix operator over ``vars``."""

    vars: list
