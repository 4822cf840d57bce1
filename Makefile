# ingemplois: `make run` (embedded suite on http://127.0.0.1:8080) and `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PACKAGES := libs/plumbing gateway $(wildcard services/*)
TRANSLATIONS := $(wildcard libs/plumbing/src/plumbing/translations services/*/src/*/translations gateway/src/gateway/translations)
STAMP := $(VENV)/.installed

.PHONY: run test up lint migrate bench install infra chromium translations clean

## run: install what is needed and start the whole suite (embedded default) at http://127.0.0.1:8080
run: install
	$(PY) -m suite.embedded

## test: install what is needed and run every test (unit, service, contract, e2e)
test: install infra chromium
	$(PY) -m pytest --durations=25 libs/plumbing/tests gateway/tests services suite/tests deploy/tests bench/tests tests-e2e

## up: the distributed suite in the foreground (PostgreSQL, RabbitMQ, Redis, gunicorn per service)
up: install infra
	$(PY) -m suite.distributed

## lint: ruff on everything
lint: install
	$(VENV)/bin/ruff check .

## migrate: bring every service's database to the latest revision (embedded databases under var/)
migrate: install
	$(PY) -m suite.migrate

## bench: serving benchmarks: identity's API vs bare Flask; the landing page through the gateway vs bare Flask hello;
## the job site's search on 10,000 live / 200,000 past offers (through the gateway vs hello, full text vs ILIKE)
bench: install infra
	$(PY) bench/serving/run.py
	$(PY) bench/gateway/run.py
	$(PY) bench/search/run.py

install: $(STAMP) translations

$(STAMP): requirements.txt package.json $(wildcard */pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml)
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (apt-get install python3 python3-venv)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "python3-venv is missing: apt-get install python3-venv"; exit 1; }
	$(PIP) install -q --upgrade pip > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	$(PIP) install -q -r requirements.txt $(addprefix -e ,$(PACKAGES)) > $(VENV)/pip.log 2>&1 \
	  || { grep -v '^WARNING: Location' $(VENV)/pip.log; exit 1; }
	@$(PY) -c "import plumbing, gateway" || { echo "package install failed"; exit 1; }
	@command -v npm >/dev/null || { apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

translations: $(STAMP)
	@for d in $(TRANSLATIONS); do \
	  if ls $$d/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(VENV)/bin/pybabel compile -d $$d >/dev/null 2>&1 || { echo "pybabel compile failed in $$d"; exit 1; }; fi; \
	done

infra:
	bash scripts/ensure-infra.sh

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

clean:
	rm -rf $(VENV) node_modules var test-output
