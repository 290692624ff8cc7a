// Spike: a steady base load, a sudden jump to SPIKE_RATE for a minute, then back. Checks that
// the platform sheds load cleanly (429 with Retry-After, counted apart) instead of failing
// with 5xx, and recovers once the spike ends.
//   BASE_RATE (default 50), SPIKE_RATE (default 500), MAX_5XX_RATE (default 0.02)
import http from 'k6/http';
import { check } from 'k6';
import { Rate } from 'k6/metrics';
import { SMOKE, headers, inferBody, modelPath, num, summary, summaryTrendStats } from './lib/config.js';

const base = num('BASE_RATE', SMOKE ? 10 : 50);
const spike = num('SPIKE_RATE', SMOKE ? 50 : 500);
const serverErrors = new Rate('server_errors');
const shed = new Rate('load_shed');

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base,
      timeUnit: '1s',
      preAllocatedVUs: SMOKE ? 20 : 100,
      maxVUs: SMOKE ? 60 : 1000,
      stages: SMOKE
        ? [{ target: base, duration: '5s' }, { target: spike, duration: '2s' }, { target: spike, duration: '8s' },
           { target: base, duration: '2s' }, { target: base, duration: '5s' }]
        : [{ target: base, duration: '1m' }, { target: spike, duration: '10s' }, { target: spike, duration: '1m' },
           { target: base, duration: '10s' }, { target: base, duration: '2m' }],
    },
  },
  summaryTrendStats,
  thresholds: {
    // During a spike only 5xx count as failures; 429 is the designed answer to overload.
    server_errors: [`rate<${num('MAX_5XX_RATE', 0.02)}`],
    'http_req_duration{expected_response:true}': [`p(95)<${num('P95_MS', 1000)}`, `p(99)<${num('P99_MS', 3000)}`],
  },
};

http.setResponseCallback(http.expectedStatuses(200, 429));

export default function () {
  const res = http.post(`${modelPath()}/infer`, inferBody(__ITER), {
    headers: headers({ 'Content-Type': 'application/json' }),
    tags: { name: 'infer' },
  });
  serverErrors.add(res.status >= 500 || res.status === 0);
  shed.add(res.status === 429);
  check(res, {
    'answered 200 or 429': (r) => r.status === 200 || r.status === 429,
    '429 carries Retry-After': (r) => r.status !== 429 || r.headers['Retry-After'] !== undefined,
  });
}

export function handleSummary(data) {
  return summary(data);
}
