"""Finding English sentences left in a report meant to be Japanese.

What a reader sees as text is kept; what is not prose is taken out first: formulas (but the
words of their ``\\text{…}`` are kept and checked), code and quoted source, comments, file
names and paths, identifiers (``index_aware``, ``stray-free-index``, ``w_{jk}``) and the names
of functions and losses, which stay Latin in Japanese (ReLU, tanh, log-sum-exp, SymPy).  In
what is left, a run of three or more English words with nothing but spaces, digits and ASCII
punctuation between them is an English sentence (a Japanese character ends a run).
"""

from __future__ import annotations

import html
import re

#: Names that stay Latin in a Japanese text (functions, losses, tools).
NAMES = {"ReLU", "tanh", "softmax", "softplus", "sigmoid", "log", "exp", "max", "min", "sum", "exp",
         "SymPy", "mpmath", "symbackprop", "check", "report", "LuaLaTeX", "MathML", "lse",
         "logsumexp", "Jupyter", "max", "mpmath"}
_WORD = re.compile(r"[A-Za-z]+")
_RUN = re.compile(r"[A-Za-z0-9\s!\"#%&'()*+,./:;<=>?@\[\]^`{|}~\\-]+")
_FILE = re.compile(r"[\w./~-]*\w\.(?:md|html|tex|toml|ipynb|rst|txt|json|pdf|py)\b|(?:[\w.-]+/)+[\w.-]+")
_IDENTIFIER = re.compile(r"\b[A-Za-z]+(?:[_-][A-Za-z0-9]+)+\b|\b[A-Za-z]+\d+\b|--[a-z-]+")


def _text_commands(latex: str) -> list[str]:
    return re.findall(r"\\(?:text|textrm|textbf|textit|rulenote|mbox)\{((?:[^{}]|\{[^{}]*\})*)\}", latex)


def _strip_md(s: str, texts: list[str]) -> str:
    s = re.sub(r"<!--.*?-->", " ", s, flags=re.S)

    def math(m: re.Match) -> str:
        texts.extend(_text_commands(m.group(0)))
        return " ¶ "

    s = re.sub(r"\$\$.*?\$\$", math, s, flags=re.S)
    s = re.sub(r"(`+)(.+?)\1", " ¶ ", s)  # code spans (fences of any length)
    s = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", math, s)
    return s.replace("\\", "")


def _strip_html(s: str, texts: list[str]) -> str:
    s = re.sub(r"<!--.*?-->", " ", s, flags=re.S)
    s = re.sub(r"<style>.*?</style>", " ", s, flags=re.S)
    s = re.sub(r"<title>.*?</title>", " ", s, flags=re.S)

    def math(m: re.Match) -> str:
        texts.extend(html.unescape(t) for t in re.findall(r"<mtext>(.*?)</mtext>", m.group(0), flags=re.S))
        return " ¶ "

    s = re.sub(r"<math\b.*?</math>", math, s, flags=re.S)
    s = re.sub(r"<code>.*?</code>", " ¶ ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    return html.unescape(s)


def _strip_tex(s: str, texts: list[str]) -> str:
    s = re.sub(r"(?m)(?<!\\)%.*$", " ", s)

    def math(m: re.Match) -> str:
        texts.extend(_text_commands(m.group(0)))
        return " ¶ "

    s = re.sub(r"\\begin\{(align\*?|aligned|equation\*?)\}.*?\\end\{\1\}", math, s, flags=re.S)
    s = re.sub(r"\\\[.*?\\\]", math, s, flags=re.S)
    s = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", math, s, flags=re.S)
    s = re.sub(r"\\texttt\{(?:[^{}]|\{[^{}]*\})*\}", " ¶ ", s)
    s = re.sub(r"\\(?:documentclass|usepackage|newcommand|renewcommand|setlength|begin|end)(\[[^\]]*\])?"
               r"(\{(?:[^{}]|\{[^{}]*\})*\})*", " ", s)
    s = re.sub(r"\{@\{\}[^}]*\}|\{[lcr|]+\}|>\{[^{}]*\}p\{[^{}]*\}|\{[clr]*>\{.*?\}[lcr]*\}", " ", s)
    s = re.sub(r"\\[A-Za-z]+\*?", " ", s)  # command names (their arguments are text)
    return s.replace("{", " ").replace("}", " ")


STRIP = {"md": _strip_md, "html": _strip_html, "tex": _strip_tex}


def english_runs(text: str, kind: str, least: int = 3) -> list[str]:
    """Every run of ``least`` or more English words in the prose of a report of ``kind``."""
    texts: list[str] = []
    prose = STRIP[kind](text, texts)
    found = []
    inner = [re.sub(r"\\[A-Za-z]+", " ", re.sub(r"(?<!\\)\$.+?(?<!\\)\$", " ¶ ", t)) for t in texts]
    for part in [prose, *inner]:
        part = _FILE.sub(" ", part)
        part = _IDENTIFIER.sub(" ", part)
        part = re.sub(r"「[^」]*」", " ", part)  # a quotation of the document or a name
        for run in _RUN.findall(part):
            words = [w for w in _WORD.findall(run) if w not in NAMES]
            if len(words) >= least:
                found.append(" ".join(run.split()))
    return found
