"""Documents whose math is not delimited by ``$``: reStructuredText (``.. math::`` directives
and the ``:math:`` role) and Jupyter notebooks (the markdown cells, placed on the lines of
the ``.ipynb`` file)."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from json.decoder import scanstring

from symbackprop.errors import ParseError
from symbackprop.latex.delimiters import BARRIER, Fragment, _line_finder, _mask, _Raw, _Scanner
from symbackprop.latex.prose import prose_around
from symbackprop.latex.sections import sections_of

# ───────────────────────────── reStructuredText ─────────────────────────────

_RST_DIRECTIVE = re.compile(r"([ \t]*)\.\.[ \t]+([\w:-]+)::(.*)")
_RST_CODE = frozenset({"code", "code-block", "sourcecode", "literalinclude", "highlight", "raw"})
_RST_ROLE = re.compile(r":math:`([^`\x00]*)`")


def _scan_rst(text: str) -> list[_Raw]:
    """``.. math::`` blocks (one fragment per paragraph) and ``:math:`…``` roles."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found: list[_Raw] = []
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        m = _RST_DIRECTIVE.fullmatch(lines[i])
        literal = m is None and lines[i].rstrip().endswith("::")
        if not (m and (m.group(2) == "math" or m.group(2) in _RST_CODE)) and not literal:
            i += 1
            continue
        indent = len(m.group(1)) if m else len(lines[i]) - len(lines[i].lstrip())
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            j += 1
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        if m and m.group(2) == "math":
            if m.group(3).strip():
                found.append(_Raw(offsets[i], offsets[i + 1] - 1, m.group(3).strip(), True))
            found += _rst_paragraphs(lines, offsets, i + 1, j)
        spans.append((offsets[i + 1] if literal else offsets[i], offsets[j] - 1, BARRIER))
        i = j
    masked = _mask(text, spans)
    found += [_Raw(r.start(), r.end(), r.group(1).strip(), False) for r in _RST_ROLE.finditer(masked)]
    return sorted(found)


def _rst_paragraphs(lines: list[str], offsets: list[int], first: int, stop: int) -> list[_Raw]:
    """Each blank-line-separated paragraph of a math directive body (options skipped)."""
    out: list[_Raw] = []
    k = first
    while k < stop and re.match(r"[ \t]+:[\w-]+:", lines[k]):
        k += 1
    while k < stop:
        while k < stop and not lines[k].strip():
            k += 1
        start = k
        while k < stop and lines[k].strip():
            k += 1
        if start < k:
            source = "\n".join(line.strip() for line in lines[start:k])
            out.append(_Raw(offsets[start], offsets[k] - 1, source, True))
    return out


# ───────────────────────────── Jupyter notebooks ─────────────────────────────

_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_SCALAR = re.compile(r"-?(?:\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|Infinity)|true|false|null|NaN")


def _notebook(raw: str) -> list[Fragment]:
    """Fragments of the markdown cells, placed on the lines of the .ipynb file."""
    try:
        nb = json.loads(raw)
        strings = _source_strings(raw)
    except RecursionError as exc:
        raise ParseError("notebook JSON is nested too deeply to read") from exc
    except ValueError as exc:
        raise ParseError(f"notebook is not valid JSON: {exc}; open and re-save it in Jupyter") from exc
    if not isinstance(nb, dict):
        raise ParseError("notebook JSON must be an object with a 'cells' list")
    if isinstance(nb.get("cells"), list):
        cells = [(("cells", i), c) for i, c in enumerate(nb["cells"])]
    elif isinstance(nb.get("worksheets"), list):  # nbformat 3
        cells = [(("worksheets", w, "cells", i), c) for w, ws in enumerate(nb["worksheets"])
                 for i, c in enumerate(ws.get("cells", []) if isinstance(ws, dict) else [])]
    else:
        raise ParseError("notebook JSON has no 'cells' list; is this a Jupyter notebook?")
    file_line = _line_finder(raw)
    out: list[Fragment] = []
    outline: tuple = ()  # the headings of the markdown cells so far
    for index, (key, cell) in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown" or key not in strings:
            continue
        pieces = strings[key]
        starts, text = [], ""
        for _, piece in pieces:
            starts.append(len(text))
            text += piece
        cell_line = _line_finder(text)

        def where(offset: int) -> int:
            return file_line(pieces[max(0, bisect_right(starts, offset) - 1)][0])

        raws = _Scanner(text, "markdown").run()
        sections, outline = sections_of(text, "markdown", [r.start for r in raws], outline)
        for r, (before, after), placed in zip(raws, prose_around(text, raws), sections):
            last = max(r.start, r.end - 1)
            out.append(Fragment(r.source, where(r.start), where(last), r.display, r.environment,
                                cell=index, cell_line=cell_line(r.start),
                                source_line=where(r.first if r.first is not None else r.start), before=before, after=after,
                                section=placed.path, heading=placed.in_title))
    return out


def _source_strings(raw: str) -> dict[tuple[object, ...], list[tuple[int, str]]]:
    """Cell path → (file offset, text) of each string of its ``source``, by walking the raw JSON."""
    out: dict[tuple[object, ...], list[tuple[int, str]]] = {}

    def record(path: tuple[object, ...], offset: int, value: str) -> None:
        if len(path) >= 3 and path[-3] == "cells" and path[-1] == "source":
            out.setdefault(path[:-1], []).append((offset, value))
        elif len(path) >= 4 and path[-4] == "cells" and path[-2] == "source":
            out.setdefault(path[:-2], []).append((offset, value))

    def skip(pos: int) -> int:
        m = _JSON_WS.match(raw, pos)
        return m.end() if m else pos

    def walk(pos: int, path: tuple[object, ...]) -> int:
        pos = skip(pos)
        char = raw[pos]
        if char == '"':
            value, end = scanstring(raw, pos + 1)
            record(path, pos, value)
            return end
        if char not in "{[":
            scalar = _JSON_SCALAR.match(raw, pos)
            return scalar.end() if scalar else pos + 1
        close = "}" if char == "{" else "]"
        pos, index = skip(pos + 1), 0
        while raw[pos] != close:
            if char == "{":
                name, pos = scanstring(raw, pos + 1)
                pos = skip(pos) + 1  # the colon
                pos = walk(pos, path + (name,))
            else:
                pos = walk(pos, path + (index,))
            index += 1
            pos = skip(pos)
            if raw[pos] == ",":
                pos = skip(pos + 1)
        return pos + 1

    walk(0, ())
    return out
