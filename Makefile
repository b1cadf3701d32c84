# harmony: build, test, lint and benchmark. Everything a target needs is
# installed by the target itself, under .cache/ (git-ignored).
GO                  ?= go
STATICCHECK_VERSION := v0.8.2
TOOLS               := $(CURDIR)/.cache/tools/staticcheck-$(STATICCHECK_VERSION)
STATICCHECK         := $(TOOLS)/staticcheck

.PHONY: all test test-short lint bench example clean help

all: lint test

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: ## all tests, with the race detector, against real nats-server processes
	$(GO) test -race -count=1 -timeout 20m ./...

test-short: ## unit tests only (no servers started)
	$(GO) test -short -count=1 ./...

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: $(STATICCHECK) ## gofmt, go vet and staticcheck (pinned, installed here)
	@files=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

bench: ## maestro cost per score, and the example's bring-up and re-run times
	$(GO) test -run '^$$' -bench . -benchtime 5x ./pkg/maestro
	$(GO) run ./bench/localcluster
	$(GO) run ./bench/supercluster

example: ## bring up the main example (same as README)
	$(GO) run ./examples/local-supercluster

clean: ## remove caches and example state (stops nothing: use --destroy first)
	rm -rf .cache
