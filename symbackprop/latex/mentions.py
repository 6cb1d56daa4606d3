r"""Fragments that mention notation rather than state a formula.

Prose names an operator or a function in passing: "the product $\times$", "where
$\sigma'$ is the derivative", "the term $\odot \sigma'(z^l)$", "with $\sum_{j'}$ over
the layer".  Such a fragment holds no claim; it is read as a *mention*, not reported as
unparsed.  Only a fragment that fails to parse as a formula is tried here, and only these
shapes count:

* one operator, with scripts (``\times``, ``\leftarrow``, ``\sum_{j'}``, ``\partial``);
* one name, with scripts and primes but no argument (``\sigma'``, ``f_L'``, ``f^{(l)}``);
* a binary operator followed by something that parses (``\odot \sigma'(z^l)``).
"""

from __future__ import annotations

import re
from typing import Callable

# One script or one prime per repetition: a prime run inside the repeated group (`'+`) could be
# split in exponentially many ways when the match failed (x'''…'$ took minutes).
_SCRIPT = r"(?:\s*[_^]\s*(?:\{[^{}]*\}|\\[A-Za-z]+|[^\s{}\\])|\s*')"
_OPERATORS = (r"times|cdot|odot|circ|ast|otimes|oplus|leftarrow|gets|rightarrow|to|mapsto|"
              r"sum|prod|partial|nabla|in|cdots|ldots|dots")
_OPERATOR = re.compile(rf"^\s*\\(?:{_OPERATORS})(?![A-Za-z]){_SCRIPT}*\s*$")
_NAME = re.compile(rf"^\s*(?:\\[A-Za-z]+|[A-Za-z]){_SCRIPT}*\s*$")
_LEADING_BINARY = re.compile(r"^\s*(?:\\(?:times|cdot|odot|circ|ast|otimes|oplus)(?![A-Za-z])|\*)")


def is_mention(text: str, parses: Callable[[str], bool]) -> bool:
    """Is the normalised ``text`` (which did not parse as a formula) a mention of notation?
    ``parses`` tells whether a piece of text parses as a formula."""
    if _OPERATOR.match(text) or _NAME.match(text):
        bare = re.sub(r"\{[^{}]*\}", "", text)  # x_i_j, x^2^3: a double script is an error, no mention
        return bare.count("_") <= 1 and bare.count("^") <= 1
    m = _LEADING_BINARY.match(text)
    return bool(m) and bool(text[m.end():].strip()) and parses(text[m.end():])
