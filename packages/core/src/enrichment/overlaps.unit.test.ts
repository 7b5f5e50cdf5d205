import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULE_SET, NO_OVERLAPS } from "../scoring/rules";
import { InvalidInput } from "../util/errors";
import {
  type CareerHistory,
  computeOverlaps,
  monthIndex,
  monthOf,
  overlapsByOrganization,
  overlapsBySchool,
  type SchoolStint,
  type WorkStint,
} from "./overlaps";

const NOW = "2024-06";
const MAX_ORG_SIZE = 50;

function job(
  id: string,
  from: string,
  to: string | null,
  size: number | null = 500,
  name = `Org ${id}`,
): WorkStint {
  return { organization: { id, name, size }, from, to };
}

function study(id: string, from: string, to: string | null, name = `School ${id}`): SchoolStint {
  return { school: { id, name }, from, to };
}

function career(work: WorkStint[] = [], education: SchoolStint[] = []): CareerHistory {
  return { work, education };
}

function overlaps(user: CareerHistory, contact: CareerHistory, maxOrgSize = MAX_ORG_SIZE) {
  return computeOverlaps(user, contact, { maxOrgSize, currentMonth: NOW });
}

function threshold(code: string, name: string): number {
  const value = DEFAULT_RULE_SET.clauses.find((clause) => clause.code === code)?.thresholds[name];
  if (value === undefined) throw new Error(`no threshold ${code}.${name}`);
  return value;
}

describe("monthOf and monthIndex", () => {
  it("monthOf reads the month in UTC, not in the Date's written offset", () => {
    expect(monthOf(new Date("2020-01-31T23:30:00-05:00"))).toBe("2020-02");
    expect(monthOf(new Date("2019-12-31T23:59:59.999Z"))).toBe("2019-12");
  });

  it("monthOf rejects an invalid Date instead of returning 'NaN-NaN'", () => {
    expect(() => monthOf(new Date("not a date"))).toThrow(InvalidInput);
  });

  it("monthIndex is year × 12 + month − 1, so December and the next January are consecutive", () => {
    expect(monthIndex("2020-01")).toBe(2020 * 12);
    expect(monthIndex("2020-12")).toBe(2020 * 12 + 11);
    expect(monthIndex("2020-01") - monthIndex("2019-12")).toBe(1);
  });

  it.each([
    "2020-13",
    "2020-00",
    "2020-1",
    "20-01",
    "2020-01-01",
    " 2020-01",
    "2020-01 ",
    "2020/01",
    "2020",
    "",
  ])("monthIndex rejects the malformed month %j", (month) => {
    expect(() => monthIndex(month)).toThrow(InvalidInput);
  });

  it("monthIndex of monthOf agrees with the Date's UTC year and month, for any date", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01Z"), max: new Date("2100-12-31Z"), noInvalidDate: true }),
        (date) => {
          expect(monthIndex(monthOf(date))).toBe(date.getUTCFullYear() * 12 + date.getUTCMonth());
        },
      ),
    );
  });
});

