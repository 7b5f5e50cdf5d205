import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { endianness } from "node:os";

/**
 * The local addresses of every TCP socket listening on `port`, as `ss -ltn` would print them
 * ("127.0.0.1", "::ffff:127.0.0.1", "0.0.0.0", "::"). Reads /proc/net/tcp and /proc/net/tcp6 on
 * Linux, falls back to `ss -ltnH`, then to `lsof` (macOS).
 */
export function listeningAddresses(port: number): string[] {
  if (existsSync("/proc/net/tcp")) {
    return ["/proc/net/tcp", "/proc/net/tcp6"]
      .filter((file) => existsSync(file))
      .flatMap((file) => procNetListeners(readFileSync(file, "utf8")))
      .filter((socket) => socket.port === port)
      .map((socket) => socket.address);
  }
  try {
    return ssListeners(execFileSync("ss", ["-ltnH"], { encoding: "utf8" }))
      .filter((socket) => socket.port === port)
      .map((socket) => socket.address);
  } catch {
    const output = execFileSync("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fn"], {
      encoding: "utf8",
    });
    return output
      .split("\n")
      .filter((line) => line.startsWith("n"))
      .map((line) =>
        line
          .slice(1)
          .replace(/:\d+$/, "")
          .replace(/^\[|\]$/g, ""),
      )
      .map((address) => (address === "*" ? "0.0.0.0" : address));
  }
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z): reachable from this machine only. */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === "::1";
}

export interface ListeningSocket {
  address: string;
  port: number;
  /** The /proc/net line it came from, for messages. */
  line: string;
}

/** Parses /proc/net/tcp or tcp6: `sl local_address rem_address st …`, st 0A = LISTEN. */
export function procNetListeners(table: string, byteOrder: "LE" | "BE" = endianness()): ListeningSocket[] {
  return table
    .split("\n")
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.split(/\s+/)[3] === "0A")
    .map((line) => {
      const [hexAddress = "", hexPort = ""] = (line.split(/\s+/)[1] ?? "").split(":");
      return { address: decodeProcAddress(hexAddress, byteOrder), port: Number.parseInt(hexPort, 16), line };
    });
}

/**
 * /proc/net prints addresses as 32-bit words in the kernel's byte order: 0100007F is 127.0.0.1 on
 * a little-endian machine; tcp6 prints four such words.
 */
export function decodeProcAddress(hex: string, byteOrder: "LE" | "BE" = endianness()): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = (hex.slice(word, word + 8).match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
    bytes.push(...(byteOrder === "LE" ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join(".");
  const isV4Mapped =
    bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isV4Mapped) return `::ffff:${bytes.slice(12).join(".")}`;
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16));
  }
  // Compress the longest run of zero groups, as ss does ("::", "::1").
  const text = groups.join(":");
  const runs = text.match(/(^|:)0(:0)+(:|$)/g) ?? [];
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best), "");
  return longest ? text.replace(longest, "::") : text;
}

/** Parses `ss -ltnH`: `State Recv-Q Send-Q Local:Port Peer:Port`, addresses like `[::ffff:127.0.0.1]:80` or `*:80`. */
function ssListeners(output: string): ListeningSocket[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("LISTEN"))
    .map((line) => {
      const local = line.split(/\s+/)[3] ?? "";
      const separator = local.lastIndexOf(":");
      const host = local
        .slice(0, separator)
        .replace(/^\[|\]$/g, "")
        .replace(/%.*$/, "");
      return { address: host === "*" ? "0.0.0.0" : host, port: Number(local.slice(separator + 1)), line };
    });
}
