"use strict";

/**
 * autocannon's per-request hook for `bench/webhooks.ts`, loaded in autocannon's worker thread (so it
 * is plain CommonJS): every request is a new GitHub delivery, with its own `X-GitHub-Delivery` and
 * an `X-Hub-Signature-256` over its body, from the next known sender in the pool.
 */
const { createHmac, randomUUID } = require("node:crypto");
const { readFileSync } = require("node:fs");

const pool = JSON.parse(readFileSync(process.env.KITH_BENCH_WEBHOOK_POOL, "utf8"));
let next = 0;

module.exports = function setupRequest(request) {
  const body = pool.bodies[next % pool.bodies.length];
  next += 1;
  return {
    ...request,
    body,
    headers: {
      ...request.headers,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", pool.secret).update(body).digest("hex")}`,
    },
  };
};
