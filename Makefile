# Two commands on a fresh machine: `make run` (the whole stack, foreground) and `make test`.
# Each installs what it needs and is quick when it already is.

SHELL := /bin/bash
PYTHON := .venv/bin/python
PG_BIN := /usr/lib/postgresql/15/bin
APT_PACKAGES := postgresql-15 postgresql-15-cron postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl chromium acl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test stack-up stack-down bench soak lint deps system-deps clean

run: deps
	$(PYTHON) -m devstack run

stack-up: deps
	$(PYTHON) -m devstack up

stack-down:
	$(PYTHON) -m devstack down

test: deps
	$(PYTHON) -m pytest

# The long reliability runs: random faults over many rounds, the large fuzz run.
soak: deps
	$(PYTHON) -m pytest -m soak tests/reliability

# Speed and memory targets, as ratios against baselines measured in the same run (bench/results.json).
bench: deps
	$(PYTHON) -m bench

lint: deps
	$(PYTHON) -m ruff check .
	.venv/bin/hadolint Dockerfile

deps: system-deps .venv/.installed node_modules/.installed

# apt only when something is missing: dpkg's status is the cheap check.
system-deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

.venv/.installed: pyproject.toml
	@[ -x $(PYTHON) ] || python3 -m venv .venv
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

clean: stack-down
	rm -rf .stack .stack-test-* .venv node_modules
