# modelmon build, run, test and bench targets.
SHELL := /bin/bash
GO ?= go
OCB_VERSION := v0.165.0
BIN := $(CURDIR)/bin
OCB := $(BIN)/builder
DISTRO := _build/otelcol-modelmon

.PHONY: all build run test unit e2e lint deps bench-detectors

all: build

$(OCB):
	mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

build: $(DISTRO)

$(DISTRO): $(OCB) builder-config.yaml go.mod $(shell find . -name '*.go' -not -path './_build/*' -not -name '*_test.go')
	$(OCB) --config builder-config.yaml

run: build
	mkdir -p var
	./$(DISTRO) --config otelcol-config.yaml

# deps installs the real servers the end-to-end tests talk to.
deps:
	./scripts/install-deps.sh

test: lint deps build
	$(GO) test -race -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench-detectors:
	$(GO) run ./bench/detectors
