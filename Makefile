# The two commands: `make report` and `make test`.  Both set everything up first.
PYTHON  ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed-stamp

.PHONY: report test lint lab bench setup chromium libreoffice clean

report: setup chromium
	$(BIN)/reviewkit build . --to html,pdf
	@echo "reviewkit is installed in $(VENV)/: in a new shell, run '. $(VENV)/bin/activate' here to use the reviewkit command"

test: setup chromium libreoffice
	VENV=$(VENV) bash scripts/lint.sh
	$(BIN)/python -B -m pytest  # -B: no bytecode in the repository (the tests write nothing into it)

# ruff (lint + format check) and mypy, as `make test` runs them first
lint: setup
	VENV=$(VENV) bash scripts/lint.sh

# `make lab` opens the review; `make lab SECTION=efficacy-leiomyosarcoma` opens that section with the report's parameters
lab: setup
	$(BIN)/reviewkit lab $(SECTION)

bench: setup chromium
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_citations.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_trials.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_formats.py
	$(BIN)/python benchmarks/bench_peers.py  # installs Jupyter Book and mystmd under ~/.cache/reviewkit-bench

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

chromium:
	@bash scripts/ensure-chromium.sh

libreoffice:
	@bash scripts/ensure-libreoffice.sh

clean:
	rm -rf outputs/* $(VENV) .pytest_cache
	touch outputs/.gitkeep
