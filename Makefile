# socsec: the two commands are `make serve` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
CHROMIUM := /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test test-slow bench bench-http setup release validate clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "socsec needs Python 3.11+"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own)
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

# a refused release (invalid packages) leaves the current one served; with none at all, stop
serve: $(STAMP)
	$(BIN)/socsec release --if-stale || { $(BIN)/socsec verify && echo "release refused: serving the current one"; }
	$(BIN)/socsec serve

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest

test-slow: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -m slow

bench: $(STAMP)
	$(BIN)/python bench/validate --rows 1000000

# SQL over HTTP against Datasette 0.65 (installed in var/bench/datasette-venv only) and the DuckDB floor
bench-http: $(STAMP)
	$(BIN)/python bench/http

validate: $(STAMP)
	$(BIN)/socsec validate

release: $(STAMP)
	$(BIN)/socsec release

clean:
	rm -rf $(VENV) var/bench
