# The two commands: `make report` and `make test`.  Both set everything up first.
PYTHON  ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed-stamp

.PHONY: report test lab bench setup chromium clean

report: setup chromium
	$(BIN)/reviewkit build . --to html,pdf

test: setup chromium
	$(BIN)/python -m pytest

lab: setup
	$(BIN)/jupyter lab --notebook-dir=.

bench: setup chromium
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_citations.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_trials.py
	$(BIN)/python benchmarks/bench_engine.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

chromium:
	@bash scripts/ensure-chromium.sh

clean:
	rm -rf outputs/* $(VENV) .pytest_cache
	touch outputs/.gitkeep