describe("work overlap: month edges", () => {
  it("open-ended current jobs (to null) both run to the current month inclusive", () => {
    const result = overlaps(career([job("a", "2023-01", null)]), career([job("a", "2024-01", null)]));

    expect(result.workOverlapMonths).toBe(6); // 2024-01 .. 2024-06
  });

  it("a stint that starts and ends in the same month covers 1 month", () => {
    const result = overlaps(career([job("a", "2021-03", "2021-03")]), career([job("a", "2020-01", null)]));

    expect(result.workOverlapMonths).toBe(1);
  });

  it("missing by one month (user to 2020-05, contact from 2020-06) is 0 months and one same-company-no-overlap", () => {
    const result = overlaps(
      career([job("a", "2019-01", "2020-05")]),
      career([job("a", "2020-06", "2021-01")]),
    );

    expect(result.workOverlapMonths).toBe(0);
    expect(result.sameCompanyNoOverlap).toBe(1);
  });

  it("exactly 24 months meets long_work_overlap's threshold and 23 does not", () => {
    const minMonths = threshold("long_work_overlap", "minMonths");
    const user = career([job("a", "2018-01", "2022-12")]);

    const exactly = overlaps(user, career([job("a", "2020-01", "2021-12")])).workOverlapMonths;
    const oneShort = overlaps(user, career([job("a", "2020-01", "2021-11")])).workOverlapMonths;

    expect([exactly, oneShort]).toEqual([24, 23]);
    expect(exactly).toBeGreaterThanOrEqual(minMonths);
    expect(oneShort).toBeLessThan(minMonths);
  });

  it("a stint across a year boundary (2019-12 .. 2020-01) covers 2 months", () => {
    const result = overlaps(
      career([job("a", "2019-12", "2020-01")]),
      career([job("a", "2019-01", "2020-12")]),
    );

    expect(result.workOverlapMonths).toBe(2);
  });

  it("overlapping and repeated stints at one organization count each calendar month once, on either side", () => {
    const user = career([
      job("a", "2020-01", "2020-12"),
      job("a", "2020-06", "2021-06"),
      job("a", "2020-01", "2020-12"),
    ]);
    const contact = career([job("a", "2020-01", "2021-12"), job("a", "2020-03", "2020-04")]);

    expect(overlaps(user, contact).workOverlapMonths).toBe(18); // 2020-01 .. 2021-06
    expect(overlaps(contact, user).workOverlapMonths).toBe(18);
  });

  it("two stints at one organization separated by a gap add their overlaps, and the gap counts nothing", () => {
    const user = career([job("a", "2018-01", "2018-12"), job("a", "2020-01", "2020-06")]);
    const contact = career([job("a", "2018-07", "2020-03")]);

    expect(overlaps(user, contact).workOverlapMonths).toBe(9); // 2018-07..12 and 2020-01..03
  });

  it("a stint starting after the current month covers nothing, but the organization is still shared", () => {
    const result = overlaps(career([job("a", "2024-07", null)]), career([job("a", "2020-01", null)]));

    expect(result.workOverlapMonths).toBe(0);
    expect(result.sameCompanyNoOverlap).toBe(1);
  });

  it("a stint whose end is before its start covers nothing", () => {
    const result = overlaps(career([job("a", "2021-05", "2021-04")]), career([job("a", "2020-01", null)]));

    expect(result.workOverlapMonths).toBe(0);
    expect(result.sameCompanyNoOverlap).toBe(1);
  });

  it("an end after the current month is clipped to it: future months are not worked together yet", () => {
    const result = overlaps(
      career([job("a", "2024-01", "2025-12")]),
      career([job("a", "2024-03", "2026-01")]),
    );

    expect(result.workOverlapMonths).toBe(4); // 2024-03 .. 2024-06
  });

  it("the same name under two provider ids is two organizations: nothing is shared", () => {
    const result = overlaps(
      career([job("acme-1", "2020-01", null, 500, "Acme")]),
      career([job("acme-2", "2020-01", null, 500, "Acme")]),
    );

    expect(result.workOverlapMonths).toBe(0);
    expect(result.sameCompanyNoOverlap).toBe(0);
  });

  it("several shared organizations give the largest overlap, not the sum, and only 0-month ones count as no overlap", () => {
    const user = career([
      job("a", "2010-01", "2010-10"),
      job("b", "2012-01", "2013-03"),
      job("c", "2015-01", "2015-12"),
      job("d", "2016-01", "2016-12"),
      job("d", "2016-02", "2016-03"),
      job("only-user", "2017-01", null),
    ]);
    const contact = career([
      job("a", "2010-01", "2010-12"), // 10 months
      job("b", "2012-01", "2013-12"), // 15 months
      job("c", "2016-01", "2016-12"), // 0
      job("d", "2014-01", "2015-12"), // 0
      job("d", "2018-01", "2018-12"), // 0, and d is still one organization
      job("only-contact", "2017-01", null),
    ]);

    const result = overlaps(user, contact);

    expect(result.workOverlapMonths).toBe(15);
    expect(result.sameCompanyNoOverlap).toBe(2);
  });
});

