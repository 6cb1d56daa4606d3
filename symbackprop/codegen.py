"""Code generation: a self-contained, vectorised NumPy module for one network.

The module is written from the derivation, in the batch form of
:mod:`symbackprop.matrix` (rows are examples, ``W{ℓ}`` has shape n_{ℓ−1} × n_ℓ):

    U{ℓ} = Y{ℓ−1} W{ℓ} + b{ℓ},   Y{ℓ} = f_ℓ(U{ℓ})                   (forward)
    Δ{ℓ} = the derived δ^ℓ, with y → Y{ℓ}, u → U{ℓ}, t → T,
           Σ_c δ_c w_{ac} → G{ℓ} = Δ{ℓ+1} W{ℓ+1}ᵀ and Σ_{a'} → a row sum
    ∂E/∂W{ℓ} = Y{ℓ−1}ᵀ Δ{ℓ},  ∂E/∂b{ℓ} = Δ{ℓ}ᵀ 1,  ∂E/∂X = Δ{1} W{1}ᵀ,

with E summed over the batch.  So the output Δ is the derived closed form with every
stated assumption lifted (:mod:`symbackprop.exact`: softmax + cross-entropy gives
Δ = Y ⊙ rowsum(T) − T, no Jacobian, exact for soft or unnormalised T; the module's
docstring says so), a hidden Δ is
f′(U) ⊙ G with f′ written in the layer's own outputs where the rule allows
(σ′ = Y(1 − Y): σ is not computed twice), and a softmax hidden layer gets
Y ⊙ (G − rowsum(G ⊙ Y)).  The loss is evaluated through the stable identities of
:data:`LOG_RULES` (log-softmax by the row log-sum-exp, log σ by softplus).

The pipeline reads top to bottom in :func:`generate`: plan the layers
(:func:`plan`), then write the module (:func:`render`).  :func:`compile` executes
the source and returns the callables.  The written module imports NumPy only.
"""

from __future__ import annotations

import builtins
import itertools
import linecache
import types
from dataclasses import dataclass, field, replace
from typing import Callable, Optional, Union

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import __version__
from .codegen_kernels import KERNELS
from .derive import Derivation, derive
from .errors import SymbackpropError
from .exact import assumption_notes, exact_forms
from .matrix import RowSum
from .model import Network
from .printing import text
from .rules import activation as lookup_activation
from .rules.functions import sigmoid, softplus

DTYPES = ("float64", "float32")
TARGETS = ("numpy",)


class CodegenError(SymbackpropError):
    """The network cannot be written in batch form: the message names the layer and the formula."""


# ── matrix names ───────────────────────────────────────────────────────────
class TotalSum(sp.Function):
    """The sum of every entry (over the batch and the layer)."""

    nargs = 1


class LogSumExp(sp.Function):
    """log Σ_{a'} e^{u_{a'}}, the row log-sum-exp (argument: the Sum it stands for)."""

    nargs = 1


def _name(stem: str, n: int) -> str:
    return "X" if (stem == "Y" and n == 0) else f"{stem}{n}"


def _sym(stem: str, n: int = 0) -> sp.Symbol:
    return sp.Symbol(_name(stem, n) if stem not in ("T",) else "T", real=True)


# ── numerically stable identities for the loss ─────────────────────────────
def log_sigmoid(arg: sp.Expr) -> Optional[sp.Expr]:
    """log σ(u) = −softplus(−u)."""
    if isinstance(arg, sigmoid):
        return -softplus(-arg.args[0])
    return None


def log_one_minus_sigmoid(arg: sp.Expr) -> Optional[sp.Expr]:
    """log(1 − σ(u)) = −softplus(u)."""
    rest = -(arg - 1)
    if isinstance(rest, sigmoid):
        return -softplus(rest.args[0])
    return None


def log_softmax(arg: sp.Expr) -> Optional[sp.Expr]:
    """log(e^{u_k} / Σ_{k'} e^{u_{k'}}) = u_k − log Σ_{k'} e^{u_{k'}}  (log-sum-exp, shifted by the row maximum)."""
    num, den = sp.fraction(arg)
    if isinstance(num, sp.exp) and isinstance(den, sp.Sum) and isinstance(den.function, sp.exp):
        return num.args[0] - LogSumExp(den)
    return None


