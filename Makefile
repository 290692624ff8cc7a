# Local development stack: Triton x2 (Python backend models), Redis, PostgreSQL,
# Kafka API (Tansu), S3 API (SeaweedFS). Debian 12, run as root.
# Ports: config/stack.env. Endpoints after `make up`: .stack/env (source it).

.PHONY: up down status stack-install sample

## Install packages and start every component that is not running (idempotent).
up:
	bash scripts/stack/up.sh

## Stop every component started by `make up` and remove its throwaway data.
down:
	bash scripts/stack/down.sh

## One line per component: running/stopped, pid, port, health.
status:
	bash scripts/stack/status.sh

## Debian packages, .stack/venv and its Python packages, librdkafka, Triton backend.
stack-install:
	bash scripts/stack/install.sh

## Classify one held-out digit on triton-a (needs `make up`).
sample:
	. .stack/env && .stack/venv/bin/python scripts/sample_request.py

# build / test targets are added below

.PHONY: build test lint fmt clean

## Build everything with warnings as errors (debug).
build:
	swift build --build-tests

## The test command: stack up if needed, build, run every test against the real servers, stack down.
test:
	bash scripts/test.sh

## swift format lint over Sources and Tests (the CI lint gate).
lint:
	swift format lint --strict --configuration .swift-format -r Sources Tests Package.swift

## Rewrite Sources and Tests in the project's format.
fmt:
	swift format format -i --configuration .swift-format -r Sources Tests Package.swift

## Remove build products (not the local stack: use `make down`).
clean:
	rm -rf .build .build-*
