# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck demo bench clean

$(STAMP): pyproject.toml $(wildcard */__init__.py)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check engine evidence reports tests bench

typecheck: install
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/assay controls validate
	$(PY) -m pytest --cov --cov-report=
	$(PY) -m coverage report --include='engine/*' --fail-under=90

demo: install
	$(PY) examples/demo.py

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) out assay-out .pytest_cache .mypy_cache .ruff_cache .coverage
