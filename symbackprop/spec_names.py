"""The names a spec introduces, and the rules that keep them unambiguous in print.

A spec names widths (``size = "m"``), index letters (``index = "j"``) and the
letters of ``[notation]``.  The printers write all of them next to each other
and next to the function names of :func:`printer_names` (σ, H, tanh, …), so two
of them that *look* alike make a formula ambiguous: ``notation.activation = "u"``
gives the forward pass u_k = σ(u_k), a width named ``sigma`` prints as σ.

Every rule of :data:`CLASH_RULES` is a named check whose docstring says why;
:func:`find_clash` applies them to the names in spec order (notation, indices,
sizes) and returns the first clash, blaming the later name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Union

import sympy as sp

from .model import Notation
from .notation import GREEK_GLYPHS, matrix_letter
from .rules.forms import FunctionForms
from .rules.notation_table import rows

# ── how a name looks in print ──────────────────────────────────────────────
_UPRIGHT = re.compile(r"\\(?:operatorname|mathrm|text)\{([^{}]*)\}")


# ── what a notation string may be ─────────────────────────────────────────
#: commands a notation string may wrap its letter in (fonts and accents; nothing that reads files
#: or defines macros)
DECORATIONS = ("mathbf", "bm", "boldsymbol", "mathrm", "mathit", "mathsf", "mathcal", "hat", "tilde",
               "bar", "vec", "check", "dot", "operatorname")


def _notation_name() -> re.Pattern[str]:
    """Letters, a Greek command or a command the printers write (``\\tanh``: refused later as a
    clash, with that reason), in at most one decoration, with primes and one subscript."""
    return _notation_pattern(printer_names())


@functools.lru_cache(maxsize=4)
def _notation_pattern(printers: tuple[PrinterName, ...]) -> re.Pattern[str]:
    commands = set(GREEK_GLYPHS) | {s[1:] for p in printers for s in p.spellings
                              if re.fullmatch(r"\\[A-Za-z]+", s)}
    glyphs = "".join(re.escape(s) for p in printers for s in p.spellings if len(s) == 1)
    letter = (r"(?:[^\W\d_]\w*|[" + glyphs + r"]|\\(?:"
              + "|".join(sorted(commands, key=len, reverse=True)) + r"))")
    return re.compile(r"(?:\\(?:" + "|".join(DECORATIONS) + r")\{" + letter + r"\}|" + letter + r")"
                      r"'*(?:_(?:[A-Za-z0-9]|\{[A-Za-z0-9]+\}))?")


def notation_problem(key: str, value: str) -> Optional[str]:
    """Why ``value`` cannot be the letter of ``notation.key``, or None.

    A notation string is printed into LaTeX, Markdown and HTML reports as it is, so it must
    be a symbol and nothing else: letters and digits (``w``, ``W``, ``net``, ``δ``), a Greek
    command (``\\xi``), optionally in one font or accent (``\\mathbf{W}``, ``\\hat{y}``), with
    primes and one subscript.  Anything else (``\\input{…}``, ``<script>``, ``$``) could run
    TeX commands or inject HTML, and is refused at load."""
    if key == "weight_order":
        return None
    if len(value) > 40 or not _notation_name().fullmatch(value):
        fonts = ", ".join("\\" + d for d in DECORATIONS[:6])
        return (f"{value!r} is not a symbol: use letters and digits (w, W, net, δ), a Greek command "
                f"(\\xi), optionally in one of {fonts}, … (\\mathbf{{W}}), "
                f"with primes and one subscript")
    return None


def glyph(latex: str) -> str:
    """What a LaTeX snippet shows: ``\\sigma`` → σ, ``h_{1}`` → h_1, ``\\operatorname{ReLU}`` → ReLU."""
    s = _UPRIGHT.sub(r"\1", re.sub(r"\s+", "", latex))
    s = re.sub(r"\\([A-Za-z]+)", lambda m: GREEK_GLYPHS.get(m.group(1), m.group(0)), s)
    return s.replace("{", "").replace("}", "")


def symbol_latex(name: str, notation: Notation) -> str:
    """The LaTeX a size or index symbol prints as (``NotationLatexPrinter._print_Symbol``):
    ``E`` is the loss and prints as ``notation.loss``, any other name as SymPy writes it."""
    return notation.loss if name == "E" else sp.latex(sp.Symbol(name))


#: Notation keys whose letter the batch form capitalises (y → Y); bias and loss are kept as written.
MATRIX_KEYS = ("weight", "preactivation", "activation", "input", "target", "delta")


@dataclass(frozen=True)
class Name:
    """One name of a spec: where it is (``key``), as written (``value``), its role and its look."""

    key: str
    value: str
    role: str  # "notation" | "index" | "size"
    shows: str  # the glyph in the LaTeX output
    matrix: str = ""  # the glyph in the batch (matrix) form, for notation letters

    @property
    def looks(self) -> frozenset[str]:
        """Every form a reader may meet: the LaTeX glyph and the spelling (what the text output shows)."""
        return frozenset({self.shows, self.value.lstrip("\\")})


def spec_names(notation: Notation, layers: Iterable[tuple[Union[int, str], str]],
               training: Optional[dict] = None) -> list[Name]:
    """The names of a spec in order: notation letters, index letters, symbolic sizes, and the
    names of a ``[training]`` table (the example's index, the batch size and the learning rate
    where they are symbols).

    ``layers`` holds ``(size, index)`` per layer, input first, as written in the spec.
    """
    names = []
    for key in Notation.keys():
        if key == "weight_order":
            continue
        value = getattr(notation, key)
        matrix = glyph(matrix_letter(value) if key in MATRIX_KEYS else value)
        names.append(Name(f"notation.{key}", value, "notation", glyph(value), matrix))
    layers = list(layers)
    for n, (_, index) in enumerate(layers):
        names.append(Name(f"layers[{n}].index", index, "index", glyph(symbol_latex(index, notation))))
    for n, (size, _) in enumerate(layers):
        if isinstance(size, str):
            names.append(Name(f"layers[{n}].size", size, "size", glyph(symbol_latex(size, notation))))
    if training is not None:
        index = training.get("index", "n")
        names.append(Name("training.index", index, "index", glyph(symbol_latex(index, notation))))
        for key in ("batch", "learning_rate"):
            value = training.get(key)
            if isinstance(value, str):
                names.append(Name(f"training.{key}", value, "training", glyph(symbol_latex(value, notation))))
    return names


# ── the function names the printers write ─────────────────────────────────
@dataclass(frozen=True)
class PrinterName:
    """A name the printers emit (``printing.py``, ``present.py``, the activation table)."""

    shows: str
    meaning: str
    spellings: frozenset[str]
    #: The one spec key that may use it (δ is the default notation.delta).
    owner: str = ""


def _printer(shows: str, meaning: str, *spellings: str, owner: str = "") -> PrinterName:
    return PrinterName(shows, meaning, frozenset({shows, *spellings}), owner)


def _row_printer(row: FunctionForms) -> PrinterName:
    """A network function's printed name (its row's text head) and the spellings that read as
    it: its name, the verifier's name, and its LaTeX command unless a Greek letter (``\\tanh``)."""
    command = row.latex if re.fullmatch(r"\\[A-Za-z]+", row.latex) and row.latex[1:] not in GREEK_GLYPHS else ""
    return _printer(row.text, row.meaning, *{row.name, row.verifier.name, command} - {""})


