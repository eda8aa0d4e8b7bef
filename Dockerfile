# syntax=docker/dockerfile:1
# Tafka in a container: `docker build -t tafka .` then
#   docker run -p 9092:9092 -v tafka-data:/var/lib/tafka tafka
# Broker configs come from KAFKA_* variables mapped as the apache/kafka image maps them
# (KAFKA_LOG_RETENTION_MS -> log.retention.ms; see src/cli/env-config.ts), or from a
# server.properties given as `start --config FILE`.

# ---- build: compile, pack exactly what `npm pack` ships, install it with production dependencies only
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-static.mjs ./scripts/
COPY bin ./bin
COPY protocol ./protocol
COPY src ./src
RUN npx tsc -p tsconfig.build.json \
 && node scripts/copy-static.mjs \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir -p /opt/tafka \
 && cd /opt/tafka \
 && echo '{"name":"tafka-image","private":true}' > package.json \
 && npm install --omit=dev --no-audit --no-fund /tmp/tafka-*.tgz

# ---- runtime: node, the installed package, a non-root user, one volume
FROM node:20-bookworm-slim
RUN groupadd --system tafka \
 && useradd --system --gid tafka --home-dir /var/lib/tafka --no-create-home tafka \
 && mkdir -p /var/lib/tafka \
 && chown tafka:tafka /var/lib/tafka
COPY --from=build /opt/tafka /opt/tafka
ENV PATH=/opt/tafka/node_modules/.bin:$PATH \
    NODE_ENV=production
USER tafka
WORKDIR /var/lib/tafka
VOLUME ["/var/lib/tafka"]
EXPOSE 9092
# The admin HTTP server (tafka.admin.listener, 127.0.0.1:9644 inside the container) answers /ready
# once the logs and the group coordinator are loaded and the Kafka listener is bound. Node's fetch,
# since the image has no curl; the start period covers a long log recovery.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9644/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tafka"]
CMD ["start", "--data-dir", "/var/lib/tafka", "--config-from-env", "--log-format", "json"]
