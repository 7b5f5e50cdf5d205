import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  buildSchema,
  type DocumentNode,
  execute,
  type FragmentDefinitionNode,
  GraphQLError,
  getOperationAST,
  Kind,
  parse,
  type SelectionSetNode,
  validate,
} from "graphql";
import { type LoopbackServer, listenLoopback, readBody, sendJson } from "./http";

/**
 * A loopback Linear GraphQL API for tests, the local runtime and benchmarks. The real
 * `@linear/sdk` client talks to it unchanged:
 *
 * ```ts
 * const linear = await LinearSandbox.start();
 * linear.addOrganization({ id: "0d5b…", name: "Acme", urlKey: "acme" });
 * linear.addApiKey("lin_api_…", "0d5b…");
 * const client = new LinearClient({ apiKey: "lin_api_…", apiUrl: linear.url }); // LINEAR_API_URL
 * (await client.organization).id; // "0d5b…"
 * ```
 *
 * Wire format as Linear's (linear.app/developers/graphql on authentication, `@linear/sdk`'s
 * `parseClientOptions` and error parsing, and 401/400 bodies captured from api.linear.app that
 * public client test suites quote verbatim):
 * - `POST /graphql` with a JSON `{ query, variables, operationName }` body.
 * - A personal API key is sent bare, `Authorization: <key>`; an OAuth access token as
 *   `Authorization: Bearer <token>`. A key sent as a Bearer token, or a token sent bare, is not
 *   accepted: each credential is looked up only where Linear's clients put it.
 * - The document is parsed and validated against a slice of Linear's schema before anything
 *   else, with graphql-js, so an unknown field gets GraphQL's own message (`Cannot query field
 *   "x" on type "Organization".`) and HTTP 400 with `extensions.code` `GRAPHQL_VALIDATION_FAILED`
 *   and `type` `graphql error`.
 * - A valid document reading data without a valid credential is HTTP 401 with Linear's body:
 *   `Authentication required, not authenticated`, `extensions.type` `authentication error`,
 *   `code` `AUTHENTICATION_ERROR`, which `@linear/sdk` turns into `AuthenticationLinearError`.
 *   Introspection alone (`__schema`, `__type`, `__typename`) needs no credential.
 * - Replies carry `Content-Type: application/json; charset=utf-8` and the
 *   `X-RateLimit-Requests-*` headers the SDK reads.
 *
 * OAuth scopes and API-key permissions are not modelled: every valid credential may read.
 *
 * Schema slice served: `Query.organization` and `Query.viewer`, with every field of
 * `Organization`, `User`, `ProjectStatus`, `PaidSubscription` and `Integration` that the SDK's
 * fragments select (so `client.organization` and `client.viewer` work), plus
 * `User.organization`. Connections (`teams`, `users`, `integrations`, …) and mutations are not
 * served: asking for them is a validation error, never a silent empty answer.
 */

/** An organization as the sandbox stores it; what the `Organization` fragment of the SDK reads. */
export interface LinearOrganizationInput {
  /** A UUID, as Linear's ids are; random by default. */
  id?: string;
  name: string;
  /** The workspace's URL key (`linear.app/<urlKey>`). */
  urlKey: string;
  /** Defaults to the time of the call. */
  createdAt?: Date | string;
}

export interface LinearFailure {
  kind: "ratelimited" | "internal";
  status?: number;
  times?: number;
}

export interface LinearUserInput {
  id?: string;
  name?: string;
  email?: string;
  displayName?: string;
  admin?: boolean;
}

export interface AddApiKeyOptions {
  /** The user who created the key, whom `viewer` answers; the organization's first user by default. */
  user?: LinearUserInput;
}

export interface AddOAuthTokenOptions {
  /** `user` (the default): the token acts as the authorizing user; `app`: as the app's own user (`actor=app`). */
  actor?: "user" | "app";
  /** The authorizing user; the organization's first user by default. */
  user?: LinearUserInput;
}

