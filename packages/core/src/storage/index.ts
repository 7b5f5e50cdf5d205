export * from "./client";
export * from "./cursor";
export * from "./errors";
export * from "./table";