def softplus_reflection(expr: sp.Expr) -> Optional[sp.Expr]:
    """softplus(−u) = softplus(u) − u  (so t·softplus(−u) + (1 − t)·softplus(u) = softplus(u) − t·u)."""
    if isinstance(expr, softplus) and expr.args[0].could_extract_minus_sign():
        return softplus(-expr.args[0]) + expr.args[0]
    return None


#: Identities that rewrite log y_k, once y_k is replaced by its definition in u.
LOG_RULES: tuple[Callable[[sp.Expr], Optional[sp.Expr]], ...] = (
    log_sigmoid, log_one_minus_sigmoid, log_softmax)

#: Identities applied afterwards to the rewritten loss (fewer transcendental calls).
TIDY_RULES: tuple[Callable[[sp.Expr], Optional[sp.Expr]], ...] = (softplus_reflection,)


class BatchPrinter(NumPyPrinter):
    """NumPy source for batch expressions: ``np.`` prefix, kernels, row sums."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": True})
        self.kernels: set[str] = set()

    def _module_format(self, fqn, register=True):
        out = super()._module_format(fqn, register)
        return "np." + out[len("numpy."):] if out.startswith("numpy.") else out

    def _kernel(self, name: str, expr) -> str:
        self.kernels.add(name)
        return f"{name}({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr) -> str:
        return self._kernel("sigmoid", expr)

    def _print_relu(self, expr) -> str:
        return self._kernel("relu", expr)

    def _print_softplus(self, expr) -> str:
        return self._kernel("softplus", expr)

    def _print_Heaviside(self, expr) -> str:
        return self._kernel("heaviside", expr)

    def _print_RowSum(self, expr) -> str:
        arg = self._print(expr.args[0])
        return f"{arg if expr.args[0].is_Symbol else '(' + arg + ')'}.sum(axis=1, keepdims=True)"

    def _print_TotalSum(self, expr) -> str:
        return f"np.sum({self._print(expr.args[0])})"

    def _print_Symbol(self, expr) -> str:
        return expr.name

    def _as_ordered_terms(self, expr, order=None):
        """Positive terms first, as a textbook writes them: Y2 - T, not -T + Y2."""
        terms = super()._as_ordered_terms(expr, order)
        return sorted(terms, key=lambda t: t.could_extract_minus_sign())

    def function_name(self, func: type) -> str:
        """The name the module calls ``func`` by (a kernel or a NumPy ufunc)."""
        probe = sp.Symbol("_")
        call = self.doprint(func(probe))
        if not call.endswith("(_)"):
            raise CodegenError(f"cannot call {func.__name__} elementwise in NumPy")
        return call[:-3]


# ── the plan: what each layer computes ─────────────────────────────────────
@dataclass(frozen=True)
class LayerPlan:
    """One layer above the input, in batch form (SymPy expressions in matrix names)."""

    n: int
    activation: str
    bias: bool
    forward: sp.Expr                  # Y{n} in terms of U{n} (elementwise), or None for softmax
    normalized_exp: bool              # Y{n}, L{n} = softmax(U{n})
    delta: sp.Expr                    # Δ{n} in U{n}, Y{n}, T, G{n}, N{n}
    delta_text: str                   # the derived δ, in the spec's notation
    keeps_u: bool                     # U{n} is needed after Y{n} is computed


@dataclass(frozen=True)
class Plan:
    """Every layer (input first) and the loss, ready to print."""

    network: Network
    layers: tuple[LayerPlan, ...]
    loss: sp.Expr                     # E over the batch, in matrix names
    loss_text: str                    # E as the loss rule defines it
    assumptions: tuple[str, ...] = ()  # what the formulas rely on, lines for the docstring


def _is_normalized_exp(expr: sp.Expr) -> bool:
    """True for e^{u_k} / Σ_{k'} e^{u_{k'}} (the shape softmax has)."""
    num, den = sp.fraction(expr)
    return isinstance(num, sp.exp) and isinstance(den, sp.Sum) and isinstance(den.function, sp.exp)


def _output_definition(net: Network, n: int) -> sp.Expr:
    """y^n_a as a function of u^n, from the activation rule."""
    s = net.symbols[n]
    act = lookup_activation(net.layers[n].activation)
    if act.elementwise:
        return act.function(s.u[s.index])
    return act.vector_function(s.u, s.index, s.dummy, s.size)


def _to_matrices(expr: sp.Expr, net: Network, n: int, upstream: Optional[sp.Expr] = None) -> sp.Expr:
    """Index form of layer n → batch form: Σ_c δ_c w_{ac} → G, Σ_{a'} → RowSum, y → Y, u → U, t → T."""
    s = net.symbols[n]
    a, ap = s.index, s.dummy
    G, Y, U, T, N, L = (_sym("G", n), _sym("Y", n), _sym("U", n), _sym("T"), _sym("N", n),
                        _sym("L", n))
    if upstream is not None:
        expr = expr.xreplace({upstream: G, upstream.xreplace({a: ap}): G})
    expr = expr.replace(lambda e: isinstance(e, LogSumExp), lambda e: L)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1
                        and e.limits[0][0] in (a, ap),
                        lambda e: RowSum(e.function))
    act = lookup_activation(net.layers[n].activation)
    table = {}
    for i in (a, ap):
        if act.elementwise:
            table[act.function(s.u[i])] = Y
        table.update({s.y[i]: Y, s.u[i]: U, net.target[i]: T})
    expr = expr.xreplace(table).xreplace({s.size: N}) if isinstance(s.size, sp.Symbol) else expr.xreplace(table)
    leftover = [e for e in sp.preorder_traversal(expr) if isinstance(e, (sp.Indexed, sp.Sum))]
    if leftover:
        raise CodegenError(f"layer {n}: cannot write {leftover[0]} in batch form (in {expr})")
    return expr


