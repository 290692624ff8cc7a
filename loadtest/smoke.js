// The smoke run (make loadtest-smoke, CI): health, metadata and ~30 s of KServe v2 inference at
// a low constant rate against BASE_URL, failing on any threshold breach.
import http from 'k6/http';
import { check, fail } from 'k6';
import { BASE_URL, MODEL, headers, summaryTrendStats, inferBody, modelPath, num, summary, thresholds, wasRateLimited } from './lib/config.js';

export const options = {
  scenarios: {
    infer: {
      executor: 'constant-arrival-rate',
      rate: num('RATE', 20),
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: 10,
      maxVUs: 40,
    },
  },
  summaryTrendStats,
  thresholds: thresholds({ p95: 250, p99: 500, errorRate: 0.01 }),
};

// Fail fast when the target is not up or does not serve the model.
export function setup() {
  const ready = http.get(`${BASE_URL}/v2/health/ready`, { headers: headers() });
  if (ready.status !== 200) fail(`${BASE_URL}/v2/health/ready answered ${ready.status}`);
  const metadata = http.get(modelPath(), { headers: headers() });
  if (metadata.status !== 200) fail(`model ${MODEL} metadata answered ${metadata.status}: ${metadata.body}`);
}

export default function () {
  const res = http.post(`${modelPath()}/infer`, inferBody(__ITER), {
    headers: headers({ 'Content-Type': 'application/json' }),
    tags: { name: 'infer' },
  });
  if (wasRateLimited(res)) return;
  check(res, {
    'infer 200': (r) => r.status === 200,
    'has outputs': (r) => r.status === 200 && Array.isArray(r.json('outputs')),
  });
}

export function handleSummary(data) {
  return summary(data);
}
