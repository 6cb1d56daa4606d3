"""symbackprop — derive and verify neural-network backpropagation symbolically.

The public face::

    import symbackprop as sb
    net = sb.load("derivations/classification.toml")
    d = sb.derive(net)            # closed forms with steps, per layer
    sb.verify(d).verdict          # independent check at concrete sizes
    sb.evaluate(d, params)        # numbers from the closed forms

Names are imported lazily so that ``symbackprop --version`` does not load SymPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load": "symbackprop.spec",
    "loads": "symbackprop.spec",
    "Network": "symbackprop.model",
    "Layer": "symbackprop.model",
    "Notation": "symbackprop.model",
    "derive": "symbackprop.derive",
    "Derivation": "symbackprop.derive",
    "verify": "symbackprop.verify",
    "evaluate": "symbackprop.evaluate",
    "gradcheck": "symbackprop.evaluate",
    "prove": "symbackprop.prove",
    "Verdict": "symbackprop.verdict",
    "latex": "symbackprop.printing",
    "SymbackpropError": "symbackprop.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
