export * from "./client";
export * from "./cursor";
export * from "./errors";
export * from "./metrics";
export * from "./outbox";
export * from "./table";
export * from "./transaction";
