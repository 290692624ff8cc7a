// Real-time KServe v2 inference at a ramping arrival rate (open model: the rate is held even
// when the server slows down, so queueing shows up as latency, not as fewer requests).
//   k6 run -e BASE_URL=http://gateway:8080 -e API_KEY=... loadtest/realtime.js
//   RATE (peak requests/s, default 200), RAMP (default 2m), HOLD (default 5m)
import http from 'k6/http';
import { check } from 'k6';
import { SMOKE, headers, summaryTrendStats, inferBody, modelPath, num, summary, thresholds, wasRateLimited } from './lib/config.js';

const peak = num('RATE', SMOKE ? 20 : 200);

export const options = {
  scenarios: {
    realtime: {
      executor: 'ramping-arrival-rate',
      startRate: SMOKE ? 5 : 10,
      timeUnit: '1s',
      preAllocatedVUs: SMOKE ? 10 : 50,
      maxVUs: SMOKE ? 20 : 400,
      stages: SMOKE
        ? [{ target: peak, duration: '10s' }, { target: peak, duration: '10s' }]
        : [
            { target: peak, duration: __ENV.RAMP || '2m' },
            { target: peak, duration: __ENV.HOLD || '5m' },
            { target: 0, duration: '30s' },
          ],
    },
  },
  summaryTrendStats,
  thresholds: thresholds({ p95: 250, p99: 500, errorRate: 0.01 }),
};

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
