"""The batch (matrix) form of backpropagation, as LaTeX and as NumPy.

Rows are examples (B × width).  With W^{(ℓ)} of shape n_{ℓ−1} × n_ℓ:

    U^{(ℓ)} = Y^{(ℓ−1)} W^{(ℓ)} + 𝟏 b^{(ℓ)ᵀ},        Y^{(ℓ)} = f_ℓ(U^{(ℓ)})
    Δ^{(ℓ)} = f′_ℓ(U^{(ℓ)}) ⊙ (Δ^{(ℓ+1)} W^{(ℓ+1)ᵀ})        (elementwise f)
    Δ^{(ℓ)} = Y ⊙ (G − ((G ⊙ Y) 𝟏) 𝟏ᵀ),  G = Δ^{(ℓ+1)} W^{(ℓ+1)ᵀ}   (softmax)
    ∂E/∂W^{(ℓ)} = Y^{(ℓ−1)ᵀ} Δ^{(ℓ)},  ∂E/∂b^{(ℓ)} = Δ^{(ℓ)ᵀ} 𝟏,  ∂E/∂Y^{(ℓ−1)} = Δ^{(ℓ)} W^{(ℓ)ᵀ}

for E = Σ_b E_b.  The output Δ^{(L)} is the derived δ_k written for matrices
(y_k → Y, t_k → T, Σ_{k'} → a row sum).  Both the LaTeX and the NumPy code are built
from the same derivation and rule data, and the tests check the NumPy against the index
form.  The LaTeX shows the derivation as it stands (δ_k = y_k − t_k under Σ_k t_k = 1);
the NumPy computes the exact forms of :mod:`symbackprop.exact` (Δ = Y ⊙ (T𝟏)𝟏ᵀ − T for
softmax + cross-entropy), right for any targets.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from .derive import Derivation
from .exact import exact_forms
from .model import Network
from .printing import NotationLatexPrinter, latex
from .rules import activation as lookup_activation
from .rules.notation_table import numpy_functions

from .notation import matrix_letter  # noqa: F401  (the batch-form name of a quantity)


@dataclass(frozen=True)
class MatrixForm:
    """The batch formulas of one layer, in LaTeX."""

    layer: int
    delta: str
    weight: str
    bias: Optional[str]
    input: str


class _MatrixPrinter(NotationLatexPrinter):
    """Prints matrix symbols ``Y^{(ℓ)}`` and writes products of matrices as ⊙."""

    def _print_Symbol(self, expr, style="plain"):
        if expr.name.startswith("MAT:"):
            return expr.name[4:]
        return super()._print_Symbol(expr, style)

    def _print_factors(self, factors):
        parts = super()._print_factors(factors)
        matrices = [f for f in factors if f.free_symbols and any(
            s.name.startswith("MAT:") for s in f.free_symbols)]
        if len(matrices) < 2:
            return parts
        out = []
        for f in factors:
            t = self._print(f)
            if isinstance(f, sp.Add):
                t = rf"\left({t}\right)"
            out.append(t)
        return " \\odot ".join(out)


#: The batch gradients as products of named matrices (name, transposed), read by the matrix form
#: here and by the update rules of :mod:`symbackprop.training`: ∂E/∂W = Yᵀ Δ (from_to, W^{(ℓ)}
#: of shape n_{ℓ−1} × n_ℓ) or Δᵀ Y (to_from, n_ℓ × n_{ℓ−1}); ∂E/∂b = Δᵀ 𝟏.
WEIGHT_FACTORS = {"from_to": (("Yb", True), ("D", False)), "to_from": (("D", True), ("Yb", False))}
BIAS_FACTORS = (("D", True), ("1", False))


def product_latex(factors: tuple[tuple[str, bool], ...], names: dict[str, str]) -> str:
    """A product of named matrices (:data:`WEIGHT_FACTORS`) in LaTeX, ``𝟏`` a column of ones."""
    named = {**names, "1": r"\mathbf{1}"}
    return " ".join(named[name] + (r"^{\top}" if transposed else "") for name, transposed in factors)


def batch_names(net: Network, n: int) -> dict[str, str]:
    """The LaTeX names of layer ``n``'s batch matrices: Y, Yb (the layer below), U, W, b, D (Δ),
    Dup and Wup (the layer above), T, E."""
    nt = net.notation
    sup = f"^{{({n})}}"
    return {key: "{" + value + "}" if "^" in value else value for key, value in {
        "Y": matrix_letter(nt.activation) + sup,
        "Yb": (matrix_letter(nt.input) if n == 1 else matrix_letter(nt.activation) + f"^{{({n - 1})}}"),
        "U": matrix_letter(nt.preactivation) + sup,
        "W": matrix_letter(nt.weight) + sup,
        "b": nt.bias + sup,
        "D": matrix_letter(nt.delta) + sup,
        "Dup": matrix_letter(nt.delta) + f"^{{({n + 1})}}",
        "Wup": matrix_letter(nt.weight) + f"^{{({n + 1})}}",
        "T": matrix_letter(nt.target),
        "E": nt.loss,
    }.items()}


def _as_matrices(expr: sp.Expr, net: Network, n: int) -> sp.Expr:
    """y_k → Y, t_k → T, u_k → U (the output δ written for a batch)."""
    s = net.symbols[n]
    names = batch_names(net, n)
    return expr.xreplace({
        s.y[s.index]: sp.Symbol("MAT:" + names["Y"]),
        net.target[s.index]: sp.Symbol("MAT:" + names["T"]),
        s.u[s.index]: sp.Symbol("MAT:" + names["U"]),
    })


def _jacobian_form(Y: str, G: str) -> str:
    return rf"{Y} \odot \left({G} - \left(\left({G} \odot {Y}\right) \mathbf{{1}}\right) \mathbf{{1}}^{{\top}}\right)"


def batch_factor(net: Network) -> str:
    """``\\frac{1}{N} `` where the training table makes the loss of a batch the mean of its
    examples' losses (E = (1/N) Σ_n E_n), else nothing (E = Σ_n E_n)."""
    tr = net.training
    return rf"\frac{{1}}{{{latex(tr.batch, net)}}} " if tr is not None and tr.mean else ""


