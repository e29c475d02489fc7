# MCOMS: `make demo` serves the app with demo data; `make test` runs lint, types and tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
CUSTOMERS ?= 300
SEED ?= 7

.PHONY: demo test lint types pytest bench serve worker migrate seed messages clean-demo help fonts venv

help:
	@echo "make demo    - install, migrate, seed the demo company, serve on $(HOST):$(PORT) with a worker"
	@echo "make test    - ruff, mypy and the whole pytest suite"
	@echo "make bench   - benchmarks (QUICK=1 for a small run)"
	@echo "make worker  - run the background task worker on its own"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed fonts

# The bill PDFs' fonts (Debian's fonts-noto-core): installed when we are root,
# else a note; without them English bills fall back to a core font and Hindi
# bills are refused with bill_font_missing (docs/billing-documents.md).
FONT_DEVANAGARI ?= /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf
fonts:
	@if [ ! -f "$(FONT_DEVANAGARI)" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing fonts-noto-core (the fonts of the bill PDFs)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core; \
	  else \
	    echo "NOTE: $(FONT_DEVANAGARI) is missing: Hindi bill PDFs are refused."; \
	    echo "      Install it: sudo apt-get install fonts-noto-core (or set BILL_FONT_DEVANAGARI)."; \
	  fi; \
	fi

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --customers $(CUSTOMERS) --seed $(SEED) --if-empty

demo: seed
	@$(PY) manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/ (worker alongside; Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker & \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT)

serve: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	$(PY) manage.py db_worker

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest

test: lint types pytest

bench: venv
	$(PY) bench/run.py $(if $(QUICK),--quick,)

messages: venv
	$(PY) manage.py makemessages -l hi --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean-demo:
	rm -rf var
