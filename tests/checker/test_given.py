"""Networks given back with ``check --network`` (checker/given.py) and the several networks
``check --show-network`` prints (checker/network_model.networks, checker/network_toml.py): each
network's definitions hold for its lines only, and a spec printed from a document and given
back decides every claim as the document alone does."""

from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from symbackprop import spec
from symbackprop.checker import check_document
from symbackprop.checker.given import GivenNetwork, load, loads
from symbackprop.checker.network_toml import networks_toml
from symbackprop.errors import SpecError

DATA = Path(__file__).resolve().parent / "data"
TWO = DATA / "two_networks.md"          # a regression section, then a classification section
PROSE = DATA / "two_networks_prose.md"  # the same, the networks stated in prose only
SHARED = Path(__file__).resolve().parents[3] / "shared"


def _statuses(result) -> list:
    return [(c.line, c.step, c.status) for c in result.claims]


def _network(loss: str, activation: str, lines: str = "", prefix: str = "") -> str:
    head = f"[[networks]]\nlines = {lines}\n" if lines else ""
    loss_key = f'loss = "{loss}"\n' if loss else ""
    return (f'{head}{loss_key}[[{prefix}layers]]\nsize = "n_j"\nindex = "j"\n'
            f'[[{prefix}layers]]\nsize = "n_k"\nindex = "k"\nactivation = "{activation}"\n'
            f'[{prefix}notation]\ninput = "y"\nactivation = "y"\n')


REGRESSION_THEN_CLASSIFIER = (_network("sse", "identity", "[1, 7]", "networks.")
                              + _network("cross_entropy", "softmax", "[8, 12]", "networks."))


@pytest.fixture(scope="module")
def two():
    """tests/checker/data/two_networks.md checked once (27 lines)."""
    return check_document(TWO)


def test_two_networks_are_shown_each_with_its_lines(two):
    models = two.networks(27)
    assert [(m.lines, m.loss, m.layers[-1].activation) for m in models] == \
        [((1, 18), "sse", "identity"), ((19, 27), "cross_entropy", "softmax")]
    text = networks_toml(models, "two")
    tables = tomllib.loads(text)["networks"]
    assert [t["lines"] for t in tables] == [[1, 18], [19, 27]]
    for t in tables:  # each table is a spec the core reads
        spec.from_dict({k: v for k, v in t.items() if k != "lines"}, "table", letter_layered=True)
    assert "# lines 5, 7" in text and "# lines 5, 21" in text  # what each layer rests on
    assert "another network from line 19" in text
    given = loads(text)
    assert [(g.first, g.last, g.network.loss) for g in given] == [(1, 18, "sse"), (19, 27, "cross_entropy")]


def test_one_network_keeps_the_core_spec_format(two):
    models = two.networks(27)[-1:]
    text = networks_toml(models, "one")
    assert "networks" not in tomllib.loads(text) and not text.startswith("[[networks]]")
    (given,) = loads(text)
    assert (given.first, given.last) == (1, None)


def test_the_round_trip_of_a_two_network_document_gives_the_same_verdicts(two, tmp_path):
    plain = two
    spec_file = tmp_path / "two.toml"
    spec_file.write_text(networks_toml(plain.networks(27), str(TWO)), encoding="utf-8")
    again = check_document(TWO, network=load(spec_file))
    assert _statuses(again) == _statuses(plain)
    assert [s for *_, s in _statuses(plain)].count("proved") == 5


def test_each_network_holds_for_its_lines_only():
    """The classifier's cross-entropy would refute the regression section's ∂E/∂y_k = y_k − t_k
    (a false alarm: seed 000 had two, its show-network printing the last network only)."""
    both = check_document(PROSE, network=loads(REGRESSION_THEN_CLASSIFIER))
    assert [c.status for c in both.claims if c.line in (6, 12)] == ["proved", "proved"]
    last_only = check_document(PROSE, network=loads(_network("cross_entropy", "softmax")))
    assert [c.status for c in last_only.claims if c.line == 6] == ["refuted"]


def test_a_networks_definitions_end_with_its_lines():
    """The second network leaves the loss to the document: the first network's ½SSE must not
    decide the classification section's claim (it would refute it)."""
    text = _network("sse", "identity", "[1, 7]", "networks.") + _network("", "softmax", "[8, 12]", "networks.")
    result = check_document(PROSE, network=loads(text))
    assert [c.status for c in result.claims if c.line in (6, 12)] == ["proved", "inconclusive"]