def matrix_forms(d: Derivation) -> tuple[MatrixForm, ...]:
    """The batch formulas of every layer, output first."""
    net = d.network
    printer = _MatrixPrinter(net)
    to_from = net.notation.weight_order == "to_from"
    out = []
    for ld in d.layers:
        n = ld.layer
        nm = batch_names(net, n)
        act = lookup_activation(net.layers[n].activation)
        if n == net.depth:
            if not ld.delta.rhs.has(sp.Sum):
                delta = printer.doprint(_as_matrices(ld.delta.rhs, net, n))
            else:
                G = printer.doprint(_as_matrices(ld.lemmas[0].rhs, net, n))
                delta = _jacobian_form(nm["Y"], rf"\left({G}\right)")
        else:
            up = rf"{nm['Dup']} {nm['Wup']}" + ("" if to_from else r"^{\top}")
            if act.elementwise:
                fprime = act.matrix_derivative.format(nm["U"])
                delta = up if fprime == r"\mathbf{1}" else rf"{fprime} \odot \left({up}\right)"
            else:
                delta = _jacobian_form(nm["Y"], rf"\left({up}\right)")
        mean = batch_factor(net)  # the gradients of the batch's loss: its mean, or its sum
        weight = mean + product_latex(WEIGHT_FACTORS[net.notation.weight_order], nm)
        inp = mean + rf"{nm['D']} {nm['W']}" + ("" if to_from else r"^{\top}")
        bias = mean + product_latex(BIAS_FACTORS, nm) if net.layers[n].bias else None
        out.append(MatrixForm(n, delta, weight, bias, inp))
    return tuple(out)


# ── NumPy: the same formulas, for a batch ─────────────────────────────────
class RowSum(sp.Function):
    """Σ_{a'} over one layer, for each example: a B × 1 column."""

    nargs = 1


def _row_sum(a):
    """Σ over the columns of each row, kept as a column (broadcasts against B × n)."""
    import numpy as np

    return np.sum(a, axis=1, keepdims=True)