def _stable_loss(net: Network, E: sp.Expr) -> sp.Expr:
    """Rewrite each log y_k by :data:`LOG_RULES` once y_k is written in u (kept when no rule applies)."""
    n = net.depth
    s = net.symbols[n]
    definition = _output_definition(net, n)

    def rewrite(arg: sp.Expr) -> sp.Expr:
        inner = arg.xreplace({s.y[s.index]: definition})
        for rule in LOG_RULES:
            out = rule(inner)
            if out is not None and not out.has(sp.log):
                return out
        return sp.log(arg)

    E = E.replace(lambda e: isinstance(e, sp.log) and e.args[0].has(s.y[s.index]),
                  lambda e: rewrite(e.args[0]))
    for rule in TIDY_RULES:
        E = E.replace(lambda e, rule=rule: rule(e) is not None, lambda e, rule=rule: rule(e))
    return sp.expand(E) if E.has(softplus) else E


def _batch_loss(net: Network, E: sp.Expr) -> sp.Expr:
    """E for the whole batch.  E = Σ_i c_i Σ_k f_i (c_i free of the batch) becomes one sum of
    every entry of Σ_i c_i f_i (the coefficient stays outside when there is one term);
    otherwise E is evaluated per row and summed."""
    n = net.depth
    E = _to_matrices(_stable_loss(net, E), net, n)
    arrays = E.free_symbols - {_sym("N", n)}
    terms = []
    for term in sp.Add.make_args(sp.expand(E) if E.has(softplus) else E):
        coeff, rest = term.as_independent(*arrays, as_Add=False)
        if not isinstance(rest, RowSum):
            return TotalSum(E)
        terms.append((coeff, rest.args[0]))
    if len(terms) == 1:
        return terms[0][0] * TotalSum(terms[0][1])
    return TotalSum(sp.Add(*(c * f for c, f in terms)))


