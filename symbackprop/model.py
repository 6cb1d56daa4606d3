"""The model: a fully connected network as frozen data, with its SymPy symbols.

Layer ℓ = 0 is the input, ℓ = L the output.  For ℓ ≥ 1

    u^ℓ_k = Σ_j y^{ℓ−1}_j w^ℓ_{jk} + b^ℓ_k,      y^ℓ = f_ℓ(u^ℓ),

and the loss E compares y^L with the target t.  Internally ``w^ℓ[j, k]`` always
joins neuron j below to neuron k above; :class:`Notation` decides how it is
written (``w_{jk}`` or ``w_{kj}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Optional, Union

import sympy as sp

from .errors import ModelError
from .rules import activation as lookup_activation
from .rules import loss as lookup_loss

Size = Union[sp.Symbol, sp.Integer]

WEIGHT_ORDERS = ("from_to", "to_from")

#: The optimizers a ``[training]`` table may name (momentum is not derived: see docs/contracts.md).
OPTIMIZERS = ("sgd",)


@dataclass(frozen=True)
class Notation:
    """How formulas are written: the letters a document uses for each quantity."""

    weight: str = "w"
    bias: str = "b"
    preactivation: str = "u"
    activation: str = "y"
    input: str = "x"
    target: str = "t"
    loss: str = "E"
    delta: str = r"\delta"
    weight_order: str = "from_to"

    def __post_init__(self) -> None:
        if self.weight_order not in WEIGHT_ORDERS:
            raise ModelError(
                f"notation.weight_order must be one of {', '.join(WEIGHT_ORDERS)}, "
                f"not {self.weight_order!r}"
            )
        from .spec_names import notation_problem  # (spec_names reads Notation: imported here)

        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or not value.strip():
                raise ModelError(f"notation.{f.name} must be a non-empty string")
            problem = notation_problem(f.name, value)
            if problem:  # nothing from a notation reaches a report unless it is a symbol
                raise ModelError(f"notation.{f.name}: {problem}")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The allowed keys of a ``[notation]`` table."""
        return tuple(f.name for f in fields(cls))


def make_size(value: Union[int, str, sp.Expr]) -> Size:
    """A width: a positive integer or the name of a positive-integer symbol."""
    if isinstance(value, bool):
        raise ModelError(f"a layer size must be a positive integer or a symbol name, not {value!r}")
    if isinstance(value, (int, sp.Integer)):
        if int(value) <= 0:
            raise ModelError(f"a layer size must be positive, not {value}")
        return sp.Integer(int(value))
    if isinstance(value, sp.Symbol):
        return sp.Symbol(value.name, integer=True, positive=True)
    if isinstance(value, str) and value.isidentifier():
        return sp.Symbol(value, integer=True, positive=True)
    raise ModelError(f"a layer size must be a positive integer or a symbol name, not {value!r}")


def index_symbol(letter: str) -> sp.Symbol:
    """The SymPy symbol of an index letter (a positive integer)."""
    return sp.Symbol(letter, integer=True, positive=True)


@dataclass(frozen=True)
class Layer:
    """One layer: its width, its index letter, its activation (None for the input), a bias."""

    size: Size
    index: str
    activation: Optional[str] = None
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", make_size(self.size))
        if not (isinstance(self.index, str) and len(self.index) == 1 and self.index.isalpha()):
            raise ModelError(f"a layer index must be a single letter, not {self.index!r}")
        if self.activation is not None:
            lookup_activation(self.activation)

    def __repr__(self) -> str:
        kind = self.activation or "input"
        units = "1 unit" if self.size == 1 else f"{self.size} units"
        return f"<Layer {self.index}: {units}, {kind}{'' if self.bias else ', no bias'}>"

    def _repr_latex_(self) -> str:
        from .printing import latex

        i, n = self.index, latex(self.size)
        if self.activation is None:
            return rf"$x_{{{i}}},\ {i} = 1, \dots, {n}$"
        f = lookup_activation(self.activation).latex
        u = rf"u_{{{i}}}" if lookup_activation(self.activation).elementwise else "u"
        bias = "" if self.bias else r",\ \text{no bias}"
        return rf"$y_{{{i}}} = {f}\left({u}\right),\ {i} = 1, \dots, {n}{bias}$"


