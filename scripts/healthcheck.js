#!/usr/bin/env node
// Docker HEALTHCHECK: GET /health/live on this container's port; exit 0 when it answers 200, else 1.
// Liveness only (it touches nothing): a database outage shows on /health and /health/ready, and
// must not get a healthy process restarted. No dependencies, so it runs from the pruned image.
const http = require('node:http');

const port = Number(process.env.PORT) || 8080;
const request = http.get({ host: '127.0.0.1', port, path: '/health/live', timeout: 3000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', () => process.exit(1));
