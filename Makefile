# symbackprop — the two commands of the README: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-all bench mutate fuzz clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

## demo: derive and verify every network in derivations/, evaluate an example, write reports/
demo: $(STAMP)
	@for f in derivations/*.toml; do \
	  echo "════ $$f"; $(BIN)/symbackprop derive $$f || exit $$?; \
	done
	$(BIN)/symbackprop verify derivations/*.toml
	$(BIN)/symbackprop eval derivations/classification.toml --params derivations/examples/classification.params.json
	$(BIN)/symbackprop report derivations/*.toml --proofs -o reports

## test: the fast test suite (everything not marked slow; about two minutes on this 2-core machine)
## One process: the checker's time bounds are real, and parallel workers would make them flaky.
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## test-slow: only the tests marked slow (CI runs it after `make test`)
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

## test-all: every test
test-all: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: speed against baselines (torch included), table on stdout, JSON in benchmarks/results/
bench: $(STAMP)
	$(BIN)/pip install -q -e '.[torch]'
	$(BIN)/python benchmarks/run.py

## mutate: mutation testing (mutmut) of simplify.py and rules/ with their fast tests, in a scratch
## copy outside the repository; scores and survivors on stdout and in benchmarks/results/mutation.json.
## Not part of `make test` (10-40 minutes).  Other targets: make mutate MUTATE="simplify rules engine"
MUTATE ?= simplify rules
mutate: $(STAMP)
	$(BIN)/pip install -q -e '.[mutation]'
	$(BIN)/python benchmarks/mutate.py $(MUTATE)

## fuzz: a long fuzzing campaign (about 13,700 generated specs, LaTeX fragments and documents through the
## spec loader, the reader and check); prints inputs, tracebacks, runs past the bound and the worst time
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info
