# Two commands do all the set-up on a fresh machine:
#   make demo   simulated active-learning session on Imagenette from zero labels (random vs maxherding+uherding), writes demo_out/
#   make test   the whole check: nbdev_clean, nbdev_export sync, README sync, outputs, docs site, nbdev_test
#   make docs   the docs site in _docs/: nbdev_docs where Quarto is installed, else static HTML (.ci/docs.py);
#               `make docs-check` then opens every page in chromium (.ci/docs_browser.py)
#   make jlab-check  tutorials 20 and 21 in JupyterLab in headless chromium: all cells run, every grid live, clicks reach the store
# Both create .venv and install the project into it on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data/imagenette
EUROSAT ?= ../shared/data/eurosat_rgb

.PHONY: demo test venv readme docs docs-check jlab-check bench bench-all bench-yardsticks label-errors-bench clean

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

jlab-check: $(BIN)/.installed
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python .ci/jlab_browser.py $(ARGS)

bench: $(BIN)/.installed
	$(BIN)/active-vision bench --data $(DATA) --out bench_out $(ARGS)

# the yardstick of issue 11: Imagenette and EuroSAT from zero labels, the default recipe and random, default head and --supervised, 5 seeds
bench-all: $(BIN)/.installed
	$(BIN)/active-vision bench --data $(DATA),$(EUROSAT) --init cold --strategies random,maxherding+uherding \
		--heads adaptive,supervised --budgets 10,20,30,50,100,200,300,500 --seeds 5 --wandb disabled --out bench_all $(ARGS)

# two more yardsticks, built offline into yardsticks/: scikit-learn's digits and Imagenette shrunk to 32 px; the columns of bench-all plus the semi-supervised head
bench-yardsticks: $(BIN)/.installed
	$(BIN)/active-vision yardsticks --out yardsticks --data $(DATA)
	$(BIN)/active-vision bench --data yardsticks/digits,yardsticks/imagenette32 --init cold --strategies random,maxherding+uherding \
		--heads adaptive,supervised,semi_supervised --budgets 10,20,30,50,100,200,300,500 --seeds 5 --all-labels --wandb disabled --out bench_yardsticks $(ARGS)

clean:
	rm -rf _docs _proc demo_out bench_out bench_all bench_yardsticks yardsticks
