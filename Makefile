# cardbridge — `make run` starts the bridge, `make test` runs every test tier.
# Both install what is missing first (Debian packages through apt, a virtualenv in .venv).

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# `make run`'s own environment: the runtime dependencies only (scripts/setup-run).
RUN_VENV := .venv-run
RUN_STAMP := $(RUN_VENV)/.installed
# mutmut, for `make mutation` and the CI-sized mutation run of `make test`.
MUTMUT := $(VENV)/.mutmut-installed

.PHONY: run test bench soak fuzz mutation lint format clean system-run system-test \
	js-client js-client-types

# The offline DMP runs beside the bridge and stops with it. cardbridge runs from this
# source tree, with the runtime dependencies of its own environment.
run: system-run $(RUN_STAMP)
	@$(RUN_VENV)/bin/python -m cardbridge dmp-sandbox & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	CARDBRIDGE_EMULATOR_FALLBACK=true $(RUN_VENV)/bin/python -m cardbridge serve

test: system-test $(STAMP) $(MUTMUT) js-client
	scripts/run-tests

# The JavaScript client (clients/js/README.md): its build tools as the lock file pins them,
# then its bundle, which the browser tests load. `make js-client-types` writes its types
# again from the app's OpenAPI document (a browser test fails while they differ).
JS_CLIENT := clients/js
JS_TOOLS := $(JS_CLIENT)/node_modules/.installed

js-client: $(JS_TOOLS)
	cd $(JS_CLIENT) && npm run --silent build

js-client-types: $(STAMP) $(JS_TOOLS)
	$(VENV)/bin/python -m tests.browser.js_site types

$(JS_TOOLS): $(JS_CLIENT)/package-lock.json
	cd $(JS_CLIENT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: system-test $(STAMP)
	scripts/run-bench

# Not part of `make test` (nor CI): minutes of API load while cards come and go, then the
# long fuzz runs. `make soak SOAK_MINUTES=2` for a shorter soak; `make fuzz` alone.
SOAK_MINUTES ?= 10
FUZZ_SECONDS ?= 30
ATHERIS := $(VENV)/.atheris-installed

soak: system-run $(STAMP)
	$(VENV)/bin/python -m soak --minutes $(SOAK_MINUTES)
	@$(MAKE) --no-print-directory fuzz

fuzz: system-run $(STAMP) $(ATHERIS)
	CARDBRIDGE_HYPOTHESIS_PROFILE=soak $(VENV)/bin/python -m pytest -p no:cacheprovider -q \
		--timeout 3600 -m "hypothesis and not real" tests
	$(VENV)/bin/python -m soak.atheris_fuzz --seconds $(FUZZ_SECONDS)

$(ATHERIS): $(STAMP)
	$(VENV)/bin/pip install --quiet atheris
	touch $@

# Not part of `make test` (it takes minutes): mutation testing of the core modules, one at a
# time, and the check of the survivors against mutation/survivors.txt (README, "Mutation
# testing"). `make mutation MUTATION_MODULES="tlv apdu"` for some of them.
MUTATION_MODULES ?=
MUTATION_CHILDREN ?= 1

mutation: system-test $(STAMP) $(MUTMUT)
	nice -n 10 $(VENV)/bin/python scripts/mutation-report \
		--max-children $(MUTATION_CHILDREN) $(MUTATION_MODULES)

$(MUTMUT): $(STAMP)
	$(VENV)/bin/pip install --quiet 'mutmut==3.8.1'
	touch $@

LINT_PATHS := cardbridge tests testkit bench soak scripts/pcscd-harness scripts/mutation-report scripts/coverage-floor

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format $(LINT_PATHS)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)

system-run:
	@scripts/ensure-system-packages run

system-test:
	@scripts/ensure-system-packages test

$(RUN_STAMP): pyproject.toml scripts/setup-run
	@PYTHON=$(PYTHON) scripts/setup-run $(RUN_VENV)
	@touch $@

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "cardbridge needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(RUN_VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache mutants \
		$(JS_CLIENT)/node_modules $(JS_CLIENT)/dist
