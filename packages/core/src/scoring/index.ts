export * as Events from "./events";
export {
  handleScoringEvent,
  handleScoringJob,
  SCORING_JOBS_QUEUE,
  ScoringEventMessageSchema,
  ScoringJobSchema,
  startNightly,
} from "./jobs";
export { setKeyConnectionOptOut, setOverride } from "./overrides";
export * as Reachability from "./reachability";
export { getContactDetail, listContacts } from "./read";
export { type RecomputeOutcome, recomputeTargets, refreshReach, type Target } from "./recompute";
export * as Routes from "./routes";
export * as Rules from "./rules";
export { getRules, tuneRules } from "./rulesets";
export * from "./schemas";
