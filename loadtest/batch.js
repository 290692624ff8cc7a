// Batch jobs end to end: POST /v1/batches (JSON items of v2 input tensors), then poll
// GET /v1/batches/{id} until the job finishes; job turnaround is its own metric and threshold.
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e API_KEY=... loadtest/batch.js
//   JOBS_PER_MIN (default 6), ITEMS (items per job, default 50), DURATION (default 5m),
//   JOB_TIMEOUT_S (default 300), POLL_S (default 1); BATCH_MODEL (default MODEL, i.e. simple)
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Trend, Counter } from 'k6/metrics';
import { BASE_URL, MODEL, SMOKE, headers, inferBody, num, summary, summaryTrendStats, thresholds, wasRateLimited } from './lib/config.js';

const model = __ENV.BATCH_MODEL || MODEL;
const items = num('ITEMS', SMOKE ? 5 : 50);
const jobTimeout = num('JOB_TIMEOUT_S', 300);
const poll = num('POLL_S', 1);
const turnaround = new Trend('batch_job_turnaround', true);
const failedJobs = new Counter('batch_jobs_failed');

export const options = {
  scenarios: {
    batch: {
      executor: 'constant-arrival-rate',
      rate: num('JOBS_PER_MIN', 6),
      timeUnit: '1m',
      duration: __ENV.DURATION || (SMOKE ? '30s' : '5m'),
      preAllocatedVUs: 5,
      maxVUs: 50,
    },
  },
  summaryTrendStats,
  thresholds: {
    // Submission and polling are plain API calls.
    ...thresholds({ p95: 500, p99: 1500, errorRate: 0.01 }),
    batch_job_turnaround: [`p(95)<${num('TURNAROUND_P95_MS', 60000)}`, `p(99)<${num('TURNAROUND_P99_MS', 120000)}`],
    batch_jobs_failed: ['count<1'],
  },
};

function submission() {
  const request = JSON.parse(inferBody());
  const list = [];
  for (let i = 0; i < items; i++) list.push({ id: `item-${i}`, inputs: request.inputs });
  return JSON.stringify({ model, items: list });
}

export default function () {
  const started = Date.now();
  const submit = http.post(`${BASE_URL}/v1/batches`, submission(), {
    headers: headers({ 'Content-Type': 'application/json' }),
    tags: { name: 'batch-submit' },
  });
  // A refused submission is counted in rate_limited (each item costs one token of the key's rate).
  if (wasRateLimited(submit)) return;
  if (!check(submit, { 'submit 202': (r) => r.status === 202 })) {
    failedJobs.add(1);
    return;
  }
  const id = submit.json('job_id');
  while ((Date.now() - started) / 1000 < jobTimeout) {
    sleep(poll);
    const status = http.get(`${BASE_URL}/v1/batches/${id}`, { headers: headers(), tags: { name: 'batch-status' } });
    if (status.status !== 200) continue;
    const state = status.json('status');
    // Final states of a job: completed (every item final), failed, cancelled.
    if (['completed', 'failed', 'cancelled'].includes(state)) {
      turnaround.add(Date.now() - started);
      const ok = check(status, {
        'job completed': () => state === 'completed',
        'every item succeeded': (r) => r.json('succeeded') === items,
      });
      if (!ok) failedJobs.add(1);
      return;
    }
  }
  failedJobs.add(1);
}

export function handleSummary(data) {
  return summary(data);
}
