# Logbuch: the two commands a newcomer needs are `make run` and `make test`.
GO       ?= go
DATA_DIR ?= ./data
HTTP     ?= :8080

.PHONY: run test bench generate lint build fuzz help

help:
	@echo "make run       start Logbuch at http://localhost:8080 with the demo year (embedded NATS, data in $(DATA_DIR))"
	@echo "make test      run every test (browser tests need Debian's chromium)"
	@echo "make bench     benchmark table next to the raw engine (about 5 min), written to BENCHMARKS.md"
	@echo "make soak      crash test with 200 SIGKILLs of the real binary (about 10 min)"
	@echo "make generate  regenerate templ components"
	@echo "make lint      gofmt, go vet, templ freshness"

generate:
	$(GO) tool templ generate

build: generate
	$(GO) build -o bin/logbuch ./cmd/logbuch

run: generate
	$(GO) run ./cmd/logbuch serve --demo --http $(HTTP) --data-dir $(DATA_DIR)

# axe-core checks every page for accessibility in the browser tests; it
# comes from npm at a pinned version and is never committed.
AXE_VERSION ?= 4.10.3
.PHONY: axe
axe:
	@if [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]; then \
		if command -v npm >/dev/null 2>&1; then \
			echo "installing axe-core $(AXE_VERSION) from npm into .cache/axe (for the accessibility test)"; \
			npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION); \
		else \
			echo "NOTE: no npm found: the accessibility test will be skipped."; \
			echo "      Install it with: sudo apt-get install -y npm   (CI installs it and requires the test)"; \
		fi; \
	fi

test: generate axe
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
		echo "NOTE: no Chromium found: the browser tests will be skipped."; \
		echo "      Install it with: sudo apt-get install -y chromium   (CI installs it and requires these tests)"; \
	fi
	$(GO) test -race -count=1 -timeout 9m ./...

bench: generate
	$(GO) run ./cmd/logbuch-bench

fuzz: generate
	$(GO) test -run '^$$' -fuzz FuzzDecodeCommand -fuzztime 30s ./web
	$(GO) test -run '^$$' -fuzz FuzzDecodeClientMessage -fuzztime 30s ./web
	$(GO) test -run '^$$' -fuzz FuzzReadExport -fuzztime 30s ./embed
	$(GO) test -run '^$$' -fuzz FuzzMerge3 -fuzztime 30s ./domain
	$(GO) test -run '^$$' -fuzz FuzzParseTopicImport -fuzztime 30s ./domain
	$(GO) test -run '^$$' -fuzz FuzzRenderMarkdown -fuzztime 30s ./web

lint: generate
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ\.go$$')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@git diff --quiet -- '*_templ.go' || (echo "generated templ code was stale: commit the regenerated *_templ.go"; exit 1)

# soak: the crash test with 200 SIGKILLs under load (LOGBUCH_SOAK_KILLS=N or a duration such as 10m to change it)
.PHONY: soak
soak: generate
	LOGBUCH_SOAK=1 $(GO) test -run TestCrashSafetyUnderSIGKILL -timeout 60m -v ./cmd/logbuch
