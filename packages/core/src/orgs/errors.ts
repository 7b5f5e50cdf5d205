import { Conflict, NotFound } from "../util/errors";

export class SlugTaken extends Conflict {
  override readonly name = "SlugTaken";
  constructor(slug: string) {
    super("slug_taken", `The slug "${slug}" is taken`, { slug });
  }
}

export class OrgNotFound extends NotFound {
  override readonly name = "OrgNotFound";
  constructor() {
    super("Org", "org_not_found");
  }
}

/** An org with this id exists already (a directory org racing its own creation, or an id reused). */
export class OrgExists extends Conflict {
  override readonly name = "OrgExists";
  constructor(orgId: string) {
    super("org_exists", "An org with this id already exists", { orgId });
  }
}
