# Two commands do all the set-up on a fresh machine:
#   make demo   simulated active-learning session on Imagenette from zero labels (random vs kmeans+uncertain_diverse), writes demo_out/
#   make test   the whole check: nbdev_clean, nbdev_export sync, README sync, nbdev_test
# Both create .venv and install the project into it on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data/imagenette

.PHONY: demo test venv readme bench label-errors-bench clean

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

bench: $(BIN)/.installed
	$(BIN)/active-vision bench --data $(DATA) --out bench_out $(ARGS)

clean:
	rm -rf _docs _proc demo_out bench_out
