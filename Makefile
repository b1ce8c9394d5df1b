# Two commands on a fresh machine with Python 3.11, make and git:
#   make run   - install, migrate, load the demo data, serve http://127.0.0.1:8000/
#   make test  - install and run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install messages bench screenshots check

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

install: $(BIN)/.installed messages

messages: $(BIN)/.installed
	$(BIN)/pybabel -q compile -d locale -D django

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	mkdir -p var
	$(BIN)/pytest $(PYTEST_ARGS)

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/import_households.py

screenshots: install
	$(BIN)/python bench/screenshots.py http://127.0.0.1:8000 bench/screenshots / /en/ /catalogue/ /en/catalogue/category/fruit_2/