def _rebuilt(expr: sp.Expr) -> sp.Expr:
    """The same expression with every product evaluated (textbook-ordered Muls made canonical)."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.Tuple)):
        return expr
    return expr.func(*(_rebuilt(a) for a in expr.args))


def _check_structure(d: Derivation) -> None:
    """The weight, bias and input gradients must be y_p δ_a, δ_a, Σ_a δ_a w_{pa} (fully connected)."""
    net = d.network
    for ld in d.layers:
        s, below = net.symbols[ld.layer], net.symbols[ld.layer - 1]
        a, p = s.index, below.index
        want = {
            "weight": below.y[p] * s.delta[a],
            "bias": s.delta[a],
            "input": sp.Sum(s.delta[a] * s.w[p, a], (a, 1, s.size)),
        }
        for r in ld.results[1:]:
            if _rebuilt(r.rhs) != want[r.name]:
                raise CodegenError(f"layer {ld.layer}: {r.name} gradient {r.rhs} is not the "
                                   f"fully connected form {want[r.name]}")


def plan(d: Derivation) -> Plan:
    """Pass 1: every layer's forward and Δ (exact forms), and the loss, as batch expressions."""
    _check_structure(d)
    forms = exact_forms(d)
    d = forms.derivation
    net = d.network
    layers = []
    for n in range(1, net.depth + 1):
        ld = d.layer(n)
        act = lookup_activation(net.layers[n].activation)
        upstream = d.layer(n + 1).input.rhs if n < net.depth else None
        delta = _to_matrices(ld.delta.rhs, net, n, upstream)
        definition = _output_definition(net, n)
        if act.elementwise:
            forward = definition.xreplace({net.symbols[n].u[net.symbols[n].index]: _sym("U", n)})
            normalized = False
        elif _is_normalized_exp(definition):
            forward, normalized = None, True
        else:
            raise CodegenError(f"layer {n}: no stable NumPy form for the vector activation "
                               f"{act.name!r} (add one to symbackprop.codegen)")
        layers.append(LayerPlan(n, act.name, net.layers[n].bias, forward, normalized, delta,
                                f"{text(ld.delta.lhs, net)} = {text(ld.delta.rhs, net)}",
                                keeps_u=False))
    E = next(r for r in d.forward if r.name == "loss").rhs
    loss = _batch_loss(net, E)
    # U{n} must survive its activation when Δ or the loss reads it
    kept = []
    for lp in layers:
        U = _sym("U", lp.n)
        keeps = U in lp.delta.free_symbols or (lp.n == net.depth and U in loss.free_symbols)
        kept.append(replace(lp, keeps_u=keeps))
    return Plan(net, tuple(kept), loss, f"{net.notation.loss} = {text(E, net)}",
                tuple(assumption_notes(forms)))


