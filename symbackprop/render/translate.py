"""Sentences written in code (the checker's reasons, the prover's and the verifier's methods)
shown in the report's language.

The checker, the prover and the verifier explain themselves in English sentences built in
code (``"definition of u_{j}, used by later claims"``).  A report in another language shows
them through a table of patterns in its message catalogue (``messages/ja.json``, key
``translations``): each entry is a regular expression matched against a whole sentence and
the text that replaces it, with the named groups of the expression put into fields (group
``f_a`` into ``{a}``; inside ``$…$`` of the replacement a field is put as LaTeX).  What a
group holds is said by the start of its name:

* ``f_…``  a formula (LaTeX), typeset: ``$…$``;
* ``t_…``  a phrase translated again through the table;
* ``l_…``  a list (``"kronecker, algebra passes"``, ``"E, u (defined only later, line 9)"``): split
  at top-level commas, each item a phrase of the table or else a formula;
* ``q_…``  a quotation of the document or a name (kept as written, in 「」);
* anything else — numbers, line numbers — is kept as written.

A sentence that no entry matches whole is split at ``"; "`` and the longest runs of parts
that match are translated; a part no entry matches stays in English and is remembered in
:attr:`Translator.leftovers` (the tests fail on any).  The result is *rich* text (text with
``$…$`` formulas), printed with the ``rich`` filter.

Formulas (``\\text{…}`` inside a LaTeX string, see :meth:`Translator.latex`) are handled
by the ``phrases`` table: exact phrases, their spaces kept.
"""

from __future__ import annotations

import functools
import re
from typing import Mapping, Optional

from .context import as_rich, messages
from .escape import rich_parts

_GROUP_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TEXT_COMMAND = re.compile(r"\\text\{([^{}]*)\}")
#: Characters that cannot stand in a ``$…$`` formula of rich text as written.
_NOT_A_FORMULA = re.compile(r"(?<!\\)\$|[\n\r]")


def balanced(latex: str) -> bool:
    """Braces balance (a formula we may put between dollars without breaking the page)."""
    depth = 0
    escaped = False
    for ch in latex:
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and not escaped


_SYMBOLS = {"∈": r"\in ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\neq ", "⋯": r"\cdots ", "…": r"\ldots ",
            "·": r"\cdot ", "ℚ": r"\mathbb{Q}", "↦": r"\mapsto ", "≈": r"\approx ", "∝": r"\propto ",
            "←": r"\leftarrow ", "δ": r"\delta ", "σ": r"\sigma ", "Σ": r"\Sigma "}


def tex_symbols(latex: str) -> str:
    """Unicode symbols of a formula written as TeX commands (``n ∈ {1, 2}`` → ``n \\in {1, 2}``)."""
    return "".join(_SYMBOLS.get(c, c) for c in latex)


def formula_rich(latex: str) -> str:
    """``$latex$`` as rich text, or the text quoted when it cannot be a formula."""
    latex = tex_symbols(latex.strip()).strip()
    if latex and balanced(latex) and not _NOT_A_FORMULA.search(latex):
        return f"${latex}$"
    return as_rich(latex)


@functools.lru_cache(maxsize=None)
def _table(lang: str) -> tuple[str, str, str, tuple[tuple[re.Pattern, str], ...], Mapping[str, str]]:
    """(separator of sentences, of list items, quotation marks, compiled sentence patterns,
    phrases) of ``lang``."""
    table = messages(lang).get("translations", {})
    patterns = tuple((re.compile(p), out) for p, out in table.get("sentences", []))
    return (table.get("separator", "; "), table.get("list_separator", ", "), table.get("quote", "'{q}'"), patterns,
            dict(table.get("phrases", {})))


