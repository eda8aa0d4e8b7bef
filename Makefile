# Tafka: `make start` runs a broker on localhost:9092 with data in ./data; `make test` runs everything.
NODE_MODULES := node_modules/.package-lock.json

.PHONY: start build test unit-test integration-test bench clean

# `npm install` rather than `npm ci`: it follows the lock file too, and npm 11 writes lock files that
# `npm ci` rejects as out of sync (the other platforms' optional rollup binaries are not recorded).
$(NODE_MODULES): package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

build: $(NODE_MODULES)
	npx tsc -p tsconfig.json

start: build
	node dist/src/main.js start --data-dir ./data

unit-test: build
	npx vitest run --config test/vitest.config.ts

# Real clients (KafkaJS, kcat) against a real broker. KAFKA_BOOTSTRAP=host:port targets a running
# broker; KAFKA_TARGET=apache targets Apache Kafka via testcontainers (needs a Docker engine).
integration-test: build
	npx vitest run --config integration/vitest.config.ts

test: unit-test integration-test

bench: build
	@for b in dist/test/bench/*-bench.js; do echo "== $$b"; node $$b || exit 1; done

clean:
	rm -rf dist data
