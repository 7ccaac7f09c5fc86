# cardbridge — `make run` starts the bridge, `make test` runs every test tier.
# Both install what is missing first (Debian packages through apt, a virtualenv in .venv).

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format clean system-run system-test

run: system-run $(STAMP)
	CARDBRIDGE_EMULATOR_FALLBACK=true $(VENV)/bin/cardbridge serve

test: system-test $(STAMP)
	scripts/run-tests

bench: system-test $(STAMP)
	scripts/run-bench

lint: $(STAMP)
	$(VENV)/bin/ruff check cardbridge tests bench scripts/pcscd-harness
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format cardbridge tests bench scripts/pcscd-harness
	$(VENV)/bin/ruff check --fix cardbridge tests bench scripts/pcscd-harness

system-run:
	@scripts/ensure-system-packages run

system-test:
	@scripts/ensure-system-packages test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "cardbridge needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
