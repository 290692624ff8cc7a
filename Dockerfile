# syntax=docker/dockerfile:1.7
# One image for the four executables: gateway, router, batch-worker, inferctl.
#   docker build -t triton-gateway .
#   docker run triton-gateway router --config /app/config/router.yaml
# Build stage: the Swift 6 toolchain plus the headers of the five C libraries.
# Runtime stage: Debian slim with only the shared libraries, running as an unprivileged user.

# The toolchain of the development machines; dependencies need tools version 6.2 or later.
ARG SWIFT_VERSION=6.3
ARG DEBIAN_RELEASE=bookworm

FROM swift:${SWIFT_VERSION}-${DEBIAN_RELEASE} AS build
# python3 reads Package.swift's executable list in the build script.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev libhiredis-dev libpq-dev librdkafka-dev libssl-dev pkg-config python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not re-fetch them (the resolved checkouts stay in
# SwiftPM's shared cache, which the build below clones from).
COPY Package.* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY scripts/image/build-products.sh ./scripts/image/build-products.sh
# The same script CI runs outside Docker: every executable in release mode with the Swift
# runtime linked statically, stripped, and each started once with --help.
RUN --mount=type=cache,target=/src/.build-release \
    SCRATCH_PATH=/src/.build-release scripts/image/build-products.sh /out

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# The five C libraries the executables link, CA certificates for TLS, curl for the healthcheck.
# scripts/image/check-runtime.sh installs exactly this package list into a bookworm root file
# system and starts every executable in it: keep the list on the lines of this command.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates curl libcurl4 libhiredis0.14 libpq5 librdkafka1 libssl3 libstdc++6 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /out/ /usr/local/bin/
COPY --chmod=0755 deploy/docker/healthcheck.sh /usr/local/bin/healthcheck
COPY config/ /app/config/
COPY docs/openapi.yaml /app/docs/openapi.yaml

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="triton-gateway" \
      org.opencontainers.image.description="Gateway, router and batch worker in front of NVIDIA Triton" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# Each service sets HEALTHCHECK_URL to its own endpoint (compose and k8s do);
# the default fits the gateway.
ENV LOG_FORMAT=json \
    HEALTHCHECK_URL=http://127.0.0.1:8080/healthz
USER 10001:10001
# HTTP and gRPC of the gateway (8080, 8081) and the router (8001, 8002); the worker's metrics.
EXPOSE 8080 8081 8001 8002 9102
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/usr/local/bin/healthcheck"]
CMD ["gateway", "--config", "/app/config/gateway.yaml"]
