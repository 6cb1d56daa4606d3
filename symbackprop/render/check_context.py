"""The check report's context: the results of ``symbackprop check`` as the plain data
``check.{md,html}.j2`` print (LaTeX strings, rich text and numbers, never SymPy objects).

Every text shown comes from the message catalogue; the reasons and methods the checker
writes in English go through :class:`~symbackprop.render.translate.Translator`, and a
witness is typeset (``$n_{i} = 1$``), never shown as raw TeX.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from .context import fill, messages
from .translate import Translator, as_rich
from .witness import witness_rich


def mathable(latex: Optional[str], kind: str) -> Optional[str]:
    """The formula, or None when the HTML page could not show it as MathML."""
    if not latex or kind != "html":
        return latex or None
    from .mathml import MathMLError, to_mathml

    try:
        to_mathml(latex)
    except MathMLError:
        return None
    return latex


def _category(m: dict, tr: Translator, category: str) -> str:
    """A category as rich text: the catalogue's word, else the translation table's."""
    if not category:
        return ""
    known = m["check"]["categories"].get(category)
    return as_rich(known) if known is not None else tr.rich(category)


def errata_blocks(refuted: list[dict]) -> list[dict]:
    """The refuted steps grouped by the block they were written in (the same lines and
    source), in document order: a block's source is shown once, under its steps."""
    blocks: list[dict] = []
    for c in refuted:
        key = (c["line"], c["end_line"], c["source"])
        if blocks and blocks[-1]["key"] == key:
            blocks[-1]["claims"].append(c)
        else:
            blocks.append({"key": key, "line": c["line"], "source": c["source"], "claims": [c]})
    return blocks


def check_context(results: Sequence, kind: str, lang: str = "en") -> dict[str, Any]:
    """Plain data for ``check.{md,html}.j2``: LaTeX strings and texts, never SymPy objects.

    ``untranslated`` lists what the translation table could not put into ``lang`` (empty
    for English); the tests fail on any."""
    m = messages(lang)
    tr = Translator(lang)
    docs = []
    for r in results:
        s = r.summary()
        claims = []
        for c in r.claims:
            claims.append({
                "line": c.line, "end_line": c.end_line, "step": f"{c.chain}.{c.step}",
                "status": c.status, "status_word": m["status"].get(c.status, c.status),
                "statement": mathable(c.statement, kind), "statement_text": c.statement,
                "source": " ".join(c.source.split()),
                "category": c.category,
                "category_rich": _category(m, tr, c.category),
                "reason_rich": tr.rich(c.reason), "method_rich": tr.rich(c.method),
                "witness_rich": witness_rich(m, c.witness),
                "expected": mathable(c.expected, kind), "expected_text": c.expected or "",
            })
        refuted = [c for c in claims if c["status"] == "refuted"]
        docs.append({
            "file": r.file, "summary": s,
            "summary_rich": fill(m["check"]["summary"], **{k: str(v) for k, v in s.items()
                                                        if not isinstance(v, dict)}),
            "by_reason": [{"category_rich": _category(m, tr, k), "count": v}
                          for k, v in s["inconclusive_by_reason"].items()],
            "claims": claims, "refuted": refuted, "errata": errata_blocks(refuted),
            "unparsed": [{"line": u["line"], "reason_rich": tr.rich(u["reason"]),
                          "source": " ".join(u["source"].split())}
                         for u in r.unparsed],
        })
    names = ", ".join(Path(r.file).name for r in results)
    return {"m": m, "lang": lang, "title": m["check"]["heading"],
            "generated_by": fill(m["check"]["generated_by"], source=names), "documents": docs,
            "untranslated": sorted(set(tr.leftovers))}
