"""Array expressions written as a chain of ``out=`` calls into named buffers.

:mod:`symbackprop.codegen_render` hands each batch expression (a Δ, an activation, the
summand of the loss) to :class:`Emitter`, which writes it op by op, every full-size result
going into a buffer the caller names or a scratch buffer of the layer: no temporary
arrays, no expression written twice.  The first call writing a buffer passes
``out=k.get(name)``: the earlier result's array (see ``out=``), or None, so that the call
allocates it; it is kept in ``k`` (the ``work`` of the result).

The same emitter serves both targets; :class:`Dialect` names the library's calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from .matrix import RowSum


@dataclass(frozen=True)
class Dialect:
    """How one target library spells the calls of a written module."""

    name: str                       # the target, "numpy" or "torch"
    library: str                    # for the docstring: "NumPy", "PyTorch"
    ns: str                         # module alias in the written code: "np", "torch"
    imports: tuple[str, ...]        # import lines of the written module
    printer: type                   # a BatchPrinter subclass
    asarray: str                    # "{x}" as a DTYPE array
    copy: str                       # write "{src}" into "{dest}"
    binary: dict                    # add/sub/mul/div/pow → function name (all take out=)
    matmul: str                     # "{a} @ {b}" into "{out}" (None: allocate)
    addmm: Optional[str]            # "{b} + {a} @ {w}" into "{out}" in one call, if the library has one
    linear: Optional[str]           # the forward product (+ bias) by the kernel "linear", if used
    addcmul: Optional[str]          # "{a} + {c}·{x}·{y}" into "{out}" in one call, if the library has one
    dot: str                        # Σ of the entrywise product of "{a}" and "{b}" (no array written)
    colsum: str                     # column sums of "{a}" into "{out}"
    total: str                      # the sum of every entry of "{a}"
    no_grad: Optional[str] = None   # context the public functions run in
    scalar_constants: bool = False  # numbers as module constants (0-d arrays), not literals


def full(expr: sp.Expr) -> bool:
    """A B × n array: it mentions an array outside any row sum (N{ℓ} is a width, L{ℓ} a column)."""
    outside = expr.replace(lambda e: isinstance(e, RowSum), lambda e: sp.Integer(1)).free_symbols
    return any(not (s.name.startswith("N") or s.name.startswith("L")) for s in outside)


class Buffers:
    """The buffers of one written function: the first write to a name allocates it (or takes the
    earlier result's ``k[name]``), later writes go ``out=`` it."""

    def __init__(self, dialect: Dialect, line: Callable[[str], None], constants: dict) -> None:
        self.d, self.line = dialect, line
        self.live: set[str] = set()
        self.constants = constants               # torch: name → value of a 0-d DTYPE tensor

    def write(self, dest: str, call: str) -> str:
        """``call`` (with ``{out}``) writing ``dest``."""
        if dest in self.live:
            self.line(call.format(out=dest))
        else:
            self.live.add(dest)
            self.line(f'{dest} = k["{dest}"] = ' + call.format(out=f'k.get("{dest}")'))
        return dest

    def number(self, text: str) -> str:
        """A scalar argument: the literal, or (torch, where a Python scalar costs a tensor per
        call) a module constant."""
        if not self.d.scalar_constants:
            return text
        name = "_C" + "".join(c if c.isalnum() else "_" for c in text.replace("-", "m").replace("/", "o"))
        self.constants[name] = text
        return name


class Emitter:
    """Writes ``dest = expr`` as ``out=`` calls; scratch buffers are named ``{prefix}_1, _2, …``."""

    def __init__(self, buffers: Buffers, printer, prefix: str) -> None:
        self.b, self.d, self.p, self.prefix = buffers, buffers.d, printer, prefix
        self.count = 0

    def scratch(self) -> str:
        self.count += 1
        return f"{self.prefix}_{self.count}"

    # ── expressions ──
    def operand(self, expr: sp.Expr) -> str:
        """An argument for a call: a name, a scalar or a column as written, or a scratch buffer."""
        if expr.is_Number:
            return self.b.number(self.p.doprint(expr))
        if expr.is_Symbol or not full(expr):
            return self.p.doprint(expr)
        return self.compute(expr, self.scratch())

    def _op(self, op: str, a: str, b: str, dest: str) -> str:
        return self.b.write(dest, f"{self.d.binary[op]}({a}, {b}, out={{out}})")

    def _copy(self, src: str, dest: str) -> str:
        if dest in self.b.live:
            self.b.line(self.d.copy.format(dest=dest, src=src))
            return dest
        return self._op("mul", src, self.b.number("1"), dest)

    def compute(self, expr: sp.Expr, dest: str) -> str:
        """Lines that write the full-size ``expr`` into ``dest`` (which ``expr`` does not read)."""
        if expr.is_Symbol:
            return self._copy(expr.name, dest)
        if expr.is_Mul:
            return self.product(expr, dest)
        if expr.is_Add:
            return self._sum(expr, dest)
        if expr.is_Pow and full(expr.base) and expr.exp.is_Number:
            b = self.operand(expr.base) if expr.base.is_Symbol else self.compute(expr.base, dest)
            if expr.exp == 2:
                return self._op("mul", b, b, dest)
            if expr.exp == -1:
                return self._op("div", self.b.number("1"), b, dest)
            return self._op("pow", b, self.p.doprint(expr.exp), dest)
        if isinstance(expr, sp.Function) and full(expr.args[0]) \
                and (len(expr.args) == 1 or isinstance(expr, sp.Heaviside)):
            name = self.p.function_name(expr.func)
            a = self.operand(expr.args[0]) if expr.args[0].is_Symbol else self.compute(expr.args[0], dest)
            return self.b.write(dest, f"{name}({a}, out={{out}})")
        return self._copy(self.p.doprint(expr), dest)

    def product(self, expr: sp.Expr, dest: str, start: Optional[sp.Symbol] = None) -> str:
        """A product into ``dest``, factor by factor; ``start``: the factor ``dest`` already holds."""
        coeff, rest = expr.as_coeff_Mul()
        factors = list(sp.Mul.make_args(rest))
        if start is not None:
            factors.remove(start)
            cur = dest
            merged = sp.expand(sp.Mul(*(f for f in factors if full(f))))
            if self.d.addcmul and sum(map(full, factors)) > 1 and merged.is_Add \
                    and all(full(t) <= (t.is_Symbol or self._pair(t) is not None)
                            for t in sp.Add.make_args(merged)):
                factors = [f for f in factors if not full(f)] + [merged]   # y − y² by one addcmul
        else:
            first = next((f for f in factors if full(f) and not f.is_Symbol
                          and not (f.is_Pow and f.exp.is_negative)), None)
            first = first if first is not None else next((f for f in factors if full(f)
                                                          and not (f.is_Pow and f.exp == -1)), None)
            if first is None:
                return self._copy(self.p.doprint(expr), dest)
            factors.remove(first)
            cur = first.name if first.is_Symbol else self.compute(first, dest)
        for f in factors:
            if f.is_Pow and f.exp == -1:
                cur = self._op("div", cur, self.operand(f.base), dest)
            else:
                cur = self._op("mul", cur, self.operand(f), dest)
        if coeff != 1 or cur != dest:
            cur = self._op("mul", cur, self.operand(coeff), dest)
        return cur

    def _pair(self, term: sp.Expr):
        """(c, x, y) for a term c·x·y or c·x² of full arrays x, y, where the dialect has addcmul."""
        if not self.d.addcmul:
            return None
        coeff, rest = term.as_coeff_Mul()
        factors = []
        for f in sp.Mul.make_args(rest):
            factors += [f.base, f.base] if (f.is_Pow and f.exp == 2) else [f]
        if len(factors) == 2 and all(f.is_Symbol and full(f) for f in factors):
            return self.p.doprint(coeff), factors[0].name, factors[1].name
        return None

    def _sum(self, expr: sp.Expr, dest: str) -> str:
        terms = list(sp.Add.make_args(expr))
        # start from a full positive term, else c − (full term)
        first = next((t for t in terms if full(t) and not t.could_extract_minus_sign()), None)
        if first is None and self.d.addcmul and any(self._pair(t) for t in terms):
            rest = sp.Add(*(t for t in terms if not full(t)))
            cur = self.operand(rest)          # c + a·x·y in one call: c broadcasts
            terms = [t for t in terms if full(t)]
            terms.sort(key=lambda t: self._pair(t) is None)
        elif first is not None:
            terms.remove(first)
            cur = first.name if first.is_Symbol else self.compute(first, dest)
        else:
            neg = next(t for t in terms if full(t))
            terms.remove(neg)
            rest = sp.Add(*terms)
            b = self.operand(-neg) if (-neg).is_Symbol else self.compute(-neg, dest)
            if not full(rest):   # c − x in one call
                return self._op("sub", self.operand(rest), b, dest)
            cur = self._op("mul", b, self.b.number("-1"), dest)
        for t in terms:
            pair = self._pair(t)
            if pair is not None:
                c, x, y = pair
                cur = self.b.write(dest, self.d.addcmul.format(a=cur, x=x, y=y, c=c, out="{out}"))
            elif t.could_extract_minus_sign():
                cur = self._op("sub", cur, self.operand(-t), dest)
            else:
                cur = self._op("add", cur, self.operand(t), dest)
        return cur if cur == dest else self._copy(cur, dest)
