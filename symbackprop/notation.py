"""How letters are written: one table of Greek names and glyphs, and the batch-form capitals.

Every printer, the reader, the spec's name rules and the checker read these tables, so a
Greek letter is added (or its glyph changed) in one place.
"""

from __future__ import annotations

from sympy.printing.pretty.pretty_symbology import greek_unicode

#: LaTeX Greek command names (without the backslash) the reader and the printers know
GREEK_NAMES = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
    "lambda mu nu xi pi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
    "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell".split()
)

#: command name → the glyph a terminal shows (\varepsilon shows as ε, as the text printer writes it)
GREEK_GLYPHS: dict[str, str] = {
    **greek_unicode,
    **{"var" + g: greek_unicode[g] for g in ("epsilon", "theta", "phi", "rho", "pi", "kappa")},
    "ell": "ℓ",
}

#: quantities whose batch-form (matrix) name is not simply the capital letter
MATRIX_CAPITALS = {r"\delta": r"\Delta", r"\xi": r"\Xi", r"\varepsilon": "E"}


def glyph_of(latex_letter: str) -> str:
    """``\\delta`` → δ; a letter that is no Greek command is returned as it is."""
    if latex_letter.startswith("\\"):
        return GREEK_GLYPHS.get(latex_letter[1:], latex_letter[1:])
    return latex_letter


def matrix_letter(letter: str) -> str:
    """The batch-form (matrix) name of a quantity: y → Y, δ → Δ."""
    if letter in MATRIX_CAPITALS:
        return MATRIX_CAPITALS[letter]
    return letter[0].upper() + letter[1:] if not letter.startswith("\\") else letter