def learning_rate(value: Union[int, float, str, sp.Expr]) -> sp.Expr:
    """η: a positive real symbol by name, or a positive number kept exact (0.1 → 1/10)."""
    if isinstance(value, bool):
        raise ModelError(f"a learning rate must be a symbol name or a positive number, not {value!r}")
    if isinstance(value, sp.Symbol):
        value = value.name
    if isinstance(value, str):
        if not value.isidentifier():
            raise ModelError(f"a learning rate must be a symbol name or a positive number, not {value!r}")
        return sp.Symbol(value, positive=True)
    if isinstance(value, (int, float, sp.Number)):
        rate = sp.Rational(str(value)) if isinstance(value, float) else sp.Rational(value)
        if not (rate.is_finite and rate > 0):
            raise ModelError(f"a learning rate must be positive, not {value!r}")
        return rate
    raise ModelError(f"a learning rate must be a symbol name or a positive number, not {value!r}")


@dataclass(frozen=True)
class Training:
    """How the network is trained: one step of gradient descent on a batch of examples.

    ``rate`` η (a positive symbol or number), ``batch`` N (a positive-integer symbol or an
    integer), ``mean``: the batch loss is (1/N) Σ_n E_n (True) or Σ_n E_n (False), ``index`` the
    letter of the example n, ``optimizer`` one of :data:`OPTIMIZERS`."""

    rate: sp.Expr
    batch: Size
    mean: bool = True
    index: str = "n"
    optimizer: str = "sgd"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", learning_rate(self.rate))
        object.__setattr__(self, "batch", make_size(self.batch))
        if not isinstance(self.mean, bool):
            raise ModelError(f"training.mean must be true or false, not {self.mean!r}")
        if not (isinstance(self.index, str) and len(self.index) == 1 and self.index.isalpha()):
            raise ModelError(f"the example index must be a single letter, not {self.index!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ModelError(f"unknown optimizer {self.optimizer!r}; allowed: {', '.join(OPTIMIZERS)}")

    @property
    def sample(self) -> sp.Symbol:
        """n, the index of an example in the batch (1..N)."""
        return index_symbol(self.index)


@dataclass(frozen=True)
class LayerSymbols:
    """The SymPy objects of layer ℓ: index, dummy index, width, and indexed quantities."""

    layer: int
    index: sp.Symbol
    dummy: sp.Symbol
    size: Size
    y: sp.IndexedBase
    u: Optional[sp.IndexedBase] = None
    w: Optional[sp.IndexedBase] = None
    b: Optional[sp.IndexedBase] = None
    delta: Optional[sp.IndexedBase] = None
    grad_y: Optional[sp.IndexedBase] = None


@dataclass(frozen=True)
class Network:
    """A fully connected network: layers from the input up, a loss, a notation."""

    layers: tuple[Layer, ...]
    loss: str
    title: str = ""
    notation: Notation = field(default_factory=Notation)
    training: Optional[Training] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if len(self.layers) < 2:
            raise ModelError("a network needs an input layer and at least one layer above it")
        if self.layers[0].activation is not None:
            raise ModelError("the input layer has no activation")
        for n, layer in enumerate(self.layers[1:], start=1):
            if layer.activation is None:
                raise ModelError(f"layer {n} needs an activation")
        letters = [l.index for l in self.layers]
        dup = sorted({c for c in letters if letters.count(c) > 1})
        if dup:
            raise ModelError(f"index letters must differ between layers; repeated: {', '.join(dup)}")
        taken = {self.notation.weight, self.notation.bias, self.notation.preactivation,
                 self.notation.activation, self.notation.input, self.notation.target,
                 self.notation.loss}
        clash = sorted(set(letters) & taken)
        if clash:
            raise ModelError(f"index letters clash with notation letters: {', '.join(clash)}")
        sizes = {str(l.size) for l in self.layers if isinstance(l.size, sp.Symbol)}
        clash = sorted(sizes & (set(letters) | taken))
        if clash:
            raise ModelError(f"size names clash with index or notation letters: {', '.join(clash)}")
        lookup_loss(self.loss)
        if self.training is not None and self.training.index in set(letters) | taken:
            raise ModelError(f"the example index {self.training.index} clashes with an index or "
                             "notation letter")

    def __repr__(self) -> str:
        from .verdict import one_line

        widths = "→".join(str(l.size) for l in self.layers)
        acts = "→".join(l.activation for l in self.layers[1:])
        title = f"{one_line(self.title, 50)!r}, " if self.title else ""
        return f"Network({title}{widths}, {acts}, loss={self.loss})"

    def _repr_latex_(self) -> str:
        """The forward pass and the loss, in the network's notation."""
        from .derive import loss_expression, output_definition, preactivation
        from .printing import latex

        rows = []
        for n in range(1, len(self.layers)):
            s, below = self.symbols[n], self.symbols[n - 1]
            rows.append(f"{latex(s.u[s.index], self)} &= {latex(preactivation(self, n, below.index), self)}")
            rows.append(f"{latex(s.y[s.index], self)} &= {latex(output_definition(self, n), self)}")
        last = self.symbols[-1]
        rows.append(f"{latex(self.loss_symbol, self)} &= {latex(loss_expression(self, last.index), self)}")
        return r"$\displaystyle \begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"

    @property
    def depth(self) -> int:
        """L, the number of layers above the input."""
        return len(self.layers) - 1

    @cached_property
    def symbols(self) -> tuple[LayerSymbols, ...]:
        """The SymPy objects of every layer, input first."""
        out = []
        for n, layer in enumerate(self.layers):
            idx = index_symbol(layer.index)
            common = dict(layer=n, index=idx, dummy=index_symbol(layer.index + "'"),
                          size=layer.size, y=sp.IndexedBase(f"y_{n}"))
            if n == 0:
                out.append(LayerSymbols(**common))
            else:
                out.append(LayerSymbols(
                    **common,
                    u=sp.IndexedBase(f"u_{n}"),
                    w=sp.IndexedBase(f"w_{n}"),
                    b=sp.IndexedBase(f"b_{n}") if layer.bias else None,
                    delta=sp.IndexedBase(f"delta_{n}"),
                    grad_y=sp.IndexedBase(f"gy_{n}"),
                ))
        return tuple(out)

    @cached_property
    def target(self) -> sp.IndexedBase:
        """t, the target vector (indexed like the output layer)."""
        return sp.IndexedBase("t")

    @cached_property
    def loss_symbol(self) -> sp.Symbol:
        """E, the loss."""
        return sp.Symbol("E")

    @cached_property
    def ranges(self) -> dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]:
        """Every index symbol (and its dummy) with its range 1..width."""
        r: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}
        for s in self.symbols:
            r[s.index] = (sp.Integer(1), s.size)
            r[s.dummy] = (sp.Integer(1), s.size)
        return r

    def width_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbolic widths, input first (integers are left out)."""
        seen: list[sp.Symbol] = []
        for layer in self.layers:
            if isinstance(layer.size, sp.Symbol) and layer.size not in seen:
                seen.append(layer.size)
        return tuple(seen)

    def with_sizes(self, sizes: "list[int] | tuple[int, ...]") -> "Network":
        """The same network at concrete widths (input first)."""
        if len(sizes) != len(self.layers):
            raise ModelError(f"need {len(self.layers)} sizes (one per layer, input first), got {len(sizes)}")
        layers = tuple(Layer(int(n), l.index, l.activation, l.bias) for n, l in zip(sizes, self.layers))
        return Network(layers, self.loss, self.title, self.notation, self.training)
