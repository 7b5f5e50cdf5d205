export * from "./http";
export * from "./scheduled";
export * from "./sqs";
export * from "./validation";
