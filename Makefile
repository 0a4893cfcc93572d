# modelmon: build, run, demo, test, lint and bench targets.
SHELL := /bin/bash
GO ?= go
OCB_VERSION := v0.165.0
GOLANGCI_LINT_VERSION := v2.15.0
BIN := $(CURDIR)/bin
OCB := $(BIN)/builder
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
DISTRO := _build/otelcol-modelmon
DEMO := $(BIN)/modelmon-demo
# The end-to-end suite starts real servers and the distro; it gets more time than a unit package.
TEST_TIMEOUT ?= 30m
DEMO_DURATION ?= 0

# Only the code compiled into the distro makes it stale (not the demo, the tests or the benches);
# the status page's templates are embedded in it.
DISTRO_SRC := $(shell find modelmonprocessor modelmonstatusextension alertwebhookexporter retrainqueueexporter redisstorageextension modelevent internal \
	\( -name '*.go' -not -name '*_test.go' -o -name '*.html' \) 2>/dev/null)

.PHONY: all build run test unit window-replay e2e lint deps demo demo-bin bench-detectors bench-drift clean

all: build

# Build identity: the release is the manifest's dist.version, the commit of the checkout is added as
# semver build metadata (--version prints 0.1.0+abc1234; no git: +unknown). ocb writes the version
# into the generated main.go, so the distro is built from a copy of the manifest that carries it;
# the copy is rewritten only when its content changes, so a new commit relinks and nothing else does.
VERSION := $(shell sed -n 's/^  version: *//p' builder-config.yaml)
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
MANIFEST := _build/builder-config.yaml

$(MANIFEST): builder-config.yaml FORCE
	@mkdir -p $(@D)
	@sed 's/^  version: .*/  version: $(VERSION)+$(COMMIT)/' builder-config.yaml > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

.PHONY: FORCE
FORCE:

$(OCB):
	mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

# The linter is pinned and built into ./bin, like ocb; its file name carries
# the version, so a new version is built on the next make lint.
$(GOLANGCI_LINT):
	mkdir -p $(BIN)/golangci-lint.tmp
	GOBIN=$(BIN)/golangci-lint.tmp $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint.tmp/golangci-lint $@
	rmdir $(BIN)/golangci-lint.tmp

build: $(DISTRO)

$(DISTRO): $(OCB) $(MANIFEST) go.mod go.sum $(DISTRO_SRC)
	$(OCB) --config $(MANIFEST)
	@touch $@

run: build
	mkdir -p var
	./$(DISTRO) --config otelcol-config.yaml

# deps installs the real servers the end-to-end tests talk to (redis-server, prometheus-alertmanager)
# and the headless browser the status page is checked in (chromium).
deps:
	./scripts/install-deps.sh

# test is the command CI runs: lint, unit tests and the end-to-end suite against the built distro,
# then a short run of every fuzz target.
test: lint deps build
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) window-replay
	cd deploy/kubernetes && $(GO) test -count=1 ./...
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)
	$(MAKE) window-replay
	cd deploy/kubernetes && $(GO) test -count=1 ./...

# window-replay builds the processor's tests with the modelmon_refwindow tag, which lets one engine
# keep the compact windows and another a plain reference window, and requires both to emit the same
# events and health values for every fixture and synthetic stream (modelmonprocessor/window_replay_test.go).
# Without -race: the replay drives the engine from one goroutine, and the race detector would make it
# six times slower for nothing the -race run of the package does not already cover.
window-replay:
	$(GO) test -count=1 -tags modelmon_refwindow -run '^TestWindowReplay$$' ./modelmonprocessor/

e2e: deps build
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -v ./e2e/

# lint: gofmt, go vet and golangci-lint (.golangci.yml).
lint: $(GOLANGCI_LINT)
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags modelmon_refwindow ./modelmonprocessor/
	cd deploy/kubernetes && $(GO) vet ./...
	$(GOLANGCI_LINT) run ./...
	cd deploy/kubernetes && $(GOLANGCI_LINT) run ./...

$(DEMO): $(shell find cmd/modelmon-demo internal -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum
	mkdir -p $(BIN)
	$(GO) build -o $@ ./cmd/modelmon-demo

demo-bin: $(DEMO)

# demo starts the collector, the webhook sink and a simulated fleet; Ctrl-C or DEMO_DURATION stops all.
demo: build $(DEMO)
	DEMO_DURATION=$(DEMO_DURATION) ./scripts/demo.sh

bench-detectors:
	$(GO) run ./bench/detectors

bench-drift:
	$(GO) run ./bench/drift

clean:
	rm -rf _build var

# Performance (see BENCHMARKS.md). bench-micro runs the processor's micro
# benchmarks; bench adds the end-to-end throughput and detection-latency
# comparisons against the built distro. Results go to bench/out/.
TELEMETRYGEN_VERSION ?= v0.161.0
TELEMETRYGEN := $(BIN)/telemetrygen

$(TELEMETRYGEN):
	mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@$(TELEMETRYGEN_VERSION)

.PHONY: bench bench-micro
bench-micro:
	./bench/micro.sh

bench: build $(DEMO) $(TELEMETRYGEN) bench-micro
	./bench/throughput.sh
	./bench/latency.sh

# fuzz runs every fuzz target for FUZZTIME each; the seed corpora under
# testdata/fuzz also run as plain tests in every go test.
FUZZTIME ?= 20s
.PHONY: fuzz
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# image builds the otelcol-modelmon:<version> container image (Containerfile) from the binary `make build`
# produced, with buildah, podman or docker, whichever works here (buildah is installed when none is).
IMAGE ?= otelcol-modelmon:$(VERSION)
.PHONY: image
image: build
	IMAGE=$(IMAGE) VERSION=$(VERSION) COMMIT=$(COMMIT) DISTRO=$(DISTRO) ./scripts/image.sh build
