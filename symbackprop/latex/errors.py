r"""The row parser (Lark LALR, ``grammar.lark``) and its error messages.

A syntax error is named by example: ``_ERROR_EXAMPLES`` holds small rows that
fail in a known way; a failing row that stops in the same parser state on the
same kind of token gets that example's label (Lark's ``match_examples`` idea,
but requiring the token to match).  Every message carries the source line and
column (``fail``), so a ``ParseError`` points into the fragment as written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Optional

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from symbackprop.errors import ParseError
from symbackprop.latex.vocabulary import words as known_words
from symbackprop.notation import GREEK_NAMES

__all__ = ["parser", "fail", "error", "syntax_error", "line_col", "too_deep", "UnexpectedInput",
           "MAX_TREE_DEPTH", "TOO_DEEP"]


def grammar(words: tuple[str, ...] = ()) -> str:
    """The grammar (``grammar.lark``, next to this module) with its tables filled in: ``WORD``
    lexes ``words`` (default: :func:`~symbackprop.latex.vocabulary.words`, the notation
    table's readings and the elementary names), ``GREEK`` every name of
    :data:`~symbackprop.notation.GREEK_NAMES`."""
    text = Path(__file__).with_name("grammar.lark").read_text(encoding="utf-8")
    greek = sorted(GREEK_NAMES, key=lambda g: (-len(g), g))
    return (text.replace("@WORDS@", "|".join(map(re.escape, words or known_words())))
            .replace("@GREEK@", "|".join(greek)))


def parser() -> Lark:
    """The LALR parser for one row, for the words the notation table reads now."""
    return _parser(known_words())


@lru_cache(maxsize=4)
def _parser(words: tuple[str, ...]) -> Lark:
    return Lark(grammar(words), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=True)


#: The deepest parse tree a row may give.  The tree transformer and the builder recurse once
#: or twice per level, and each bracket, fraction or script adds 6–7 levels, so this allows
#: about 30 nested groups (textbook formulas use fewer than 10) and keeps every later pass
#: far from Python's recursion limit.
MAX_TREE_DEPTH = 200
TOO_DEEP = ("nested too deeply (more than about 30 brackets, fractions, roots or scripts "
            "inside one another)")


def too_deep(tree, limit: int = MAX_TREE_DEPTH) -> Optional[int]:
    """The row offset of the first node deeper than ``limit`` in a Lark ``tree``, or None.

    Walks the tree with an explicit stack (no recursion), so any depth is measured safely."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        children = getattr(node, "children", None)
        if children is None:
            continue
        if depth > limit:
            meta = getattr(node, "meta", None)
            return getattr(meta, "start_pos", 0) if meta is not None and not meta.empty else 0
        stack.extend((c, depth + 1) for c in children)
    return None


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


def _example_errors() -> tuple:
    """(label, error) for every example; each example must fail to parse."""
    return _errors_of_examples(known_words())


@lru_cache(maxsize=4)
def _errors_of_examples(words: tuple[str, ...]) -> tuple:
    out = []
    for label, examples in _ERROR_EXAMPLES.items():
        for example in examples:
            try:
                _parser(words).parse(example)
            except UnexpectedInput as ut:
                out.append((label, ut))
    return tuple(out)


def _classify(e: UnexpectedInput, allowed: list) -> Optional[str]:
    """Name the failure: an example failing in the same parser state on the same
    kind of token, else a rule of thumb from the token and the expected set."""
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


def line_col(source: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of offset ``pos`` in ``source``."""
    pos = max(0, min(pos, len(source)))
    line = source.count("\n", 0, pos) + 1
    col = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _where(source: str, pos: int, reason: str) -> str:
    line, col = line_col(source, pos)
    lo = max(0, pos - 25)
    excerpt = source[lo:pos + 25].replace("\n", " ")
    return f"{reason} at line {line}, column {col}: …{excerpt}…\n{' ' * (pos - lo + 1)}^"


def fail(source: str, pos: int, reason: str) -> ParseError:
    """A ParseError at source offset ``pos`` (attributes: position, line, column, reason)."""
    err = ParseError(_where(source, pos, reason))
    err.position = pos
    err.line, err.column = line_col(source, pos)
    err.reason = reason
    return err


def error(source: str, row, pos: int, reason: str) -> ParseError:
    """A ParseError at offset ``pos`` of a normalised ``row`` (mapped back to the source)."""
    src_pos = row.src[pos] if pos < len(row.src) else (row.src[-1] + 1 if row.src else 0)
    return fail(source, src_pos, reason)


def syntax_error(source: str, row, e: UnexpectedInput) -> ParseError:
    """The ParseError for a Lark failure on ``row`` (a normalised row of ``source``)."""
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
    return error(source, row, pos, reason)
