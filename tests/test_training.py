"""Update rules of mini-batch gradient descent (symbackprop/training.py): the index form with its
steps, the batch form in the notation's weight order, nothing without a [training] table."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.derive import derive
from symbackprop.printing import latex
from symbackprop.spec import loads
from symbackprop.training import AtStep, per_example, step_symbol

NET = '''loss = "cross_entropy"
[[layers]]
size = "l"
index = "i"
[[layers]]
size = "m"
index = "j"
activation = "sigmoid"
[[layers]]
size = "K"
index = "k"
activation = "softmax"
'''


def derived(training: str, notation: str = ""):
    return derive(loads(NET + notation + "[training]\n" + training + "\n"))


def test_without_training_nothing_is_derived() -> None:
    assert derive(loads(NET)).updates == ()


@pytest.mark.parametrize("training, notation, weight, bias", [
    ('learning_rate = "eta"\nbatch = "N"', "",
     r"w_{jk}\left(\tau\right) - \frac{\eta}{N} \sum_{n=1}^{N} \delta_{kn} y_{jn}",
     r"{W^{(2)}}\left(\tau\right) - \frac{\eta}{N} {Y^{(1)}}^{\top} {\Delta^{(2)}}"),
    ('learning_rate = "alpha"\nbatch = "N"\nmean = false', "",
     r"w_{jk}\left(\tau\right) - \alpha \sum_{n=1}^{N} \delta_{kn} y_{jn}",
     r"{W^{(2)}}\left(\tau\right) - \alpha {Y^{(1)}}^{\top} {\Delta^{(2)}}"),
    ('learning_rate = 0.5\nbatch = 4', '[notation]\nweight_order = "to_from"\n',
     r"w_{kj}\left(\tau\right) - \frac{1}{8} \sum_{n=1}^{4} \delta_{kn} y_{jn}",
     r"{W^{(2)}}\left(\tau\right) - \frac{1}{8} {\Delta^{(2)}}^{\top} {Y^{(1)}}"),
])
def test_the_output_layer_rules(training: str, notation: str, weight: str, bias: str) -> None:
    d = derived(training, notation)
    top = d.updates[0]
    assert top.layer == 2 and [r.name for r in top.results] == ["weight_update", "bias_update"]
    assert latex(top.weight.rhs, d.network) == weight
    assert top.matrix[0].rhs == bias
    assert [s.rule for s in top.weight.steps] == [
        "gradient_descent", "batch_mean" if "mean" not in training else "batch_sum", "differentiation",
        "substitution"]


def test_the_step_counter_avoids_the_target_letter() -> None:
    assert step_symbol(derived('learning_rate = "eta"\nbatch = "N"').network) == sp.Symbol("tau")
    d = derived('learning_rate = "eta"\nbatch = "N"', '[notation]\ntarget = "d"\n')
    assert step_symbol(d.network) == sp.Symbol("t")
    assert latex(d.updates[0].bias.lhs, d.network) == r"b_{k}\left(t + 1\right)"


def test_per_example_keeps_weights_shared() -> None:
    net = derived('learning_rate = "eta"\nbatch = "N"').network
    s, n = net.symbols[2], net.training.sample
    expr = per_example(s.delta[s.index] * s.w[net.symbols[1].index, s.index] * net.target[s.index], net)
    assert expr == s.delta[s.index, n] * s.w[net.symbols[1].index, s.index] * net.target[s.index, n]


def test_every_layer_has_its_rules_and_the_hidden_one_reads_its_own_gradient() -> None:
    d = derived('learning_rate = "eta"\nbatch = "N"')
    hidden = d.updates[1]
    assert hidden.layer == 1
    assert latex(hidden.weight.rhs, d.network) == \
        r"w_{ij}\left(\tau\right) - \frac{\eta}{N} \sum_{n=1}^{N} \delta_{jn} x_{in}"
    assert isinstance(hidden.weight.lhs, AtStep)
