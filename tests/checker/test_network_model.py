"""The network a document describes, read from its definitions and printed as a spec
(checker/network_model.py, ``check DOC --show-network``): the spec loads, and the core
derives from it the forward pass the document wrote."""

import argparse
import io
from pathlib import Path

import pytest

from symbackprop import spec
from symbackprop.checker import check_text
from symbackprop.cli.check import run_check

DOCS = Path(__file__).resolve().parents[1] / "documents"

#: The forward pass and loss of tests/documents/md-softmax-en (definitions only: quick to read).
CLASSIFIER = r"""
$$u_j = \sum_i w_{ij} x_i + b_j$$

$$y_j = \sigma(u_j)$$

$$u_k = \sum_j w_{jk} y_j + b_k$$

$$y_k = \frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}$$

$$E = -\sum_k t_k \log y_k$$
"""


def test_a_softmax_classifier_is_read_back_as_its_spec():
    model = check_text(CLASSIFIER).network()
    net = spec.loads(model.to_toml("md-softmax-en"))
    assert [layer.index for layer in net.layers] == ["i", "j", "k"]
    assert [layer.activation for layer in net.layers[1:]] == ["sigmoid", "softmax"]
    assert net.loss == "cross_entropy" and net.notation.weight_order == "from_to"
    assert (net.notation.preactivation, net.notation.activation, net.notation.input) == ("u", "y", "x")
    assert model.layers[0].lines and model.loss_line  # what each item rests on


@pytest.mark.parametrize("hidden, output, loss, want", [
    (r"\tanh(u_j)", "u_k", r"\frac{1}{2} \sum_k (y_k - t_k)^2", (["tanh", "identity"], "sse")),
    (r"\max(0, u_j)", r"\sigma(u_k)", r"\frac{1}{2} \sum_k (y_k - t_k)^2", (["relu", "sigmoid"], "sse")),
    (r"\max(0, u_j)", r"\sigma(u_k)", r"\sum_k (y_k - t_k)^2", (["relu", "sigmoid"], "")),  # no ½: no rule
    (r"\sigma(u_j)", "u_k", r"\frac{1}{N} \sum_{k=1}^{N} (y_k - t_k)^2", (["sigmoid", "identity"], "mse")),
    (r"\sigma(u_j)", "u_k", r"\sum_k |y_k - t_k|", (["sigmoid", "identity"], "")),  # no such loss rule
])
def test_the_activations_and_the_loss_are_proved_equal_to_the_rules(hidden, output, loss, want):
    text = (CLASSIFIER.replace(r"\sigma(u_j)", hidden)
            .replace(r"\frac{\exp(u_k)}{\sum_{k'} \exp(u_{k'})}", output).replace(r"-\sum_k t_k \log y_k", loss))
    model = check_text(text).network()
    assert ([x.activation for x in model.layers], model.loss) == want


def test_what_cannot_be_read_is_said_not_guessed():
    text = r"""
$$u^{l}_j = \sum_i w^{l}_{ji} y^{l-1}_i$$

$$y^{l}_j = f_l(u^{l}_j)$$
"""
    model = check_text(text).network()
    toml = model.to_toml("generic")
    assert "# activation = ?  (left generic in the document: choose one)" in toml
    assert "# loss = ?" in toml and "general layer" in toml and "bias = false" in toml