describe("small_team_overlap: the organization's size", () => {
  const contact = career([job("a", "2020-01", "2020-12", 5000)]);

  it("a size equal to maxOrgSize is small; one more is not", () => {
    const at = overlaps(career([job("a", "2020-01", "2020-12", 50)]), contact, 50);
    const over = overlaps(career([job("a", "2020-01", "2020-12", 51)]), contact, 50);

    expect(at.smallTeamOverlapMonths).toBe(12);
    expect(over.smallTeamOverlapMonths).toBe(0);
    expect(over.workOverlapMonths).toBe(12);
  });

  it("maxOrgSize is the tuned threshold, not a constant", () => {
    const user = career([job("a", "2020-01", "2020-12", 20)]);

    expect(overlaps(user, contact, 20).smallTeamOverlapMonths).toBe(12);
    expect(overlaps(user, contact, 19).smallTeamOverlapMonths).toBe(0);
  });

  it("an unknown (null) size is never small, but the work overlap still counts", () => {
    const result = overlaps(career([job("a", "2020-01", "2020-12", null)]), contact);

    expect(result.smallTeamOverlapMonths).toBe(0);
    expect(result.workOverlapMonths).toBe(12);
  });

  it("a size of 0 is treated as unknown, so bad provider data cannot grant the clause", () => {
    const result = overlaps(career([job("a", "2020-01", "2020-12", 0)]), contact);

    expect(result.smallTeamOverlapMonths).toBe(0);
  });

  it("the user's size is used even when the contact's stint says otherwise", () => {
    const smallForUser = overlaps(
      career([job("a", "2020-01", "2020-12", 20)]),
      career([job("a", "2020-01", "2020-12", 5000)]),
    );
    const smallForContact = overlaps(
      career([job("a", "2020-01", "2020-12", 5000)]),
      career([job("a", "2020-01", "2020-12", 20)]),
    );

    expect(smallForUser.smallTeamOverlapMonths).toBe(12);
    expect(smallForContact.smallTeamOverlapMonths).toBe(0);
  });

  it("the size on the user's latest stint (latest from) wins, wherever it is listed", () => {
    const grew = [job("a", "2019-01", "2020-12", 200), job("a", "2015-01", "2016-12", 10)];
    const shrank = [job("a", "2015-01", "2016-12", 200), job("a", "2019-01", "2020-12", 10)];

    expect(overlaps(career(grew), contact).smallTeamOverlapMonths).toBe(0);
    expect(overlaps(career(shrank), contact).smallTeamOverlapMonths).toBe(12);
  });

  it("between user stints with the same start, the one ending later (an open end latest) gives the size", () => {
    const ongoingSmall = [job("a", "2019-01", null, 10), job("a", "2019-01", "2019-06", 200)];
    const ongoingLarge = [job("a", "2019-01", null, 200), job("a", "2019-01", "2019-06", 10)];

    expect(overlaps(career(ongoingSmall), contact).smallTeamOverlapMonths).toBe(12);
    expect(overlaps(career(ongoingLarge), contact).smallTeamOverlapMonths).toBe(0);
  });

  it("a latest stint without a size defers to the latest one that has one", () => {
    const user = career([job("a", "2015-01", "2016-12", 10), job("a", "2019-01", "2020-12", null)]);

    expect(overlaps(user, contact).smallTeamOverlapMonths).toBe(12);
  });

  it("is the largest overlap among small organizations, not the largest overall", () => {
    const user = career([job("big", "2010-01", null, 1000), job("small", "2020-01", "2020-08", 12)]);
    const other = career([job("big", "2010-01", "2012-06", 1000), job("small", "2019-01", "2021-01", 3000)]);

    const result = overlaps(user, other);

    expect(result.workOverlapMonths).toBe(30);
    expect(result.smallTeamOverlapMonths).toBe(8);
  });
});

