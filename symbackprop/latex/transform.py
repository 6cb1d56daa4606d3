r"""Parse tree → small AST (``ToAst``) → SymPy (``Builder``).

The reading of notation (the contract other modules rely on) is documented in
``symbackprop.latex.build``; the pieces live in:

* ``nodes``      AST node classes, ``ToAst``, ``SemanticError``, AST shape helpers;
* ``vocabulary`` Greek names, known functions, index symbols, ``n_{k}`` sizes;
* ``scripts``    sub/superscripts: indices, name words, layer labels, powers;
* ``labels``     ``split_label`` / ``with_label``: the one place labels are formatted;
* ``arithmetic``    arithmetic as written (unevaluated number arithmetic), decimals;
* ``functions``  function application and juxtaposition;
* ``calculus``   derivatives and ∑/∏;
* ``series``     ellipsis folding;
* ``containers`` matrices, cases, quotients;
* ``juxtapose``  letter runs as names, braces as rendered, applied heads;
* ``records``    ``Head``/``SymInfo``/``DerivOp``;
* ``build``      the ``Builder`` itself.

This module re-exports the names ``parse.py`` and others import from here.
"""

from __future__ import annotations

from symbackprop.latex.build import Builder  # noqa: F401
from symbackprop.latex.nodes import *  # noqa: F401,F403
from symbackprop.latex.nodes import SemanticError, ToAst  # noqa: F401
from symbackprop.latex.records import DerivOp, Head, SymInfo  # noqa: F401
from symbackprop.latex.series import fold_series  # noqa: F401
from symbackprop.latex.vocabulary import *  # noqa: F401,F403
