# The two commands a new user needs: `make example` and `make test`.
GO ?= go
EXAMPLES := $(patsubst %/,%,$(dir $(wildcard examples/*/main.go)))

.PHONY: example test test-short vet generate check bench bench-runtime fuzz clean

## example: run every example on embedded defaults (SQLite, local files), no server needed
example:
	@for ex in $(EXAMPLES); do echo "== $$ex"; $(GO) run ./$$ex || exit 1; done

## test: vet, then every test with the race detector (PostgreSQL tests need the local server; see .ci/run)
test: vet check
	$(GO) test -race -count=1 -timeout 20m ./...
	# Allocation counts and stack use are not meaningful under -race: these tests run again without it.
	$(GO) test -count=1 -run 'HitAllocs|FitsStartingStack' ./runtime/ ./gen/

## test-short: the tests without the slow ones
test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

## generate: regenerate the examples' and the golden tests' Go files
generate:
	$(GO) generate ./...
	cd bench && $(GO) generate ./lookups/
	$(GO) test ./gen -run 'TestGolden|TestErrors' -update

## check: fail when a committed generated file is out of date (reftaskgen -check)
check:
	@for d in $$(find examples bench/lookups -name specs -type d); do \
		pkg=$$(dirname $$d); \
		$(GO) run ./cmd/reftaskgen -specs $$d -out $$pkg/reftasks_gen.go -pkg $$(basename $$pkg) -check || exit 1; \
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
	$(GO) test -run '^$$' -fuzz FuzzDifferential -fuzztime 30s ./gen/difftest
	$(GO) test -run '^$$' -fuzz FuzzDecodeParams -fuzztime 30s ./runtime
	$(GO) test -run '^$$' -fuzz FuzzIsMultipleOfNumber -fuzztime 30s ./runtime
