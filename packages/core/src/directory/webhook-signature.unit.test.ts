import { WorkOS } from "@workos-inc/node";
import { describe, expect, it } from "vitest";
import { SIGNATURE_TOLERANCE_MS, verifyWorkOSSignature } from "./webhook-signature";

/**
 * The hand-written WorkOS-Signature check must agree with the WorkOS SDK's own verifier on every
 * header (except a timestamp from the future, or a signature not named v1, which only Kith refuses).
 */

const secret = "wh_secret_for_the_signature_test";
const body = JSON.stringify({
  id: "event_01",
  event: "dsync.user.created",
  data: { id: "directory_user_01" },
});
const workos = new WorkOS("sk_test_signature_unit");

async function header(payload: string, at: number, key = secret): Promise<string> {
  const signature = await workos.webhooks.computeSignature(String(at), payload, key);
  return `t=${at}, v1=${signature}`;
}

async function sdkAccepts(payload: string, sigHeader: string): Promise<boolean> {
  return workos.webhooks
    .verifyHeader({ payload, sigHeader, secret, tolerance: SIGNATURE_TOLERANCE_MS })
    .then(() => true)
    .catch(() => false);
}

function kithAccepts(payload: string, sigHeader: string | undefined, now = Date.now()): boolean {
  try {
    verifyWorkOSSignature(payload, sigHeader, secret, now);
    return true;
  } catch (error) {
    expect(error).toMatchObject({ status: 401, code: "unauthenticated" });
    return false;
  }
}

describe("verifyWorkOSSignature", () => {
  it("accepts what the SDK signs and verifies", async () => {
    const sigHeader = await header(body, Date.now());
    expect(await sdkAccepts(body, sigHeader)).toBe(true);
    expect(kithAccepts(body, sigHeader)).toBe(true);
  });

  it("accepts the header without the space after the comma, as the SDK does", async () => {
    const sigHeader = (await header(body, Date.now())).replace(", ", ",");
    expect(await sdkAccepts(body, sigHeader)).toBe(true);
    expect(kithAccepts(body, sigHeader)).toBe(true);
  });

  it.each([
    ["a changed body", async () => ({ payload: `${body} `, sigHeader: await header(body, Date.now()) })],
    ["another secret", async () => ({ payload: body, sigHeader: await header(body, Date.now(), "other") })],
    [
      "a timestamp older than 3 minutes",
      async () => ({
        payload: body,
        sigHeader: await header(body, Date.now() - SIGNATURE_TOLERANCE_MS - 5_000),
      }),
    ],
    ["no v1", async () => ({ payload: body, sigHeader: `t=${Date.now()}` })],
    [
      "a truncated signature",
      async () => ({ payload: body, sigHeader: (await header(body, Date.now())).slice(0, -2) }),
    ],
    ["garbage", async () => ({ payload: body, sigHeader: "not a signature" })],
  ])("refuses %s, as the SDK does", async (_case, make) => {
    const { payload, sigHeader } = await make();
    expect(await sdkAccepts(payload, sigHeader)).toBe(false);
    expect(kithAccepts(payload, sigHeader)).toBe(false);
  });

  it("refuses a timestamp more than 3 minutes in the future, which the SDK would accept", async () => {
    const sigHeader = await header(body, Date.now() + SIGNATURE_TOLERANCE_MS + 60_000);
    expect(await sdkAccepts(body, sigHeader)).toBe(true);
    expect(kithAccepts(body, sigHeader)).toBe(false);
  });

  it("reads the signature by its scheme name, v1, where the SDK takes the second field whatever it is called", async () => {
    const sigHeader = (await header(body, Date.now())).replace("v1=", "v0=");
    expect(await sdkAccepts(body, sigHeader)).toBe(true);
    expect(kithAccepts(body, sigHeader)).toBe(false);
  });

  it("refuses a missing header", () => {
    expect(kithAccepts(body, undefined)).toBe(false);
  });
});