def printer_names() -> tuple[PrinterName, ...]:
    """Every function or operator name in the printed derivations, with the spellings that read as
    it: the notation table's functions first, then :data:`OTHER_PRINTER_NAMES`.
    tests/test_spec.py derives every activation and loss and checks that each printed head is here."""
    return tuple(_row_printer(r) for r in rows()) + OTHER_PRINTER_NAMES


#: The printed names that are no network function's.
OTHER_PRINTER_NAMES: tuple[PrinterName, ...] = (
    _printer("softmax", "the softmax activation"),
    _printer("e", "the exponential e^u (exp(u) in text)", "exp", r"\exp"),
    _printer("log", "the logarithm log(y)", r"\log"),
    _printer("id", "the identity activation (id in the layer table)", "identity"),
    _printer("Σ", "the summation sign", "Sigma", "sum", r"\sum"),
    _printer("∂", "the partial derivative ∂E/∂w", "partial", r"\partial"),
    _printer("δ", "the error signal δ = ∂E/∂u (section titles)", "delta", owner="notation.delta"),
)


def printer_name(name: Name) -> Optional[PrinterName]:
    """The printer's function name that ``name`` reads as, if any."""
    for p in printer_names():
        if p.owner != name.key and name.looks & p.spellings:
            return p
    return None


