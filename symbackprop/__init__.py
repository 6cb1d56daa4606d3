"""symbackprop — derive and verify neural-network backpropagation symbolically.

The public face::

    import symbackprop as sb
    net = sb.load("derivations/classification.toml")
    d = sb.derive(net)            # closed forms with steps, per layer
    sb.verify(d).verdict          # independent check at concrete sizes
    sb.evaluate(d, params)        # numbers from the closed forms
    sb.render(d, "md", lang="ja") # a report as text (tex, md, html)
    r = sb.check("notes.md")      # every relation of a document: proved, refuted, inconclusive
    sb.render(r, "html")          # the check report

Names are imported lazily so that ``symbackprop --version`` does not load SymPy.
"""

from __future__ import annotations

import sys
import types
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
    "random_params": "symbackprop.evaluate",
    "gradcheck": "symbackprop.evaluate",
    "prove": "symbackprop.prove",
    "Verdict": "symbackprop.verdict",
    "latex": "symbackprop.printing",
    "SymbackpropError": "symbackprop.errors",
    "compile": "symbackprop.codegen",
    "check": "symbackprop.pipeline",
    "write_reports": "symbackprop.pipeline",
}
#: public names that are subpackages: ``symbackprop.render`` is the render package, and calling
#: it renders (``sb.render(d, "md")``, :func:`symbackprop.pipeline.render`)
_SUBPACKAGES = ("render",)

# ``compile`` stays out of ``__all__`` so that a star import does not shadow the builtin.
__all__ = sorted((set(_EXPORTS) | set(_SUBPACKAGES)) - {"compile"}) + ["__version__"]


class _Package(types.ModuleType):
    """The package module: public names resolve to functions even where a submodule has
    the same name (``symbackprop.derive`` is the function, the module is ``symbackprop.derive``
    in ``sys.modules``), and they load lazily."""

    def __getattribute__(self, name: str) -> Any:
        if name in _EXPORTS:
            return getattr(import_module(_EXPORTS[name]), name)
        if name in _SUBPACKAGES:
            return import_module(f"symbackprop.{name}")
        return super().__getattribute__(name)

    def __dir__(self) -> list[str]:
        return __all__


sys.modules[__name__].__class__ = _Package
