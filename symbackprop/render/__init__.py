"""Reports through Jinja2: LaTeX (compiled with LuaLaTeX, Japanese too), Markdown, HTML with MathML.

The flow, top to bottom::

    Derivation + verification (symbackprop.pipeline) ─► context (LaTeX strings, rich text)
        ─► template ─► file (tex, md, html; tex ─► pdf)

* :mod:`.context`      what every context shares: the fixed texts (``messages``), ``fill``, ``as_rich``
* :mod:`.derivation_context` the derivation report's data
* :mod:`.verification_context` its verification section (verdict, rows, methods, problems)
* :mod:`.witness`      a witness as rich text, its values typeset
* :mod:`.proofs_context` the identity catalog's proof report data
* :mod:`.check_context` the check report's data (``symbackprop check --format md|html``)
* :mod:`.translate`    the checker's, prover's and verifier's English sentences in the report's
                       language (a table of patterns in ``messages/ja.json``: ``translations``)
* :mod:`.environments` one Jinja2 environment per output kind, escaping by default
* :mod:`.escape`       TeX and Markdown escaping, rich text (text with ``$…$`` formulas)
* :mod:`.mathml`       LaTeX → MathML for the HTML page
* :mod:`.pdf`          LuaLaTeX through latexmk
* :mod:`.reports`      file names, and writing the reports of given objects (never loads or derives)

Fixed texts live in ``messages/en.json`` and ``messages/ja.json``; templates in
``templates/`` (a user folder given with ``--templates`` overrides any of them).
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

_EXPORTS = {
    "environment": ".environments",
    "KINDS": ".environments",
    "derivation_context": ".derivation_context",
    "check_context": ".check_context",
    "Translator": ".translate",
    "proofs_context": ".proofs_context",
    "messages": ".context",
    "LANGS": ".context",
    "tex_escape": ".escape",
    "md_escape": ".escape",
    "to_mathml": ".mathml",
    "compile_tex": ".pdf",
    "render": ".reports",
    "write": ".reports",
    "check_report": ".reports",
    "DerivationReport": ".reports",
    "ProofsReport": ".reports",
    "FORMATS": ".reports",
    "REPRODUCIBLE_FORMATS": ".reports",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'symbackprop.render' has no attribute {name!r}")


class _RenderPackage(types.ModuleType):
    """The package is callable: ``symbackprop.render(obj, kind, lang)`` renders a derivation or
    check results (:func:`symbackprop.pipeline.render`)."""

    def __call__(self, obj: Any, kind: str = "md", lang: str = "en", templates: Any = None) -> str:
        from ..pipeline import render

        return render(obj, kind, lang, templates)


sys.modules[__name__].__class__ = _RenderPackage