describe("education overlap and same_school_no_overlap", () => {
  it("counts the months at one school like work: inclusive, open ends to the current month, once per month", () => {
    const user = career([], [study("s", "2022-09", null), study("s", "2023-01", "2023-06")]);
    const contact = career([], [study("s", "2023-09", "2023-09"), study("s", "2024-01", "2027-06")]);

    expect(overlaps(user, contact).educationOverlapMonths).toBe(7); // 2023-09 and 2024-01 .. 2024-06
  });

  it("several shared schools give the largest overlap, and only 0-month ones count as no overlap", () => {
    const user = career(
      [],
      [study("x", "2005-09", "2009-06"), study("y", "2010-09", "2011-06"), study("z", "2000-01", "2001-01")],
    );
    const contact = career(
      [],
      [study("x", "2008-09", "2012-06"), study("y", "2008-09", "2009-06"), study("z", "2003-01", "2004-01")],
    );

    const result = overlaps(user, contact);

    expect(result.educationOverlapMonths).toBe(10); // x: 2008-09 .. 2009-06
    expect(result.sameSchoolNoOverlap).toBe(2);
  });

  it("the same school name under two provider ids is not the same school", () => {
    const result = overlaps(
      career([], [study("mit-1", "2010-01", "2012-01", "MIT")]),
      career([], [study("mit-2", "2010-01", "2012-01", "MIT")]),
    );

    expect(result.educationOverlapMonths).toBe(0);
    expect(result.sameSchoolNoOverlap).toBe(0);
  });

  it("work and education are separate: an organization and a school with one id never match", () => {
    const result = overlaps(career([job("x", "2010-01", null)]), career([], [study("x", "2010-01", null)]));

    expect(result).toEqual(NO_OVERLAPS);
  });
});

