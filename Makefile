# VRP Returns: `make run` to open the app, `make test` to run the tests.
# The virtualenv is installed from requirements.lock (every package pinned), then the project
# itself without dependencies; `make lock` re-resolves pyproject.toml's ranges into a new lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run hub test check bench demo lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/vrp

hub: $(STAMP)
	$(BIN)/vrp hub

# pytest exits 5 when it collects no tests; that is a failure here, said out loud.
test: $(STAMP)
	@$(BIN)/pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# ruff, mypy, and the import layers of docs/architecture.md (tests/test_layers.py)
check: $(STAMP)
	$(BIN)/ruff check vrp_tui tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q tests/test_layers.py

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

demo: $(STAMP)
	$(BIN)/vrp demo

# A throwaway virtualenv resolves the newest releases inside pyproject.toml's ranges; its
# frozen list (runtime and dev) becomes the lock. Run the tests on it before committing it.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[dev]'
	{ echo "# Every package the app and its tests install, pinned. Made by 'make lock' from pyproject.toml's ranges."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^vrp-returns[= @]'; } > $(LOCK)
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .lock-venv .pytest_cache .mypy_cache .ruff_cache
