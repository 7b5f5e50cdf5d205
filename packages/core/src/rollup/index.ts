export * as Combine from "./combine";
export * as Events from "./events";
export {
  ContactChangeMessageSchema,
  handleContactChange,
  handleRebuildJob,
  RebuildJobSchema,
  requestFullRebuild,
  startNightly,
} from "./jobs";
export * as Keys from "./keys";
export { listUnresolved } from "./lookup";
export { lookupResolver, type Resolver } from "./resolver";
export { applyEventChanges, applyStreamChanges, eventChangesOf, rebuildPairs } from "./rollup";
export * as Routes from "./routes";