# ── pass 2: write the module ───────────────────────────────────────────────
class _Writer:
    """Lines of Python with indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "", indent: int = 0) -> None:
        self.lines.append(("    " * indent + line) if line else "")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _product(p: BatchPrinter, name: str, expr: sp.Expr, fresh: tuple[sp.Symbol, ...] = ()) -> list[str]:
    """Statements that compute ``name = expr`` for a product, factor by factor, in place.

    A factor in ``fresh`` (an array this function owns, like G) becomes the buffer
    itself; otherwise the first factor that makes a new full-size array does.
    """
    coeff, rest = expr.as_coeff_Mul()
    factors = list(sp.Mul.make_args(rest))

    def full(f: sp.Expr) -> bool:  # a B × n array: an array outside any row sum (N{ℓ} is a width)
        outside = f.replace(lambda e: isinstance(e, RowSum), lambda e: sp.Integer(1)).free_symbols
        return any(not s.name.startswith("N") for s in outside)

    lines = []
    base = next((f for f in factors if f in fresh), None)
    if base is not None:
        factors.remove(base)
        lines.append(f"{name} = {p.doprint(base)}")
    else:
        base = next((f for f in factors if full(f) and not f.is_Symbol
                     and not (f.is_Pow and f.exp.is_negative)), None)
        if base is not None:
            factors.remove(base)
            lines.append(f"{name} = {p.doprint(coeff * base)}")
            coeff = sp.Integer(1)
        else:
            base = next((f for f in factors if full(f)), None)
            if base is None:
                raise CodegenError(f"{name} = {expr} does not depend on the batch")
            factors.remove(base)
            lines.append(f"{name} = ({p.doprint(base)}) * ({p.doprint(coeff)})")
            coeff = sp.Integer(1)
    for f in factors:
        if f.is_Pow and f.exp == -1:
            lines.append(f"{name} /= {p.doprint(f.base)}")
        else:
            lines.append(f"{name} *= {p.doprint(f)}")
    if coeff != 1:
        lines.append(f"{name} *= {p.doprint(coeff)}")
    return lines


def _layer_forward(p: BatchPrinter, lp: LayerPlan) -> list[str]:
    n = lp.n
    U, Y, below = _name("U", n), _name("Y", n), _name("Y", n - 1)
    lines = [f"{U} = {below} @ W{n}"]
    if lp.bias:
        lines.append(f"{U} += b{n}")
    if lp.normalized_exp:
        p.kernels.add("softmax")
        lines.append(f"{Y}, {_name('L', n)} = softmax({U})")
    elif lp.forward == _sym("U", n):
        lines.append(f"{Y} = {U}")
    elif isinstance(lp.forward, sp.Function) and lp.forward.args == (_sym("U", n),):
        call = p.function_name(lp.forward.func)
        lines.append(f"{Y} = {call}({U})" if lp.keeps_u else f"{Y} = {call}({U}, out={U})")
    else:
        lines.append(f"{Y} = {p.doprint(lp.forward)}")
    return lines


def _forward_outputs(plan_: Plan) -> list[str]:
    """The names the forward pass hands to the loss and the backward pass."""
    out = []
    for lp in plan_.layers:
        if lp.keeps_u:
            out.append(_name("U", lp.n))
        out.append(_name("Y", lp.n))
        if lp.normalized_exp and _sym("L", lp.n) in plan_.loss.free_symbols:
            out.append(_name("L", lp.n))
    return out


def _doc(text_: str) -> str:
    """Text that is safe inside a triple-quoted docstring (backslashes and quotes escaped)."""
    return text_.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _header(plan_: Plan, p: BatchPrinter, source: str, dtype: str) -> list[str]:
    net = plan_.network
    title = _doc(net.title or "network")
    source = _doc(source)
    rows = [f'"""Backpropagation for "{title}".', "",
            f"Generated by symbackprop {__version__} from {source or 'a network built in Python'}; "
            "do not edit.", "",
            "Rows of X and T are examples; W{ℓ} has shape n_{ℓ−1} × n_ℓ (row j below, column k above).",
            "Forward:"]
    for lp in plan_.layers:
        f = "softmax(U{0})".format(lp.n) if lp.normalized_exp else p.doprint(lp.forward)
        rows.append(f"    U{lp.n} = {_name('Y', lp.n - 1)} @ W{lp.n}" + (f" + b{lp.n}" if lp.bias else "")
                    + f",  Y{lp.n} = {f}")
    rows += ["Loss, summed over the batch:", f"    {_doc(plan_.loss_text)}", f"    E = {p.doprint(plan_.loss)}",
             "Backward (each Δ is the derived δ written for the batch; G{ℓ} = Δ{ℓ+1} @ W{ℓ+1}.T):"]
    for lp in reversed(plan_.layers):
        rows.append(f"    layer {lp.n}: {_doc(lp.delta_text)}")
        rows.append(f"        Δ{lp.n} = {p.doprint(lp.delta)}")
    rows += ["    dW{ℓ} = Y{ℓ−1}.T @ Δ{ℓ},  db{ℓ} = Δ{ℓ} summed over rows,  dX = Δ1 @ W1.T", ""]
    rows += [_doc(line) for line in plan_.assumptions]
    if "heaviside" in p.kernels:
        rows.append("Convention: ReLU′(0) = H(0) = 0, as PyTorch and JAX take it.")
    rows += ["", f"Arrays are computed in {dtype}.  This module needs only NumPy.", '"""']
    return rows


