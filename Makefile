# taod — build, run and test. `make devnet` and `make test` need only Go (and gcc for cgo builds).
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/taod
# Release/image builds: cgo with libsecp256k1 linked statically (DESIGN.md §7).
STATIC_FLAGS := -tags netgo,osusergo -ldflags '$(LDFLAGS) -linkmode external -extldflags -static'

.PHONY: all build build-static devnet test test-race bench lint fuzz sim image clean
SEEDS ?= 10000

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/taod

build-static:
	CGO_ENABLED=1 $(GO) build $(STATIC_FLAGS) -o bin/taod-static ./cmd/taod

# A one-validator chain in the foreground: RPC on 127.0.0.1:9944, metrics on :9615.
devnet: build
	./$(BIN) devnet

test:
	$(GO) vet ./...
	$(GO) vet -tags chaos ./node ./test
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -tags chaos -count=1 -timeout 10m -run Chaos ./test

test-race:
	$(GO) test -race -count=1 -timeout 30m ./...

bench:
	bash scripts/bench.sh

# More consensus-simulator seeds than `make test` runs (200).
sim:
	SIM_SEEDS=$(SEEDS) $(GO) test -count=1 -timeout 0 ./consensus/sim -run TestSimSeeds

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@! grep -rnE '\bfloat(32|64)\b|"math/rand"' --include='*.go' consensus chain state subnet emission types 2>/dev/null | grep -v -e '_test.go' -e '/sim/' || (echo "floating point or math/rand in consensus-critical code"; exit 1)

fuzz:
	$(GO) test -run XXX -fuzz FuzzDecodeTx -fuzztime 30s ./types
	$(GO) test -run XXX -fuzz FuzzDecodeBlock -fuzztime 30s ./types
	$(GO) test -run XXX -fuzz FuzzBlockReward -fuzztime 30s ./emission
	$(GO) test -run XXX -fuzz FuzzEpoch -fuzztime 30s ./subnet/yuma

# A FROM scratch image around the static binary; nothing is pulled.
image: build-static
	mkdir -p bin/image && cp bin/taod-static bin/image/taod
	printf 'FROM scratch\nCOPY taod /taod\nEXPOSE 9944 9615 30333\nENTRYPOINT ["/taod"]\n' > bin/image/Dockerfile
	docker build -t taod:$(VERSION) -t taod:latest bin/image

clean:
	rm -rf bin
