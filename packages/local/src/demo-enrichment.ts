import type { FindemPerson, FindemWork } from "@kith/sandbox";
import { DEMO_MEMBERS } from "./demo";
import type { DemoContactsPlan } from "./demo-contacts";

/**
 * What the Findem sandbox knows about the demo's people (docs/local-runtime.md, "Enrichment"):
 * every demo member has a career, so strength can compute overlaps; the plan's past colleague
 * worked beside Maya at Northwind Labs (42 people) for four years, so their connection is warm
 * through `long_work_overlap` although their mail alone is cold or known. Everyone else is
 * synthesized by the sandbox (its own organizations and schools, which no member shares), with
 * some ambiguous and low-confidence answers, so resolution meets every case.
 */

const NORTHWIND = { id: "org_demo_northwind", name: "Northwind Labs", size: 42 };
const ACME = { id: "org_demo_acme", name: "Acme", size: 180 };
const GLOBEX = { id: "org_demo_globex", name: "Globex", size: 12_000 };
const INITECH = { id: "org_demo_initech", name: "Initech", size: 35 };
const LAKESIDE = { id: "sch_demo_lakeside", name: "Lakeside University" };

const job = (organization: FindemWork["organization"], title: string, from: string, to: string | null) => ({
  organization,
  title,
  from,
  to,
});

const CAREERS: Readonly<Record<string, Pick<FindemPerson, "work" | "education">>> = {
  "maya.chen@acme.example": {
    work: [
      job(NORTHWIND, "Product Designer", "2013-02", "2019-06"),
      job(ACME, "Head of Design", "2019-07", null),
    ],
    education: [{ school: LAKESIDE, from: "2008-09", to: "2012-06" }],
  },
  "diego.alvarez@acme.example": {
    work: [job(GLOBEX, "Account Executive", "2012-01", "2018-03"), job(ACME, "VP Sales", "2018-04", null)],
    education: [],
  },
  "priya.natarajan@acme.example": {
    work: [job(INITECH, "Engineer", "2016-05", "2020-12"), job(ACME, "CTO", "2021-01", null)],
    education: [{ school: LAKESIDE, from: "2011-09", to: "2015-06" }],
  },
  "amara.okafor@acme.example": {
    work: [
      job(GLOBEX, "Partnerships", "2015-06", "2021-02"),
      job(ACME, "Partnerships Lead", "2021-03", null),
    ],
    education: [],
  },
  "lukas.becker@acme.example": { work: [job(ACME, "Engineer", "2022-02", null)], education: [] },
  "jordan.reyes@acme.example": { work: [job(ACME, "Recruiter", "2020-09", null)], education: [] },
};

function handleOf(email: string): string {
  return (email.split("@")[0] ?? email).replace(/[^a-z0-9]+/gi, "-").toLowerCase();
}

export function demoPeople(plan: Pick<DemoContactsPlan, "pastColleague">): FindemPerson[] {
  const members = DEMO_MEMBERS.map((member) => ({
    findemId: `fdm_demo_${handleOf(member.email)}`,
    linkedinHandle: `demo-${handleOf(member.email)}`,
    emails: [member.email, ...member.aliases],
    ...(CAREERS[member.email] ?? { work: [], education: [] }),
  }));
  const colleague = plan.pastColleague.email;
  if (!colleague) return members;
  return [
    ...members,
    {
      findemId: `fdm_demo_${handleOf(colleague)}`,
      linkedinHandle: `demo-${handleOf(colleague)}`,
      emails: [colleague],
      work: [
        job(NORTHWIND, "Engineering Manager", "2015-01", "2018-12"),
        job(GLOBEX, "Director", "2019-01", null),
      ],
      education: [],
    },
  ];
}
