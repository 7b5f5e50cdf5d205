export * from "./define";
export * from "./detail";
export { putOnBus } from "./publish";
export { type OutboxChange, relay } from "./relay";
export { type ReplaySummary, replayOutbox } from "./replay";
