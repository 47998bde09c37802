# syntax=docker/dockerfile:1
# One image for every dCMMS role: edge, gateway, worker, api, migrate, sim.
#   docker build -t dcmms/dcmms:0.1.0 .
#   docker run --rm dcmms/dcmms:0.1.0 --help
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Native modules (better-sqlite3, serialport) compile when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY protocol-adapters/package.json protocol-adapters/
COPY edge-agent/package.json edge-agent/
COPY cloud/package.json cloud/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY shared/ shared/
COPY protocol-adapters/ protocol-adapters/
COPY edge-agent/ edge-agent/
COPY cloud/ cloud/
COPY scripts/container/ scripts/container/
RUN npm run build && scripts/container/assemble.sh /src /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
RUN groupadd --system --gid 10001 dcmms \
 && useradd --system --uid 10001 --gid dcmms --home-dir /var/lib/dcmms --create-home --shell /usr/sbin/nologin dcmms
COPY --from=build /app /app
USER 10001:10001
WORKDIR /var/lib/dcmms
# MQTT, MQTT over TLS, API, edge agent HTTP, gateway and worker metrics.
EXPOSE 1883 8883 8080 9180 9464 9465
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/app/container/dcmms", "healthcheck"]
ENTRYPOINT ["/app/container/dcmms"]
CMD ["--help"]