_KINDS = ("f", "t", "l", "q")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def looks_like_prose(latex: str) -> bool:
    """Two words of three letters or more side by side, outside LaTeX commands: a phrase, not a formula."""
    return bool(re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", _COMMAND.sub(" ", latex))) or \
        bool(re.fullmatch(r"[A-Za-z]{4,}", latex.strip()))


def split_top(text: str) -> list[str]:
    """``text`` split at the commas outside brackets, braces and quoted items (``','``)."""
    items, depth, start, skip = [], 0, 0, -1
    for i, ch in enumerate(text):
        if i <= skip:
            continue
        if ch == "'" and not text[start:i].strip():  # an item that is a quotation: ',' or '='
            close = text.find("'", i + 2)
            skip = close if close > 0 else skip
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return [i for i in items if i]


def _colon(lang: str) -> str:
    return messages(lang)["colon"]


class Translator:
    """English sentences of the checker, prover and verifier as rich text in ``lang``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.separator, self.list_separator, self.quote, self.patterns, self.phrases = _table(lang)
        self.leftovers: list[str] = []
        self.colon = ": " if not self.patterns else _colon(lang)

    @property
    def active(self) -> bool:
        return bool(self.patterns)

    # ── sentences ──────────────────────────────────────────────────────────
    def rich(self, text: Optional[str]) -> str:
        """``text`` (an English sentence or several joined by ``"; "``) as rich text."""
        text = " ".join(str(text or "").split())
        if not text or not self.active:
            return as_rich(text)
        whole = self._one(text)
        if whole is not None:
            return whole
        parts = text.split("; ")
        out, i = [], 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                done = self._one("; ".join(parts[i:j]))
                if done is not None:
                    out.append(done)
                    i = j
                    break
            else:
                self.leftovers.append(parts[i])
                out.append(as_rich(parts[i]))
                i += 1
        return self.separator.join(out)

    def _one(self, text: str) -> Optional[str]:
        if text in self.phrases:
            return as_rich(self.phrases[text])
        for rx, out in self.patterns:
            m = rx.fullmatch(text)
            if m and not any("; " in (v or "") for k, v in m.groupdict().items() if not k.startswith("t_")):
                return self._fill(out, m)  # a group never spans two sentences (but a phrase may)
        return None

    def _fill(self, out: str, m: re.Match) -> str:
        groups = {}
        for full, value in m.groupdict().items():
            kind, _, short = full.partition("_")
            groups[short if kind in _KINDS and short else full] = (full, value or "")
        pieces, pos, in_math = [], 0, False
        for f in _GROUP_FIELD.finditer(out):
            before = out[pos:f.start()]
            in_math ^= len(re.findall(r"(?<!\\)\$", before)) % 2 == 1
            pieces.append(before)
            name = f.group(1)
            pieces.append(self._field(*groups[name], in_math) if name in groups else f.group(0))
            pos = f.end()
        pieces.append(out[pos:])
        return "".join(pieces)

    def _field(self, name: str, value: str, in_math: bool) -> str:
        """One group's value as the template places it: inside ``$…$`` as LaTeX, else rich."""
        kind = name.partition("_")[0]
        if in_math:
            return tex_symbols(value).strip()
        if kind == "f":
            return self.formula(value)
        if kind == "t":
            return self.rich(value)
        if kind == "l":
            return self.list_(value)
        if kind == "q":
            return as_rich(self.quote.replace("{q}", value))
        return as_rich(value)

    def formula(self, latex: str) -> str:
        """A formula of a sentence as rich text; a phrase that is no formula is remembered."""
        latex = latex.strip()
        if looks_like_prose(latex):
            self.leftovers.append(latex)
            return as_rich(latex)
        return formula_rich(latex)

    def list_(self, text: str) -> str:
        """``a, b (note), c``: items split at top-level commas, each a phrase of the table
        or a formula, joined in ``lang``."""
        out = []
        for item in split_top(text):
            done = self._one(item)
            out.append(done if done is not None else self.formula(item))
        return self.list_separator.join(out)

    # ── phrases inside formulas ────────────────────────────────────────────
    def latex(self, latex: str) -> str:
        """A LaTeX string with the words of its ``\\text{…}`` in ``lang`` (spaces kept)."""
        if not self.phrases or "\\text{" not in latex:
            return latex

        def text(m: re.Match) -> str:
            body = m.group(1)
            core = body.strip()
            if not core or not re.search("[A-Za-z]{2,}", core):
                return m.group(0)
            if core in self.phrases:
                lead = body[:len(body) - len(body.lstrip())]
                tail = body[len(body.rstrip()):]
                return "\\text{" + lead + self.phrases[core] + tail + "}"
            self.leftovers.append(core)
            return m.group(0)

        return _TEXT_COMMAND.sub(text, latex)

    def rich_text(self, rich: str) -> str:
        """Rich text whose text parts are sentences to translate (formulas kept)."""
        out = []
        for kind, s in rich_parts(rich):
            if kind == "math":
                out.append(f"${self.latex(s)}$")
            elif s.strip():
                lead = s[:len(s) - len(s.lstrip())]
                tail = s[len(s.rstrip()):]
                out.append(lead + self.rich(s.strip()) + tail)
            else:
                out.append(s)
        return "".join(out)


def field_names(template: str) -> set[str]:
    """The ``{name}`` fields of a replacement text."""
    return set(_GROUP_FIELD.findall(template))
