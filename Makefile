# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint typecheck system-deps venv clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the project needs (Qt runtime libraries, pdftotext for PDF tests,
# PostgreSQL for the shared-database tests). Installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

run: system-deps $(STAMP)
	QT_QPA_PLATFORM= $(VENV)/bin/ivo gui --demo-if-empty

lint: $(STAMP)
	$(VENV)/bin/ruff check ivo_app tests benchmarks migrations scripts
	$(VENV)/bin/ruff format --check ivo_app tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: system-deps $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