def render(plan_: Plan, source: str = "", dtype: str = "float64") -> str:
    """Pass 2: the module's source text."""
    net = plan_.network
    L = net.depth
    p = BatchPrinter()
    w = _Writer()
    body = _Writer()
    forward_out = _forward_outputs(plan_)
    params = ", ".join(f"W{n}, b{n}" for n in range(1, L + 1))

    # _arrays
    body('def _arrays(X, T, Ws, bs):')
    body('"""X, T, then W and b of each layer as DTYPE arrays (b is None for a layer without bias)."""', 1)
    body(f'if len(Ws) != {L} or len(bs) != {L}:', 1)
    body(f'raise ValueError(f"this network has {L} layers above the input: '
         f'need {L} weight matrices and {L} biases, got {{len(Ws)}} and {{len(bs)}}")', 2)
    out = ["np.asarray(X, dtype=DTYPE)", "None if T is None else np.asarray(T, dtype=DTYPE)"]
    for n in range(1, L + 1):
        out.append(f"np.asarray(Ws[{n - 1}], dtype=DTYPE)")
        if plan_.layers[n - 1].bias:
            out.append(f"np.asarray(bs[{n - 1}], dtype=DTYPE)")
        else:
            body(f'if bs[{n - 1}] is not None:', 1)
            body(f'raise ValueError("layer {n} has no bias: pass None")', 2)
            out.append("None")
    body("return (" + ",\n            ".join(out) + ")", 1)
    body()
    body()

    # _forward
    body(f"def _forward(X, {params}):")
    body('"""The forward pass; returns what the loss and the backward pass read."""', 1)
    for lp in plan_.layers:
        for line in _layer_forward(p, lp):
            body(line, 1)
    body("return " + ", ".join(forward_out), 1)
    body()
    body()

    # _loss
    loss_args = sorted({s.name for s in plan_.loss.free_symbols}, key=lambda s: (s != "T", s))
    needs_n = _sym("N", L) in plan_.loss.free_symbols
    loss_in = [a for a in loss_args if a != _name("N", L)]
    body(f"def _loss({', '.join(loss_in)}):")
    body(f'"""{_doc(plan_.loss_text)}, summed over the batch."""', 1)
    if needs_n:
        body(f"{_name('N', L)} = {_name('Y', L) if _name('Y', L) in loss_in else 'T'}.shape[1]", 1)
    body(f"return float({p.doprint(plan_.loss)})", 1)
    body()
    body()

    # public: forward, loss, gradients
    body("def forward(X, Ws, bs):")
    body('"""The network output Y (one row per example)."""', 1)
    body(f"X, _, {params} = _arrays(X, None, Ws, bs)", 1)
    body(f"{', '.join(forward_out)} = _forward(X, {params})", 1)
    body(f"return {_name('Y', L)}", 1)
    body()
    body()
    body("def loss(X, T, Ws, bs):")
    body(f'"""E = {_doc(plan_.loss_text.split(" = ", 1)[1])}, summed over the batch."""', 1)
    body(f"X, T, {params} = _arrays(X, T, Ws, bs)", 1)
    body(f"{', '.join(forward_out)} = _forward(X, {params})", 1)
    body(f"return _loss({', '.join(loss_in)})", 1)
    body()
    body()
    body("def _buffers(out):")
    body('"""The dW, db and dx arrays of an earlier result, to overwrite (or None: allocate new ones)."""', 1)
    body("if out is None:", 1)
    body(f"return {(None,) * L!r}, {(None,) * L!r}, None", 2)
    body('return out["dW"], out["db"], out["dx"]', 1)
    body()
    body()
    body("def gradients(X, T, Ws, bs, input_grad=True, out=None):")
    body('"""Loss, outputs and every gradient for a batch.', 1)
    body("", 1)
    body('Returns {"loss": E, "y": the output Y, "delta": [Δ1, …], "dW": [∂E/∂W1, …],', 1)
    body('"db": [∂E/∂b1 or None, …], "dx": ∂E/∂X (None unless input_grad)}; lists run from layer 1 up.', 1)
    body("out: a dict returned by an earlier call with arrays of the same shapes; its dW, db", 1)
    body("and dx are overwritten in place and returned again (no new gradient arrays).", 1)
    body('"""', 1)
    body(f"X, T, {params} = _arrays(X, T, Ws, bs)", 1)
    body("oW, ob, ox = _buffers(out)", 1)
    body(f"{', '.join(forward_out)} = _forward(X, {params})", 1)
    body(f"E = _loss({', '.join(loss_in)})", 1)
    for lp in reversed(plan_.layers):
        n = lp.n
        D, G, Yb = _name("D", n), _name("G", n), _name("Y", n - 1)
        body(f"# layer {n}: {lp.delta_text}", 1)
        if _sym("N", n) in lp.delta.free_symbols:
            body(f"{_name('N', n)} = {_name('Y', n)}.shape[1]", 1)
        for line in _product(p, D, lp.delta, fresh=(_sym("G", n),)):
            body(line, 1)
        body(f"dW{n} = np.matmul({Yb}.T, {D}, out=oW[{n - 1}])", 1)
        if lp.bias:
            body(f"db{n} = np.sum({D}, axis=0, out=ob[{n - 1}])", 1)
        if n > 1:
            body(f"{_name('G', n - 1)} = {D} @ W{n}.T", 1)
        else:
            body(f"dX = np.matmul({D}, W1.T, out=ox) if input_grad else None", 1)
    lst = lambda stem: "[" + ", ".join(_name(stem, n) for n in range(1, L + 1)) + "]"  # noqa: E731
    dbs = "[" + ", ".join(f"db{n}" if plan_.layers[n - 1].bias else "None" for n in range(1, L + 1)) + "]"
    body(f'return {{"loss": E, "y": {_name("Y", L)}, "delta": {lst("D")},', 1)
    body(f'        "dW": [{", ".join(f"dW{n}" for n in range(1, L + 1))}], "db": {dbs}, "dx": dX}}', 1)

    for line in _header(plan_, p, source, dtype):
        w(line)
    w()
    w("import numpy as np")
    w()
    w(f"DTYPE = np.{dtype}")
    w(f"LAYERS = {L}")
    w(f"BIASES = {tuple(lp.bias for lp in plan_.layers)!r}")
    w()
    w()
    for name in sorted(p.kernels):
        for line in KERNELS[name].source.rstrip("\n").split("\n"):
            w(line)
        w()
        w()
    return w.text() + body.text()


