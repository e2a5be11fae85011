# Two commands do all the set-up on a fresh machine:
#   make demo   simulated active-learning session on Imagenette from zero labels (random vs kmeans+uncertain_diverse), writes demo_out/
#   make test   the whole check: nbdev_clean, nbdev_export sync, README sync, outputs, docs site, nbdev_test
#   make docs   the docs site in _docs/: nbdev_docs where Quarto is installed, else static HTML (.ci/docs.py);
#               `make docs-check` then opens every page in chromium (.ci/docs_browser.py)
# Both create .venv and install the project into it on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data/imagenette

.PHONY: demo test venv readme docs docs-check bench label-errors-bench clean

$(BIN)/.installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -e ".[dev]"
	touch $@

venv: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/active-vision demo --data $(DATA) --out demo_out $(ARGS)

test: $(BIN)/.installed
	PATH="$(abspath $(BIN)):$$PATH" FLAGS="$(FLAGS)" bash .ci/test.sh $(ARGS)

readme: $(BIN)/.installed
	$(BIN)/python .ci/readme.py

docs: $(BIN)/.installed
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python .ci/docs.py $(ARGS)

docs-check: docs
	$(BIN)/python .ci/docs_browser.py

bench: $(BIN)/.installed
	$(BIN)/active-vision bench --data $(DATA) --out bench_out $(ARGS)

clean:
	rm -rf _docs _proc demo_out bench_out
