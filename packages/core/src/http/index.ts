export * from "./actor";
export * from "./org-access";
export * from "./response";
