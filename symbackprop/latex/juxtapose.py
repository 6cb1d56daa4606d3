r"""Juxtaposition before building: letter runs as names, braces as rendered,
and which names are applied to a following ``( )`` (rules in build.py)."""

from __future__ import annotations

import dataclasses
from typing import Optional

from symbackprop.latex.nodes import (Factor, Group, HTerm, MulTok, SemanticError, Stmt,
                                     TermN, Tok, is_tok, paren_group, term_items, unwrap)
from symbackprop.latex.vocabulary import KNOWN_FUNCTIONS

_DEFINES = ("=", ":=", r"\equiv")


def splice_braces(parts: list) -> list:
    """``a{b - c}d`` renders as ``a b - c d``: a brace group holding a sum, directly
    in a product term and without scripts, is spliced into the enclosing sum."""
    out: list = []
    todo = list(parts)
    while todo:
        sign, ht = todo.pop(0)
        k = _splice_at(ht)
        if k is None:
            out.append((sign, ht))
            continue
        items = ht.terms[0].items
        inner = items[k].primary.seq.parts[0].parts
        before, after = items[:k], items[k + 1:]
        pieces = [(s, list(h.terms[0].items)) for s, h in inner]
        if before:
            if pieces[0][0] is None:
                pieces[0] = (sign, before + pieces[0][1])
            else:
                pieces.insert(0, (sign, before))
        else:
            s0 = pieces[0][0]
            pieces[0] = (_combine(sign, s0), pieces[0][1])
        pieces[-1] = (pieces[-1][0], pieces[-1][1] + after)
        todo[:0] = [(s, HTerm([TermN(its, ht.pos)], ht.pos)) for s, its in pieces]
    return out


def _combine(a: Optional[str], b: Optional[str]) -> Optional[str]:
    if a is None or b is None:
        return a or b
    return "+" if a == b else "-"


def _splice_at(ht: HTerm) -> Optional[int]:
    if len(ht.terms) != 1:
        return None
    items = ht.terms[0].items
    for k, f in enumerate(items):
        if not (isinstance(f, Factor) and isinstance(f.primary, Group)
                and f.primary.kind == "brace" and not f.scripts):
            continue
        seq = f.primary.seq
        if seq.seps or len(seq.parts) != 1 or len(seq.parts[0].parts) < 2:
            continue
        if any(len(h.terms) != 1 for _, h in seq.parts[0].parts):
            continue
        if k > 0 and isinstance(items[k - 1], MulTok):
            continue
        return k
    return None


class JuxtaposeMixin:
    """Statement pre-pass of the Builder: names and applied heads."""

    def _prepare(self, st: Stmt) -> None:
        self._walk(st)
        for _ in range(4):
            before = len(self.applied)
            self._collect(st, st)
            if len(self.applied) == before:
                break
        if len(st.exprs) > 1 and st.ops and st.ops[0] in _DEFINES and not st.continued:
            items = term_items(st.exprs[0])
            if items and len(items) == 2 and isinstance(items[0], Factor):
                grp = paren_group(items[1])
                if grp is not None and not grp.scripts and self._plain_args(grp):
                    name = self._head_name(items[0])
                    if name:
                        self.applied.add(name)

    def _walk(self, node) -> None:
        """Merge letter runs into names in every product term of the statement."""
        if isinstance(node, TermN):
            node.items = self._merge_words(node.items)
        if isinstance(node, list) or isinstance(node, tuple):
            for x in node:
                self._walk(x)
        elif dataclasses.is_dataclass(node):
            for fl in dataclasses.fields(node):
                self._walk(getattr(node, fl.name))

    def _merge_words(self, items: list) -> list:
        out, k = [], 0
        while k < len(items):
            run = [k]
            while (run[-1] + 1 < len(items) and self._letter(items[run[-1]])
                   and not items[run[-1]].scripts and self._letter(items[run[-1] + 1])
                   and items[run[-1] + 1].primary.pos == items[run[-1]].primary.pos + 1):
                run.append(run[-1] + 1)
            text = "".join(items[j].primary.text for j in run) if len(run) >= 3 else ""
            if text and not all(c in self.index_letters for c in text):
                last = items[run[-1]]
                kind = "word" if text in KNOWN_FUNCTIONS else "name"
                out.append(Factor(Tok(kind, text, items[k].primary.pos), last.scripts,
                                  items[k].pos))
                k = run[-1] + 1
                continue
            out.append(items[k])
            k += 1
        return out

    @staticmethod
    def _letter(f) -> bool:
        return isinstance(f, Factor) and is_tok(f, "letter")

    def _collect(self, node, st) -> None:
        if isinstance(node, TermN):
            items = node.items
            for k in range(len(items) - 1):
                grp = paren_group(items[k + 1])
                if grp is not None and isinstance(items[k], Factor) \
                        and self._is_application(grp):
                    name = self._head_name(items[k])
                    if name:
                        self.applied.add(name)
        if isinstance(node, (list, tuple)):
            for x in node:
                self._collect(x, st)
        elif dataclasses.is_dataclass(node):
            for fl in dataclasses.fields(node):
                self._collect(getattr(node, fl.name), st)

    def _head_name(self, f: Factor) -> Optional[str]:
        try:
            info = self._symbol(f)
        except SemanticError:
            return None
        if info is None or info.power is not None or info.transpose:
            return None
        return info.fname

    def _plain_args(self, grp: Factor) -> bool:
        for part in grp.primary.seq.parts:
            items = term_items(part)
            if not items or len(items) != 1 or not is_tok(items[0], "letter", "greek"):
                return False
        return True

    def _is_application(self, grp: Factor) -> bool:
        """Does the group hold exactly one application ``g(…)`` (``A(B(x))``)?"""
        seq = grp.primary.seq
        if seq.seps or len(seq.parts) != 1:
            return False
        items = term_items(seq.parts[0])
        if not items or len(items) != 2 or not isinstance(items[0], Factor):
            return False
        g = paren_group(items[1])
        head = unwrap(items[0])
        if g is None:
            return False
        p = head.primary
        if isinstance(p, Tok) and (p.kind in ("func", "word") or (
                p.kind == "text" and p.text[6:-1] in KNOWN_FUNCTIONS)):
            return True
        name = self._head_name(head)
        if name is None:
            return False
        base = name.split("_", 1)[0].split("^", 1)[0].lstrip("\\")
        return (name in self.applied or base in self.fnames or name == "sigma"
                or (isinstance(p, Tok) and p.kind in ("text", "name"))
                or self._is_application(g))
