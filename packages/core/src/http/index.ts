export * from "./actor";
export * from "./response";
