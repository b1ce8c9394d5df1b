# Two commands on a fresh machine with Python 3.11, make and git:
#   make run   - install, migrate, load the demo data, serve http://127.0.0.1:8000/
#   make test  - install (Debian's chromium too, if missing) and run the whole test suite
# `make help` lists the rest.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# The browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
CHROMIUM := /usr/bin/chromium
# A TrueType Chinese font embedded in parcel labels and slips (LABEL_FONT_FILE), so they print anywhere.
LABEL_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help run run-stripe test test-fast install messages bench screenshots check chromium audit prod-smoke services
.DEFAULT_GOAL := help

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(BIN)/.installed messages ## create .venv and install everything Python needs

messages: $(BIN)/.installed
	$(BIN)/pybabel -q compile -d locale -D django

run: install $(LABEL_FONT) ## migrate, load the demo data, serve http://127.0.0.1:8000/ (SQLite, local media)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0341 is declined,
# 4000 0027 6000 3184 asks for 3-D Secure. localstripe signs its webhooks with the secret below.
LOCALSTRIPE := http://127.0.0.1:8420
run-stripe: install ## as `make run`, but paying by card through localstripe (a local Stripe API)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python -m localstripe --from-scratch --port 8420 > var/localstripe.log 2>&1 & echo $$! > var/localstripe.pid
	until curl -sf -u sk_test_local: $(LOCALSTRIPE)/v1/balance > /dev/null; do sleep 0.3; done
	curl -sf $(LOCALSTRIPE)/_config/webhooks/wumeng -H 'Content-Type: application/json' \
	  -d '{"url": "http://127.0.0.1:8000/payments/stripe/webhook/", "secret": "whsec_local"}' > /dev/null
	STRIPE_SECRET_KEY=sk_test_local STRIPE_PUBLISHABLE_KEY=pk_test_local STRIPE_WEBHOOK_SECRET=whsec_local \
	  STRIPE_API_BASE=$(LOCALSTRIPE) STRIPE_JS_URL=$(LOCALSTRIPE)/js.stripe.com/v3/ \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000; kill $$(cat var/localstripe.pid)

test: install $(CHROMIUM) $(LABEL_FONT) ## the whole test suite (SQLite; PostgreSQL with DATABASE_URL=postgres://...)
	mkdir -p var
	$(BIN)/pytest $(PYTEST_ARGS) --ignore=tests/production
	# The production stack's tests (S3 on moto, Redis, a Celery worker) in a process of their own:
	# they swap storage and cache under libraries (sorl-thumbnail) that keep them per process.
	$(BIN)/pytest $(PYTEST_ARGS) tests/production

test-fast: install ## the test suite without the browser tests
	mkdir -p var
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

chromium: $(CHROMIUM) ## install Debian's chromium for the browser tests

$(LABEL_FONT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-wqy-microhei > /dev/null

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium > /dev/null

check: install ## Django's checks, no missing migration, the import layers, ruff
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/ruff check .

# PostgreSQL (postgres@127.0.0.1:5432, trust) and Redis (127.0.0.1:6379) run on the development and
# CI machines; started here when they have stopped (Redis keeps nothing on disk there either).
services: ## start the local PostgreSQL and Redis if they are not running
	pg_isready -h 127.0.0.1 -p 5432 -q || $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	redis-cli -h 127.0.0.1 -p 6379 ping > /dev/null 2>&1 || \
	  $(SUDO) redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes
	until pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping > /dev/null 2>&1; do sleep 0.3; done

# Uses the database wumeng_smoke (dropped and recreated) and Redis database 13 (flushed).
prod-smoke: install services ## the production stack on loopback (2 gunicorns, Celery, S3 on moto) and a buyer-to-ledger session
	$(BIN)/python tests/production/smoke.py

audit: install ## the fund-flow audit of the configured database (exits 1 on any discrepancy)
	$(BIN)/python manage.py impact_audit

bench: install ## page, checkout, import and shipment benchmarks (ratios against a bare view, SQL counts)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/production.py
	$(BIN)/python bench/import_households.py
	$(BIN)/python bench/shipments.py
	$(BIN)/python bench/impact.py

screenshots: install $(CHROMIUM) ## screenshots of a running site (make run first) into bench/screenshots
	$(BIN)/python bench/screenshots.py http://127.0.0.1:8000 bench/screenshots / /en/ /catalogue/ /en/catalogue/category/fruit_2/
