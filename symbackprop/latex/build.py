r"""Builder: AST → SymPy.  This docstring is the contract of how notation is read.

The grammar is flat, so meaning is decided here (with ``scripts``, ``functions``,
``juxtapose``, ``calculus``, ``arithmetic``, ``series``); ``parse.py`` points here.

Superscripts (``x^s``), first matching row wins
-----------------------------------------------

========================================  =====================================
superscript ``s`` / base                  result
========================================  =====================================
``\top``, ``T``, ``\mathsf{T}``           ``transpose(x)`` (undefined function;
                                          ``M.T`` for an explicit matrix)
``'``, ``\prime``                         prime: derivative of a function
base ``e`` (no subscript)                 ``exp(s)``
``label_superscripts=False``              power
a number (``2``, ``-1``, ``10^{10}``,     power  (``x^2``, ``y_k^2``)
``\frac{1}{2}``)
``*``, ``\ast``, ``\star``                label ``x^{*}``
``(l)``, ``(d-1)``, ``[l]``               layer label (bracketed)
a list ``x,l``                            layer label ``a^{x,l}``
a word: 2+ letters (``mid``, ``out``,     layer label ``b^{mid}``; ``\text{out}``
``in``, ``th``) or ``\text{out}``         / ``\mathrm{out}`` fold as ``out``
short index expression (``i``, ``L-1``,   layer label when the symbol also has a
``i+1``, ``\ell``) on a subscripted       subscript (``a^i_k``, ``h_j^{L-1}``) or
symbol or an explicit matrix              is an explicit matrix
short expression of ``layer_letters``     layer label (``a^L``, ``W^{l}``,
(or ``\ell``) on a plain symbol           ``\delta^{l+1}``, ``\delta^{\ell}``)
anything else                             power (``x^n``, ``x^{2n}``, ``(a+b)^n``)
========================================  =====================================

A layer label is folded into the name by ``labels.with_label`` (the one place
labels are formatted; ``labels.split_label`` is its inverse): ``w^{(l)}_{jk}`` →
``IndexedBase("w^{(l)}")[j, k]``; index labels print canonically (spaces
dropped, ``1+l`` would read ``l+1``).

**Labelled explicit matrices.**  A label on an explicit matrix (``[…]^{(d)}``,
``\left(\begin{matrix}…\end{matrix}\right)^{L}``) leaves the matrix itself, an
``ImmutableMatrix`` whose entries stay as written; the label is not part of
the value (it is recorded in ``Builder.matrix_labels`` as ``(offset,
"^{(d)}")``).  Powers of explicit matrices are multiplied out only for a square
matrix and an integer exponent ``|k| ≤ 8`` (inverse up to 3×3); anything else
is a ``SemanticError``: no superscript makes SymPy compute a symbolic matrix
power.  Number arithmetic follows ``arithmetic`` (never evaluated; ``number too
large`` beyond 100 000 digits).

Subscripts
----------
* one token or a list of letters/digits whose lowercase letters are all in
  ``index_letters`` → indices: ``w_{jk}`` → ``w[j, k]``, ``y_{i0}`` →
  ``y[i, 0]``, ``w_{1k}`` → ``w[1, k]``; a digit run is one number (``x_{10}``);
  a single letter is always an index (``y_L``); primes stay (``y_{j'}``).
* words (``E_{total}``, ``x_{\text{in}}``, ``a_{\rm out}``) → part of the
  name: ``Symbol("E_{total}")``.
* ``w_{j,k}`` → two indices; an expression (``M_{i-1}``) → one index.
* index symbols are ``Symbol(name, integer=True)``.

Multi-letter names
------------------
A run of 3+ letters written without spaces (``Cost``, ``net_j``, ``max``) in a
product is one name, unless every letter is an index letter (``ijk`` stays
``i·j·k``); scripts on the last letter belong to the name.  A known function
word (``max``, ``sin``) is that function.  Two letters (``xy``, ``AY``) and
spaced letters (``a b c``) multiply.  ``\text{loss}``, ``\mathrm{Loss}``,
``\operatorname{ReLU}`` are one name (normalised to ``\text{…}``).

Juxtaposition and function application
--------------------------------------
A parenthesised group ``( )``/``[ ]`` directly after a *head* is an
application, otherwise juxtaposition multiplies:

1. known functions: ``\sigma`` (→ ``sigmoid``), ``\log \ln \exp \tanh \sin
   \cos \max \min``, the words ``sigmoid softmax softplus relu ReLU tanh exp
   log ln``, ``\operatorname{..}``/``\mathrm{..}`` names and multi-letter names;
2. names in ``ParseOptions.function_names`` (default f g h phi varphi psi E C)
   with any subscript/label (``f_L``, ``\phi_i``, ``f^{(l)}``) →
   ``Function("phi_{i}")``;
3. a primed symbol (``f'``, ``\sigma^\prime``) → ``Derivative(f(u), u)``
   (``Subs`` form when ``u`` is not a symbol) — never evaluated here;
4. any symbol when the group holds a top-level comma (``C(w, b)``);
5. any symbol whose group holds exactly one application (``A(B(C(x)))``: ``C``
   applies by 2., so ``B`` and then ``A`` do);
6. a head applied elsewhere in the fragment: the left side of a definition
   ``L(y) = …`` / ``:=`` / ``\equiv`` whose arguments are single letters, or a
   head applied by 1.–5. anywhere in the same statement.  Names collect per
   statement first, then stay for the later statements of the fragment.

``y(1-y)``, ``2(y-t)``, ``a^L(x)``, ``t_k(1-y_k)`` multiply.  Known functions
without parentheses take the next factor (``\log y_k``, ``\log \sum_k
\exp(u_k)``).  ``\sum``/``\prod`` take the rest of the product term;
``\frac{\partial}{\partial x}`` takes the following parenthesised group, else
the rest of the term.

**Braces render as nothing.**  A brace group ``{…}`` holding a sum, without
scripts, inside a product term is spliced into the enclosing sum as TeX
renders it: ``\sigma(Z){1-\sigma(Z)}`` is ``σ(Z)·1 − σ(Z)``, ``a{b-c}d`` is
``ab − cd``, ``-{a+b}`` is ``−a + b``.  ``{(b-c)}`` keeps its parentheses;
``{a+b}^2`` is a group.

Sums
----
``\sum_{k=1}^{n}`` → ``Sum(f, (k, 1, n))``; without bounds the size is
``n_{k}`` (``vocabulary.unbounded_upper``), shared by primed letters
(``\sum_{k'}`` → ``n_{k}``).  ``\sum_{i,j}`` / ``\sum_{ij}`` equal
``\sum_i \sum_j`` (limits ``(j, 1, n_{j}), (i, 1, n_{i})``: the first is the
innermost).
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from symbackprop.latex import arithmetic
from symbackprop.latex.calculus import CalculusMixin
from symbackprop.latex.containers import ContainersMixin, matrix_add, mul
from symbackprop.latex.patterns import MatrixProduct
from symbackprop.latex.functions import FunctionsMixin
from symbackprop.latex.juxtapose import JuxtaposeMixin, splice_braces
from symbackprop.latex.labels import with_label
from symbackprop.latex.nodes import (CasesN, Decor, Factor, Frac, Group, HTerm, MatrixN,
                                     MulTok, Sarg, SemanticError, Seq, Sqrt, Stmt, SumN,
                                     TermN, Tok, is_tok, paren_group, unwrap)
from symbackprop.latex.records import DerivOp, Head
from symbackprop.latex.scripts import ScriptsMixin
from symbackprop.latex.series import fold_series
from symbackprop.latex.vocabulary import (DECLARABLE_FUNCTIONS, HADAMARD, KNOWN_FUNCTIONS, NORM, RELATIONAL,
                                          power, transpose)


class Builder(ScriptsMixin, CalculusMixin, FunctionsMixin, JuxtaposeMixin, ContainersMixin):
    """AST → SymPy under the given ``ParseOptions``."""

    def __init__(self, options) -> None:
        self.o = options
        self.declared = {n.lstrip("\\"): DECLARABLE_FUNCTIONS[w] for n, w in options.declared_functions}
        self.fnames = {n.lstrip("\\") for n in options.function_names} | set(self.declared)
        self.index_letters = set(options.index_letters)
        self.layer_letters = set(options.layer_letters)
        self.applied: set = set()  # heads applied in this fragment (f(x) = ..., A(B(x)))
        self.matrix_labels: list = []  # (row offset, "^{(d)}") of labelled explicit matrices

    # ----------------------------------------------------------- statements

    def stmt(self, st: Stmt) -> tuple[list, list]:
        self._prepare(st)
        return [self.sum(e) for e in st.exprs], list(st.ops)

    # ----------------------------------------------------------- sums

    def sum(self, s: SumN) -> sp.Basic:
        values: list = []
        where = None
        parts = splice_braces(s.parts)
        skip = False
        for n, (sign, ht) in enumerate(parts):
            if skip:
                skip = False
                continue
            if self._is_ellipsis(ht):
                values.append(None)
                where = ht.pos if where is None else where
                continue
            if self._ends_with_bigop(ht) and n + 1 < len(parts) and parts[n + 1][0] in ("-", "+"):
                v, skip = self._signed_summand(ht, parts[n + 1]), True  # \sum_{k'} - \frac{t}{y}: Σ of −t/y
            else:
                v = self.hterm(ht)
            if sign == "-":
                v = arithmetic.neg(v)
            values.append(v)
        if any(v is None for v in values):
            return self._series(values, where)
        if len(values) == 1:
            return values[0]
        try:
            return arithmetic.add(values, s.pos) if not any(isinstance(v, sp.MatrixBase)
                                                          for v in values) \
                else matrix_add(values)
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot add these terms: {exc}", s.pos) from exc

    @staticmethod
    def _ends_with_bigop(ht: HTerm) -> bool:
        return len(ht.terms) == 1 and bool(ht.terms[0].items) and is_tok(unwrap(ht.terms[0].items[-1]), "bigop")

    def _signed_summand(self, ht: HTerm, following: tuple) -> sp.Basic:
        """``a \\sum_{k} - x y``: the big operator takes the signed term after it as its operand
        (as TeX typesets it, Σ over −x y), the factors before it multiply the sum."""
        items = ht.terms[0].items
        operand = self.hterm(following[1])
        operand = arithmetic.neg(operand) if following[0] == "-" else operand
        value = self._bigop(unwrap(items[-1]), operand)
        return mul([*self._factors(items[:-1], 0, ht.pos), value], ht.pos) if len(items) > 1 else value

    @staticmethod
    def _is_ellipsis(ht: HTerm) -> bool:
        return (len(ht.terms) == 1 and len(ht.terms[0].items) == 1
                and is_tok(ht.terms[0].items[0], "ellipsis")
                and not ht.terms[0].items[0].scripts)

    def hterm(self, ht: HTerm) -> sp.Basic:
        value = self.term(ht.terms[0])
        for t in ht.terms[1:]:
            value = HADAMARD(value, self.term(t))
        return value

    # ----------------------------------------------------------- products

    def term(self, t: TermN) -> sp.Basic:
        return self._product(t.items, 0, t.pos)

    def _product(self, items: list, i: int, pos: int) -> sp.Basic:
        factors = self._factors(items, i, pos)
        if getattr(self.o, "ordered_products", False) and sum(not f.is_number for f in factors) >= 2:
            return MatrixProduct(*factors)  # the written order kept: the factors may be matrices
        return mul(factors, pos)

    def _factors(self, items: list, i: int, pos: int) -> list:
        factors: list = []
        while i < len(items):
            it = items[i]
            if isinstance(it, MulTok):
                if it.op == "/":
                    if not factors:
                        raise SemanticError("'/' without a numerator", it.pos)
                    if i + 1 >= len(items):
                        raise SemanticError("'/' without a denominator", it.pos)
                    den, i = self._unit(items, i + 1)
                    factors[-1] = self._div([factors[-1]], [den], it.pos)
                    continue
                i += 1
                continue
            value, i = self._unit(items, i)
            factors.append(value)
        if not factors:
            raise SemanticError("missing operand", pos)
        return factors

    def _rest(self, items: list, i: int, what: str, pos: int) -> sp.Basic:
        while i < len(items) and isinstance(items[i], MulTok) and items[i].op == "*":
            i += 1
        if i >= len(items):
            raise SemanticError(f"{what} has no operand", pos)
        return self._product(items, i, pos)

    def _unit(self, items: list, i: int) -> tuple[sp.Basic, int]:
        """One factor starting at ``items[i]``; prefix operators take what follows."""
        f = items[i]
        if isinstance(f, MulTok):
            raise SemanticError("operator without a left operand", f.pos)
        f = unwrap(f)
        p = f.primary
        if isinstance(p, Tok):
            if p.kind == "partial":
                return self._partial(items, i, f)
            if p.kind == "nabla":
                var = self._op_vars(f, r"\nabla")
                operand = self._rest(items, i + 1, r"\nabla", f.pos)
                return self._derivative(operand, var, f.pos), len(items)
            if p.kind == "ellipsis":
                raise SemanticError("ellipsis inside a product is not supported "
                                    "(ellipsis pattern not recognised)", f.pos)
            if p.kind == "bigop":
                return self._bigop(f, self._rest(items, i + 1, p.text, f.pos)), len(items)
            if p.kind in ("func", "word") or (p.kind == "text" and p.text[6:-1] in KNOWN_FUNCTIONS):
                return self._known_function(items, i, f)
        if isinstance(p, Frac):
            op = self._frac(p)
            if not isinstance(op, DerivOp):
                return self._scripted(op, f), i + 1
            if f.scripts:
                raise SemanticError("scripts on a derivative operator", f.pos)
            grp = paren_group(items[i + 1]) if i + 1 < len(items) else None
            if grp is not None:
                return self._derivative(self._group_value(grp), op.vars, f.pos), i + 2
            operand = self._rest(items, i + 1, "derivative operator", f.pos)
            return self._derivative(operand, op.vars, f.pos), len(items)
        value, head = self._factor(f)
        nxt = items[i + 1] if i + 1 < len(items) else None
        grp = paren_group(nxt)
        if head is not None:
            if grp is not None and (head.applicable or head.primes or self._has_commas(grp)
                                    or head.name in self.applied
                                    or self._is_application(grp)):
                return self._apply(head, grp), i + 2
            if head.primes and (head.known or head.base_applicable):
                if nxt is None or isinstance(nxt, MulTok):
                    raise SemanticError(f"{head.name}' needs an argument", f.pos)
                arg, j = self._unit(items, i + 1)
                return self._apply_value(head, [arg], f.pos), j
        return value, i + 1

    # ----------------------------------------------------------- factors

    def _factor(self, f: Factor) -> tuple[sp.Basic, Optional[Head]]:
        """Value of one factor, and its head when it may be applied to ``( )``."""
        f = unwrap(f)
        p = f.primary
        info = self._symbol(f)
        if info is not None:
            return self._sym_value(info, f.pos), self._head(info, f)
        if isinstance(p, Tok):
            if p.kind == "number":
                return self._scripted(arithmetic.number(p.text), f), None
            if p.kind == "infty":
                return self._scripted(sp.oo, f), None
            if p.kind == "greek" and p.text == r"\pi":
                return self._scripted(sp.pi, f), None
            if p.kind in ("top", "primecmd"):
                raise SemanticError(f"{p.text} outside a superscript", f.pos)
            if p.kind == "ellipsis":
                raise SemanticError("ellipsis pattern not recognised", f.pos)
            if p.kind == "mathbb":
                return self._mathbb(f), None
            raise SemanticError(f"{p.text} cannot be used here", f.pos)
        if isinstance(p, Group):
            return self._group_value(f), None
        if isinstance(p, Frac):
            v = self._frac(p)
            if isinstance(v, DerivOp):
                raise SemanticError("derivative operator without an operand", f.pos)
            return self._scripted(v, f), None
        if isinstance(p, Sqrt):
            arg = self._arg(p.arg)
            v = (arithmetic.power(arg, sp.S.Half, f.pos) if p.index is None else
                 arithmetic.power(arg, arithmetic.quotient([sp.S.One], [self._seq_value(p.index)]), f.pos))
            return self._scripted(v, f), None
        if isinstance(p, MatrixN):
            return self._scripted(self._matrix(p), f), None
        if isinstance(p, CasesN):
            return self._scripted(self._cases(p), f), None
        if isinstance(p, Decor):
            raise SemanticError(f"{p.cmd} needs a symbol", f.pos)
        raise SemanticError("unsupported construct", f.pos)  # pragma: no cover

    def _scripted(self, value: sp.Basic, f: Factor) -> sp.Basic:
        """Scripts on a non-symbol: ``^`` is a power (or transpose), ``_`` is an error."""
        for kind, s in f.scripts:
            if kind == "sup":
                value = self._post_sup(value, s)
            elif kind == "sub":
                raise SemanticError("subscript on something that is not a symbol", s.pos)
            else:
                raise SemanticError("prime on something that is not a function", f.pos)
        return value

    def _post_sup(self, value: sp.Basic, s: Sarg) -> sp.Basic:
        if self._is_transpose(s):
            return transpose(value)
        if isinstance(value, sp.MatrixBase) and self._sup_primes(s) == 0 \
                and not self._number_sup(s):
            label = self._sup_label(s, True)
            if label is not None:  # [w_{11} ...]^{(d)}: the matrix of layer d
                self.matrix_labels.append((s.pos, with_label("", *label)))
                return value
        return power(value, self._arg(s), s.pos)

    def _group_value(self, f: Factor) -> sp.Basic:
        g = f.primary
        v = self._seq_value(g.seq)
        if g.kind == "abs":
            v = sp.Abs(v)
        elif g.kind == "norm":
            subs = [s for k, s in f.scripts if k == "sub"]
            v = NORM(v, self._arg(subs[0])) if subs else NORM(v)  # \|x\|_2 → norm(x, 2)
            f = Factor(g, [x for x in f.scripts if x[0] != "sub"], f.pos)
        return self._scripted(v, f)

    def _seq_value(self, seq: Seq) -> sp.Basic:
        if not seq.seps:
            return self.sum(seq.parts[0])
        if all(s == "," for s in seq.seps):
            raise SemanticError("a comma-separated list is only allowed as function "
                                "arguments or indices", seq.pos)
        if len(seq.seps) == 1 and seq.seps[0] in RELATIONAL:
            return RELATIONAL[seq.seps[0]](self.sum(seq.parts[0]), self.sum(seq.parts[1]))
        raise SemanticError("unsupported relation inside a group", seq.pos)

    def _arg(self, s: Sarg) -> sp.Basic:
        if s.tok is not None:
            return self._factor(Factor(s.tok, [], s.pos))[0]
        return self._seq_value(s.seq)

    # ----------------------------------------------------------- series a_1 + … + a_n

    def _series(self, values: list, pos: int) -> sp.Basic:
        return fold_series(values, self.o.index_letters, pos)
