# LearnTrek: `make run` serves the demo on http://127.0.0.1:8787; `make test`
# runs every check. Both install what is missing first (scripts/install.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

export PATH := $(CURDIR)/node_modules/node/bin:$(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export WRANGLER_SEND_METRICS := false
export CI ?= 1

WORKER := worker/build/worker/shim.mjs
PWA := pwa/dist/index.html
# Everything core compiles in: its sources, the checked-in OpenAPI document
# and the PDF fonts (include_str!/include_bytes!).
CORE_SRC := $(shell find core -type f \( -name '*.rs' -o -name Cargo.toml -o -name '*.json' -o -name '*.ttf' \)) Cargo.toml Cargo.lock .cargo/config.toml
WORKER_SRC := $(CORE_SRC) $(shell find worker -path worker/build -prune -o -type f \( -name '*.rs' -o -name Cargo.toml \) -print) scripts/build-worker.sh
PDF_WORKER := pdf/build/worker/shim.mjs
PDF_SRC := $(CORE_SRC) $(shell find pdf -path pdf/build -prune -o -type f \( -name '*.rs' -o -name Cargo.toml \) -print) scripts/build-worker.sh
PWA_SRC := $(CORE_SRC) $(shell find pwa -path pwa/dist -prune -o -type f -print) scripts/build-pwa.sh

.PHONY: run test install install-test build lint unit e2e bench clean-test-state

install:
	@bash scripts/install.sh

install-test:
	@bash scripts/install.sh --test

$(WORKER): $(WORKER_SRC)
	@echo "[build] worker"
	@sh scripts/build-worker.sh
	@touch $@

$(PDF_WORKER): $(PDF_SRC)
	@echo "[build] pdf worker"
	@sh scripts/build-worker.sh pdf
	@touch $@

$(PWA): $(PWA_SRC)
	@echo "[build] pwa"
	@sh scripts/build-pwa.sh

build: $(WORKER) $(PDF_WORKER) $(PWA)

run: install
	@$(MAKE) --no-print-directory build
	@bash scripts/run.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p lt-worker -p lt-pdf -p lt-pwa -- -D warnings

unit:
	cargo test -p lt-core --features pdf

# The end-to-end and browser suites start their own servers (fresh port and
# state folder each) from the build above; anything left running is stopped.
e2e: build
	@bash scripts/check-sizes.sh
	@rm -rf target/test-state
	@status=0; cargo test -p lt-tests || status=$$?; bash scripts/stop-strays.sh; exit $$status

test: install-test
	@$(MAKE) --no-print-directory lint unit e2e

bench: install-test build
	bash scripts/bench.sh