/** One request the sandbox received, recorded before authentication. */
export interface LinearRecordedRequest {
  method: string;
  path: string;
  /** The GraphQL operation name (the SDK names every operation, e.g. `organization`, `viewer`). */
  operationName?: string;
  /** The root fields selected, e.g. `["organization"]`. */
  rootFields: string[];
  variables?: Record<string, unknown>;
  /** Which credential form was used; never the credential itself. */
  auth: "apiKey" | "oauth" | "none";
}

interface StoredOrganization {
  id: string;
  name: string;
  urlKey: string;
  createdAt: string;
  updatedAt: string;
  projectStatuses: Record<string, unknown>[];
  users: Map<string, StoredUser>;
}

interface StoredUser {
  id: string;
  organizationId: string;
  name: string;
  email: string;
  displayName: string;
  admin: boolean;
  owner: boolean;
  app: boolean;
  createdAt: string;
  inviteHash: string;
}

interface Credential {
  kind: "apiKey" | "oauth";
  organizationId: string;
  userId: string;
  revoked: boolean;
}

interface Caller {
  organization: StoredOrganization;
  user: StoredUser;
}

/**
 * The slice of Linear's schema the sandbox serves. Written from `@linear/sdk`'s generated types
 * (field names, nullability and enum values as the SDK declares them) and limited to the types
 * the SDK's `organization` and `viewer` queries reach.
 */
const SCHEMA = buildSchema(/* GraphQL */ `
  scalar DateTime
  scalar JSONObject

  enum Day {
    Friday
    Monday
    Saturday
    Sunday
    Thursday
    Tuesday
    Wednesday
  }
  enum FeedSummarySchedule {
    daily
    never
    weekly
  }
  enum ProjectStatusType {
    backlog
    canceled
    completed
    paused
    planned
    started
  }
  enum ProjectUpdateReminderFrequency {
    month
    never
    twoWeeks
    week
  }
  enum ReleaseChannel {
    beta
    development
    internal
    preRelease
    privateBeta
    public
  }
  enum SLADayCountType {
    all
    onlyBusinessDays
  }

  interface Node {
    id: ID!
  }

  type Query {
    "The workspace of the authenticated user."
    organization: Organization!
    "The currently authenticated user."
    viewer: User!
  }

  type Organization implements Node {
    id: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    name: String!
    urlKey: String!
    logoUrl: String
    previousUrlKeys: [String!]!
    periodUploadVolume: Float!
    gitBranchFormat: String
    gitLinkbackMessagesEnabled: Boolean!
    gitPublicLinkbackMessagesEnabled: Boolean!
    gitLinkbackDescriptionsEnabled: Boolean!
    roadmapEnabled: Boolean!
    projectUpdateReminderFrequencyInWeeks: Float
    projectUpdateRemindersDay: Day!
    projectUpdateRemindersHour: Float!
    initiativeUpdateReminderFrequencyInWeeks: Float
    initiativeUpdateRemindersDay: Day!
    initiativeUpdateRemindersHour: Float!
    fiscalYearStartMonth: Float!
    workingDays: [Float!]!
    samlEnabled: Boolean!
    samlSettings: JSONObject
    scimEnabled: Boolean!
    scimSettings: JSONObject
    securitySettings: JSONObject!
    authSettings: JSONObject!
    allowedAuthServices: [String!]!
    allowedFileUploadContentTypes: [String!]
    allowMembersToInvite: Boolean
    restrictTeamCreationToAdmins: Boolean
    restrictLabelManagementToAdmins: Boolean
    restrictAgentInvocationToMembers: Boolean
    deletionRequestedAt: DateTime
    trialStartsAt: DateTime
    trialEndsAt: DateTime
    releaseChannel: ReleaseChannel!
    createdIssueCount: Int!
    customerCount: Int!
    userCount: Int!
    customersEnabled: Boolean!
    customersConfiguration: JSONObject!
    releasesEnabled: Boolean!
    feedEnabled: Boolean!
    defaultFeedSummarySchedule: FeedSummarySchedule
    defaultHomeView: String
    defaultHomeViewTargetId: String
    pullRequestIssueMode: String!
    pullRequestTourEnabled: Boolean!
    suggestedBranchNameEnabled: Boolean!
    hideNonPrimaryOrganizations: Boolean!
    hipaaComplianceEnabled: Boolean!
    aiAddonEnabled: Boolean!
    aiDiscussionSummariesEnabled: Boolean!
    aiThreadSummariesEnabled: Boolean!
    aiTelemetryEnabled: Boolean!
    generatedUpdatesEnabled: Boolean!
    slackProjectChannelPrefix: String!
    slackProjectChannelsEnabled: Boolean!
    slackAutoCreateProjectChannel: Boolean!
    slackProjectChannelIntegration: Integration
    projectUpdatesReminderFrequency: ProjectUpdateReminderFrequency!
    slaDayCount: SLADayCountType!
    themeSettings: JSONObject
    projectStatuses: [ProjectStatus!]!
    subscription: PaidSubscription
  }

  type ProjectStatus implements Node {
    id: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    name: String!
    color: String!
    description: String
    position: Float!
    type: ProjectStatusType!
    indefinite: Boolean!
  }

  type PaidSubscription implements Node {
    id: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    type: String!
    seats: Float!
    seatsMinimum: Float
    seatsMaximum: Float
    creator: User
    organization: Organization!
    collectionMethod: String!
    cancelAt: DateTime
    canceledAt: DateTime
    nextBillingAt: DateTime
    pendingChangeType: String
  }

  type Integration implements Node {
    id: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    service: String!
    creator: User!
    organization: Organization!
  }

  type User implements Node {
    id: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    archivedAt: DateTime
    name: String!
    displayName: String!
    email: String!
    avatarUrl: String
    avatarBackgroundColor: String!
    initials: String!
    description: String
    title: String
    timezone: String
    lastSeen: DateTime
    statusEmoji: String
    statusLabel: String
    statusUntilAt: DateTime
    disableReason: String
    gitHubUserId: String
    url: String!
    active: Boolean!
    admin: Boolean!
    owner: Boolean!
    guest: Boolean!
    app: Boolean!
    isMe: Boolean!
    isAssignable: Boolean!
    isMentionable: Boolean!
    supportsAgentSessions: Boolean!
    canAccessAnyPublicTeam: Boolean!
    hasGitHubCodeAccess: Boolean!
    createdIssueCount: Int!
    calendarHash: String
    inviteHash: String!
    organization: Organization!
  }
`);

