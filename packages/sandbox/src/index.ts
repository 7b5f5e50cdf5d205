/**
 * Loopback provider sandboxes (Slack, WorkOS, Google, Microsoft Graph, …) for tests, the demo and
 * benchmarks. Each one answers the real client library on 127.0.0.1 through the provider's
 * base-URL environment variable (`SLACK_API_URL`, `WORKOS_API_URL`, …). The first sandboxes arrive
 * with the webhook and directory-sync issues; this package is their home.
 */
export {};
