"""The catalog of backpropagation identities: each a statement, its assumptions and a proof.

An :class:`~symbackprop.identity_types.Identity` states lhs = rhs under assumptions
(definitions ``y_k := …``, constraints ``Σ_k t_k = 1``, exclusions ``u ≠ 0``) and gives a
proof as a chain of steps lhs = s₁ = s₂ = … = rhs, each with the rule that licenses it.
Proving an identity (:mod:`symbackprop.identity_proofs`) proves the statement *and* every
step with :func:`symbackprop.prove.prove`; ``facts`` are further claims the statement rests
on (e.g. σ′(0) = 1/4 for max σ′).

The entries about an activation or a loss state the rules :func:`symbackprop.derive`
uses, taken from the registries (:func:`rule`, :func:`loss_definition`,
:func:`loss_assumptions`): f and f′ (or the Jacobian) from ``rules.activation(name)``,
E and its assumptions from ``rules.loss(name)``.  Proving the catalog so proves the
engine's own rules: a rule broken in the registry makes the proof of its entry fail.
The proof steps stay the textbook's own, written independently of the registry.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from .errors import SymbackpropError
from .identity_types import Fact, Identity, ProofStep
from .model import index_symbol, make_size
from .rules import activation as registry_activation
from .rules import loss as registry_loss
from .rules.functions import sigmoid


class UnknownIdentityError(SymbackpropError):
    """No identity has this name; use one of the listed names (``symbackprop prove --list``)."""


# ── notation shared by the entries ─────────────────────────────────────────
def D(expr: sp.Expr, *wrt) -> sp.Derivative:
    """An unevaluated ∂expr/∂wrt."""
    return sp.Derivative(expr, *wrt, evaluate=False)


def ordered(*factors: sp.Expr) -> sp.Expr:
    """A product kept in the textbook's order."""
    return sp.Mul(*factors, evaluate=False)


