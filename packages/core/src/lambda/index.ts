export * from "./http";
export * from "./scheduled";
export * from "./sqs";
export * from "./stream";
export * from "./stream-batch";
export * from "./validation";
