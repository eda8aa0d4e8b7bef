# Tafka: `make start` runs a broker on localhost:9092 with data in ./data; `make test` runs everything.
NODE_MODULES := node_modules/.package-lock.json
BUILT := dist/.built
# What tsconfig.build.json compiles. Directories are listed too: adding or removing a file changes
# its directory's time, so a deleted source also triggers a rebuild.
BUILD_INPUTS := $(shell find src protocol test/bench -name '*.ts' -o -type d) $(wildcard src/admin/static/*) tsconfig.json tsconfig.build.json

.PHONY: start build lint test unit-test integration-test chaos bench bench-compare certs clean clean-data

# `npm ci` installs exactly what the lock file records; `npm install` only when there is none yet.
$(NODE_MODULES): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

# A file target: when no source changed since the last build, `make start` starts at once. When
# one did, tsc is incremental (dist/.tsbuildinfo) and re-checks only what the change reaches.
$(BUILT): $(BUILD_INPUTS) $(NODE_MODULES)
	npx tsc -p tsconfig.build.json
	node scripts/copy-static.mjs
	@touch $@

build: $(BUILT)

start: $(BUILT)
	node dist/src/main.js start --data-dir ./data

# Type-check everything (test/ and integration/ included) and run ESLint; see scripts/lint.mjs.
# `npx eslint --fix .` applies the automatic fixes.
lint: $(NODE_MODULES)
	node scripts/lint.mjs

unit-test: $(NODE_MODULES)
	npx vitest run --config test/vitest.config.ts

# Real clients (KafkaJS, kcat, @platformatic/kafka) against a real broker. KAFKA_BOOTSTRAP=host:port
# targets a running broker; KAFKA_TARGET=apache targets Apache Kafka via testcontainers (needs Docker).
integration-test: $(BUILT)
	npx vitest run --config integration/vitest.config.ts

# All three run even when one fails, so a failure never hides another suite's result; the last
# line names what failed, and the exit status is non-zero if anything did.
test:
	@failed=''; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory unit-test || failed="$$failed unit-test"; \
	$(MAKE) --no-print-directory integration-test || failed="$$failed integration-test"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo 'make test: lint, unit-test and integration-test passed'

# Not part of `make test`: CHAOS_CYCLES kill -9 cycles under load (default 20, a few minutes) and a
# disk filled up on a small tmpfs (needs root to mount; skipped with one line otherwise). Checks that
# no acknowledged record is lost or duplicated and every restart succeeds; prints the figures.
CHAOS_CYCLES ?= 20
chaos: $(BUILT)
	CHAOS_CYCLES=$(CHAOS_CYCLES) npx vitest run --config integration/chaos/vitest.config.ts

# A throwaway CA and certificates in ./certs for TLS and SASL_SSL listeners (docs/10-security.md).
certs:
	bash scripts/make-certs.sh certs

# Each benchmark once, except the side-by-side one (its own target below: it takes minutes).
bench: $(BUILT)
	@for b in test/bench/*-bench.ts; do [ $$b = test/bench/compare-bench.ts ] && continue; js=dist/$${b%.ts}.js; echo "== $$js"; node $$js || exit 1; done

# Issue 18's side-by-side: the same kcat / confluent-kafka loads against Tafka and librdkafka's C mock
# broker (and KAFKA_BOOTSTRAP if set), alternating, BENCH_ROUNDS rounds; min / median / max and ratios.
BENCH_ROUNDS ?= 5
bench-compare: $(BUILT)
	node dist/test/bench/compare-bench.js --rounds $(BENCH_ROUNDS)

# Build output only: ./data holds the broker's topics and offsets, so deleting it is its own target.
clean:
	rm -rf dist

clean-data:
	rm -rf data
