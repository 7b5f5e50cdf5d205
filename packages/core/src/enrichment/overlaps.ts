import type { Overlaps } from "../scoring/rules";
import { InvalidInput } from "../util/errors";

/**
 * The enrichment facts of one (user, contact) pair (scoring.md, "Overlaps (enrichment clauses)"),
 * from the two career histories the provider gives (facts.md, F2/F4). Pure: the current month is an
 * input, so the same profiles and month always give the same facts.
 */

export interface Organization {
  id: string;
  name: string;
  /** Headcount; null when the provider does not know it. */
  size: number | null;
}

export interface WorkStint {
  organization: Organization;
  /** "YYYY-MM", inclusive. */
  from: string;
  /** "YYYY-MM", inclusive; null while the stint is ongoing. */
  to: string | null;
}

export interface School {
  id: string;
  name: string;
}

export interface SchoolStint {
  school: School;
  from: string;
  to: string | null;
}

export interface CareerHistory {
  work: readonly WorkStint[];
  education: readonly SchoolStint[];
}

export interface OverlapOptions {
  /** small_team_overlap's `maxOrgSize`: an organization of at most this many people is small. */
  maxOrgSize: number;
  /** "YYYY-MM": open stints run to it, and nothing after it has been worked together yet. */
  currentMonth: string;
}

/** One organization both people worked at, for reasons and debugging. */
export interface OrganizationOverlap {
  id: string;
  /** As the user's latest stint there names it. */
  name: string;
  /** Calendar months both were there, each counted once. */
  months: number;
  /** As the user's profile gives it (see `userSize`); null when unknown. */
  size: number | null;
}

/** One school both people attended. */
export interface SchoolOverlap {
  id: string;
  name: string;
  months: number;
}

const MONTH = /^(\d{4})-(\d{2})$/;

