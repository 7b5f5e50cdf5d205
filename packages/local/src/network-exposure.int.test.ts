import { describe, expect, it } from "vitest";
import { useEmulators } from "../../../test/support/integration";
import { isLoopback, listeningAddresses } from "../../../test/support/sockets";

describe("network exposure of the local emulators", () => {
  // The shared emulators of the integration run, started by startDynamoLocal and startSqsEmulator.
  it.each(["dynamoEndpoint", "sqsEndpoint"] as const)("%s listens on loopback only", (name) => {
    // prepare
    const endpoint = useEmulators()[name];
    const port = Number(new URL(endpoint).port);

    // act
    const addresses = listeningAddresses(port);

    // assess
    expect(addresses, `${name} ${endpoint}`).not.toEqual([]);
    expect(
      addresses.filter((address) => !isLoopback(address)),
      `${name} listens on ${addresses.join(", ")}`,
    ).toEqual([]);
  });
});
