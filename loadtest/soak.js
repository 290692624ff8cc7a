// Soak: a moderate constant rate for a long time (default 2h) to surface leaks, connection
// churn and slow degradation. Watch memory and latency in Grafana while it runs.
//   RATE (default 100), DURATION (default 2h)
import http from 'k6/http';
import { check } from 'k6';
import { SMOKE, headers, inferBody, modelPath, num, summary, summaryTrendStats, thresholds, wasRateLimited } from './lib/config.js';

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: num('RATE', SMOKE ? 10 : 100),
      timeUnit: '1s',
      duration: __ENV.DURATION || (SMOKE ? '30s' : '2h'),
      preAllocatedVUs: SMOKE ? 10 : 50,
      maxVUs: SMOKE ? 20 : 300,
    },
  },
  summaryTrendStats,
  // Tighter error budget than the other scripts: over hours, 0.1% is the SLO itself.
  thresholds: thresholds({ p95: 250, p99: 500, errorRate: 0.001 }),
};

export default function () {
  const res = http.post(`${modelPath()}/infer`, inferBody(__ITER), {
    headers: headers({ 'Content-Type': 'application/json' }),
    tags: { name: 'infer' },
  });
  if (wasRateLimited(res)) return;
  check(res, { 'infer 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return summary(data);
}
