# The single entry point. `make run` starts everything locally; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: install install-python install-frontend build-frontend install-browser run test test-fast \
        test-unit test-integration test-fuzz test-infra test-e2e test-browser lint typecheck synth cost-probe clean \
        api-docs record-aws-calls

install: install-python build-frontend

$(VENV)/.installed: requirements.txt requirements-dev.txt functions/requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install-python: $(VENV)/.installed

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

install-frontend: frontend/node_modules/.package-lock.json

build-frontend: install-frontend
	cd frontend && npm run build

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
install-browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# make run ARGS="--port 8080 --fresh": options of python -m local (see python -m local --help).
run: install
	$(PY) -m local $(ARGS)

# The committed OpenAPI document and the web app's types generated from it (unit tests check both).
api-docs: install-python
	$(PY) -m local.openapi
	$(PY) -m local.api_types

# The import contract (pyproject.toml [tool.importlinter]) reads shared/ as Lambda sees it: chalicelib, from functions/.
lint: install-python
	$(VENV)/bin/ruff check .
	cd functions && ../$(VENV)/bin/lint-imports ../pyproject.toml
	cd frontend && npm run typecheck

# Two mypy runs: the Chalice app from inside functions/ (so shared/ is seen once, as chalicelib),
# then the CDK app, the local runtime, benchmarks and tests.
typecheck: install-python
	cd functions && ../$(VENV)/bin/mypy --config-file ../pyproject.toml app.py chalicelib
	$(VENV)/bin/mypy app.py infra local ops benchmarks tests

test-unit: install-python
	$(PY) -m pytest -m unit

test-integration: install-python
	$(PY) -m pytest -m integration

# The OpenAPI fuzz alone (part of the integration run too); FUZZ_EXAMPLES=200 hunts longer.
test-fuzz: install-python
	$(PY) -m pytest -m fuzz

test-infra: install-python
	$(PY) -m pytest -m infra

test-e2e: install
	$(PY) -m pytest -m e2e

test-browser: install install-browser
	$(PY) -m pytest -m browser

# Everything but the slow CDK synthesis.
test-fast: install
	$(PY) -m pytest -m "not infra and not browser"

test: install install-browser lint typecheck
	$(PY) -m pytest

# Every AWS call each function makes, recorded while the integration and e2e suites run through the local
# runtime (local/aws_calls.py), into tests/fixtures/aws_calls.json: the infra suite checks each function's
# role against it (tests/infra/test_least_privilege.py). Re-run after adding or changing an AWS call.
AWS_CALLS_DIR := .local/aws-calls
record-aws-calls: install-python
	test -f frontend/dist/index.html || $(MAKE) build-frontend
	rm -rf $(AWS_CALLS_DIR) && mkdir -p $(AWS_CALLS_DIR)
	OPEN_CONTACT_RECORD_AWS_CALLS=$(CURDIR)/$(AWS_CALLS_DIR) $(PY) -m pytest -q -m "integration or e2e" -p no:cacheprovider
	$(PY) -m local.aws_calls merge $(AWS_CALLS_DIR) tests/fixtures/aws_calls.json

synth: install-python
	$(PY) app.py

cost-probe: install
	$(PY) -m benchmarks.cost_probe

clean:
	rm -rf cdk.out chalice.out .pytest_cache .mypy_cache .ruff_cache frontend/dist
