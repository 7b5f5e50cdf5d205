import { randomBytes } from "node:crypto";

/**
 * ULIDs (https://github.com/ulid/spec) for sandbox object ids. Providers such as WorkOS issue
 * `<prefix>_<ULID>` ids whose lexical order is creation order, and cursor pagination relies on
 * that, so the sandboxes need the same property rather than random UUIDs. Kept local instead of
 * pulling in the `ulid` package because the sandbox needs its own clock (tests move it) and
 * strict monotonicity across a whole sandbox.
 */

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 2 ** 48 - 1;
const MAX_RANDOM = (1n << 80n) - 1n;
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

function encode(value: bigint, length: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

function randomPart(): bigint {
  return BigInt(`0x${randomBytes(10).toString("hex")}`);
}

function checkTime(timeMs: number): number {
  const time = Math.floor(timeMs);
  if (!Number.isFinite(time) || time < 0 || time > MAX_TIME)
    throw new RangeError(`ULID time out of range: ${timeMs}`);
  return time;
}

/** A ULID for `timeMs` with a fresh random part; not ordered against other ids of the same millisecond. */
export function ulidAt(timeMs: number): string {
  return encode(BigInt(checkTime(timeMs)), TIME_LENGTH) + encode(randomPart(), RANDOM_LENGTH);
}

/** The millisecond timestamp a ULID carries, or `undefined` when `value` is not a ULID. */
export function ulidTime(value: string): number | undefined {
  if (!ULID_PATTERN.test(value)) return undefined;
  let time = 0;
  for (const char of value.slice(0, TIME_LENGTH)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

/**
 * Strictly increasing ULIDs. Within one millisecond the random part is incremented (as the spec's
 * monotonic factory does); when the caller's clock goes backwards (a test moved it) the last time
 * is reused, so ids keep sorting in issue order whatever the clock does.
 */
export class MonotonicUlid {
  private lastTime = -1;
  private lastRandom = 0n;

  next(timeMs: number): string {
    const time = checkTime(timeMs);
    if (time > this.lastTime) {
      this.lastTime = time;
      this.lastRandom = randomPart();
    } else if (this.lastRandom < MAX_RANDOM) {
      this.lastRandom += 1n;
    } else {
      // 2^80 ids in one millisecond cannot happen in practice; moving to the next millisecond keeps order.
      this.lastTime += 1;
      this.lastRandom = randomPart();
    }
    return encode(BigInt(this.lastTime), TIME_LENGTH) + encode(this.lastRandom, RANDOM_LENGTH);
  }
}
