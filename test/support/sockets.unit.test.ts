import { describe, expect, it } from "vitest";
import { decodeProcAddress, isLoopback, procNetListeners } from "./sockets";

// Lines as Linux prints them on a little-endian machine (captured from this project's emulators).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:84A5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30918 1 0000000041e3ea02 100 0 0 10 0
   1: 00000000:84A6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30919 1 0000000041e3ea02 100 0 0 10 0
   2: 0100007F:84A5 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 30920 1 0000000041e3ea02 100 0 0 10 0`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:8229 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30980 1 000000002928de73 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:4875 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30981 1 000000002928de73 100 0 0 10 0
   2: 00000000000000000000000001000000:4876 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30982 1 000000002928de73 100 0 0 10 0`;

describe("reading /proc/net/tcp and tcp6", () => {
  it("lists listening sockets only, with their address and port", () => {
    // act
    const listeners = procNetListeners(TCP, "LE").map(({ address, port }) => ({ address, port }));

    // assess
    expect(listeners).toEqual([
      { address: "127.0.0.1", port: 0x84a5 },
      { address: "0.0.0.0", port: 0x84a6 },
    ]);
  });

  it("decodes IPv6 wildcard, IPv4-mapped loopback and ::1", () => {
    // act
    const listeners = procNetListeners(TCP6, "LE").map(({ address, port }) => ({ address, port }));

    // assess
    expect(listeners).toEqual([
      { address: "::", port: 0x8229 },
      { address: "::ffff:127.0.0.1", port: 18_549 },
      { address: "::1", port: 18_550 },
    ]);
  });

  it("reads the words in the machine's byte order", () => {
    // act & assess
    expect(decodeProcAddress("7F000001", "BE")).toBe("127.0.0.1");
    expect(decodeProcAddress("0100007F", "LE")).toBe("127.0.0.1");
  });

  it("counts only loopback addresses as loopback", () => {
    // act & assess
    expect(["127.0.0.1", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "::", "::ffff:0.0.0.0", "10.0.0.5", "fe80::1"].some(isLoopback)).toBe(false);
  });
});
