// Image classification through the gateway's convenience endpoint: multipart upload of a PNG to
// POST /v1/models/{CLASSIFY_MODEL}/classify?k=TOP_K, answers checked for k labelled classes.
// Images: the held-out digits of triton-models/testdata (bright digit on a dark background).
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e API_KEY=... loadtest/classify.js
//   RATE (requests/s, default 50), DURATION (default 3m), CLASSIFY_MODEL (digits), TOP_K (3)
import http from 'k6/http';
import encoding from 'k6/encoding';
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import { BASE_URL, SMOKE, headers, num, summary, summaryTrendStats, thresholds, wasRateLimited } from './lib/config.js';

const model = __ENV.CLASSIFY_MODEL || 'digits';
const k = num('TOP_K', 3);
const images = new SharedArray('digits', () =>
  JSON.parse(open('../triton-models/testdata/digits_holdout.json')).items.map((item) => ({
    label: String(item.label),
    png: item.png_base64,
  })));

export const options = {
  scenarios: {
    classify: {
      executor: 'constant-arrival-rate',
      rate: num('RATE', SMOKE ? 5 : 50),
      timeUnit: '1s',
      duration: __ENV.DURATION || (SMOKE ? '20s' : '3m'),
      preAllocatedVUs: SMOKE ? 5 : 40,
      maxVUs: SMOKE ? 10 : 200,
    },
  },
  summaryTrendStats,
  thresholds: {
    ...thresholds({ p95: 400, p99: 1000, errorRate: 0.01 }),
    // The top-1 label should mostly be the right digit (the model's offline accuracy is ~95%).
    'checks{check:top1 correct}': [`rate>${num('MIN_TOP1', 0.85)}`],
  },
};

export default function () {
  const image = images[__ITER % images.length];
  const body = { image: http.file(encoding.b64decode(image.png, 'std'), 'digit.png', 'image/png') };
  const res = http.post(`${BASE_URL}/v1/models/${model}/classify?k=${k}`, body, {
    headers: headers(),
    tags: { name: 'classify' },
  });
  if (wasRateLimited(res)) return;
  const classes = res.status === 200 ? res.json('classes') : [];
  check(res, { 'classify 200': (r) => r.status === 200 });
  check(res, { 'k classes': () => Array.isArray(classes) && classes.length === k });
  check(res, { 'top1 correct': () => classes.length > 0 && String(classes[0].label) === image.label });
}

export function handleSummary(data) {
  return summary(data);
}