describe("the other facts and the inputs", () => {
  it("two empty histories give no overlaps", () => {
    expect(overlaps(career(), career())).toEqual(NO_OVERLAPS);
  });

  it("investorOverlap and linkedinFirstDegree stay 0: there is no investor or network data", () => {
    const result = overlaps(career([job("a", "2020-01", null)]), career([job("a", "2020-01", null)]));

    expect(result.investorOverlap).toBe(0);
    expect(result.linkedinFirstDegree).toBe(0);
  });

  it("a malformed month in any stint throws, even in a stint that would not overlap, rather than being skipped", () => {
    const contact = career([job("a", "2020-01", null)]);

    expect(() => overlaps(career([job("a", "2020-1", null)]), contact)).toThrow(InvalidInput);
    expect(() => overlaps(career([job("b", "2020-01", "2020-13")]), contact)).toThrow(InvalidInput);
    expect(() => overlaps(career([], [study("s", "2020", null)]), career())).toThrow(InvalidInput);
  });

  it("a malformed current month throws", () => {
    expect(() => computeOverlaps(career(), career(), { maxOrgSize: 50, currentMonth: "2024-6" })).toThrow(
      InvalidInput,
    );
  });

  it("overlapsByOrganization lists every shared organization with the user's name and size, most months first", () => {
    const user = career([
      job("a", "2010-01", "2010-12", 40, "Old A"),
      job("a", "2014-01", "2014-03", null, "A Inc."),
      job("b", "2012-01", "2012-12", 900, "B"),
      job("c", "2013-01", "2013-12", 10, "C"),
    ]);
    const contact = career([
      job("a", "2010-01", "2014-12", 7, "Contact's A"),
      job("b", "2012-01", "2013-12", 7, "B"),
      job("c", "2015-01", null, 10, "C"),
    ]);

    expect(overlapsByOrganization(user, contact, { currentMonth: NOW })).toEqual([
      { id: "a", name: "A Inc.", months: 15, size: 40 },
      { id: "b", name: "B", months: 12, size: 900 },
      { id: "c", name: "C", months: 0, size: 10 },
    ]);
    expect(
      overlapsBySchool(
        career([], [study("s", "2010-01", "2010-02", "S")]),
        career([], [study("s", "2010-02", null)]),
        {
          currentMonth: NOW,
        },
      ),
    ).toEqual([{ id: "s", name: "S", months: 1 }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random histories: a few organizations and schools, months around the current
// one so that open ends, clipping, ends before starts and future starts all occur.

const FIRST = monthIndex("2018-01");
const LAST = monthIndex("2022-12");
const PLACES = ["a", "b", "c", "d"] as const;
const SIZES = [null, 0, 10, 50, 51, 1000] as const;

function monthAt(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

const monthArb = fc.integer({ min: FIRST, max: LAST }).map(monthAt);
const endArb = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: monthArb });
const sizesArb = fc.tuple(...PLACES.map(() => fc.constantFrom(...SIZES)));

interface Draft {
  place: number;
  from: string;
  to: string | null;
}

const draftsArb: fc.Arbitrary<Draft[]> = fc.array(
  fc.record({ place: fc.integer({ min: 0, max: PLACES.length - 1 }), from: monthArb, to: endArb }),
  { maxLength: 8 },
);

/** A history whose organization sizes come from one table, so both sides agree on every size. */
function historyOf(work: Draft[], education: Draft[], sizes: readonly (number | null)[]): CareerHistory {
  return {
    work: work.map(({ place, from, to }) => job(PLACES[place] as string, from, to, sizes[place] ?? null)),
    education: education.map(({ place, from, to }) => study(PLACES[place] as string, from, to)),
  };
}

const pairArb = fc
  .record({
    userWork: draftsArb,
    userEducation: draftsArb,
    contactWork: draftsArb,
    contactEducation: draftsArb,
    sizes: sizesArb,
    currentMonth: monthArb,
  })
  .map(({ userWork, userEducation, contactWork, contactEducation, sizes, currentMonth }) => ({
    user: historyOf(userWork, userEducation, sizes),
    contact: historyOf(contactWork, contactEducation, sizes),
    currentMonth,
  }));

/** The months someone was at a place, listed one by one: the slow, obvious reading of the rules. */
function monthsAt(
  stints: readonly { id: string; from: string; to: string | null }[],
  id: string,
  now: string,
) {
  const months = new Set<number>();
  for (const stint of stints) {
    if (stint.id !== id) continue;
    const end = stint.to === null ? monthIndex(now) : Math.min(monthIndex(stint.to), monthIndex(now));
    for (let month = monthIndex(stint.from); month <= end; month += 1) months.add(month);
  }
  return months;
}

function workOf(history: CareerHistory) {
  return history.work.map((stint) => ({ id: stint.organization.id, from: stint.from, to: stint.to }));
}

describe("properties", () => {
  it("the pair's facts are symmetric when both sides give every organization the same size", () => {
    fc.assert(
      fc.property(pairArb, ({ user, contact, currentMonth }) => {
        const options = { maxOrgSize: MAX_ORG_SIZE, currentMonth };

        expect(computeOverlaps(contact, user, options)).toEqual(computeOverlaps(user, contact, options));
      }),
    );
  });

  it("workOverlapMonths never exceeds either side's months at any one organization, and small-team never exceeds it", () => {
    fc.assert(
      fc.property(pairArb, ({ user, contact, currentMonth }) => {
        const result = computeOverlaps(user, contact, { maxOrgSize: MAX_ORG_SIZE, currentMonth });
        const mostAtOnePlace = (history: CareerHistory) =>
          Math.max(0, ...PLACES.map((id) => monthsAt(workOf(history), id, currentMonth).size));

        expect(result.workOverlapMonths).toBeLessThanOrEqual(mostAtOnePlace(user));
        expect(result.workOverlapMonths).toBeLessThanOrEqual(mostAtOnePlace(contact));
        expect(result.smallTeamOverlapMonths).toBeLessThanOrEqual(result.workOverlapMonths);
      }),
    );
  });

  it("each shared organization's months equal a month-by-month count of the months both were there", () => {
    fc.assert(
      fc.property(pairArb, ({ user, contact, currentMonth }) => {
        const listed = overlapsByOrganization(user, contact, { currentMonth });

        for (const org of listed) {
          const mine = monthsAt(workOf(user), org.id, currentMonth);
          const theirs = monthsAt(workOf(contact), org.id, currentMonth);
          expect(org.months).toBe([...mine].filter((month) => theirs.has(month)).length);
        }
        const sharedIds = PLACES.filter(
          (id) =>
            user.work.some((stint) => stint.organization.id === id) &&
            contact.work.some((stint) => stint.organization.id === id),
        );
        expect(listed.map((org) => org.id).sort()).toEqual(sharedIds);
      }),
    );
  });
});
