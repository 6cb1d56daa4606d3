"""What every report context shares: the fixed texts of the reports (``messages/*.json``)
and the helpers that fill them in.

The contexts themselves are built by :mod:`.derivation_context` (the derivation report,
with its verification section from :mod:`.verification_context`), :mod:`.proofs_context`
(the identity catalog) and :mod:`.check_context` (the check report).

Templates never see SymPy objects.  Text that a template prints is *plain*
(escaped by the environment), *LaTeX* (a formula, printed with ``math``,
``display`` or ``latex``) or *rich* (text with ``$…$`` formulas, printed with
``rich`` or ``mathtext``); the key names say which: ``…_latex`` or ``lhs``/``rhs``/
``latex`` are formulas, ``…_rich`` is rich text, anything else is plain text.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

LANGS = ("en", "ja")
MESSAGES = Path(__file__).parent / "messages"


@functools.lru_cache(maxsize=None)
def _load_messages(lang: str) -> str:
    return (MESSAGES / f"{lang}.json").read_text(encoding="utf-8")


def messages(lang: str) -> dict[str, Any]:
    """Every fixed text of the reports in ``lang`` (``en`` or ``ja``), a fresh copy."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return json.loads(_load_messages(lang))


def fill(template: str, **values: str) -> str:
    """Put values into ``{name}`` fields, leaving every other brace alone (LaTeX has many)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def as_rich(text: str) -> str:
    """Plain text written as rich text (its dollars are not formulas)."""
    return text.replace("$", r"\$")
