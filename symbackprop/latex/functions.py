"""Function application: known functions, heads, f'(u); mixed into ``Builder``."""

from __future__ import annotations

from typing import Callable, Optional

import sympy as sp

from symbackprop.latex.nodes import Factor, MulTok, Sarg, SemanticError, Tok, paren_group
from symbackprop.latex.records import Head, SymInfo
from symbackprop.latex.vocabulary import (INVERSE_FUNCTIONS, KNOWN_FUNCTIONS, greek_function, index_symbol,
                                          power, unbounded_upper)


class FunctionsMixin:
    """Application of heads to parenthesised groups."""

    # ----------------------------------------------------------- functions

    def _known_function(self, items: list, i: int, f: Factor) -> tuple[sp.Basic, int]:
        p = f.primary
        name = p.text.lstrip("\\") if p.kind != "text" else p.text[6:-1]
        fn = KNOWN_FUNCTIONS[name]
        primes, post, base = 0, None, None
        for kind, s in f.scripts:
            if kind == "prime":
                primes += s
            elif kind == "sub" and name == "log":
                base = self._arg(s)
            elif kind == "sup":
                if self._sup_primes(s):
                    primes += self._sup_primes(s)
                else:
                    post = self._arg(s)
            else:
                raise SemanticError(f"unexpected subscript on {p.text}", f.pos)
        if post is not None and post == -1 and not primes and base is None and name in INVERSE_FUNCTIONS:
            fn, post, name = INVERSE_FUNCTIONS[name], None, name + "^{-1}"  # \tanh^{-1}: artanh
        head = Head(name, (lambda *a: sp.log(*a, base)) if base is not None else fn,
                    primes, True, True, True)
        nxt = items[i + 1] if i + 1 < len(items) else None
        grp = paren_group(nxt)
        if grp is not None:
            value, j = self._apply(head, grp), i + 2
        else:
            if nxt is None or isinstance(nxt, MulTok):
                raise SemanticError(f"{p.text} needs an argument", f.pos)
            arg, j = self._unit(items, i + 1)
            value = self._apply_value(head, [arg], f.pos)
        if post is not None:
            value = power(value, post)
        return value, j

    def _has_commas(self, grp: Factor) -> bool:
        seq = grp.primary.seq
        return bool(seq.seps) and all(s == "," for s in seq.seps)

    def _apply(self, head: Head, grp: Factor) -> sp.Basic:
        seq = grp.primary.seq
        if seq.seps and any(s != "," for s in seq.seps):
            raise SemanticError("a relation cannot be a function argument", grp.pos)
        args = [self.sum(p) for p in seq.parts]
        subs = [s for k, s in grp.scripts if k == "sub"]
        if subs and head.name == "softmax":
            value = self._softmax(args, subs[0], grp.pos)
        elif subs:
            raise SemanticError("subscript after a function application", grp.pos)
        else:
            value = self._apply_value(head, args, grp.pos)
        for kind, s in grp.scripts:
            if kind == "sup":
                value = self._post_sup(value, s)
            elif kind == "prime":
                raise SemanticError("prime after a function application; write f'(x)", grp.pos)
        return value

    def _apply_value(self, head: Head, args: list, pos: int) -> sp.Basic:
        try:
            if head.primes:
                if len(args) != 1:
                    raise SemanticError("f'(...) needs exactly one argument", pos)
                return fderiv(head.fn, args[0], head.primes)
            return head.fn(*args)
        except SemanticError:
            raise
        except (TypeError, ValueError) as exc:
            raise SemanticError(f"cannot apply {head.name}: {exc}", pos) from exc

    def _softmax(self, args: list, sub: Sarg, pos: int) -> sp.Basic:
        idx, words = self._sub_info(sub)
        if len(args) != 1 or not isinstance(args[0], sp.Symbol) or len(idx) != 1 or words \
                or not isinstance(idx[0], sp.Symbol):
            raise SemanticError("softmax(u)_k needs one vector symbol u and one index k", pos)
        u, k = sp.IndexedBase(args[0].name), idx[0]
        kp = index_symbol(k.name + "'")
        return sp.exp(u[k]) / sp.Sum(sp.exp(u[kp]), (kp, 1, unbounded_upper(kp)))

    def _head(self, info: SymInfo, f: Factor) -> Optional[Head]:
        if info.transpose:
            return None
        if info.power is None:
            return self._plain_head(info, f)
        head = self._plain_head(info, f)
        if head is None or not (head.known or head.applicable) or head.primes:
            return None  # x^2(1 - x) multiplies
        return _powered(head, info.power, f.pos)

    def _plain_head(self, info: SymInfo, f: Factor) -> Optional[Head]:
        if info.base in self.declared and info.fname == info.base:  # $H$ the Heaviside step, in prose
            return Head(info.base, self.declared[info.base], info.primes, True, True, True)
        known = greek_function(info.base)
        if known is not None and info.fname == info.base:  # \sigma: the network function σ
            return Head(info.base, known, info.primes, True, True, True)
        if known is not None:  # σ^{(l)}, σ_l: a layer's activation, kept generic
            return Head(info.fname, sp.Function(info.fname), info.primes, True, False, True)
        if isinstance(f.primary, Tok) and f.primary.kind in ("text", "name") and info.fname == info.base \
                and (len(info.base) > 1 or info.base not in ("d", "e")):  # \operatorname{H}(x), not \mathrm{d}x
            return Head(info.base, sp.Function(info.base), info.primes, True, False, True)
        applicable = info.base in self.fnames
        return Head(info.fname, sp.Function(info.fname), info.primes, applicable, False, applicable)


def _powered(head: Head, p: sp.Basic, pos: int) -> Head:
    r"""``f^{-1}`` is the inverse function; ``f^n(x)`` is ``f(x)^n`` for a known function
    (``\sigma^2(x) = \sigma(x)^2``); for another function ``f^2(x)`` may mean f(f(x)), so it
    is not read."""
    if p == -1:
        fn = INVERSE_FUNCTIONS.get(head.name) or sp.Function(head.name + "^{-1}")
        return Head(head.name + "^{-1}", fn, 0, True, head.known, True)
    if head.known and p.is_Integer and p > 1:
        return Head(head.name, lambda *a: head.fn(*a) ** p, 0, True, True, True)

    def ambiguous(*_args: sp.Basic) -> sp.Basic:  # raised only where f^2 is applied to ( )
        raise SemanticError(f"{head.name}^{{{p}}}(x) is ambiguous (a power of f(x), or f applied "
                            f"{p} times); write {head.name}(x)^{{{p}}}", pos)
    return Head(head.name, ambiguous, 0, True, False, True)


def fderiv(fn: Callable, arg: sp.Basic, n: int) -> sp.Basic:
    """``f^{(n)}(arg)`` unevaluated: Derivative(f(x), x) or Subs(...) for compound args."""
    if isinstance(arg, (sp.Symbol, sp.Indexed)):
        return sp.Derivative(fn(arg), (arg, n), evaluate=False)
    u = sp.Dummy("u")
    return At(sp.Derivative(fn(u), (u, n), evaluate=False), u, arg)


class At(sp.Subs):
    """``f′(a)``: a derivative taken at the point ``a``.

    SymPy's ``Subs`` leaves its point out of its identity (``_hashable_content``) when the
    variable occurs in the expression, so f′(x + 1) with x real and with x not real are equal
    to SymPy and its constructor cache hands the old one back: a witness then gave the two x
    different values.  Here the point is part of the identity."""

    def _hashable_content(self):
        return super()._hashable_content() + tuple(self.point)
