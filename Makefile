# revmod: the two commands are `make run` and `make test`; everything else is a step of those.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
REVMOD := $(BIN)/revmod
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/revmod
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-postgres test-browser check setup translations messages clean

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements/dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

setup: $(VENV)/.installed translations

# .mo files are built, not committed: compile them from the .po catalogues (pure Python, no gettext).
translations: $(VENV)/.installed
	@$(REVMOD) compiletranslations

# Regenerates the .po catalogues from the source (needs gettext's xgettext).
messages: $(VENV)/.installed
	cd src/revmod && ../../$(REVMOD) makemessages --no-obsolete --no-location -l ar -l zh_Hans -l fr -l ru -l es

run: setup
	@mkdir -p var
	$(REVMOD) migrate --no-input -v 0
	$(REVMOD) collectstatic --no-input -v 0
	$(REVMOD) setup_demo --if-empty
	$(REVMOD) serve --port $(PORT)

test: setup
	@scripts/ensure-system-packages
	$(BIN)/pytest -m "not browser" -q -n 2 --dist loadfile

test-postgres: setup
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -q -n 2 --dist loadfile

test-browser: setup
	@scripts/ensure-system-packages
	DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest -m browser -q -p no:xdist

check: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src
	$(REVMOD) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=revmod.settings_production SECRET_KEY=check-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
		ALLOWED_HOSTS=revmod.example.org $(REVMOD) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