/** "YYYY-MM" of a Date, in UTC. Throws `InvalidInput` for an invalid Date or a year outside 0000–9999. */
export function monthOf(date: Date): string {
  const year = date.getUTCFullYear();
  if (!Number.isInteger(year) || year < 0 || year > 9999) {
    throw new InvalidInput("Not a date with a four-digit year", { date: String(date) });
  }
  return `${String(year).padStart(4, "0")}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * Month index (year × 12 + month − 1) of "YYYY-MM". Throws `InvalidInput` on anything else
 * ("2020-13", "2020-1", "2020-01-01"): a silently misread date would grant or deny a clause.
 */
export function monthIndex(month: string): number {
  const match = typeof month === "string" ? MONTH.exec(month) : null;
  const value = match === null ? Number.NaN : Number(match[2]);
  if (match === null || value < 1 || value > 12) {
    throw new InvalidInput('Not a "YYYY-MM" month', { month: String(month) });
  }
  return Number(match[1]) * 12 + value - 1;
}

/**
 * The facts of one (user, contact) pair. Throws `InvalidInput` when any stint's month or
 * `currentMonth` is not "YYYY-MM". `investorOverlap` and `linkedinFirstDegree` stay 0: there is no
 * investor or network data yet.
 */
export function computeOverlaps(
  user: CareerHistory,
  contact: CareerHistory,
  options: OverlapOptions,
): Overlaps {
  const work = overlapsByOrganization(user, contact, options);
  const schools = overlapsBySchool(user, contact, options);
  const small = work.filter((org) => org.size !== null && org.size <= options.maxOrgSize);
  return {
    // Per organization (long_work_overlap reads "at the same organization"): months at two
    // different organizations are never added together.
    workOverlapMonths: largest(work),
    smallTeamOverlapMonths: largest(small),
    sameCompanyNoOverlap: work.filter((org) => org.months === 0).length,
    educationOverlapMonths: largest(schools),
    sameSchoolNoOverlap: schools.filter((school) => school.months === 0).length,
    investorOverlap: 0,
    linkedinFirstDegree: 0,
  };
}

/**
 * Every organization (by provider id, never by name) in both work histories, with its overlap
 * months, most months first, then by id. An organization with 0 months is still listed: it is what
 * same_company_no_overlap counts.
 */
export function overlapsByOrganization(
  user: CareerHistory,
  contact: CareerHistory,
  options: Pick<OverlapOptions, "currentMonth">,
): OrganizationOverlap[] {
  return sharedPlaces(user.work, contact.work, (stint) => stint.organization.id, options.currentMonth).map(
    ({ id, months, userStints }) => ({
      id,
      name: latest(userStints, () => true)?.organization.name ?? id,
      months,
      size: userSize(userStints),
    }),
  );
}

/** Every school (by provider id) in both education histories, as `overlapsByOrganization`. */
export function overlapsBySchool(
  user: CareerHistory,
  contact: CareerHistory,
  options: Pick<OverlapOptions, "currentMonth">,
): SchoolOverlap[] {
  return sharedPlaces(
    user.education,
    contact.education,
    (stint) => stint.school.id,
    options.currentMonth,
  ).map(({ id, months, userStints }) => ({
    id,
    name: latest(userStints, () => true)?.school.name ?? id,
    months,
  }));
}

/**
 * The organization's size as the user's profile gives it (scoring.md): the size on the user's
 * latest stint there that has one, since a profile can carry an older headcount on an older stint.
 * A size that is not a positive number is unknown, and an unknown size is never small, so bad
 * provider data cannot grant small_team_overlap.
 */
function userSize(userStints: readonly WorkStint[]): number | null {
  return latest(userStints, (stint) => isKnownSize(stint.organization.size))?.organization.size ?? null;
}

function isKnownSize(size: number | null): boolean {
  return typeof size === "number" && Number.isFinite(size) && size >= 1;
}

interface Dated {
  from: string;
  to: string | null;
}

/**
 * The stint with the latest `from` among those accepted; ties go to the later end (an open end is
 * the latest), then to the one listed last, so the choice never depends on anything but the profile.
 */
function latest<S extends Dated>(stints: readonly S[], accept: (stint: S) => boolean): S | undefined {
  let best: { stint: S; from: number; to: number } | undefined;
  for (const stint of stints) {
    if (!accept(stint)) continue;
    const from = monthIndex(stint.from);
    const to = stint.to === null ? Number.POSITIVE_INFINITY : monthIndex(stint.to);
    if (best === undefined || from > best.from || (from === best.from && to >= best.to)) {
      best = { stint, from, to };
    }
  }
  return best?.stint;
}

/** Inclusive month indexes. */
type Interval = readonly [start: number, end: number];

/**
 * The places (by id) in both lists, with the months both were there. Each side's stints at a place
 * are merged first, so a month counted by two overlapping or repeated stints counts once.
 */
function sharedPlaces<S extends Dated>(
  userStints: readonly S[],
  contactStints: readonly S[],
  placeOf: (stint: S) => string,
  currentMonth: string,
): { id: string; months: number; userStints: S[] }[] {
  const current = monthIndex(currentMonth);
  const userByPlace = byPlace(userStints, placeOf, current);
  const contactByPlace = byPlace(contactStints, placeOf, current);
  const shared: { id: string; months: number; userStints: S[] }[] = [];
  for (const [id, mine] of userByPlace) {
    const theirs = contactByPlace.get(id);
    if (theirs === undefined) continue;
    shared.push({
      id,
      months: overlapLength(merge(mine.covered), merge(theirs.covered)),
      userStints: mine.stints,
    });
  }
  return shared.sort((a, b) => b.months - a.months || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Stints grouped by place. A place is kept even when none of its stints covers a month (one that
 * starts after the current month, or ends before it starts): the person was still there, so it can
 * be a "same organization, no overlapping dates".
 */
function byPlace<S extends Dated>(
  stints: readonly S[],
  placeOf: (stint: S) => string,
  current: number,
): Map<string, { stints: S[]; covered: Interval[] }> {
  const places = new Map<string, { stints: S[]; covered: Interval[] }>();
  for (const stint of stints) {
    const id = placeOf(stint);
    let place = places.get(id);
    if (place === undefined) {
      place = { stints: [], covered: [] };
      places.set(id, place);
    }
    place.stints.push(stint);
    const interval = coveredMonths(stint, current);
    if (interval !== null) place.covered.push(interval);
  }
  return places;
}

/**
 * The months a stint covers, or null. Both ends are parsed before anything is skipped, so a
 * malformed month always throws rather than only when the stint happens to matter. An end after the
 * current month is clipped: those months have not been worked together yet.
 */
function coveredMonths(stint: Dated, current: number): Interval | null {
  const start = monthIndex(stint.from);
  const end = stint.to === null ? current : Math.min(monthIndex(stint.to), current);
  return start <= end ? [start, end] : null;
}

/** Sorted, disjoint intervals covering the same months. */
function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Months in both lists of sorted, disjoint intervals. */
function overlapLength(a: readonly Interval[], b: readonly Interval[]): number {
  let months = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aStart, aEnd] = a[i] as Interval;
    const [bStart, bEnd] = b[j] as Interval;
    months += Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart) + 1);
    if (aEnd < bEnd) i += 1;
    else j += 1;
  }
  return months;
}

function largest(places: readonly { months: number }[]): number {
  return places.reduce((max, place) => Math.max(max, place.months), 0);
}
