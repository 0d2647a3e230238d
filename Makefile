# migkg: `make run` builds the graph from data/news/ and writes out/; `make test` checks it all.
# Both create .venv on first use; the only prerequisites are python3 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= .kg/store
OUT    ?= out
# Test processes (pytest-xdist): two halve `make test` on a 2-core machine, since most tests wait
# on a server, a build or a cluster they started. `make test JOBS=0` runs the tests in one process.
JOBS   ?= 2

.PHONY: run test test-fast test-browser lint bench eval codebook clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg build data/news/ --store $(STORE) --quiet
	@mkdir -p $(OUT)
	$(BIN)/kg export --store $(STORE) --out $(OUT)/kg.trig
	$(BIN)/kg export --store $(STORE) --out $(OUT)/kg.ttl
	$(BIN)/kg export --store $(STORE) --out $(OUT)/kg.jsonld
	$(BIN)/kg export --store $(STORE) --frame events --out $(OUT)/events.json
	$(BIN)/kg network --store $(STORE) --metrics -o $(OUT)/cooperation.graphml -o $(OUT)/cooperation.gexf -o $(OUT)/cooperation.png

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(JOBS)

# The page in headless Chromium (tests marked `browser`, left out of `make test`): Debian's
# chromium at /usr/bin/chromium, never a downloaded browser. MIGKG_UPDATE_SCREENSHOT=1 also
# refreshes the screenshots in docs/img/.
test-browser: $(STAMP)
	@test -x /usr/bin/chromium || { echo "make test-browser needs Chromium at /usr/bin/chromium:"; \
		echo "  apt-get install chromium      (as root; Debian/Ubuntu package)"; exit 2; }
	$(BIN)/python -m pytest -m browser tests/test_browser.py

test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(JOBS) -x -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# docs/codebook.md from the ontology, shapes, SKOS schemes and named queries (tests/test_codebook.py checks it)
codebook: $(STAMP)
	$(BIN)/python -m kg.codebook

GWN ?= ../shared/eval/gwn/GWN.xml

eval: $(STAMP)
	@for set in data/gold/seed.jsonl data/gold/dev-en.jsonl data/gold/dev-es.jsonl; do \
		echo "$$set:"; $(BIN)/kg eval $$set || exit 1; echo; done
	@echo "data/gold/same.jsonl (same story, same event):"; $(BIN)/kg eval data/gold/same.jsonl --same; echo
	@if [ -f $(GWN) ]; then echo "GeoWebNews ($(GWN)):"; $(BIN)/kg eval --gwn $(GWN); \
	else echo "GeoWebNews not found at $(GWN): it is not in this repository; get GWN.xml"; \
		echo "from https://github.com/milangritta/Pragmatic-Guide-to-Geoparsing-Evaluation (data/GWN.xml,"; \
		echo "Gritta et al., 'A Pragmatic Guide to Geoparsing Evaluation', LREV 2020) and run make eval GWN=path/to/GWN.xml"; fi

clean:
	rm -rf $(VENV) .kg $(OUT) .pytest_cache .ruff_cache .mypy_cache
