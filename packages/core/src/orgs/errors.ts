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

/** A directory change that is not newer than what the org holds (a replay, or an older event). */
export class DirectoryChangeStale extends Conflict {
  override readonly name = "DirectoryChangeStale";
  constructor(orgId: string, eventId: string) {
    super("directory_change_stale", "The org already holds this directory change or a newer one", {
      orgId,
      eventId,
    });
  }
}
