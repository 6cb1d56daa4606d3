"""The verifier's own definitions, written once for any number domain.

A domain supplies ``+ − × ÷`` and integer powers on its values (exact rationals with
freed atoms, mpmath reals, SymEngine expressions, tape nodes) and ``apply(name, v)``
for the functions below.  Nothing here is shared with :mod:`symbackprop.rules`.

    sigma(v) = 1/(1 + e^{−v}),  tanh,  relu(v) = max(0, v),  softplus(v) = log(1 + e^v),
    H(v) = [v > 0],  exp,  log.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence


class Domain(Protocol):
    """What the definitions need from a number domain besides arithmetic."""

    def apply(self, name: str, v: Any) -> Any:
        """name(v) for a name in :data:`FUNCTIONS`."""


FUNCTIONS = ("sigma", "tanh", "relu", "softplus", "H", "exp", "log")


# ── activations: u (a layer's pre-activations) ↦ y ─────────────────────────
def act_identity(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = u_a."""
    return list(u)


def act_sigmoid(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = σ(u_a)."""
    return [dom.apply("sigma", v) for v in u]


def act_tanh(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = tanh(u_a)."""
    return [dom.apply("tanh", v) for v in u]


def act_relu(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = ReLU(u_a)."""
    return [dom.apply("relu", v) for v in u]


def act_softplus(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = softplus(u_a)."""
    return [dom.apply("softplus", v) for v in u]


def act_softmax(dom: Domain, u: Sequence[Any]) -> list:
    """y_a = exp(u_a) / Σ_b exp(u_b)."""
    e = [dom.apply("exp", v) for v in u]
    total = _sum(e)
    return [v / total for v in e]


ACTIVATIONS: dict[str, Callable[[Domain, Sequence[Any]], list]] = {
    "identity": act_identity, "sigmoid": act_sigmoid, "tanh": act_tanh,
    "relu": act_relu, "softplus": act_softplus, "softmax": act_softmax,
}


# ── losses: (y, t) ↦ E ─────────────────────────────────────────────────────
def loss_sse(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = ½ Σ_k (y_k − t_k)²."""
    return _sum([(a - b) ** 2 for a, b in zip(y, t)]) / 2


def loss_mse(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = (1/n) Σ_k (y_k − t_k)²."""
    return _sum([(a - b) ** 2 for a, b in zip(y, t)]) / len(y)


def loss_cross_entropy(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = −Σ_k t_k log y_k."""
    return -_sum([b * dom.apply("log", a) for a, b in zip(y, t)])


def loss_binary_cross_entropy(dom: Domain, y: Sequence[Any], t: Sequence[Any]) -> Any:
    """E = −Σ_k (t_k log y_k + (1 − t_k) log(1 − y_k))."""
    return -_sum([b * dom.apply("log", a) + (1 - b) * dom.apply("log", 1 - a) for a, b in zip(y, t)])


LOSSES: dict[str, Callable[[Domain, Sequence[Any], Sequence[Any]], Any]] = {
    "sse": loss_sse, "mse": loss_mse, "cross_entropy": loss_cross_entropy,
    "binary_cross_entropy": loss_binary_cross_entropy,
}


# ── derivative rules: f′(v) from v and f(v) ────────────────────────────────
def d_sigma(dom: Domain, v: Any, fv: Any) -> Any:
    """σ′(v) = σ(v)(1 − σ(v))."""
    return fv * (1 - fv)


def d_tanh(dom: Domain, v: Any, fv: Any) -> Any:
    """tanh′(v) = 1 − tanh²(v)."""
    return 1 - fv * fv


def d_relu(dom: Domain, v: Any, fv: Any) -> Any:
    """ReLU′(v) = H(v)  (v ≠ 0)."""
    return dom.apply("H", v)


def d_softplus(dom: Domain, v: Any, fv: Any) -> Any:
    """softplus′(v) = σ(v)."""
    return dom.apply("sigma", v)


def d_step(dom: Domain, v: Any, fv: Any) -> Any:
    """H′(v) = 0  (v ≠ 0)."""
    return 0 * fv


def d_exp(dom: Domain, v: Any, fv: Any) -> Any:
    """exp′(v) = exp(v)."""
    return fv


def d_log(dom: Domain, v: Any, fv: Any) -> Any:
    """log′(v) = 1/v."""
    return 1 / v


DERIVATIVES: dict[str, Callable[[Domain, Any, Any], Any]] = {
    "sigma": d_sigma, "tanh": d_tanh, "relu": d_relu, "softplus": d_softplus,
    "H": d_step, "exp": d_exp, "log": d_log,
}


# ── reflections: f(−w) from f(w) and w ─────────────────────────────────────
def reflect_sigma(fw: Any, w: Any) -> Any:
    """σ(−w) = 1 − σ(w)."""
    return 1 - fw


def reflect_tanh(fw: Any, w: Any) -> Any:
    """tanh(−w) = −tanh(w)."""
    return -fw


def reflect_step(fw: Any, w: Any) -> Any:
    """H(−w) = 1 − H(w)  (w ≠ 0)."""
    return 1 - fw


def reflect_shifted(fw: Any, w: Any) -> Any:
    """softplus(−w) = softplus(w) − w;  ReLU(−w) = ReLU(w) − w."""
    return fw - w


def reflect_exp(fw: Any, w: Any) -> Any:
    """exp(−w) = 1/exp(w)."""
    return 1 / fw


REFLECTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "sigma": reflect_sigma, "tanh": reflect_tanh, "H": reflect_step,
    "softplus": reflect_shifted, "relu": reflect_shifted, "exp": reflect_exp,
}


def _sum(values: Sequence[Any]) -> Any:
    """Σ values, starting from the first (no integer 0 mixed into a domain value)."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def unsupported(activations: Sequence[str], loss: str) -> str | None:
    """Why the verifier cannot write E (a definition missing from its own tables), or None."""
    missing = [f"activation {a!r}" for a in activations if a not in ACTIVATIONS]
    if loss not in LOSSES:
        missing.append(f"loss {loss!r}")
    return f"the verifier has no definition of {', '.join(missing)}" if missing else None
