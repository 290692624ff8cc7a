#!/bin/sh
# Container healthcheck for every service of the image: GET $HEALTHCHECK_URL, healthy on 2xx.
# gateway: http://127.0.0.1:8080/healthz, router: http://127.0.0.1:8001/v2/health/live,
# batch-worker: http://127.0.0.1:9102/metrics.
exec curl --fail --silent --show-error --max-time 2 --output /dev/null "${HEALTHCHECK_URL:-http://127.0.0.1:8080/healthz}"
