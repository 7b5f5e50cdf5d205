export * from "./errors";
export * from "./logger";
export * from "./scrub";
export * from "./text";
