r"""Derivation-aware LaTeX → SymPy: the public entry points.

``parse_math`` reads one display fragment (possibly an ``aligned`` block with
several rows) into relation chains; ``parse_expr`` reads a single expression.

Pipeline: ``normalise`` (spacing, ``\left``/``\right``, colours, tags, prose
``\text``, environments; keeps a map back to source offsets) → ``split_rows``
(``\\`` outside matrices, continuation rows joined) → Lark LALR parser
(``grammar.lark``) per row → ``transform.ToAst`` → ``transform.Builder``.

Output conventions (see ``transform`` for the full tables):

* ``w_{jk}`` → ``IndexedBase("w")[j, k]`` with ``j = Symbol("j", integer=True)``;
  ``E_{total}`` → ``Symbol("E_{total}")``.
* layer labels fold into the name: ``a^{i-1}_j`` → ``IndexedBase("a^{i-1}")[j]``,
  ``a^L`` → ``Symbol("a^{L}")``; numeric superscripts are powers.
* ``\frac{\partial E}{\partial w}``, ``\partial_x f``, ``\frac{d}{dx} f``,
  ``\partial E / \partial w`` → ``Derivative(..., evaluate=False)``.
* ``\sum_{k=1}^{n} f`` → ``Sum(f, (k, 1, n))``; ``\sum_k f`` →
  ``Sum(f, (k, 1, Symbol("n_{k}", integer=True, positive=True)))``.
* ``t_1 + \cdots + t_m`` → ``Sum(t_q, (q, 1, m))`` (fresh index q, r, s, p, ...).
* ``\sigma(x)`` → ``sigmoid(x)``; ``f'(u)`` → ``Derivative(f(u), u)`` (or
  ``Subs`` for compound arguments); ``x^\top`` → ``Function("transpose")(x)``;
  ``a \odot b`` → ``Function("hadamard")(a, b)``; ``\|x\|`` → ``Function("norm")``.
* matrices → ``ImmutableMatrix``; ``cases`` → ``Piecewise``.
* a bare ``\partial w_{jk}`` (gradient shorthand) → ``IndexedBase("\partial w")[j, k]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import sympy as sp
from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from symbackprop.errors import ParseError
from symbackprop.latex.transform import Builder, SemanticError, ToAst

__all__ = ["ParseOptions", "Chain", "Parsed", "parse_math", "parse_expr", "ParseError"]


@dataclass(frozen=True)
class ParseOptions:
    """How ambiguous notation is read.

    index_letters: lowercase letters that may form multi-letter index lists
        (``w_{jk}``); a subscript with another lowercase letter is a word.
    layer_letters: letters whose short expressions (``L``, ``l+1``) are layer
        labels on a symbol *without* subscript (``a^L``, ``W^{l}``).
    label_superscripts: False ⇒ every superscript except ``^T``/``'`` is a power.
    function_names: names applied to a following ``( )`` (others multiply).
    kronecker: ``\\delta_{ij}`` and ``\\mathbb{1}_{i=j}`` are ``KroneckerDelta``.
    """

    index_letters: frozenset = frozenset("ijklmnpqrs")
    layer_letters: frozenset = frozenset("lLNi")
    label_superscripts: bool = True
    function_names: frozenset = frozenset({"f", "g", "h", "phi", "varphi", "psi", "E", "C"})
    kronecker: bool = False


@dataclass(frozen=True)
class Chain:
    """A relation chain ``e0 op0 e1 op1 e2 …`` (``len(exprs) == len(ops) + 1``).

    ``ops`` are canonical: ``"="``, ``":="``, ``"\\approx"``, ``"\\neq"``,
    ``"<"``, ``">"``, ``"\\le"``, ``"\\ge"``, ``"\\equiv"``, ``"\\simeq"``,
    ``"\\propto"``, ``"\\leftarrow"`` (update rules ``w \\gets w - \\eta g``).
    ``row_texts`` are the source rows the chain was read from.
    """

    exprs: tuple
    ops: tuple
    row_texts: tuple

    @property
    def lhs(self) -> sp.Basic:
        return self.exprs[0]

    @property
    def relations(self) -> tuple:
        """``((a, op, b), ...)`` for adjacent pairs."""
        return tuple(zip(self.exprs, self.ops, self.exprs[1:]))


@dataclass(frozen=True)
class Parsed:
    """All chains of one fragment, in source order."""

    source: str
    chains: tuple

    @property
    def relations(self) -> tuple:
        """Every ``(a, op, b)`` of every chain."""
        return tuple(r for c in self.chains for r in c.relations)


# ----------------------------------------------------------------- normalising


@dataclass
class _Text:
    """Normalised text; ``src[i]`` is the source offset of character ``i``."""

    chars: list = field(default_factory=list)
    src: list = field(default_factory=list)

    def emit(self, s: str, pos: int) -> None:
        self.chars.extend(s)
        self.src.extend([pos] * len(s))

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def slice(self, a: int, b: int) -> "_Text":
        return _Text(self.chars[a:b], self.src[a:b])


_SEP = r" \@sep "
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
        self.out = _Text()
        self.braces: list = []       # per open '{': "keep" | "drop"
        self.envs: list = []         # open table environments
        self.bars: dict = {}         # brace depth → open '|' / '\|'

    def run(self) -> _Text:
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
            elif c == "&":
                self.out.emit("&" if self.envs else " ", i)
                i += 1
            elif c == "|":
                self._bar("|", i)
                i += 1
            elif c in "^_":
                # TeX takes one digit: x^23 = x^{2}3 (the grammar's NUMBER is greedy)
                self.out.emit(c, i)
                j = _skip_ws(s, i + 1)
                if j + 1 < len(s) and s[j].isdigit() and s[j + 1].isdigit():
                    self.out.emit("{" + s[j] + "}", j)
                    i = j + 1
                else:
                    i += 1
            elif c == "~":
                self.out.emit(" ", i)
                i += 1
            elif c in _UNICODE:
                self.out.emit(_UNICODE[c], i)
                i += 1
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
        in_cases = bool(self.envs) and self.envs[-1] in ("cases", "dcases")
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


def normalise(source: str) -> _Text:
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
        raise _fail(source, e.pos + offset, e.reason) from None
    text.src = [p + offset for p in text.src]
    return text


# ----------------------------------------------------------------- rows

_ROW_START_OP = re.compile(
    r"^\s*(?:\\(?:quad|qquad|@sep)\s*)*(\+|-|\\cdot|\\times|\\odot|\\ast)(?![A-Za-z])")
_LEAD_SEP = re.compile(r"^\s*(?:\\(?:quad|qquad|@sep)(?![A-Za-z])\s*)+")
_ENDS_WITH_OP = re.compile(r"(\+|-|=|\\cdot|\\times|\\odot|\\approx|\\le|\\ge)\s*$")
_OPENERS = re.compile(r"\(|\[|\\\{|\\lvert|\\lVert")
_CLOSERS = re.compile(r"\)|\]|\\\}|\\rvert|\\rVert")


def split_rows(text: _Text) -> list:
    """Split on ``\\\\`` outside braces/matrices; join continuation rows."""
    t = text.text
    rows, depth, env, start, i = [], 0, 0, 0, 0
    while i < len(t):
        if t.startswith("\\\\", i):
            if depth == 0 and env == 0:
                rows.append(text.slice(start, i))
                start = i + 2
            i += 2
            continue
        if t.startswith("\\begin{", i):
            env += 1
        elif t.startswith("\\end{", i):
            env -= 1
        elif t[i] == "\\":
            i += 2
            continue
        elif t[i] == "{":
            depth += 1
        elif t[i] == "}":
            depth -= 1
        i += 1
    rows.append(text.slice(start, len(t)))
    rows = [_trim(r) for r in rows]
    joined: list = []
    for r in rows:
        rt = r.text
        if not rt.strip():
            continue
        if joined and ((_ROW_START_OP.match(rt) and not _has_relation(rt))
                       or _unbalanced(joined[-1].text) or _ENDS_WITH_OP.search(joined[-1].text)):
            m = _LEAD_SEP.match(rt)
            if m:
                r = r.slice(m.end(), len(rt))
            prev = joined[-1]
            joined[-1] = _Text(prev.chars + [" "] + r.chars,
                               prev.src + [prev.src[-1] if prev.src else 0] + r.src)
        else:
            joined.append(r)
    return joined


_REL_CMD = re.compile(r"\\(approx|neq?|leq?q?|geq?q?|lt|gt|equiv|simeq|propto|coloneqq|"
                      r"leftarrow|gets)(?![A-Za-z])|[=<>]")


def _has_relation(t: str) -> bool:
    """Does the row hold a relation outside braces (k=1 in \\sum_{k=1} does not count)?"""
    depth = 0
    for pos, ch in enumerate(t):
        if ch == "{" and (pos == 0 or t[pos - 1] != "\\"):
            depth += 1
        elif ch == "}" and (pos == 0 or t[pos - 1] != "\\"):
            depth -= 1
        elif depth == 0 and _REL_CMD.match(t, pos) and not (pos and t[pos - 1] == "\\"):
            return True
    return False


def _unbalanced(t: str) -> bool:
    return len(_OPENERS.findall(t)) > len(_CLOSERS.findall(t))


def _trim(r: _Text) -> _Text:
    """Strip spaces and a trailing '.' or ',' (sentence punctuation)."""
    t = r.text
    end = len(t.rstrip())
    while end > 0 and t[end - 1] in ".," and not t[:end].endswith("...") \
            and not (end >= 2 and t[end - 2] == "\\"):
        end = len(t[:end - 1].rstrip())
    start = len(t) - len(t.lstrip())
    return r.slice(start, max(start, end))


# ----------------------------------------------------------------- parsing


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark.open(str(Path(__file__).with_name("grammar.lark")), parser="lalr",
                     lexer="contextual", propagate_positions=True, maybe_placeholders=True)


_TERMINAL_NAMES = {
    "RPAR": "')'", "LPAR": "'('", "RSQB": "']'", "LSQB": "'['", "RBRACE": "'}'",
    "LBRACE": "'{'", "COMMA": "','", "EQ": "'='", "RELOP": "a relation", "ADDOP": "'+' or '-'",
    "MULOP": "'\\cdot'", "ODOT": "'\\odot'", "$END": "end of row", "LETTER": "a letter",
    "NUMBER": "a number", "GREEK": "a Greek letter", "FRAC": "\\frac",
    "RVERT": "closing '|'", "RNORM": "closing '\\|'", "RSET": "'\\}'", "MATEND": "\\end{matrix}",
    "CASESEND": "\\end{cases}", "AMP": "'&'", "ROWSEP": "'\\\\'", "SEP": "a separator",
}

_ERROR_EXAMPLES = {
    "missing closing ')'": ["(a", "f(x", "(a + b", "((a)", "(a, b", "\\sigma(x"],
    "unmatched closing delimiter": ["a)", "a + b)", "(a))", "a]", "a = b)"],
    "missing operand": ["a +", "a -", "a \\cdot", "a =", "a = b +", "a \\odot", "\\sum_k a +",
                        "a = = b", "a + = b"],
    "\\frac needs two arguments": ["\\frac{a}", "\\frac", "\\frac{a}+b"],
    "subscript or superscript without argument": ["x_", "x^", "x^{}", "x_{}", "x^ + 1"],
    "empty group": ["{}", "()", "a + ()", "f()"],
    "a comma-separated list is not an expression": ["a, b", "a = b, c", "x_1, x_2, \\ldots"],
    "unclosed environment": ["\\begin{bmatrix} a", "\\begin{bmatrix} a & b \\\\ c",
                             "\\begin{bmatrix} a & b", "\\begin{cases} a & b"],
}
_OPENER_OF = {"RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "RVERT": "'|'",
              "RNORM": "'\\|'", "RSET": "'\\}'", "MATEND": "\\end{matrix}",
              "CASESEND": "\\end{cases}"}


def _token_type(e: UnexpectedInput) -> Optional[str]:
    if isinstance(e, UnexpectedEOF):
        return "$END"
    tok = getattr(e, "token", None)
    return None if tok is None else tok.type


@lru_cache(maxsize=1)
def _example_errors() -> tuple:
    """(label, error) for every example; each example must fail to parse."""
    out = []
    for label, examples in _ERROR_EXAMPLES.items():
        for example in examples:
            try:
                _parser().parse(example)
            except UnexpectedInput as ut:
                out.append((label, ut))
    return tuple(out)


def _classify(e: UnexpectedInput, allowed: list) -> Optional[str]:
    """Name the failure: an example failing in the same parser state on the same
    kind of token (Lark's ``match_examples`` idea, but requiring the token to
    match), else a rule of thumb from the token and the expected set."""
    ttype = _token_type(e)
    if ttype is None:
        return None
    for label, ut in _example_errors():
        if ut.state == e.state and _token_type(ut) == ttype \
                and getattr(ut, "accepts", None) == getattr(e, "accepts", None):
            return label
    closers = [a for a in allowed if a in _OPENER_OF]
    if ttype == "$END" and closers:
        if closers[0] in ("MATEND", "CASESEND"):
            return "unclosed environment"
        return f"missing closing {_OPENER_OF[closers[0]]}"
    if ttype in _OPENER_OF:
        return "unmatched closing delimiter"
    if ttype == "COMMA":
        return "a comma-separated list is not an expression"
    if "LETTER" in allowed and "$END" not in allowed:
        return "missing operand"
    return None


def _line_col(source: str, pos: int) -> tuple[int, int]:
    pos = max(0, min(pos, len(source)))
    line = source.count("\n", 0, pos) + 1
    col = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _where(source: str, pos: int, reason: str) -> str:
    line, col = _line_col(source, pos)
    lo = max(0, pos - 25)
    excerpt = source[lo:pos + 25].replace("\n", " ")
    return f"{reason} at line {line}, column {col}: …{excerpt}…\n{' ' * (pos - lo + 1)}^"


def _fail(source: str, pos: int, reason: str) -> ParseError:
    """A ParseError at source offset ``pos`` (attributes: position, line, column, reason)."""
    err = ParseError(_where(source, pos, reason))
    err.position = pos
    err.line, err.column = _line_col(source, pos)
    err.reason = reason
    return err


def _error(source: str, row: _Text, pos: int, reason: str) -> ParseError:
    src_pos = row.src[pos] if pos < len(row.src) else (row.src[-1] + 1 if row.src else 0)
    return _fail(source, src_pos, reason)


def _syntax_error(source: str, row: _Text, e: UnexpectedInput) -> ParseError:
    text = row.text
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream
        m = re.match(r"\\([A-Za-z]+|.)", text[pos:])
        if text[pos] == "\\" and m:
            reason = f"unsupported command \\{m.group(1)}"
        elif text[pos] == "&":
            reason = "'&' outside an aligned row or matrix"
        else:
            reason = f"unexpected character {text[pos]!r}"
        allowed = sorted(e.allowed or [])
    else:
        tok = getattr(e, "token", None)
        pos = len(text) if isinstance(e, UnexpectedEOF) or tok is None or tok.type == "$END" \
            else tok.start_pos
        shown = "end of row" if pos >= len(text) else repr(str(tok))
        reason = f"unexpected {shown}"
        allowed = sorted(getattr(e, "accepts", None) or getattr(e, "expected", None) or [])
    label = _classify(e, allowed)
    if label:
        reason = f"{label}: {reason}"
    closers = [a for a in allowed if a in _OPENER_OF]
    if pos >= len(text) and closers:
        allowed = closers
    names = [_TERMINAL_NAMES.get(a, a) for a in allowed if not a.startswith("__")]
    if names and len(names) <= 8:
        reason += "; expected " + ", ".join(dict.fromkeys(names))
    elif names:
        reason += "; expected an expression"
    return _error(source, row, pos, reason)


def _row_source(source: str, row: _Text) -> str:
    """The source text of a row, including a leading alignment '&'."""
    if not row.src:
        return ""
    a, b = row.src[0], row.src[-1] + 1
    k = a - 1
    while k >= 0 and source[k] in " \t":
        k -= 1
    if k >= 0 and source[k] == "&":
        a = k
    return source[a:b].strip()


def parse_math(source: str, options: ParseOptions = ParseOptions()) -> Parsed:
    """Parse one display fragment into relation chains.

    Rows are separated by ``\\\\``; a row starting with a relation (``&= c``)
    continues the previous chain, a row with its own left side starts a new
    one; rows starting with ``+``/``-`` continue the previous expression.
    ``\\Rightarrow``, ``\\to``, ``\\quad`` and prose ``\\text{...}`` separate
    statements within a row.  Raises ``ParseError`` with line/column.
    """
    if not isinstance(source, str):
        raise ParseError(f"expected LaTeX source text, got {type(source).__name__}")
    text = normalise(source)
    builder = Builder(options)
    chains: list = []
    for row in split_rows(text):
        row_text = row.text
        try:
            tree = _parser().parse(row_text)
        except UnexpectedInput as e:
            raise _syntax_error(source, row, e) from None
        stmts = ToAst(row_text).transform(tree)
        original = _row_source(source, row)
        for st in stmts:
            try:
                exprs, ops = builder.stmt(st)
            except SemanticError as e:
                raise _error(source, row, e.pos, e.message) from None
            except (TypeError, ValueError, AttributeError) as e:
                raise _error(source, row, st.pos, f"cannot build this expression ({e})") from None
            if st.continued:
                if not chains:
                    raise _error(source, row, st.pos,
                                 f"row starts with '{ops[0]}' but there is no left side before it")
                last = chains[-1]
                rows_ = last[2] if last[2][-1] == original else last[2] + [original]
                chains[-1] = (last[0] + exprs, last[1] + ops, rows_)
            else:
                chains.append((exprs, ops, [original]))
    return Parsed(source, tuple(Chain(tuple(e), tuple(o), tuple(r)) for e, o, r in chains))


def parse_expr(source: str, options: ParseOptions = ParseOptions()) -> sp.Basic:
    """Parse a single expression (no relation, one statement)."""
    parsed = parse_math(source, options)
    if len(parsed.chains) != 1:
        raise ParseError(f"expected one expression, found {len(parsed.chains)} statements "
                         f"in {source!r}")
    chain = parsed.chains[0]
    if chain.ops:
        raise ParseError(f"expected an expression, found a relation '{chain.ops[0]}' in {source!r}")
    return chain.exprs[0]