def _elementwise(expr: sp.Expr, args: tuple[sp.Symbol, ...]) -> Callable:
    return sp.lambdify(args, expr, modules=[{"RowSum": _row_sum}, numpy_functions(), "numpy"])


def _batch_output(expr: sp.Expr, net: Network, names: dict[str, sp.Symbol]) -> Optional[sp.Expr]:
    """An output-layer expression in batch names: y_a, t_a, u_a → Y, T, U (a the layer's index
    or its dummy), the width → N, Σ_{a'} f → RowSum(f); None when anything else is left."""
    s = net.symbols[-1]
    table = {}
    for i in (s.index, s.dummy):
        table.update({s.y[i]: names["Y"], net.target[i]: names["T"], s.u[i]: names["U"]})
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1
                        and e.limits[0][0] in (s.index, s.dummy), lambda e: RowSum(e.function))
    expr = expr.xreplace(table).xreplace({s.size: names["N"]})
    left = any(isinstance(e, (sp.Indexed, sp.Sum)) for e in sp.preorder_traversal(expr))
    return None if left else expr


def batch_backprop(d: Derivation):
    """Compile the batch form: returns ``f(X, T, Ws, bs) -> dict`` of loss, Y, Δ, dW, db, dX.

    ``Ws[ℓ−1]`` has shape n_{ℓ−1} × n_ℓ (from_to storage, whatever the notation)
    and ``bs[ℓ−1]`` is a vector or None.  The output Δ is the exact form of the derived δ
    (:mod:`symbackprop.exact`), or the Jacobian applied to ∂E/∂Y when it has no batch form.
    """
    import numpy as np

    net = d.network
    d = exact_forms(d).derivation
    U, Y, T, N = sp.symbols("U Y T N")
    acts, fprimes = [], []
    for n in range(1, net.depth + 1):
        act = lookup_activation(net.layers[n].activation)
        if act.elementwise:
            acts.append(_elementwise(act.function(U), (U,)))
            fprimes.append(_elementwise(act.derivative(U), (U,)))
        else:
            acts.append(None)
            fprimes.append(None)
    out_layer = d.layer(net.depth)
    names = {"Y": Y, "T": T, "U": U, "N": N}
    loss_grad = _elementwise(_batch_output(out_layer.lemmas[0].rhs, net, names), (Y, T, U, N))
    batch_delta = _batch_output(out_layer.delta.rhs, net, names)
    out_delta = None if batch_delta is None else _elementwise(batch_delta, (Y, T, U, N))
    loss_fn = sp.lambdify((Y, T, N), _loss_rows(d), modules=[numpy_functions(), "numpy"])

    def softmax(Uv):
        e = np.exp(Uv - Uv.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def jac(Yv, G):
        return Yv * (G - (G * Yv).sum(axis=1, keepdims=True))

    def run(X, Tv, Ws, bs):
        Ys, Us = [np.asarray(X, dtype=float)], [None]
        for n in range(1, net.depth + 1):
            Uv = Ys[-1] @ Ws[n - 1] + (0 if bs[n - 1] is None else bs[n - 1])
            Us.append(Uv)
            Ys.append(acts[n - 1](Uv) if acts[n - 1] else softmax(Uv))
        width = Ys[-1].shape[1]
        Yl, Ul = Ys[-1], Us[-1]
        if out_delta is not None:
            D = out_delta(Yl, Tv, Ul, width) * np.ones_like(Yl)
        else:
            D = jac(Yl, loss_grad(Yl, Tv, Ul, width) * np.ones_like(Yl))
        deltas, dWs, dbs = {}, {}, {}
        for n in range(net.depth, 0, -1):
            deltas[n] = D
            dWs[n] = Ys[n - 1].T @ D
            dbs[n] = D.sum(axis=0) if bs[n - 1] is not None else None
            G = D @ Ws[n - 1].T
            if n > 1:
                D = fprimes[n - 2](Us[n - 1]) * G if fprimes[n - 2] else jac(Ys[n - 1], G)
        return {
            "loss": float(np.sum(loss_fn(Yl, Tv, width))),
            "y": Yl,
            "delta": [deltas[n] for n in range(1, net.depth + 1)],
            "dW": [dWs[n] for n in range(1, net.depth + 1)],
            "db": [dbs[n] for n in range(1, net.depth + 1)],
            "dx": G,
        }

    return run


def _loss_rows(d: Derivation) -> sp.Expr:
    """The loss summand per output entry (Y, T elementwise), from the loss rule's definition."""
    net = d.network
    s = net.symbols[-1]
    Y, T, N = sp.symbols("Y T N")
    E = next(r for r in d.forward if r.name == "loss").rhs
    E = E.xreplace({s.size: N})
    (summ,) = [e for e in sp.preorder_traversal(E) if isinstance(e, sp.Sum)][:1]
    coeff = sp.simplify(E / summ)
    return (coeff * summ.function).xreplace({s.y[s.index]: Y, net.target[s.index]: T})


#: Letters an example of the batch may take in the batch form, in order of preference.
EXAMPLE_LETTERS = ("n", "p", "q", "r", "s")


def example_letters(net: Network) -> tuple[str, str]:
    """The letter of an example (``n``) and of the batch size (``N``) in the batch form: the
    training table's, else the first that no name of the spec uses."""
    if net.training is not None:
        return net.training.index, str(net.training.batch)
    nt = net.notation
    taken = {layer.index for layer in net.layers} | {str(layer.size) for layer in net.layers} | {
        getattr(nt, k) for k in nt.keys() if k != "weight_order"}
    letter = next(c for c in EXAMPLE_LETTERS if c not in taken)
    return letter, "N" if "N" not in taken else "B"


def batch_entries(d: Derivation, n: int, shown: str) -> list[tuple[str, str]]:
    """What the batch form of layer ``n`` is, entry by entry, for the names ``shown`` holds: the
    loss of the batch ``E = Σ_{p=1}^{N} E_p``, ``Y^{(1)} = (y_{jp})_{pj}`` (row p is example p),
    ``W^{(2)} = (w_{jk})_{jk}``, ``b^{(2)} = (b_{k})_{k}`` — so a reader, and the document checker,
    can read every batch formula entry by entry."""
    net = d.network
    p, N = example_letters(net)
    names, syms = batch_names(net, n), net.symbols

    def per_example(base: sp.IndexedBase, layer: int) -> str:
        i = syms[layer].index  # y_{j} of example p: y_{jp}
        entry = re.sub(r"_\{([^{}]*)\}$", lambda m: f"_{{{m.group(1)}{p}}}", latex(base[i], net))
        return rf"\left({entry}\right)_{{{p}{latex(i, net)}}}"

    rows = [(net.notation.loss, rf"{batch_factor(net)}\sum_{{{p}=1}}^{{{N}}} {net.notation.loss}_{{{p}}}")]
    candidates = [(names["Yb"], per_example(syms[n - 1].y, n - 1)), (names["Y"], per_example(syms[n].y, n)),
                  (names["U"], per_example(syms[n].u, n)), (names["T"], per_example(net.target, net.depth)),
                  (names["D"], per_example(syms[n].delta, n))]
    if n < net.depth:
        candidates.append((names["Dup"], per_example(syms[n + 1].delta, n + 1)))
    for layer, key in ((n, "W"), (n + 1, "Wup")):
        if layer <= net.depth:
            j, k = syms[layer - 1].index, syms[layer].index  # W is n_{ℓ−1}×n_ℓ (from_to), n_ℓ×n_{ℓ−1} (to_from)
            row, col = (k, j) if net.notation.weight_order == "to_from" else (j, k)
            candidates.append((names[key], rf"\left({latex(syms[layer].w[j, k], net)}\right)_{{{latex(row, net)}{latex(col, net)}}}"))
    if syms[n].b is not None:
        k = syms[n].index
        candidates.append((names["b"], rf"\left({latex(syms[n].b[k], net)}\right)_{{{latex(k, net)}}}"))
    rows += [(name, entry) for name, entry in candidates if name in shown]
    return rows if len(rows) > 1 else []