def generate(derivation: Union[Derivation, Network], source: str = "", dtype: str = "float64",
             target: str = "numpy") -> str:
    """The source of a NumPy module with ``forward``, ``loss`` and ``gradients`` for the network."""
    if target not in TARGETS:
        raise CodegenError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}")
    dtype = _dtype_name(dtype)
    d = derive(derivation) if isinstance(derivation, Network) else derivation
    return render(plan(d), source, dtype)


def _dtype_name(dtype) -> str:
    name = getattr(dtype, "__name__", None) or str(dtype)
    name = {"double": "float64", "float": "float64", "single": "float32"}.get(name, name)
    if name not in DTYPES:
        raise CodegenError(f"unsupported dtype {dtype!r}; allowed: {', '.join(DTYPES)}")
    return name


@dataclass(frozen=True)
class Compiled:
    """The callables of a generated module, with its source."""

    source: str = field(repr=False)
    module: types.ModuleType = field(repr=False)
    dtype: str = "float64"

    def loss(self, X, T, Ws, bs) -> float:
        """E summed over the batch."""
        return self.module.loss(X, T, Ws, bs)

    def gradients(self, X, T, Ws, bs, input_grad: bool = True, out: Optional[dict] = None) -> dict:
        """loss, y, delta, dW, db, dx (lists from layer 1 up), like :func:`~symbackprop.matrix.batch_backprop`.

        ``out``: an earlier result whose dW, db, dx arrays are overwritten (no new allocation).
        """
        return self.module.gradients(X, T, Ws, bs, input_grad, out)

    def forward(self, X, Ws, bs):
        """The network output."""
        return self.module.forward(X, Ws, bs)


_MODULE_NUMBERS = itertools.count(1)


def compile(derivation: Union[Derivation, Network], dtype="float64") -> Compiled:  # noqa: A001
    """Generate the NumPy module for ``derivation`` and load it; returns its callables.

    For speed, bind the functions once: ``g = compile(d).module.gradients``.
    """
    name = _dtype_name(dtype)
    source = generate(derivation, dtype=name)
    number = next(_MODULE_NUMBERS)
    filename = f"<symbackprop.codegen {number}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks
    module = types.ModuleType(f"symbackprop_generated_{number}")
    module.__file__ = filename
    exec(builtins.compile(source, filename, "exec"), module.__dict__)
    return Compiled(source, module, name)
