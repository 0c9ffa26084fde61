# The two commands a new user needs: `make example` and `make test`.
GO ?= go
# The examples and the benchmarks are modules of their own (each with
# replace github.com/reftask/reftask => ../), so that their dependencies
# stay out of the library's go.mod; ./... in this folder covers neither.
# MODULES is every folder with a go.mod, so tidy-check covers a new one too.
MODULES := $(patsubst %/,%,$(dir $(shell git ls-files go.mod '*/go.mod' 2>/dev/null || find . -name go.mod -not -path '*/testdata/*')))
EXAMPLES := $(patsubst examples/%/,%,$(dir $(wildcard examples/*/main.go)))

.PHONY: example test test-short vet tidy-check generate check bench bench-runtime fuzz clean

## example: run every example on embedded defaults (SQLite, local files), no server needed
example:
	@for ex in $(EXAMPLES); do echo "== examples/$$ex"; (cd examples && $(GO) run ./$$ex) || exit 1; done

## test: vet, then every test with the race detector, the examples' too (PostgreSQL tests need the local server; see .ci/run)
test: vet check tidy-check
	$(GO) test -race -count=1 -timeout 45m ./...
	$(GO) test -race -count=1 ./testdata/difftest # ./... skips testdata
	cd examples && $(GO) test -race -count=1 -timeout 10m ./...
	# Allocation counts and stack use are not meaningful under -race: these tests run again without it.
	$(GO) test -count=1 -run 'HitAllocs|FitsStartingStack' ./runtime/internal/engine/ ./gen/

## test-short: the tests without the slow ones
test-short:
	$(GO) test -short -count=1 ./...
	cd examples && $(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...
	cd examples && $(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

## tidy-check: fail when go mod tidy would change the go.mod or go.sum of any module
tidy-check:
	@for m in $(MODULES); do \
		(cd $$m && $(GO) mod tidy -diff) || { echo "go mod tidy needed in $$m/"; exit 1; }; \
	done

## generate: regenerate the examples' and the golden tests' Go files
generate:
	$(GO) generate ./...
	cd examples && $(GO) generate ./...
	cd bench && $(GO) generate ./lookups/
	$(GO) test ./gen -run 'TestGolden|TestErrors' -update

## check: fail when a committed generated file is out of date (reftaskgen -check): this module's
## (the runtime's examples) with its own reftaskgen; each other module runs the reftaskgen of its tool directive, as its go:generate lines do
check:
	@for d in $$(find . -name specs -type d -not -path '*/testdata/*' -not -path './examples/*' -not -path './bench/*' -not -path './.git/*'); do \
		pkg=$$(dirname $$d); \
		$(GO) run ./cmd/reftaskgen -specs $$d -out $$pkg/reftasks_gen.go -pkg $$(basename $$pkg) -check || exit 1; \
	done
	@for m in examples bench; do \
		for d in $$(cd $$m && find . -name specs -type d -not -path './testdata/*'); do \
			pkg=$$(dirname $$d); \
			(cd $$m && $(GO) tool reftaskgen -specs $$d -out $$pkg/reftasks_gen.go -pkg $$(basename $$pkg) -check) || { echo "(paths relative to $$m/)"; exit 1; }; \
		done; \
	done

## bench: the comparison suite in bench/ (its own module): runs every benchmark, writes BENCHMARKS.md,
## bench/results/*.txt (raw, benchstat-ready) and bench/results/chart.svg; about 6 minutes on 2 cores
bench:
	cd bench && $(GO) run ./cmd/report

## bench-runtime: the runtime's own micro-benchmarks
bench-runtime:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./runtime/

## fuzz: run the fuzz tests for a bounded time each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzGenerate -fuzztime 30s ./gen
	$(GO) test -run '^$$' -fuzz FuzzSpecText -fuzztime 30s ./gen
	$(GO) test -run '^$$' -fuzz FuzzCommentText -fuzztime 30s ./gen/emit
	$(GO) test -run '^$$' -fuzz '^FuzzBuild$$' -fuzztime 60s ./gen
	$(GO) test -run '^$$' -fuzz FuzzBuild -fuzztime 30s ./gen/jsonpos
	$(GO) test -run '^$$' -fuzz FuzzDifferential -fuzztime 30s ./testdata/difftest
	$(GO) test -run '^$$' -fuzz FuzzDecodeParams -fuzztime 30s ./runtime
	$(GO) test -run '^$$' -fuzz FuzzIsMultipleOfNumber -fuzztime 30s ./internal/jsonnum
