# socsec: the two commands are `make serve` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
CHROMIUM := /usr/bin/chromium
NGINX  := /usr/sbin/nginx
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test test-slow bench bench-http bench-load bench-scale setup release validate clean assets screenshots

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "socsec needs Python 3.11+"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own),
# and the Noto CJK fonts so that the Chinese pages render
$(CHROMIUM): | $(CJK_FONT)
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk

$(CJK_FONT):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk

# Debian's nginx for the replica tests: the static origin and the load balancer (each run unprivileged
# with its own configuration in a temporary folder; the system's nginx service is not used)
$(NGINX):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx

# the pages' JavaScript and CSS, rebuilt from the lock file into service/web/static/ (needs Node 20+ and npm;
# the built files are committed, so `make serve` needs no Node)
assets:
	cd service/web/assets && npm ci --no-audit --no-fund && npm run build

# PNGs of the main pages in English and Chinese, from a fresh release served by `socsec serve`
screenshots: $(STAMP) $(CHROMIUM)
	$(BIN)/python tests/browser/screenshots.py docs/screenshots

# a refused release (invalid packages) leaves the current one served; with none at all, stop
serve: $(STAMP)
	$(BIN)/socsec release --if-stale || { $(BIN)/socsec verify && echo "release refused: serving the current one"; }
	$(BIN)/socsec serve

test: $(STAMP) $(CHROMIUM) $(NGINX)
	$(BIN)/python -m pytest

test-slow: $(STAMP) $(CHROMIUM) $(NGINX)
	$(BIN)/python -m pytest -m slow

bench: $(STAMP)
	$(BIN)/python bench/validate --rows 1000000

# SQL over HTTP against Datasette 0.65 (installed in var/bench/datasette-venv only) and the DuckDB floor
bench-http: $(STAMP)
	$(BIN)/python bench/http

# 32 clients for 60 s on a mixed workload, one worker SIGKILLed half-way (loopback only)
bench-load: $(STAMP)
	$(BIN)/python bench/load

# the same workload against 1 and 2 `socsec serve` instances behind Debian's nginx (apt-get if missing)
bench-scale: $(STAMP)
	$(BIN)/python bench/scale

validate: $(STAMP)
	$(BIN)/socsec validate

release: $(STAMP)
	$(BIN)/socsec release

clean:
	rm -rf $(VENV) var/bench
