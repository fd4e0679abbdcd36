# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-sqlite test-pg test-bundle bundle lint audit lock system-deps venv clean

# The runtime dependencies at the exact versions and hashes of the lock (what the bundle ships and
# the tests check), then the project and its development tools.
$(STAMP): pyproject.toml packaging/requirements-lock.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r packaging/requirements-lock.txt
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the project needs (Qt runtime libraries, pdftotext for PDF tests,
# PostgreSQL for the shared-database tests). Installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

# On a desktop the window opens on the screen; on a machine without display it runs offscreen.
run: system-deps $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then platform=""; else platform=offscreen; \
	  echo "Pas d'écran : l'application tourne hors écran (QT_QPA_PLATFORM=offscreen)."; fi; \
	QT_QPA_PLATFORM=$$platform $(VENV)/bin/ivo gui --demo-if-empty

lint: $(STAMP)
	$(VENV)/bin/ruff check ivo_app tests benchmarks migrations scripts
	$(VENV)/bin/ruff format --check ivo_app tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Known vulnerabilities of the locked bundle (says so, without failing, where no database is reachable).
audit: $(STAMP)
	PY=$(PY) bash scripts/audit-dependencies.sh

# After changing a dependency: exact versions and hashes of what the bundle ships.
lock: $(STAMP)
	$(PY) scripts/lock-dependencies.py

# The whole suite on the embedded SQLite, then again on a real PostgreSQL server (the shared backend).
test: system-deps $(STAMP) lint audit test-sqlite test-pg test-bundle

test-sqlite: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

test-pg: $(STAMP)
	@url=$$(bash scripts/postgres-test-server.sh) ; status=$$? ; \
	if [ $$status -ne 0 ] ; then \
	  echo "PostgreSQL ne peut pas être démarré sur cette machine : suite PostgreSQL NON exécutée." ; \
	else \
	  IVO_TEST_DB=postgresql IVO_TEST_PG_ADMIN="$$url" QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/integration tests/gui ; \
	fi

# The installable application without Python (PyInstaller, one folder): dist/ivo/ivo (command line)
# and dist/ivo/IVO (window). The same build.spec builds the Windows folder on a Windows machine.
bundle: $(STAMP)
	$(VENV)/bin/pyinstaller build.spec --noconfirm --log-level WARN

# Build the bundle, then run it as a user would: its version, a demo facility, the checks.
test-bundle: bundle
	bash scripts/bundle-smoke.sh dist/ivo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