# ── clash rules ───────────────────────────────────────────────────────────
PairCheck = Callable[[Name, Name], Optional[str]]


def same_spelling(a: Name, b: Name) -> Optional[str]:
    """Two names spelled alike in different places are one symbol to the reader (and to SymPy):
    ``notation.activation = "u"`` makes the forward pass u_k = σ(u_k).  Only two layers of the
    same width may share a size name."""
    if a.value == b.value and not (a.role == b.role == "size"):
        return ""
    return None


def prints_alike(a: Name, b: Name) -> Optional[str]:
    """Different spellings that print the same are ambiguous on the page: sizes ``h1`` and
    ``h_1`` both print h₁, a size ``xi`` prints as the delta letter ``\\xi``, a size ``E`` prints
    as the loss letter."""
    common = a.looks & b.looks
    if common and not (a.role == b.role == "size" and a.value == b.value):
        return f"both print as {a.shows if a.shows in common else sorted(common)[0]}"
    return None


def reads_as_entry(a: Name, b: Name) -> Optional[str]:
    """A subscripted size whose base letter is an indexed quantity reads as one of its entries:
    a width ``y_1`` next to the activations y_k is y₁, the first output."""
    for size, letter in ((a, b), (b, a)):
        if size.role == "size" and letter.role == "notation" and letter.key != "notation.loss":
            base, sep, _ = size.shows.partition("_")
            if sep and base == letter.shows:
                return f"{size.shows} reads as an entry of {letter.shows}"
    return None


def same_matrix_letter(a: Name, b: Name) -> Optional[str]:
    """The batch (matrix) form capitalises the quantities (y → Y, t → T, δ → Δ): notation letters
    that differ only in case (``activation = "y"``, ``target = "Y"``) become one matrix."""
    if a.role == b.role == "notation" and a.matrix == b.matrix:
        return f"both print as {a.matrix} in the batch (matrix) form"
    return None


@dataclass(frozen=True)
class ClashRule:
    """A named rule: ``check(later, earlier)`` returns the reason of a clash (``""`` if obvious) or None."""

    name: str
    check: PairCheck

    @property
    def rationale(self) -> str:
        return (self.check.__doc__ or "").strip()


#: The rules between two names, in the order they are tried (the first that fires is reported).
CLASH_RULES: tuple[ClashRule, ...] = (
    ClashRule("same_spelling", same_spelling),
    ClashRule("prints_alike", prints_alike),
    ClashRule("reads_as_entry", reads_as_entry),
    ClashRule("same_matrix_letter", same_matrix_letter),
)

#: Why no name may read as a printer's function name (the one rule about single names).
PRINTER_NAME_RULE = ("A name that reads as a function the printers write (σ, H, tanh, Σ, …) is "
                     "ambiguous: a width H next to the step H(u), a width sigma printed σ.")


@dataclass(frozen=True)
class Clash:
    """``name`` clashes with ``other`` (an earlier name) or with a printer's function name."""

    rule: str
    name: Name
    other: Optional[Name] = None
    printer: Optional[PrinterName] = None
    reason: str = ""

    def message(self, source: str) -> str:
        """The one-line message: both keys with their values, and what to do."""
        head = f"{source}: {self.name.key} = {toml_string(self.name.value)} clashes with "
        if self.printer is not None:
            return (head + f"{self.printer.shows}, {self.printer.meaning}, which the printers write; "
                    "choose a different symbol")
        assert self.other is not None
        why = f" ({self.reason})" if self.reason else ""
        return head + f"{self.other.key} = {toml_string(self.other.value)}{why}; choose different symbols"


def find_clash(names: list[Name], disabled: Iterable[str] = ()) -> Optional[Clash]:
    """The first clash among ``names`` (each checked against the earlier ones, then the printers)."""
    off = set(disabled)
    rules = [r for r in CLASH_RULES if r.name not in off]
    for i, name in enumerate(names):
        for other in names[:i]:
            for rule in rules:
                reason = rule.check(name, other)
                if reason is not None:
                    return Clash(rule.name, name, other, reason=reason)
        if "printer_name" not in off:
            p = printer_name(name)
            if p is not None:
                return Clash("printer_name", name, printer=p)
    return None


def toml_string(value: str) -> str:
    """A string as TOML writes it: ``"u"``, or ``'\\xi'`` (a literal string) when it has a backslash."""
    return f"'{value}'" if "\\" in value or '"' in value else f'"{value}"'
