# dangan: `make run` installs, indexes corpus/ and serves; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config.toml
N ?= 10000
WEB_N ?= 2000
MESSY_N ?= 3000
API_N ?= 10000

.PHONY: run test index serve install install-test bench bench-web bench-auth bench-ocr bench-reindex bench-timing bench-security bench-messy bench-layers bench-pages bench-corrections bench-api confusions clean

run: install index serve

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml tools/system-deps.sh
	tools/system-deps.sh run
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "dangan needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# exit 1 (some files failed, listed) goes on to serve; 2 (usage, config, busy) and 3 (the run
# failed) stop here
index: install
	$(BIN)/dangan index --config $(CONFIG) || { s=$$?; [ $$s -eq 1 ] || { echo "dangan index exited $$s: stopping" >&2; exit $$s; }; }

serve: install
	$(BIN)/dangan serve --config $(CONFIG)

test: install
	tools/system-deps.sh test
	$(BIN)/python -m pytest -n 2 -q

bench: install
	$(BIN)/python -m bench.run --n $(N)

bench-web: install
	$(BIN)/python -m bench.web --n $(WEB_N)

bench-auth: install
	$(BIN)/python -m bench.auth --n $(WEB_N)

bench-corrections: install
	$(BIN)/python -m bench.corrections --n $(WEB_N)

# cold queries through the HTTP API against SQLite FTS5 behind the same gunicorn
# (API_N=10000,100000 for a curve; API_ARGS="--throughput" adds index throughput)
bench-api: install
	$(BIN)/python -m bench.api --n $(API_N) $(API_ARGS)

bench-timing: install
	$(BIN)/python -m bench.timing

bench-ocr: install
	tools/system-deps.sh bench-ocr
	$(BIN)/python -m bench.ocr $(FOLDER) $(if $(ENGINE),--engine $(ENGINE)) $(OCR_ARGS)

bench-reindex: install
	$(BIN)/python -m bench.reindex $(REINDEX_ARGS)

bench-security: install
	$(BIN)/python -m bench.security $(SECURITY_ARGS)

bench-messy: install
	$(BIN)/python -m bench.messy --n $(MESSY_N)

# text layers: statistics of good and broken PDF layers (LAYERS_ARGS=--ocr: agreement too)
bench-layers: install
	$(BIN)/python -m bench.layers $(LAYERS_ARGS)

# page images: first view of a page pre-rendered while indexing vs not, and the index-time cost
bench-pages: install
	$(BIN)/python -m bench.pageimages

# rebuild indexer/analysis/confusions.tsv from our own OCR of rendered text (minutes) and
# indexer/analysis/glyphs.tsv from the shapes of the glyphs (seconds)
confusions: install
	tools/system-deps.sh confusions
	$(BIN)/python tools/confusions.py
	$(BIN)/python tools/glyphs.py

clean:
	rm -rf $(VENV) data build *.egg-info
