export * from "./http";
export * from "./scheduled";
export * from "./sqs";
export * from "./stream";
export * from "./validation";