def delta(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.KroneckerDelta(a, b)


u = sp.Symbol("u", real=True)
n, m = make_size("n"), make_size("m")
i, j, k = index_symbol("i"), index_symbol("j"), index_symbol("k")
i1, j1, k1, k2 = (index_symbol(s) for s in ("i'", "j'", "k'", "k''"))
U, Y, T = sp.IndexedBase("u", real=True), sp.IndexedBase("y", real=True), sp.IndexedBase("t", real=True)
W, Bias = sp.IndexedBase("w", real=True), sp.IndexedBase("b", real=True)
E = sp.Symbol("E")
sig = sigmoid(u)


# ── the registry's rules, looked up as derive() looks them up ─────────────
def rule(name: str):
    """The activation rule ``derive`` uses (``rules.activation(name)``): f, f′ or the Jacobian."""
    return registry_activation(name)


def loss_definition(name: str) -> sp.Eq:
    """E := the loss as ``derive`` writes it (``rules.loss(name).function``), summed over k'."""
    return sp.Eq(E, registry_loss(name).function(Y, T, k1, n))


def loss_assumptions(name: str) -> tuple:
    """The assumptions the loss rule states (Σ_{k'} t_{k'} = 1 for cross-entropy)."""
    return tuple(sp.Eq(*a(T, k1, n)) for a in registry_loss(name).assumptions)


# ── activations ────────────────────────────────────────────────────────────
def sigmoid_derivative() -> Identity:
    """σ′(u) = σ(u)(1 − σ(u))."""
    e, act = sp.exp(-u), rule("sigmoid")
    return Identity(
        "sigmoid_derivative", "derivative of the logistic sigmoid",
        r"\sigma'(u) = \sigma(u)\,\bigl(1 - \sigma(u)\bigr)",
        D(act.function(u), u), act.derivative(u), (),
        (ProofStep(D(1 / (1 + e), u), "definition", r"\sigma(u) = 1/(1 + e^{-u})"),
         ProofStep(e / (1 + e) ** 2, "chain_rule"),
         ProofStep(ordered(1 / (1 + e), e / (1 + e)), "algebra"),
         ProofStep(ordered(1 / (1 + e), 1 - 1 / (1 + e)), "algebra", r"e^{-u}/(1+e^{-u}) = 1 - 1/(1+e^{-u})"),
         ProofStep(sig * (1 - sig), "definition")))


def tanh_derivative() -> Identity:
    """tanh′(u) = 1 − tanh²(u)."""
    p, q = sp.exp(u), sp.exp(-u)
    th, act = (p - q) / (p + q), rule("tanh")
    return Identity(
        "tanh_derivative", "derivative of tanh", r"\tanh'(u) = 1 - \tanh^{2}(u)",
        D(act.function(u), u), act.derivative(u), (),
        (ProofStep(D(th, u), "definition", r"\tanh u = (e^{u} - e^{-u})/(e^{u} + e^{-u})"),
         ProofStep(((p + q) ** 2 - (p - q) ** 2) / (p + q) ** 2, "quotient_rule"),
         ProofStep(1 - th ** 2, "algebra"),
         ProofStep(1 - sp.tanh(u) ** 2, "definition")))


def softplus_derivative() -> Identity:
    """softplus′(u) = σ(u)."""
    act = rule("softplus")
    return Identity(
        "softplus_derivative", "derivative of softplus", r"\operatorname{softplus}'(u) = \sigma(u)",
        D(act.function(u), u), act.derivative(u), (),
        (ProofStep(D(sp.log(1 + sp.exp(u)), u), "definition", r"\operatorname{softplus}(u) = \log(1 + e^{u})"),
         ProofStep(sp.exp(u) / (1 + sp.exp(u)), "chain_rule"),
         ProofStep(1 / (1 + sp.exp(-u)), "algebra", r"divide by e^{u}"),
         ProofStep(sig, "definition")))


def relu_derivative() -> Identity:
    """ReLU′(u) = H(u) for u ≠ 0 (at u = 0 ReLU has no derivative: one-sided 0 and 1)."""
    act = rule("relu")
    return Identity(
        "relu_derivative", "derivative of ReLU (off the kink)",
        r"\operatorname{ReLU}'(u) = H(u) \qquad (u \neq 0)",
        D(act.function(u), u), act.derivative(u), (sp.Ne(u, 0),),
        (ProofStep(D(sp.Max(0, u), u), "definition", r"\operatorname{ReLU}(u) = \max(0, u)"),
         ProofStep(sp.Heaviside(u), "derivative_off_kink", r"0 for u < 0, 1 for u > 0")),
        notation=("heaviside",))


def softmax_jacobian() -> Identity:
    """∂y_i/∂u_j = y_i(δ_ij − y_j) for y = softmax(u), any width n."""
    S, act = sp.Sum(sp.exp(U[i1]), (i1, 1, n)), rule("softmax")
    return Identity(
        "softmax_jacobian", "Jacobian of softmax",
        r"\frac{\partial y_i}{\partial u_j} = y_i\,(\delta_{ij} - y_j), \qquad "
        r"y_i = \frac{e^{u_i}}{\sum_{i'=1}^{n} e^{u_{i'}}}",
        D(Y[i], U[j]), act.jacobian(Y, i, j), (sp.Eq(Y[i], act.vector_function(U, i, i1, n)),),
        (ProofStep(D(sp.exp(U[i]) / S, U[j]), "definition"),
         ProofStep(sp.exp(U[i]) * delta(i, j) / S
                   - sp.exp(U[i]) * sp.Sum(sp.exp(U[i1]) * delta(i1, j), (i1, 1, n)) / S ** 2, "quotient_rule"),
         ProofStep(sp.exp(U[i]) * delta(i, j) / S - sp.exp(U[i]) * sp.exp(U[j]) / S ** 2, "kronecker"),
         ProofStep(ordered(sp.exp(U[i]) / S, delta(i, j) - sp.exp(U[j]) / S), "algebra"),
         ProofStep(Y[i] * (delta(i, j) - Y[j]), "definition")))


def logsumexp_gradient() -> Identity:
    """∂/∂u_k log Σ_{k'} e^{u_{k'}} = softmax(u)_k."""
    S = sp.Sum(sp.exp(U[k1]), (k1, 1, n))
    return Identity(
        "logsumexp_gradient", "the gradient of log-sum-exp is softmax",
        r"\frac{\partial}{\partial u_k} \log \sum_{k'=1}^{n} e^{u_{k'}} = \frac{e^{u_k}}{\sum_{k'=1}^{n} e^{u_{k'}}} = y_k",
        D(sp.log(S), U[k]), Y[k], (sp.Eq(Y[k], rule("softmax").vector_function(U, k, k1, n)),),
        (ProofStep(sp.Sum(sp.exp(U[k1]) * delta(k1, k), (k1, 1, n)) / S, "chain_rule"),
         ProofStep(sp.exp(U[k]) / S, "kronecker"),
         ProofStep(Y[k], "definition")))


# ── output layers: activation + loss ───────────────────────────────────────
def softmax_cross_entropy() -> Identity:
    """Softmax + cross-entropy, Σ_k t_k = 1 ⇒ ∂E/∂u_k = y_k − t_k (seed 000), for symbolic n."""
    S = sp.Sum(sp.exp(U[k2]), (k2, 1, n))
    defs = (loss_definition("cross_entropy"), sp.Eq(Y[k], rule("softmax").vector_function(U, k, k2, n)))
    return Identity(
        "softmax_cross_entropy", "softmax + cross-entropy: δ_k = y_k − t_k",
        r"E = -\sum_{k'=1}^{n} t_{k'} \log y_{k'},\ y = \operatorname{softmax}(u),\ "
        r"\sum_{k'=1}^{n} t_{k'} = 1 \implies \frac{\partial E}{\partial u_k} = y_k - t_k",
        D(E, U[k]), Y[k] - T[k], defs + loss_assumptions("cross_entropy"),
        (ProofStep(D(-sp.Sum(T[k1] * sp.log(sp.exp(U[k1]) / S), (k1, 1, n)), U[k]), "definition"),
         ProofStep(D(-sp.Sum(T[k1] * U[k1], (k1, 1, n)) + sp.Sum(T[k1], (k1, 1, n)) * sp.log(S), U[k]),
                   "log_quotient", r"\log(e^{a}/S) = a - \log S"),
         ProofStep(D(-sp.Sum(T[k1] * U[k1], (k1, 1, n)) + sp.log(S), U[k]), "assumption",
                   r"\sum_{k'} t_{k'} = 1"),
         ProofStep(-sp.Sum(T[k1] * delta(k1, k), (k1, 1, n))
                   + sp.Sum(sp.exp(U[k2]) * delta(k2, k), (k2, 1, n)) / S, "differentiation"),
         ProofStep(-T[k] + sp.exp(U[k]) / S, "kronecker"),
         ProofStep(Y[k] - T[k], "definition")))


def sigmoid_binary_cross_entropy() -> Identity:
    """Sigmoid + binary cross-entropy ⇒ ∂E/∂u_k = y_k − t_k, for symbolic n."""
    s1, s, act = sigmoid(U[k1]), sigmoid(U[k]), rule("sigmoid")
    defs = (loss_definition("binary_cross_entropy"), sp.Eq(Y[k], act.function(U[k])))
    return Identity(
        "sigmoid_binary_cross_entropy", "sigmoid + binary cross-entropy: δ_k = y_k − t_k",
        r"E = -\sum_{k'=1}^{n} \bigl(t_{k'} \log y_{k'} + (1 - t_{k'}) \log(1 - y_{k'})\bigr),\ "
        r"y_k = \sigma(u_k) \implies \frac{\partial E}{\partial u_k} = y_k - t_k",
        D(E, U[k]), Y[k] - T[k], defs,
        (ProofStep(-sp.Sum((T[k1] / s1 - (1 - T[k1]) / (1 - s1)) * act.derivative(U[k1]) * delta(k1, k),
                          (k1, 1, n)), "chain_rule", r"\sigma' = \sigma(1 - \sigma)"),
         ProofStep(-(T[k] / s - (1 - T[k]) / (1 - s)) * act.derivative(U[k]), "kronecker"),
         ProofStep(-(T[k] * (1 - s) - (1 - T[k]) * s), "algebra"),
         ProofStep(s - T[k], "algebra"),
         ProofStep(Y[k] - T[k], "definition")))


def identity_sum_of_squares() -> Identity:
    """Identity activation + ½ Σ (y − t)² ⇒ ∂E/∂u_k = y_k − t_k."""
    act = rule("identity")
    defs = (loss_definition("sse"), sp.Eq(Y[k], act.function(U[k])))
    return Identity(
        "identity_sum_of_squares", "identity + ½ sum of squares: δ_k = y_k − t_k",
        r"E = \frac{1}{2} \sum_{k'=1}^{n} (y_{k'} - t_{k'})^{2},\ y_k = u_k \implies "
        r"\frac{\partial E}{\partial u_k} = y_k - t_k",
        D(E, U[k]), Y[k] - T[k], defs,
        (ProofStep(D(sp.Rational(1, 2) * sp.Sum((U[k1] - T[k1]) ** 2, (k1, 1, n)), U[k]), "definition"),
         ProofStep(sp.Sum((U[k1] - T[k1]) * act.derivative(U[k1]) * delta(k1, k), (k1, 1, n)), "chain_rule"),
         ProofStep(U[k] - T[k], "kronecker"),
         ProofStep(Y[k] - T[k], "definition")))


def mean_squared_error_gradient() -> Identity:
    """E = (1/n) Σ (y − t)² ⇒ ∂E/∂y_k = (2/n)(y_k − t_k)."""
    defs = (loss_definition("mse"),)
    return Identity(
        "mean_squared_error_gradient", "gradient of the mean squared error",
        r"E = \frac{1}{n} \sum_{k'=1}^{n} (y_{k'} - t_{k'})^{2} \implies "
        r"\frac{\partial E}{\partial y_k} = \frac{2}{n} (y_k - t_k)",
        D(E, Y[k]), 2 * (Y[k] - T[k]) / n, defs,
        (ProofStep(D(sp.Sum((Y[k1] - T[k1]) ** 2, (k1, 1, n)) / n, Y[k]), "definition"),
         ProofStep(2 * sp.Sum((Y[k1] - T[k1]) * delta(k1, k), (k1, 1, n)) / n, "differentiation"),
         ProofStep(2 * (Y[k] - T[k]) / n, "kronecker")))


# ── a fully connected layer u_k = Σ_j y_j w_jk + b_k ──────────────────────
_pre = sp.Sum(Y[j1] * W[j1, k], (j1, 1, m)) + Bias[k]
_layer = (sp.Eq(U[k], _pre),)
_LAYER_TEX = r"u_k = \sum_{j'=1}^{m} y_{j'} w_{j'k} + b_k \implies "


def preactivation_weight() -> Identity:
    """∂u_k/∂w_jk = y_j."""
    return Identity(
        "preactivation_weight", "∂u_k/∂w_jk = y_j", _LAYER_TEX + r"\frac{\partial u_k}{\partial w_{jk}} = y_j",
        D(U[k], W[j, k]), Y[j], _layer,
        (ProofStep(D(_pre, W[j, k]), "definition"),
         ProofStep(sp.Sum(Y[j1] * delta(j1, j), (j1, 1, m)), "differentiation"),
         ProofStep(Y[j], "kronecker")))


def preactivation_bias() -> Identity:
    """∂u_k/∂b_k = 1."""
    return Identity(
        "preactivation_bias", "∂u_k/∂b_k = 1", _LAYER_TEX + r"\frac{\partial u_k}{\partial b_k} = 1",
        D(U[k], Bias[k]), sp.Integer(1), _layer,
        (ProofStep(D(_pre, Bias[k]), "definition"),
         ProofStep(sp.Integer(1), "differentiation")))


def preactivation_input() -> Identity:
    """∂u_k/∂y_j = w_jk."""
    return Identity(
        "preactivation_input", "∂u_k/∂y_j = w_jk", _LAYER_TEX + r"\frac{\partial u_k}{\partial y_j} = w_{jk}",
        D(U[k], Y[j]), W[j, k], _layer,
        (ProofStep(D(_pre, Y[j]), "definition"),
         ProofStep(sp.Sum(W[j1, k] * delta(j1, j), (j1, 1, m)), "differentiation"),
         ProofStep(W[j, k], "kronecker")))


# ── the general N-layer network (seed 001) ─────────────────────────────────
def delta_recursion() -> Identity:
    """ξ^i_n = φ′_i(z^i_n) Σ_k ξ^{i+1}_k w^{i+1}_{kn}, for any widths M_i, M_{i+1}."""
    z, z1 = sp.IndexedBase("z^{i}", real=True), sp.IndexedBase("z^{i+1}", real=True)
    w1, xi1 = sp.IndexedBase("w^{i+1}", real=True), sp.IndexedBase(r"\xi^{i+1}", real=True)
    phi = sp.Function("phi_i")
    M0 = sp.Symbol("M_{i}", integer=True, positive=True)
    M1 = sp.Symbol("M_{i+1}", integer=True, positive=True)
    nn, kk, jj = index_symbol("n"), index_symbol("k"), index_symbol("j")
    above = sp.Sum(w1[kk, jj] * phi(z[jj]), (jj, 1, M0))
    rhs = D(phi(z[nn]), z[nn]) * sp.Sum(xi1[kk] * w1[kk, nn], (kk, 1, M1))
    return Identity(
        "delta_recursion", "δ recursion of the general N-layer network",
        r"\xi^{i}_{n} = \sum_{k=1}^{M_{i+1}} \xi^{i+1}_{k} \frac{\partial z^{i+1}_{k}}{\partial z^{i}_{n}}"
        r" = \phi_i'(z^{i}_{n}) \sum_{k=1}^{M_{i+1}} \xi^{i+1}_{k} w^{i+1}_{kn}, \qquad "
        r"z^{i+1}_{k} = \sum_{j=1}^{M_i} w^{i+1}_{kj} \phi_i(z^{i}_{j})",
        sp.Sum(xi1[kk] * D(z1[kk], z[nn]), (kk, 1, M1)), rhs, (sp.Eq(z1[kk], above),),
        (ProofStep(sp.Sum(xi1[kk] * D(above, z[nn]), (kk, 1, M1)), "definition"),
         ProofStep(sp.Sum(xi1[kk] * sp.Sum(w1[kk, jj] * D(phi(z[jj]), z[jj]) * delta(jj, nn), (jj, 1, M0)),
                          (kk, 1, M1)), "differentiation"),
         ProofStep(sp.Sum(xi1[kk] * w1[kk, nn] * D(phi(z[nn]), z[nn]), (kk, 1, M1)), "kronecker"),
         ProofStep(rhs, "linearity")),
        premises=(r"multivariate chain rule: \xi^{i}_{n} = \frac{\partial E}{\partial z^{i}_{n}} = "
                  r"\sum_{k} \frac{\partial E}{\partial z^{i+1}_{k}} \frac{\partial z^{i+1}_{k}}{\partial z^{i}_{n}},"
                  r" \ \xi^{i+1}_{k} = \frac{\partial E}{\partial z^{i+1}_{k}}",))


def batch_outer_products() -> Identity:
    """Σ_b δ_jb y_ib = (D Yᵀ)_ji: the batch sum of outer products is a matrix product."""
    B, l = make_size("B"), make_size("l")
    Dm, Ym = sp.MatrixSymbol("D", m, B), sp.MatrixSymbol("Y", l, B)
    ii, jj, b = (sp.Symbol(s, integer=True, nonnegative=True) for s in ("i", "j", "b"))
    return Identity(
        "batch_outer_products", "batch sum of outer products = matrix product",
        r"\sum_{b} \delta_{jb}\, y_{ib} = (D\, Y^{\top})_{ji} \qquad "
        r"(D = [\delta_{jb}] \in \mathbb{R}^{m \times B},\ Y = [y_{ib}] \in \mathbb{R}^{l \times B})",
        sp.Sum(Dm[jj, b] * Ym[ii, b], (b, 0, B - 1)), MatrixElement(Dm * Ym.T, jj, ii), (),
        (ProofStep(sp.Sum(Dm[jj, b] * MatrixElement(Ym.T, b, ii), (b, 0, B - 1)), "transpose"),
         ProofStep(MatrixElement(Dm * Ym.T, jj, ii), "matrix_product")))


def sigmoid_max_derivative() -> Identity:
    """max_u σ′(u) = σ′(0) = 1/4, since 1/4 − σ′(u) = (σ(u) − ½)² ≥ 0 (vanishing gradients)."""
    half = sp.Rational(1, 2)
    return Identity(
        "sigmoid_max_derivative", "max σ′ = 1/4 (the vanishing-gradient remark)",
        r"\max_{u \in \mathbb{R}} \sigma'(u) = \sigma'(0) = \tfrac{1}{4}, \quad\text{since}\quad "
        r"\tfrac{1}{4} - \sigma'(u) = \bigl(\sigma(u) - \tfrac{1}{2}\bigr)^{2} \ge 0",
        sp.Rational(1, 4) - D(rule("sigmoid").function(u), u), (sig - half) ** 2, (),
        (ProofStep(sp.Rational(1, 4) - rule("sigmoid").derivative(u), "sigmoid_derivative"),
         ProofStep(sig ** 2 - sig + sp.Rational(1, 4), "algebra"),
         ProofStep((sig - half) ** 2, "complete_square")),
        facts=(Fact(r"\bigl(\sigma(u) - \tfrac{1}{2}\bigr)^{2} \ge 0", (sig - half) ** 2, kind="nonnegative"),
               Fact(r"\sigma'(0) = \tfrac{1}{4} \ (\text{the bound is attained})", sp.Subs(D(sig, u), u, 0),
                    sp.Rational(1, 4)),
               Fact(r"\sigma''(0) = 0 \ (u = 0 \text{ is stationary})", sp.Subs(D(sig, (u, 2)), u, 0), 0)))


#: The catalog, by name, in reading order.
IDENTITIES: dict[str, Identity] = {
    ident.name: ident
    for ident in (
        sigmoid_derivative(), tanh_derivative(), softplus_derivative(), relu_derivative(),
        softmax_jacobian(), logsumexp_gradient(),
        softmax_cross_entropy(), sigmoid_binary_cross_entropy(), identity_sum_of_squares(),
        mean_squared_error_gradient(),
        preactivation_weight(), preactivation_bias(), preactivation_input(),
        delta_recursion(), batch_outer_products(), sigmoid_max_derivative(),
    )
}


def identity(name: str) -> Identity:
    """Look an identity up; an unknown name lists the known ones."""
    try:
        return IDENTITIES[name]
    except KeyError:
        raise UnknownIdentityError(f"unknown identity {name!r}; known: {', '.join(IDENTITIES)}") from None
