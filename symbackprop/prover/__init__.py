"""The prover: decide lhs = rhs exactly, or refute it with a checked witness, or say why not."""

from .claim import Claim, UnsupportedClaim, make_claim
from .engine import PASSES, prove

__all__ = ["prove", "PASSES", "Claim", "UnsupportedClaim", "make_claim"]
