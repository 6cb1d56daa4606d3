"""Sub/superscripts of a symbol: indices, name words, layer labels, powers (see build.py)."""

from __future__ import annotations

import re
from typing import Optional

import sympy as sp

from symbackprop.latex.nodes import (Decor, Factor, Sarg, SemanticError, Tok, greek, is_tok,
                                     paren_group, sarg_items, single_factor, term_items,
                                     unwrap)
from symbackprop.latex.vocabulary import (BOLD_ONES, DECOR_CANON, KNOWN_FUNCTIONS, LABEL_RE,
                                          index_symbol, power, to_index, transpose)
from symbackprop.latex.labels import parse_label, with_label
from symbackprop.latex.records import SymInfo


class ScriptsMixin:
    """Decoding of scripted symbols; mixed into ``Builder``."""

    # ----------------------------------------------------------- symbols

    def _tok_name(self, t: Tok) -> str:
        return greek(t.text) if t.kind == "greek" else t.text

    def _symbol(self, f: Factor, prefix: str = "") -> Optional[SymInfo]:
        """Decode ``f`` as a (decorated, scripted) symbol, or None if it is not one."""
        f = unwrap(f)
        base, scripts = self._base_name(f.primary)
        if base is None:
            return None
        scripts = scripts + f.scripts
        subs = [s for k, s in scripts if k == "sub"]
        sups = [s for k, s in scripts if k == "sup"]
        primes = sum(s for k, s in scripts if k == "prime")
        if len(subs) > 1:
            raise SemanticError("double subscript", subs[1].pos)
        if len(sups) > 1:
            raise SemanticError("double superscript", sups[1].pos)
        base = prefix + base
        info = SymInfo(base, base, base, primes=primes)
        sub = subs[0] if subs else None
        if sups:
            self._classify_sup(info, sups[0], sub is not None)
        if sub is not None:
            idx, words = self._sub_info(sub)
            info.indices = idx
            if words:
                info.name = f"{info.base}_{{{','.join(words)}}}" + info.name[len(info.base):]
            info.fname = f"{info.base}_{{{sub.text}}}" + info.fname[len(info.base):]
        return info

    def _base_name(self, p: object) -> tuple[Optional[str], list]:
        if isinstance(p, Tok):
            if p.kind == "letter":
                return p.text, []
            if p.kind == "greek" and p.text != r"\pi":
                return greek(p.text), []
            if p.kind == "name":
                return p.text, []
            if p.kind == "text":
                content = p.text[6:-1]
                if content in KNOWN_FUNCTIONS:
                    return None, []
                return content, []
            return None, []
        if isinstance(p, Decor):
            items = sarg_items(p.arg)
            if len(items) != 1:
                raise SemanticError(f"{p.cmd} must decorate a single symbol", p.pos)
            inner = unwrap(items[0])
            name, scripts = self._base_name(inner.primary)
            if name is None and isinstance(inner.primary, Tok) and inner.primary.kind == "number" \
                    and inner.primary.text in ("0", "1") and p.cmd.lstrip("\\") in BOLD_ONES:
                name = inner.primary.text  # \mathbf{1}: the vector of ones (\mathbf{0}: of zeros)
            if name is None:
                raise SemanticError(f"{p.cmd} must decorate a symbol", p.pos)
            latex = inner.primary.text if isinstance(inner.primary, Tok) else name
            if isinstance(inner.primary, Tok) and inner.primary.kind == "text":
                latex = name
            cmd = DECOR_CANON[p.cmd.lstrip("\\")]
            return f"{cmd}{{{latex}}}", scripts + inner.scripts
        return None, []

    def _sup_primes(self, s: Sarg) -> int:
        items = sarg_items(s)
        if items and all(is_tok(x, "primecmd") and not x.scripts for x in items):
            return len(items)
        return 0

    def _is_transpose(self, s: Sarg) -> bool:
        items = sarg_items(s)
        if len(items) != 1 or items[0].scripts:
            return False
        p = items[0].primary
        return isinstance(p, Tok) and (p.kind == "top" or (p.kind in ("letter", "text")
                                       and p.text in ("T", r"\text{T}")))

    def _sup_label(self, s: Sarg, labelled_base: bool) -> Optional[tuple]:
        """``(label, brackets)`` when superscript ``s`` names a layer, else None.

        ``labelled_base``: the base takes short index labels (``a^i_k``, an
        explicit matrix).  Labels: ``*``; ``(…)``/``[…]``; a list ``x,l``; a word
        (``mid``, ``out``, ``\\text{out}``); a short index expression of
        ``layer_letters`` (``L``, ``l+1``), or of any letter on a labelled base.
        """
        text = s.text
        if s.tok is not None and s.tok.kind == "mulop" or (
                s.seq is None and text in ("*", r"\ast", r"\star")):
            return "*", ""
        if s.seq is not None and paren_group(single_factor(s.seq)) is not None:
            b = "()" if text.startswith("(") else "[]" if text.startswith("[") else ""
            if b:
                return parse_label(text[1:-1]), b
            return text, ""
        if s.seq is not None and s.seq.seps and all(x == "," for x in s.seq.seps):
            return text, ""
        word = re.fullmatch(r"\\text\{([A-Za-z]+)\}|([A-Za-z]{2,})", text)
        if word and (word.group(1) or self._is_word(word.group(2))):
            return word.group(1) or word.group(2), ""
        if LABEL_RE.match(text) and (labelled_base or (
                not re.search(r"\\(?!ell(?![A-Za-z]))", text)
                and all(ch in self.layer_letters
                        for ch in re.findall(r"[A-Za-z]", text.replace(r"\ell", ""))))):
            return parse_label(text), ""
        return None

    def _is_word(self, letters: str) -> bool:
        """A letter run that is a name, not a product of index letters (``mid``, ``in``)."""
        return len(letters) >= 2

    def _classify_sup(self, info: SymInfo, s: Sarg, has_sub: bool) -> None:
        if self._is_transpose(s):
            info.transpose = True
            return
        n = self._sup_primes(s)
        if n:
            info.primes += n
            return
        if info.base == "e" and not has_sub:
            info.power = ("exp", self._arg(s))
            return
        if not self.o.label_superscripts:
            info.power = self._arg(s)
            return
        if self._number_sup(s):
            info.power = self._arg(s)
            return
        label = self._sup_label(s, has_sub)
        if label is not None:
            suffix = with_label("", *label)
            info.name += suffix
            info.fname += suffix
            return
        info.power = self._arg(s)

    def _number_sup(self, s: Sarg) -> bool:
        """A superscript that is a number (``2``, ``-1``, ``10^{10}``): a power."""
        if s.tok is not None:
            return s.tok.kind == "number"
        if s.seq.seps or paren_group(single_factor(s.seq)) is not None:
            return False
        return re.search(r"[A-Za-z]|\\(?!(?:[dt]?frac|cdot|times)(?![A-Za-z]))",
                         s.text) is None

    def _sub_info(self, s: Sarg) -> tuple[list, list]:
        """Indices and name-words of a subscript."""
        if s.tok is not None:
            return self._simple_indices([Factor(s.tok, [], s.pos)], s.pos)
        seq = s.seq
        if any(x != "," for x in seq.seps):
            raise SemanticError("a relation inside a subscript (only \\sum_{k=1} may use '=')",
                                s.pos)
        indices, words = [], []
        for part in seq.parts:
            items = term_items(part)
            if items is not None and all(self._simple_index_item(x) for x in items):
                i, w = self._simple_indices(items, part.pos)
            else:
                if items and any(is_tok(x, "ellipsis") for x in items):
                    raise SemanticError("ellipsis inside a subscript is not supported", part.pos)
                i, w = [to_index(self.sum(part))], []
            indices += i
            words += w
        return indices, words

    @staticmethod
    def _simple_index_item(x: object) -> bool:
        return (is_tok(x, "letter", "number", "greek", "word", "text", "name")
                and all(k == "prime" for k, _ in x.scripts))

    def _simple_indices(self, items: list, pos: int) -> tuple[list, list]:
        kinds = [x.primary.kind for x in items]
        if any(k in ("top", "primecmd", "mulop", "infty", "mathbb") for k in kinds):
            raise SemanticError("this symbol cannot be used as a subscript", pos)
        texts = []
        for x in items:
            t = x.primary.text
            if x.primary.kind == "text":
                t = t[6:-1]
            texts.append(t + "'" * sum(n for _, n in x.scripts))
        letters = [x.primary.text for x in items if x.primary.kind == "letter"]
        is_word = any(k in ("word", "text", "name") for k in kinds) or (
            len(letters) >= 2 and any(ch.islower() and ch not in self.index_letters
                                      for ch in letters))
        if is_word:
            return [], ["".join(texts)]
        out = []
        for x, t in zip(items, texts):
            if x.primary.kind == "number":
                out.append(sp.Integer(t) if "." not in t else sp.Rational(t))
            else:
                out.append(index_symbol(greek(t) if x.primary.kind == "greek" else t))
        return out, []

    def _sym_value(self, info: SymInfo, pos: int) -> sp.Basic:
        if isinstance(info.power, tuple):
            if info.indices or info.primes:
                raise SemanticError("e^{...} with scripts", pos)
            return sp.exp(info.power[1])
        if info.indices:
            if (self.o.kronecker and info.name in ("delta", r"\mathbb{1}")
                    and len(info.indices) == 2):
                value = sp.KroneckerDelta(*info.indices)
            else:
                value = sp.IndexedBase(info.name + "'" * info.primes)[tuple(info.indices)]
        else:  # a primed plain symbol that is not applied is just a name: w'
            value = sp.Symbol(info.name + "'" * info.primes)
        if info.power is not None:
            value = power(value, info.power)
        if info.transpose:
            value = transpose(value)
        return value

    def _mathbb(self, f: Factor) -> sp.Basic:
        name = f.primary.text
        subs = [s for k, s in f.scripts if k == "sub"]
        if subs and subs[0].seq is not None and subs[0].seq.seps == ["="]:
            if not self.o.kronecker:
                raise SemanticError("indicator \\mathbb{1}_{a=b} needs "
                                    "ParseOptions(kronecker=True)", f.pos)
            a, b = (to_index(self.sum(p)) for p in subs[0].seq.parts)
            rest = Factor(f.primary, [x for x in f.scripts if x[0] != "sub"], f.pos)
            return self._scripted(sp.KroneckerDelta(a, b), rest)
        if subs:
            idx, words = self._sub_info(subs[0])
            if self.o.kronecker and name == r"\mathbb{1}" and len(idx) == 2 and not words:
                value = sp.KroneckerDelta(*idx)
            else:
                value = sp.IndexedBase(name)[tuple(idx)] if idx else sp.Symbol(name)
            rest = Factor(f.primary, [x for x in f.scripts if x[0] != "sub"], f.pos)
            return self._scripted(value, rest)
        return self._scripted(sp.Symbol(name), f)