DEFINED_LATER = r"""
$$\frac{\partial E}{\partial y_k} = y_k - t_k$$

$$E = \frac{1}{2} \sum_{k=1}^{n} (y_k - t_k)^2$$
"""


def test_the_documents_own_definition_stands_where_it_writes_it(tmp_path):
    """A claim above the document's own definition of E stays "defined only later" with a spec
    that gives E: the spec does not decide what the document's own order leaves open."""
    doc = tmp_path / "later.md"
    doc.write_text(DEFINED_LATER, encoding="utf-8")
    plain = check_document(doc)
    given = check_document(doc, network=loads(_network("sse", "identity")))
    assert _statuses(given) == _statuses(plain) and plain.claims[0].status == "inconclusive"


ASSUMED = r"""
$$E = -\sum_{k=1}^{n} t_k \log y_k$$

$$\sum_{k=1}^{n} t_k = 1$$
"""


def test_the_documents_own_assumption_stands_where_it_states_it(tmp_path):
    """Σ_k t_k = 1 stated by the document is its assumption, not a claim the spec's proves."""
    doc = tmp_path / "assumed.md"
    doc.write_text(ASSUMED, encoding="utf-8")
    result = check_document(doc, network=loads(_network("cross_entropy", "softmax")))
    assert [c.category for c in result.claims if c.line == 4] == ["assumption"]


def test_what_show_network_could_not_read_is_given_back_as_nothing():
    """A spec without loss (or a layer without activation) leaves them to the document;
    ``networks = []`` — what a document without a layer shows — gives nothing."""
    (partial,) = loads(_network("", "sigmoid").replace('activation = "sigmoid"\n', ""))
    assert (partial.loss, partial.states_activation(1)) == (False, False)
    assert loads("networks = []\n") == ()
    empty = networks_toml([], "prose")
    assert "networks = []" in empty and "no layer could be read" in empty


@pytest.mark.parametrize("text, problem", [
    (_network("sse", "identity", "[1, 9]", "networks.") + _network("sse", "identity", "[5, 12]", "networks."),
     "overlap"),
    (_network("sse", "identity", "[9, 1]", "networks."), "first ≤ last"),
    ('title = "x"\nnetworks = []\n', "only [[networks]]"),
    (_network("sse", "linear", "[1, 9]", "networks."), "activation"),
])
def test_a_networks_file_that_cannot_be_read_is_one_line(text, problem):
    with pytest.raises(SpecError) as e:
        loads(text, "net.toml")
    assert problem in str(e.value) and "\n" not in str(e.value)


def test_derive_says_how_to_take_one_network_of_several():
    with pytest.raises(SpecError) as e:
        spec.loads(REGRESSION_THEN_CLASSIFIER, "net.toml")
    assert "copy one [[networks]] table out" in str(e.value)


def test_a_single_network_is_one_given_network_for_the_whole_document():
    (g,) = loads(_network("sse", "identity"))
    assert isinstance(g, GivenNetwork) and g.covers(1) and g.covers(10 ** 6)


def _seed(number: str):
    found = sorted((SHARED / "seeds").glob(f"{number}_*.txt"))
    if not found:
        pytest.skip("../shared/seeds not present")
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize("number, networks", [
    ("000", [("sse", "identity"), ("cross_entropy", "softmax")]),  # regression, then classification
    ("001", [("", "generic")]),   # a general layer, its activation and cost left generic
    ("004", []),                  # no layer read: networks = []
])
def test_the_round_trip_of_a_seed_gives_the_plain_verdicts(tmp_path, number, networks):
    """Seed 000 (a regression section, lines 1–200, then a classification section): the round
    trip had two false refutations (lines 59, 69), two proofs the document alone does not give
    (45, 219) and three proofs lost (51, 153, 228).  Seed 001 gives back a spec without loss and
    activation, seed 004 none."""
    doc = _seed(number)
    plain = check_document(doc, timeout=30)  # 001's line 59 takes ~4 s of the 5 s bound: not under load
    models = plain.networks()
    assert [(m.loss, m.layers[-1].activation) for m in models if m.layers] == networks
    spec_file = tmp_path / f"{number}.toml"
    spec_file.write_text(networks_toml(models, str(doc)), encoding="utf-8")
    again = check_document(doc, network=load(spec_file), timeout=30)
    assert _statuses(again) == _statuses(plain)
    if number == "001":  # the spec's z_k (an instance of the document's z^{i}_k) is named nowhere
        assert [c.method for c in again.claims] == [c.method for c in plain.claims]
