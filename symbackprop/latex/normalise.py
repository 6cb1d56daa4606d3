r"""Normalising a fragment before it is split into rows and parsed.

One left-to-right pass (``normalise``) strips decoration and spacing
(``\,``, ``\displaystyle``, colours, ``\tag``, ``\label``), maps ``\left``/
``\right`` and bars to the grammar's delimiters, canonicalises Unicode, and
turns prose ``\text{…}`` into statement separators (``\@sep``).  The result
keeps, for every character, the source offset it came from (``Text.src``), so
errors point into the fragment as written.

Notation with a clear meaning that the grammar does not know is rewritten here:

* ``a \circ b`` → ``a \odot b`` (Hadamard product) — but not ``90^\circ`` and
  not a composition of bare function names (``f \circ g``), which stay
  unsupported;
* an empty script ``x^{}`` / ``x_{}`` is dropped (TeX prints nothing for it) —
  unless a letter or digit follows (``w^{}l`` is likely a typo for ``w^{l}``;
  reading it as ``w l`` would be a misreading, so that row stays unread);
* condition words become markers that ``conditions`` consumes (never symbols):
  ``\text{if}``/``when``/``provided``/``given`` → ``\@if``, ``\text{for}``/
  ``for all``/``\forall`` → ``\@for``, ``\text{where}`` → ``\@where``,
  ``\text{and}`` → ``\@and`` (joins two conditions, else a separator), and the
  Japanese postfix words ``のとき``/``の場合``/``の時`` (in ``\text`` or bare) →
  ``\@fi``; full-width ``（ ） ＝ ， 、`` become ASCII.  Inside ``cases`` prose
  stays a plain space (the ``cases`` row reads its own condition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .annotations import IVERSON, annotation_end

from symbackprop.latex.errors import fail

__all__ = ["Text", "normalise", "MARKERS"]


@dataclass
class Text:
    """Normalised text; ``src[i]`` is the source offset of character ``i``."""

    chars: list = field(default_factory=list)
    src: list = field(default_factory=list)

    def emit(self, s: str, pos: int) -> None:
        self.chars.extend(s)
        self.src.extend([pos] * len(s))

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def slice(self, a: int, b: int) -> "Text":
        return Text(self.chars[a:b], self.src[a:b])


_SEP = r" \@sep "
#: condition markers (consumed by ``conditions``); ``\@fi`` follows its condition
MARKERS = (r"\@if", r"\@for", r"\@where", r"\@fi")
_COND_WORDS = {
    "if": r"\@if", "when": r"\@if", "whenever": r"\@if", "provided": r"\@if",
    "provided that": r"\@if", "given": r"\@if", "given that": r"\@if", "only if": r"\@if",
    "for": r"\@for", "for all": r"\@for", "for each": r"\@for", "for every": r"\@for",
    "for any": r"\@for", "where": r"\@where", "and": r"\@and",
    "のとき": r"\@fi", "の時": r"\@fi", "の場合": r"\@fi", "のときは": r"\@fi",
    "の場合は": r"\@fi", "とき": r"\@fi",
}
#: bare Japanese condition words in math (longest first)
_JA_POSTFIX = ("のときは", "の場合は", "のとき", "の場合", "の時")
_FUNCTION_LIKE = re.compile(r"\s*(?:[fgh]|\\(?:sigma|phi|varphi|psi))(?![A-Za-z])\s*(?![\s'(_^\[])")
#: ``x^{}l`` is probably a typo for ``x^{l}``: not dropped (the row stays unread)
_LETTER_NEXT = re.compile(r"\s*(?:[A-Za-z0-9]|\\[A-Za-z])")
_ALIGN_ENVS = ("aligned", "align", "align*", "equation", "equation*", "eqnarray",
               "eqnarray*", "gather", "gather*", "gathered", "split", "multline",
               "multline*", "alignat", "alignat*", "alignedat", "flalign", "flalign*",
               "displaymath", "math")
_TABLE_ENVS = ("matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix",
               "smallmatrix", "array", "cases", "dcases")
_DROP = {"displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "nonumber",
         "notag", "mathstrut", "strut", "allowbreak", "middle", "protect", "nobreak"}
_DROP_WITH_ARG = {"label", "tag", "hspace", "vspace", "phantom", "hphantom", "vphantom",
                  "color", "eqref"}
_UNWRAP = {"boxed", "cancel", "bcancel", "xcancel", "underline", "smash", "fbox"}
_TEXT_CMDS = {"text", "textrm", "textit", "textbf", "mbox", "textnormal", "textsf", "texttt"}
_FONT_CMDS = {"mathrm", "mathit", "mathsf", "mathtt", "operatorname", "mathnormal", "rm"}
_SIZES = re.compile(r"\\(big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])")
_SPACES = {",", ";", ":", "!", " ", ">", "\n", "\t"}
_PROSE_WORDS = {"if", "for", "where", "and", "or", "with", "when", "otherwise", "then",
                "since", "all", "else", "s.t.", "i.e.", "e.g.", "so", "thus", "hence"}
_UNICODE = {
    "−": "-", "–": "-", "×": r"\times ", "·": r"\cdot ", "⋅": r"\cdot ",
    "∂": r"\partial ",
    "≤": r"\le ", "≥": r"\ge ", "≈": r"\approx ", "≠": r"\neq ", "∑": r"\sum ",
    "⊙": r"\odot ", "′": "'", "∇": r"\nabla ", "…": r"\ldots ", "⋯": r"\cdots ",
    "α": r"\alpha ", "β": r"\beta ", "γ": r"\gamma ", "δ": r"\delta ", "ε": r"\epsilon ",
    "η": r"\eta ", "θ": r"\theta ", "λ": r"\lambda ", "μ": r"\mu ", "ξ": r"\xi ",
    "σ": r"\sigma ", "τ": r"\tau ", "φ": r"\phi ", "ϕ": r"\phi ", "ψ": r"\psi ",
    "ω": r"\omega ", "Δ": r"\Delta ", "Σ": r"\Sigma ", "\u3000": " ", "\u00a0": " ",
    "（": "(", "）": ")", "＝": "=", "，": ",", "、": ",", "∘": r"\circ ",
}
_ROW_SKIP = re.compile(r"\s*\[\s*-?[0-9.]+\s*(pt|em|ex|mm|cm|in|mu|bp)\s*\]")
_OLD_FONT = re.compile(r"\{\s*\\(rm|mathrm|bf|bm|it|sf)\s+([A-Za-z][A-Za-z0-9]*)\s*\}")
_IDENT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s*$")
_CMD = re.compile(r"\\([A-Za-z]+\*?|.)", re.S)


class _NormError(Exception):
    """A normalisation failure at an offset of the text being normalised."""

    def __init__(self, pos: int, reason: str) -> None:
        super().__init__(reason)
        self.pos, self.reason = pos, reason


def _group_end(s: str, i: int) -> int:
    """Index after the balanced ``{...}`` starting at ``s[i] == '{'``."""
    depth = 0
    for j in range(i, len(s)):
        c = s[j]
        if c == "\\":
            continue
        if c == "{" and (j == 0 or s[j - 1] != "\\"):
            depth += 1
        elif c == "}" and (j == 0 or s[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return j + 1
    raise _NormError(i, "unbalanced braces: this '{' is never closed")


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _argument(s: str, i: int) -> tuple[str, int, int]:
    """The next TeX argument after ``i``: (content, content_start, end)."""
    j = _skip_ws(s, i)
    if j >= len(s):
        raise _NormError(i, "command needs an argument")
    if s[j] == "{":
        end = _group_end(s, j)
        return s[j + 1:end - 1], j + 1, end
    m = _CMD.match(s, j)
    if m:
        return m.group(0), j, m.end()
    return s[j], j, j + 1


class _Normaliser:
    """One left-to-right pass over the source (see module docstring)."""

    def __init__(self, source: str) -> None:
        self.s = source
        self.out = Text()
        self.braces: list = []       # per open '{': "keep" | "drop"
        self.envs: list = []         # open table environments
        self.bars: dict = {}         # brace depth → open '|' / '\|'

    def run(self) -> Text:
        s, i = self.s, 0
        while i < len(s):
            c = s[i]
            if c == "%" and (i == 0 or s[i - 1] != "\\"):
                while i < len(s) and s[i] != "\n":
                    i += 1
            elif c == "\\":
                i = self._command(i)
            elif c == "{":
                m = _OLD_FONT.match(s, i)
                if m:
                    cmd = r"\mathbf" if m.group(1) in ("bf", "bm") else r"\text"
                    self.out.emit(f"{cmd}{{{m.group(2)}}}", i)
                    i = m.end()
                    continue
                self.braces.append(("keep", i))
                self.out.emit("{", i)
                i += 1
            elif c == "}":
                if not self.braces:
                    raise _NormError(i, "unbalanced braces: unexpected '}'")
                for kind in ("|", "\\|"):
                    self.bars.pop((len(self.braces), kind), None)
                if self.braces.pop()[0] == "keep":
                    self.out.emit("}", i)
                i += 1
            elif c == "[" and IVERSON.match(s, i):
                m = IVERSON.match(s, i)  # [k = k']: the Iverson bracket of two indices, the Kronecker delta
                self.out.emit(rf"\mathbb{{1}}_{{{m.group(1)}={m.group(2)}}}", i)
                i = m.end()
            elif c == "&":
                end = None if self.envs else annotation_end(s, i)
                self.out.emit("&" if self.envs else " ", i)
                i = end if end is not None else i + 1
            elif c == "|":
                self._bar("|", i)
                i += 1
            elif c in "^_":
                j = _skip_ws(s, i + 1)
                if j < len(s) and s[j] == "{" and s[_skip_ws(s, j + 1):].startswith("}") \
                        and not _LETTER_NEXT.match(s, _skip_ws(s, j + 1) + 1):
                    i = _skip_ws(s, j + 1) + 1  # x^{} prints nothing: drop it
                    self.out.emit(" ", i - 1)
                    continue
                # TeX takes one digit: x^23 = x^{2}3 (the grammar's NUMBER is greedy)
                self.out.emit(c, i)
                if j + 1 < len(s) and s[j].isdigit() and s[j + 1].isdigit():
                    self.out.emit("{" + s[j] + "}", j)
                    i = j + 1
                else:
                    i += 1
            elif c == "~":
                self.out.emit(" ", i)
                i += 1
            elif c in _UNICODE:
                if _UNICODE[c] == r"\circ ":
                    self._circ(i, i + 1)
                else:
                    self.out.emit(_UNICODE[c], i)
                i += 1
            elif any(s.startswith(w, i) for w in _JA_POSTFIX):
                w = next(w for w in _JA_POSTFIX if s.startswith(w, i))
                self.out.emit(" " if self._in_cases() else r" \@fi ", i)
                i += len(w)
            else:
                self.out.emit(c, i)
                i += 1
        if self.braces:
            raise _NormError(self.braces[-1][1], "unbalanced braces: this '{' is never closed")
        return self.out

    def _bar(self, kind: str, pos: int, side: Optional[str] = None) -> None:
        depth = len(self.braces)
        key = (depth, kind)
        is_open = self.bars.get(key, False)
        if side is None:
            side = "r" if is_open else "l"
        self.bars[key] = side == "l"
        name = "vert" if kind == "|" else "Vert"
        self.out.emit(f"\\{side}{name} ", pos)

    def _command(self, i: int) -> int:
        s = self.s
        m = _CMD.match(s, i)
        if m is None:
            raise _NormError(i, "a lone backslash at the end")
        name = m.group(1)
        end = m.end()
        if name == "\\":
            self.out.emit("\\\\", i)
            skip = _ROW_SKIP.match(s, end)  # \\[4pt]
            return skip.end() if skip else end
        if name in _SPACES:
            self.out.emit(" ", i)
            return end
        if name == "|":
            self._bar("\\|", i)
            return end
        if name in ("left", "right") or _SIZES.match(s, i):
            if _SIZES.match(s, i):
                end = _SIZES.match(s, i).end()
            return self._delimiter(end, "l" if name == "left" or name.endswith("l") else
                                   "r" if name == "right" or name.endswith("r") else None, i)
        if name in ("lvert", "rvert", "lVert", "rVert"):
            self.bars[(len(self.braces), "|" if name.endswith("vert") else "\\|")] = \
                name.startswith("l")
            self.out.emit(f"\\{name} ", i)
            return end
        if name in ("vert", "Vert", "mid"):
            self._bar("|" if name != "Vert" else "\\|", i)
            return end
        if name in _DROP:
            self.out.emit(" ", i)
            return end
        if name.rstrip("*") in _DROP_WITH_ARG:
            return _argument(s, end)[2]
        if name in ("textcolor", "colorbox"):
            end = _argument(s, end)[2]
            return self._unwrap(end, i)
        if name in _UNWRAP:
            return self._unwrap(end, i)
        if name in ("begin", "end"):
            return self._environment(name, end, i)
        if name.rstrip("*") in _TEXT_CMDS | _FONT_CMDS:
            return self._text(name.rstrip("*"), end, i)
        if name in ("frac", "dfrac", "tfrac"):
            self.out.emit(m.group(0), i)
            d = re.compile(r"\s*(\d)\s*(\d)").match(s, end)
            if d:  # \frac12 → \frac{1}{2}
                self.out.emit("{" + d.group(1) + "}", d.start(1))
                self.out.emit("{" + d.group(2) + "}", d.start(2))
                return d.end()
            return end
        if name in ("cdotp", "centerdot"):
            self.out.emit(r"\cdot ", i)
            return end
        if name == "circ":
            self._circ(i, end)
            return end
        if name == "forall":
            self.out.emit(" " if self._in_cases() else r" \@for ", i)
            return end
        self.out.emit(m.group(0), i)
        return end

    def _delimiter(self, j: int, side: Optional[str], pos: int) -> int:
        s = self.s
        j = _skip_ws(s, j)
        if j >= len(s):
            raise _NormError(pos, "\\left/\\right without a delimiter")
        if s[j] == ".":
            self.out.emit(" ", pos)
            return j + 1
        if s[j] == "|":
            self._bar("|", pos, side)
            return j + 1
        m = _CMD.match(s, j)
        if m and m.group(1) in ("|", "Vert", "vert", "lvert", "rvert", "lVert", "rVert"):
            kind = "|" if m.group(1).endswith("vert") else "\\|"
            self._bar(kind, pos, side if side else ("l" if m.group(1).startswith("l") else "r"))
            return m.end()
        if m and m.group(1) in ("{", "}", "langle", "rangle", "lbrack", "rbrack", "lbrace",
                                "rbrace"):
            canon = {"lbrack": "[", "rbrack": "]", "lbrace": "\\{", "rbrace": "\\}"}
            self.out.emit(canon.get(m.group(1), m.group(0)), pos)
            return m.end()
        self.out.emit(s[j], pos)
        return j + 1

    def _in_cases(self) -> bool:
        return bool(self.envs) and self.envs[-1] in ("cases", "dcases")

    def _circ(self, pos: int, end: int) -> None:
        r"""``\circ`` between factors is the Hadamard product; ``^\circ`` (degrees) and
        ``f \circ g`` (composition of bare function names) are left unsupported."""
        before = self.out.text.rstrip()
        if before.endswith("^") or before.endswith("^{") \
                or re.search(r"(?<![A-Za-z\\])[fgh]$|\\(sigma|phi|varphi|psi)$", before) \
                or _FUNCTION_LIKE.match(self.s, end):
            self.out.emit(r"\circ ", pos)
        else:
            self.out.emit(r"\odot ", pos)

    def _unwrap(self, j: int, pos: int) -> int:
        j2 = _skip_ws(self.s, j)
        if j2 < len(self.s) and self.s[j2] == "{":
            self.braces.append(("drop", j2))
            self.out.emit(" ", pos)
            return j2 + 1
        self.out.emit(" ", pos)
        return j

    def _environment(self, name: str, j: int, pos: int) -> int:
        env, _, end = _argument(self.s, j)
        env = env.strip()
        if env in _ALIGN_ENVS:
            if env.startswith("align") and "at" in env and name == "begin":
                end = _argument(self.s, end)[2]
            self.out.emit(" ", pos)
            return end
        if env in _TABLE_ENVS:
            if name == "begin":
                self.envs.append(env)
                if env == "array":
                    spec, _, end = _argument(self.s, end)
                    self.out.emit(f"\\begin{{array}}{{{spec}}}", pos)
                    return end
            elif self.envs:
                self.envs.pop()
        self.out.emit(f"\\{name}{{{env}}}", pos)
        return end

    def _text(self, cmd: str, j: int, pos: int) -> int:
        content, cstart, end = _argument(self.s, j)
        m = _IDENT.match(content)
        in_cases = self._in_cases()
        phrase = " ".join(content.strip().strip(",.;:、，").split()).lower()
        if cmd in _TEXT_CMDS and phrase in _COND_WORDS and not in_cases:
            self.out.emit(f" {_COND_WORDS[phrase]} ", pos)
            return end
        if m and not (cmd in _TEXT_CMDS and m.group(1) in _PROSE_WORDS):
            word = m.group(1)
            self.out.emit(rf"\mathbf{{{word}}}" if cmd == "textbf" else rf"\text{{{word}}}", pos)
            return end
        if m and m.group(1) == "otherwise" and in_cases:
            self.out.emit(r"\text{otherwise}", pos)
            return end
        if cmd in _FONT_CMDS and self.s[_skip_ws(self.s, j)] == "{":
            # \mathrm{\Delta w}: the font does not matter, keep the group
            self.braces.append(("keep", pos))
            self.out.emit("{", pos)
            return cstart
        self.out.emit(" " if in_cases else _SEP, pos)
        return end


def normalise(source: str) -> Text:
    """Strip decoration/spacing and map delimiters; keeps source offsets."""
    s = source.strip()
    offset = source.index(s) if s else 0
    for a, b in (("$$", "$$"), (r"\[", r"\]"), (r"\(", r"\)"), ("$", "$")):
        if s.startswith(a) and s.endswith(b) and len(s) >= len(a) + len(b):
            offset += len(a)
            s = s[len(a):len(s) - len(b)]
            break
    try:
        text = _Normaliser(s).run()
    except _NormError as e:
        raise fail(source, e.pos + offset, e.reason) from None
    text.src = [p + offset for p in text.src]
    return text


