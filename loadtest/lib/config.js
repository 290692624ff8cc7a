// Settings shared by every script, all from the environment (k6 run -e NAME=value or NAME=value k6 run):
//   BASE_URL        gateway or router base URL (default http://127.0.0.1:18081, the local router)
//   API_KEY         sent as x-api-key when set (the gateway; the router needs none)
//   MODEL           model for KServe v2 infer (default simple)
//   MODEL_VERSION   pin a version (default: the route's canary split decides)
//   INFER_BODY_FILE a KServe v2 request JSON to send instead of the built-in one for `simple`
//   TIMEOUT_MS      per-request deadline sent as x-request-timeout-ms (default 2000)
//   SMOKE=1         a short, light run with the same thresholds (CI and make loadtest-smoke)
//   P95_MS, P99_MS, MAX_ERROR_RATE   threshold overrides
//   MAX_RATE_LIMITED  share of answers that may be 429 (default 0.01)
// A 429 is the gateway's per-key rate limit, not a platform error: it is counted apart in
// `rate_limited` (with its own threshold) and left out of http_req_failed and the checks. A run at
// more than the key's rate (50/s per principal by default) needs a key created with its own limit:
//   inferctl keys create --principal loadtest --scope infer --rate-limit <above RATE>
import http from 'k6/http';
import { SharedArray } from 'k6/data';
import { Rate } from 'k6/metrics';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:18081').replace(/\/+$/, '');
export const API_KEY = __ENV.API_KEY || '';
export const MODEL = __ENV.MODEL || 'simple';
export const MODEL_VERSION = __ENV.MODEL_VERSION || '';
export const TIMEOUT_MS = parseInt(__ENV.TIMEOUT_MS || '2000', 10);
export const SMOKE = ['1', 'true', 'yes'].includes((__ENV.SMOKE || '').toLowerCase());

export function num(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new Error(`${name} must be a number, got ${raw}`);
  return value;
}

// Answers refused by the rate limiter, counted apart from errors.
export const rateLimited = new Rate('rate_limited');
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429));

// Records whether an answer is a 429; true when it is (the caller then skips its checks).
export function wasRateLimited(res) {
  const limited = res.status === 429;
  rateLimited.add(limited);
  return limited;
}

// Trend statistics in the end-of-run summary (k6 leaves out p99 by default).
export const summaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

// Latency and error thresholds; a breach makes k6 exit non-zero.
export function thresholds({ p95 = 300, p99 = 800, errorRate = 0.01, tag = '' } = {}) {
  const suffix = tag ? `{${tag}}` : '';
  return {
    [`http_req_duration${suffix}`]: [
      `p(95)<${num('P95_MS', p95)}`,
      `p(99)<${num('P99_MS', p99)}`,
    ],
    [`http_req_failed${suffix}`]: [`rate<${num('MAX_ERROR_RATE', errorRate)}`],
    checks: [`rate>${1 - num('MAX_ERROR_RATE', errorRate)}`],
    // Breached: the key's rate limit is below the test's rate (see the top of this file).
    rate_limited: [`rate<${num('MAX_RATE_LIMITED', 0.01)}`],
  };
}

export function headers(extra = {}) {
  const result = { 'x-request-timeout-ms': String(TIMEOUT_MS), ...extra };
  if (API_KEY) result['x-api-key'] = API_KEY;
  return result;
}

export function modelPath(model = MODEL, version = MODEL_VERSION) {
  const base = `${BASE_URL}/v2/models/${encodeURIComponent(model)}`;
  return version ? `${base}/versions/${encodeURIComponent(version)}` : base;
}

const customBody = new SharedArray('infer-body', () =>
  __ENV.INFER_BODY_FILE ? [open(__ENV.INFER_BODY_FILE)] : []);

// The KServe v2 request body: the file named by INFER_BODY_FILE, or two INT32 [1,16] tensors
// for the `simple` model (INPUT0 + INPUT1, INPUT0 - INPUT1).
export function inferBody(iteration = 0) {
  if (customBody.length > 0) return customBody[0];
  const a = [];
  const b = [];
  for (let i = 0; i < 16; i++) {
    a.push((i + iteration) % 100);
    b.push(1);
  }
  return JSON.stringify({
    inputs: [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: a },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: b },
    ],
  });
}

// The end-of-run summary: key figures on stdout and, when SUMMARY_FILE is set, the full JSON.
export function summary(data) {
  const d = data.metrics.http_req_duration ? data.metrics.http_req_duration.values : {};
  const failed = data.metrics.http_req_failed ? data.metrics.http_req_failed.values.rate : 0;
  const requests = data.metrics.http_reqs ? data.metrics.http_reqs.values.count : 0;
  const limited = data.metrics.rate_limited ? data.metrics.rate_limited.values.rate : 0;
  const fmt = (v) => (v === undefined ? 'n/a' : `${v.toFixed(2)}ms`);
  const breached = Object.entries(data.metrics)
    .filter(([, m]) => m.thresholds && Object.values(m.thresholds).some((t) => !t.ok))
    .map(([name]) => name);
  const lines = [
    `target     ${BASE_URL}`,
    `requests   ${requests}`,
    `error rate ${(failed * 100).toFixed(3)}%`,
    `rate limited ${(limited * 100).toFixed(3)}% (429: raise the key's --rate-limit above the test's rate)`,
    `latency    avg ${fmt(d.avg)}  p50 ${fmt(d.med)}  p95 ${fmt(d['p(95)'])}  p99 ${fmt(d['p(99)'])}  max ${fmt(d.max)}`,
    `thresholds ${breached.length === 0 ? 'all passed' : 'BREACHED: ' + breached.join(', ')}`,
  ];
  const out = { stdout: lines.join('\n') + '\n' };
  if (__ENV.SUMMARY_FILE) out[__ENV.SUMMARY_FILE] = JSON.stringify(data, null, 2);
  return out;
}