def _show(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(documents=[str(path)], format="text", timeout=5.0, budget=None, output=None,
                              show_network=True)
    return run_check(args, out, err), out.getvalue()


def test_show_network_on_the_command_line(tmp_path):
    doc = tmp_path / "classifier.md"
    doc.write_text(CLASSIFIER, encoding="utf-8")
    code, out = _show(doc)
    assert code == 0 and 'activation = "softmax"' in out and 'loss = "cross_entropy"' in out
    plain = tmp_path / "no-network.md"
    plain.write_text("$$x = 1 + 1$$\n", encoding="utf-8")
    code, out = _show(plain)
    assert code == 3 and "no layer could be read" in out  # what is missing
    assert "found the definitions of x (line 1)" in out and "networks = []" in out  # what was found


def test_a_backward_recursion_is_no_layer():
    """δ_j = Σ_k w_jk δ_k has the shape of a layer's sum but runs backwards (seed 000 writes its
    forward pass only with ⋯; its δ recursion was once read as a layer fed by δ)."""
    model = check_text(r"$$\delta_j = \sum_k w_{jk} \delta_k$$" "\n\n" r"$$\xi_j = \sum_k w_{jk} \xi_k$$").network()
    assert not model.layers


SPEC = """
title = "one sigmoid layer"
loss = "sse"
[[layers]]
size = "n_i"
index = "i"
[[layers]]
size = "n_k"
index = "k"
activation = "sigmoid"
"""

PROSE = r"""
The output layer $k$ applies the sigmoid to $u_k$, the weighted sum of the inputs $x_i$;
the loss $E$ is half the sum of squared errors.

$$\frac{\partial E}{\partial u_k} = (y_k - t_k) y_k (1 SIGN y_k)$$
"""


@pytest.mark.parametrize("sign, status", [("-", "proved"), ("+", "refuted")])
def test_a_network_stated_in_prose_is_taken_from_a_spec(tmp_path, sign, status):
    spec_file, doc = tmp_path / "net.toml", tmp_path / "prose.md"
    spec_file.write_text(SPEC, encoding="utf-8")
    doc.write_text(PROSE.replace("SIGN", sign), encoding="utf-8")
    from symbackprop.checker import check_document

    alone = check_document(doc)
    assert [c.status for c in alone.claims] == ["inconclusive"]  # E and y are only in the prose
    given = check_document(doc, network=spec.load(spec_file))
    assert [c.status for c in given.claims] == [status]
    assert given.fragments == alone.fragments  # the spec's definitions are not the document's


def test_a_spec_that_cannot_be_read_is_one_line_and_exit_2(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("$$x = 1$$\n", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("title = \n", encoding="utf-8")
    for spec_path in (tmp_path / "missing.toml", bad):
        out, err = io.StringIO(), io.StringIO()
        args = argparse.Namespace(documents=[str(doc)], format="text", timeout=5.0, budget=None, output=None,
                                  show_network=False, network=str(spec_path))
        assert run_check(args, out, err) == 2
        assert err.getvalue().count("\n") == 1 and "--network" in err.getvalue()


#: A blog's output layer: u_k only written out under ∂, two sections with two networks.
TWO_SECTIONS = r"""
$$\frac{\partial u_k}{\partial w_{jk}} = \frac{\partial(\sum_{q=1}^{m} y_q w_{qk} + b_k)}{\partial w_{jk}}$$

$$\frac{\partial u_r}{\partial y_j} = \frac{\partial(\sum_{q=1}^{m} y_q w_{qr} + b_r)}{\partial y_j}$$

$$\frac{\partial E}{\partial y_k} = \frac{\partial}{\partial y_k}\left(\frac{1}{2} \sum_{k=1}^{n} (y_k - t_k)^2\right)$$

$$\frac{\partial y_k}{\partial u_k} = \frac{\partial u_k}{\partial u_k}$$

$$E = -\sum_{k=1}^{n} t_k \log y_k$$

$$y_k = \frac{\exp(u_k)}{\sum_{k'=1}^{n} \exp(u_{k'})}$$
"""


def test_a_network_written_out_under_derivatives_is_read_with_what_it_rests_on():
    model = check_text(TWO_SECTIONS).network()
    assert [x.index for x in model.layers] == ["k"]          # u_r is u_k with another letter
    (out,) = model.layers
    assert (out.fed_by, out.inputs, out.weight, out.activation) == ("j", "y", "w", "softmax")
    assert model.loss == "cross_entropy" and model.loss_line == 10
    notes = " ".join(model.notes)
    assert "u_r (line 4) is u_k" in notes
    assert "activation softmax, after identity" in notes and "loss cross_entropy, after sse (line 6)" in notes


def test_a_letter_layered_network_is_given_back_with_network():
    """The inferred spec of a letter-layered document names the input with the activation's
    letter (y_j below, y_k the output): check --network takes it, derive refuses it."""
    text = check_text(TWO_SECTIONS).network().to_toml("two sections")
    with pytest.raises(spec.SpecError):
        spec.loads(text)
    net = spec.loads(text, letter_layered=True)
    assert (net.notation.input, net.notation.activation) == ("y", "y")
    same_letters = text.replace('index = "k"', 'index = "j"')
    with pytest.raises(spec.SpecError):
        spec.loads(same_letters, letter_layered=True)