const API_PATH = "/graphql";
const API_KEY = /^lin_api_[A-Za-z0-9]{8,}$/;
const OAUTH_TOKEN = /^lin_oauth_[A-Za-z0-9]{8,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const URL_KEY = /^[a-z0-9][a-z0-9-]{1,47}$/;
const REQUESTS_PER_HOUR = 5000;

/** Linear's body for a missing, unknown or revoked credential (HTTP 401). */
const AUTHENTICATION_ERROR = {
  message: "Authentication required, not authenticated",
  extensions: {
    type: "authentication error",
    code: "AUTHENTICATION_ERROR",
    statusCode: 401,
    userError: true,
    userPresentableMessage: "You need to authenticate to access this operation.",
    meta: {},
    http: { status: 401 },
  },
};

/** How Linear's server (Apollo) dresses an error raised before execution: parse, validation, bad request. */
function requestError(error: GraphQLError | string, code: string): Record<string, unknown> {
  const message = typeof error === "string" ? error : error.message;
  const locations = typeof error === "string" ? undefined : error.locations;
  return {
    message,
    ...(locations ? { locations } : {}),
    extensions: { http: { status: 400, headers: {} }, code, type: "graphql error", userError: true },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toIso(time: Date | string | undefined): string {
  const date = time === undefined ? new Date() : new Date(time);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a time: ${String(time)}`);
  return date.toISOString();
}

/** Root fields of the operation, through fragments, for deciding whether it reads data. */
function rootFields(document: DocumentNode, operationName: string | undefined): string[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...new Set(names)];
}

export interface LinearSandboxOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

export class LinearSandbox {
  private server!: LoopbackServer;
  private readonly organizations = new Map<string, StoredOrganization>();
  private readonly credentials = new Map<string, Credential>();
  private readonly recorded: LinearRecordedRequest[] = [];
  private readonly used = new Map<string, number>();
  private readonly failures: { failure: LinearFailure; remaining: number }[] = [];

  private constructor() {}

  /**
   * Fails the next `times` (default 1) GraphQL requests: `ratelimited` answers as Linear does when a
   * budget is spent (`extensions.code` `RATELIMITED`, type `ratelimited`; HTTP 400 unless `status`
   * says otherwise), `internal` with a 500 and an `internal error`.
   */
  failNext(failure: LinearFailure): void {
    this.failures.push({ failure, remaining: failure.times ?? 1 });
  }

  /** Starts a sandbox listening on 127.0.0.1. */
  static async start(options: LinearSandboxOptions = {}): Promise<LinearSandbox> {
    const sandbox = new LinearSandbox();
    sandbox.server = await listenLoopback((req, res) => sandbox.handle(req, res), options.port ?? 0);
    return sandbox;
  }

  /** `http://127.0.0.1:<port>/graphql`: the SDK's `apiUrl`, and what `LINEAR_API_URL` is set to. */
  get url(): string {
    return `${this.server.url}${API_PATH}`;
  }

  get port(): number {
    return this.server.port;
  }

  /** Stops the server and drops kept-alive connections. */
  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- workspace ---------------------------------------------------------------------------

  /** Creates a workspace with Linear's default project statuses. Returns its id. */
  addOrganization(input: LinearOrganizationInput): string {
    const id = input.id ?? randomUUID();
    if (!UUID.test(id)) throw new RangeError(`Linear ids are lower-case UUIDs, got ${id}`);
    if (this.organizations.has(id)) throw new Error(`Organization ${id} already exists`);
    if (!URL_KEY.test(input.urlKey)) throw new RangeError(`Not a Linear URL key: ${input.urlKey}`);
    if ([...this.organizations.values()].some((org) => org.urlKey === input.urlKey)) {
      throw new Error(`URL key ${input.urlKey} is taken`);
    }
    if (input.name.trim() === "") throw new RangeError("An organization needs a name");
    const createdAt = toIso(input.createdAt);
    const statuses: [string, string, string][] = [
      ["Backlog", "backlog", "#bec2c8"],
      ["Planned", "planned", "#e2e2e2"],
      ["In Progress", "started", "#f2c94c"],
      ["Completed", "completed", "#5e6ad2"],
      ["Canceled", "canceled", "#95a2b3"],
    ];
    this.organizations.set(id, {
      id,
      name: input.name,
      urlKey: input.urlKey,
      createdAt,
      updatedAt: createdAt,
      projectStatuses: statuses.map(([name, type, color], index) => ({
        __typename: "ProjectStatus",
        id: randomUUID(),
        createdAt,
        updatedAt: createdAt,
        archivedAt: null,
        name,
        color,
        description: null,
        position: index,
        type,
        indefinite: type === "backlog",
      })),
      users: new Map(),
    });
    return id;
  }

  /** Grants a personal API key (`lin_api_…`) of a user of the organization. */
  addApiKey(key: string, organizationId: string, options: AddApiKeyOptions = {}): void {
    if (!API_KEY.test(key)) throw new RangeError("A Linear API key looks like lin_api_…");
    this.grant(key, { kind: "apiKey", organizationId, user: options.user });
  }

  /** Grants an OAuth access token (`lin_oauth_…`) for the organization. */
  addOAuthToken(token: string, organizationId: string, options: AddOAuthTokenOptions = {}): void {
    if (!OAUTH_TOKEN.test(token)) throw new RangeError("A Linear OAuth access token looks like lin_oauth_…");
    this.grant(token, {
      kind: "oauth",
      organizationId,
      user: options.user,
      app: options.actor === "app",
    });
  }

  /** Revokes a key or token: further requests with it get the authentication error. */
  revoke(credential: string): void {
    const stored = this.credentials.get(credential);
    if (!stored) throw new Error("No such credential");
    stored.revoked = true;
  }

  // ---- requests ----------------------------------------------------------------------------

  /** Every request received, in arrival order, without credentials. */
  requests(): LinearRecordedRequest[] {
    return this.recorded.map((request) => structuredClone(request));
  }

  /** How many requests named the operation `operationName` (`organization`, `viewer`), or all of them. */
  requestCount(operationName?: string): number {
    return operationName === undefined
      ? this.recorded.length
      : this.recorded.filter((request) => request.operationName === operationName).length;
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = await readBody(req);
    const authorization = req.headers.authorization?.trim() ?? "";
    const auth = authorization === "" ? "none" : /^bearer\s/i.test(authorization) ? "oauth" : "apiKey";

    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) body = parsed;
    } catch {
      body = undefined;
    }
    const query = typeof body?.query === "string" ? body.query : undefined;
    const operationName = typeof body?.operationName === "string" ? body.operationName : undefined;
    const variables = isRecord(body?.variables) ? body.variables : undefined;
    let document: DocumentNode | undefined;
    let syntaxError: GraphQLError | undefined;
    if (query !== undefined) {
      try {
        document = parse(query);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        syntaxError = error;
      }
    }
    const fields = document ? rootFields(document, operationName) : [];
    const named = document ? getOperationAST(document, operationName)?.name?.value : undefined;
    this.recorded.push({
      method,
      path: url.pathname,
      ...((operationName ?? named) ? { operationName: operationName ?? named } : {}),
      rootFields: fields,
      ...(variables ? { variables: structuredClone(variables) } : {}),
      auth,
    });

    if (url.pathname !== API_PATH) {
      sendJson(res, 404, { errors: [{ message: "Not Found" }] });
      return;
    }
    const pending = this.failures[0];
    if (pending) {
      pending.remaining -= 1;
      if (pending.remaining <= 0) this.failures.shift();
      const { kind } = pending.failure;
      const status = pending.failure.status ?? (kind === "ratelimited" ? 400 : 500);
      const error =
        kind === "ratelimited"
          ? { message: "Rate limit exceeded", extensions: { code: "RATELIMITED", type: "ratelimited" } }
          : {
              message: "Internal server error",
              extensions: { code: "INTERNAL_SERVER_ERROR", type: "internal error" },
            };
      sendJson(res, status, { errors: [error] });
      return;
    }
    if (method !== "POST" || query === undefined) {
      sendJson(res, 400, {
        errors: [requestError("GraphQL operations must contain a non-empty `query`.", "BAD_REQUEST")],
      });
      return;
    }
    if (syntaxError || !document) {
      sendJson(res, 400, {
        errors: [requestError(syntaxError ?? "Syntax Error", "GRAPHQL_PARSE_FAILED")],
      });
      return;
    }
    const invalid = validate(SCHEMA, document);
    if (invalid.length > 0) {
      sendJson(res, 400, {
        errors: invalid.map((error) => requestError(error, "GRAPHQL_VALIDATION_FAILED")),
      });
      return;
    }

    const credential = this.credentialFor(authorization);
    const headers = this.rateLimitHeaders(credential ? authorization : `ip:${req.socket.remoteAddress}`);
    const readsData = fields.some((field) => !field.startsWith("__"));
    if (readsData && !credential) {
      sendJson(res, 401, { errors: [AUTHENTICATION_ERROR] }, headers);
      return;
    }
    const caller = credential ? this.caller(credential) : undefined;
    const result = await execute({
      schema: SCHEMA,
      document,
      rootValue: caller ? this.rootValue(caller) : {},
      variableValues: variables,
      operationName,
    });
    if (result.data === undefined) {
      // A request error (unknown operation name, bad variables): nothing was executed.
      sendJson(
        res,
        400,
        { errors: (result.errors ?? []).map((error) => requestError(error, "BAD_USER_INPUT")) },
        headers,
      );
      return;
    }
    sendJson(res, 200, result, headers);
  }

  private rateLimitHeaders(bucket: string): Record<string, string> {
    const used = (this.used.get(bucket) ?? 0) + 1;
    this.used.set(bucket, used);
    return {
      "x-ratelimit-requests-limit": String(REQUESTS_PER_HOUR),
      "x-ratelimit-requests-remaining": String(Math.max(0, REQUESTS_PER_HOUR - used)),
      "x-ratelimit-requests-reset": String(Date.now() + 60 * 60 * 1000),
    };
  }

  /** The credential the header carries, where Linear's clients put each kind; undefined if none is valid. */
  private credentialFor(authorization: string): Credential | undefined {
    if (authorization === "") return undefined;
    const bearer = /^bearer\s+(\S+)$/i.exec(authorization);
    const stored = this.credentials.get(bearer ? (bearer[1] ?? "") : authorization);
    if (!stored || stored.revoked) return undefined;
    return stored.kind === (bearer ? "oauth" : "apiKey") ? stored : undefined;
  }

  private caller(credential: Credential): Caller {
    const organization = this.organizations.get(credential.organizationId) as StoredOrganization;
    return { organization, user: organization.users.get(credential.userId) as StoredUser };
  }

  private grant(
    secret: string,
    input: {
      kind: "apiKey" | "oauth";
      organizationId: string;
      user: LinearUserInput | undefined;
      app?: boolean;
    },
  ): void {
    const organization = this.organizations.get(input.organizationId);
    if (!organization) throw new Error(`No organization ${input.organizationId}; call addOrganization first`);
    if (this.credentials.has(secret)) throw new Error("That credential is already granted");
    const user = this.userFor(organization, input.user, input.app ?? false);
    this.credentials.set(secret, {
      kind: input.kind,
      organizationId: organization.id,
      userId: user.id,
      revoked: false,
    });
  }

  /** The user a credential acts as: the one given (created if new), else the first member. */
  private userFor(
    organization: StoredOrganization,
    input: LinearUserInput | undefined,
    app: boolean,
  ): StoredUser {
    const existing = input?.id ? organization.users.get(input.id) : undefined;
    if (existing) return existing;
    if (!input && !app) {
      const first = organization.users.values().next().value;
      if (first && !first.app) return first;
    }
    const id = input?.id ?? randomUUID();
    if (!UUID.test(id)) throw new RangeError(`Linear ids are lower-case UUIDs, got ${id}`);
    const name = input?.name ?? (app ? "Kith" : "Workspace Owner");
    const handle = name.toLowerCase().replace(/[^a-z0-9]+/g, "");
    const user: StoredUser = {
      id,
      organizationId: organization.id,
      name,
      email:
        input?.email ??
        `${handle || "user"}@${app ? "oauthapp.linear.app" : `${organization.urlKey}.example`}`,
      displayName: input?.displayName ?? handle,
      admin: input?.admin ?? (!app && organization.users.size === 0),
      owner: !app && organization.users.size === 0,
      app,
      createdAt: organization.createdAt,
      inviteHash: randomBytes(8).toString("hex"),
    };
    organization.users.set(user.id, user);
    return user;
  }

  private rootValue(caller: Caller): Record<string, unknown> {
    return {
      organization: () => this.renderOrganization(caller.organization),
      viewer: () => this.renderUser(caller.user, caller),
    };
  }

  private renderOrganization(org: StoredOrganization): Record<string, unknown> {
    return {
      __typename: "Organization",
      id: org.id,
      createdAt: org.createdAt,
      updatedAt: org.updatedAt,
      archivedAt: null,
      name: org.name,
      urlKey: org.urlKey,
      logoUrl: null,
      previousUrlKeys: [],
      periodUploadVolume: 0,
      gitBranchFormat: null,
      gitLinkbackMessagesEnabled: true,
      gitPublicLinkbackMessagesEnabled: false,
      gitLinkbackDescriptionsEnabled: true,
      roadmapEnabled: false,
      projectUpdateReminderFrequencyInWeeks: 1,
      projectUpdateRemindersDay: "Friday",
      projectUpdateRemindersHour: 14,
      initiativeUpdateReminderFrequencyInWeeks: 2,
      initiativeUpdateRemindersDay: "Friday",
      initiativeUpdateRemindersHour: 14,
      fiscalYearStartMonth: 0,
      workingDays: [1, 2, 3, 4, 5],
      samlEnabled: false,
      samlSettings: null,
      scimEnabled: false,
      scimSettings: null,
      securitySettings: {},
      authSettings: {},
      allowedAuthServices: [],
      allowedFileUploadContentTypes: null,
      allowMembersToInvite: true,
      restrictTeamCreationToAdmins: false,
      restrictLabelManagementToAdmins: false,
      restrictAgentInvocationToMembers: false,
      deletionRequestedAt: null,
      trialStartsAt: null,
      trialEndsAt: null,
      releaseChannel: "public",
      createdIssueCount: 0,
      customerCount: 0,
      userCount: [...org.users.values()].filter((user) => !user.app).length,
      customersEnabled: false,
      customersConfiguration: {},
      releasesEnabled: false,
      feedEnabled: true,
      defaultFeedSummarySchedule: null,
      defaultHomeView: null,
      defaultHomeViewTargetId: null,
      pullRequestIssueMode: "off",
      pullRequestTourEnabled: false,
      suggestedBranchNameEnabled: true,
      hideNonPrimaryOrganizations: false,
      hipaaComplianceEnabled: false,
      aiAddonEnabled: false,
      aiDiscussionSummariesEnabled: false,
      aiThreadSummariesEnabled: false,
      aiTelemetryEnabled: false,
      generatedUpdatesEnabled: false,
      slackProjectChannelPrefix: "proj",
      slackProjectChannelsEnabled: false,
      slackAutoCreateProjectChannel: false,
      slackProjectChannelIntegration: null,
      projectUpdatesReminderFrequency: "week",
      slaDayCount: "all",
      themeSettings: null,
      projectStatuses: org.projectStatuses.map((status) => ({ ...status })),
      // A free workspace has no paid subscription.
      subscription: null,
    };
  }

  private renderUser(user: StoredUser, caller: Caller): Record<string, unknown> {
    const org = this.organizations.get(user.organizationId) as StoredOrganization;
    const initials = user.name
      .split(/\s+/)
      .filter((part) => part.length > 0)
      .slice(0, 2)
      .map((part) => part[0]?.toUpperCase() ?? "")
      .join("");
    return {
      __typename: "User",
      id: user.id,
      createdAt: user.createdAt,
      updatedAt: user.createdAt,
      archivedAt: null,
      name: user.name,
      displayName: user.displayName,
      email: user.email,
      avatarUrl: null,
      avatarBackgroundColor: "#5e6ad2",
      initials,
      description: null,
      title: null,
      timezone: "America/Los_Angeles",
      lastSeen: null,
      statusEmoji: null,
      statusLabel: null,
      statusUntilAt: null,
      disableReason: null,
      gitHubUserId: null,
      url: `https://linear.app/${org.urlKey}/profiles/${user.displayName}`,
      active: true,
      admin: user.admin,
      owner: user.owner,
      guest: false,
      app: user.app,
      isMe: user.id === caller.user.id,
      isAssignable: !user.app,
      isMentionable: true,
      supportsAgentSessions: false,
      canAccessAnyPublicTeam: true,
      hasGitHubCodeAccess: false,
      createdIssueCount: 0,
      calendarHash: null,
      inviteHash: user.inviteHash,
      organization: () => this.renderOrganization(org),
    };
  }
}
