# The deskphone firmware. `make run` starts the phone on the simulator board;
# `make test` installs what the tests need and runs every test, the lab's included.

GO        ?= go
BIN       := bin
DATA      ?= ./var
HTTP      ?= 127.0.0.1:8080
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The last commit's time: reproducible, and a safe lower bound for the clock
# of a phone without a real-time clock.
BUILDTIME := $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.buildTime=$(BUILDTIME)
GOFLAGS_BUILD := -trimpath -ldflags '$(LDFLAGS)'

.PHONY: all build run test bench-ui bench-8021x bench-sip bench-provision check fmt-check vet go-deps deps firmware-arm64 firmware-armv7 cross sizes clean

all: build

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/firmware ./firmware

run: build
	$(BIN)/firmware run -board sim -data $(DATA) -http $(HTTP)

# Cross builds for the ARM boards (pure Go: CGO_ENABLED=0).
firmware-arm64:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/firmware-arm64 ./firmware

firmware-armv7:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/firmware-armv7 ./firmware

cross: build firmware-arm64 firmware-armv7

sizes: cross
	@ls -l $(BIN)/firmware $(BIN)/firmware-arm64 $(BIN)/firmware-armv7 | awk '{printf "%-22s %6.2f MiB\n", $$9, $$5/1048576}'

go-deps:
	$(GO) mod download

deps: go-deps lab-deps

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

check: fmt-check vet

# -count=1: lab tests depend on the peers, never on a cached result. The
# test binaries are built in parallel first, then run one package at a time:
# the lab tests time real audio and 802.1X exchanges on two cores.
test: deps check
	$(GO) test -count=1 -run '^$$' ./... >/dev/null
	$(GO) test -count=1 -p 1 -timeout 30m ./...

# Keypress to new LCD frame on the simulator: in process, through the test
# API, and the LCD's own render per key.
bench-ui:
	$(GO) test -run '^$$' -bench 'KeypressToFrame' -benchmem ./firmware
	$(GO) test -run '^$$' -bench 'KeyToFrame' -benchmem ./ui

# 802.1X: net8021x beside wpa_supplicant on one lab, in one run (root). About 2 minutes.
bench-8021x: lab-deps
	$(GO) run ./net8021x/bench

# SIP: sipcore beside baresip on one lab, in one run (root). About 15 seconds.
bench-sip: lab-deps
	$(GO) run ./sipcore/bench

# Provisioning: fetch, verify and install a 32 MiB firmware image: in
# process from a loopback server, then from the lab's nginx beside
# curl + sha256sum + openssl on the same file (root).
bench-provision:
	$(GO) test -run '^$$' -bench 'Install32MiB' -benchmem ./provision
	$(GO) test -count=1 -run '^$$' -bench 'BenchmarkLabFirmwareInstall' -benchtime 3x ./provision

clean:
	rm -rf $(BIN)

# Each area's own targets (bench-media, bench-boot, image, qemu, ...).
-include mk/*.mk

include lab/lab.mk
