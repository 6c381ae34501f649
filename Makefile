# CarbonScope: `make run` serves the site, `make test` checks it.
# Every target sets up what it needs first; setup is quick when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
VENDOR := app/static/vendor
TOOLS := $(VENV)/tools
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs on every core (pytest-xdist); each worker has its own PostgreSQL database.
PYTEST_ARGS ?= -n auto

.PHONY: setup setup-dev run test lint format bench screenshots clean translations

TRANSLATIONS := app/translations
CATALOGUES_PO := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
CATALOGUES_MO := $(CATALOGUES_PO:.po=.mo)

setup: $(VENV)/.stamp-runtime $(VENDOR)/.stamp $(CATALOGUES_MO)

setup-dev: setup $(VENV)/.stamp-dev $(TOOLS)/.stamp-tools

$(VENV)/.stamp-runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt requirements.txt $(VENV)/.stamp-runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Tools that pin many packages of their own (checkov) get their own virtualenv.
$(TOOLS)/.stamp-tools: requirements-tools.txt $(VENV)/.stamp-runtime
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch $@

# Front-end files come from npm (package.json), never a CDN: htmx, the world map's Natural
# Earth geometry (world-atlas, public domain), the API reference viewer (swagger-ui-dist).
# axe-core stays in node_modules: only the browser tests inject it.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	mkdir -p $(VENDOR)/world-atlas $(VENDOR)/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/world-atlas/countries-110m.json node_modules/world-atlas/LICENSE $(VENDOR)/world-atlas/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
		node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui/
	touch $@

# The interface's Korean (and any later) catalogue, compiled for Flask-Babel.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.stamp-runtime
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l $* -i $< -o $@

# After changing the interface's text: re-extract and merge new strings into each catalogue,
# then translate the empty entries (tests/test_translations.py fails while one is missing).
translations: $(VENV)/.stamp-runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

# The worker runs beside the web server (admin resyncs, schedules) and stops with it.
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# The main pages at 390 px and 1366 px into docs/screenshots/, on the bundled demo data.
screenshots: setup-dev
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
