import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Where the search starts: above the well-known and most registered service ports. */
const LOWEST = 10_000;

/** The kernel's ephemeral range: what it hands out for `listen(0)` and as the source port of every outgoing connection. */
function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux: IANA's dynamic range
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port that was free a moment ago, chosen below the ephemeral range, for a listener that
 * cannot take port 0 itself or must listen on the same port again later: DynamoDB Local (restarted
 * on its port after a crash) and a test runtime's gateway (which listens last). A port from the
 * ephemeral range may meanwhile become the source port of any outgoing connection, and a live
 * connection on it makes a later bind fail with EADDRINUSE for as long as it stays open; the local
 * runtime keeps many such connections alive. Below the range only another explicit choice collides,
 * so callers still retry on EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const highest = Math.max(LOWEST + 1_000, ephemeralLow) - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port between ${LOWEST} and ${highest}`);
}
