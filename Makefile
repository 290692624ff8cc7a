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

.PHONY: build test lint fmt clean proto

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

## Regenerate the committed Swift code of Protos/ (protoc and the Swift plugins; CI never runs it).
proto:
	bash scripts/proto/generate.sh

## Remove build products (not the local stack: use `make down`).
clean:
	rm -rf .build .build-*

# deployment and load-test targets

.PHONY: bench

## Router and gateway against Envoy and direct Triton, one run, a markdown table (needs `make up`;
## release build; not part of `make test`). Method: benchmarks/proxy-throughput.sh, docs/performance.md.
bench:
	bash benchmarks/proxy-throughput.sh

.PHONY: image image-triton image-products image-check k8s-render validate-deploy loadtest loadtest-smoke

IMAGE ?= triton-gateway:dev
TRITON_IMAGE ?= triton-gateway-triton:dev
K8S_ENV ?= dev
LOADTEST ?= realtime

## Build the container image (needs a Docker engine): make image IMAGE=registry/name:tag
image:
	docker build -t $(IMAGE) .

## Build the Triton image with the models' Python packages (needs a Docker engine).
image-triton:
	docker build -t $(TRITON_IMAGE) triton-models

## The image's build step without Docker: every executable in release mode into .build-image/bin.
image-products:
	bash scripts/image/build-products.sh .build-image/bin

## The runtime stage without Docker (root): the executables started in a debootstrapped root fs.
image-check: image-products
	bash scripts/image/check-runtime.sh .build-image/bin

## Render one overlay to stdout: make k8s-render K8S_ENV=prod
k8s-render:
	@bash -c 'source scripts/deploy/tools.sh && deploy_tools_install && "$$KUBECTL" kustomize k8s/overlays/$(K8S_ENV)'

## Validate k8s overlays, Dockerfile, workflows, Prometheus rules, compose, dashboards, k6 scripts.
validate-deploy:
	bash scripts/validate-deploy.sh

## Run a k6 script of loadtest/ against BASE_URL: make loadtest LOADTEST=spike BASE_URL=... API_KEY=...
loadtest:
	@bash -c 'source scripts/deploy/tools.sh && deploy_tools_install && "$$K6" run loadtest/$(LOADTEST).js'

## A short k6 run against the local stack; fails on a threshold breach.
loadtest-smoke:
	bash scripts/loadtest-smoke.sh
