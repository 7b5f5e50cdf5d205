export * as Config from "./config";
export * as Events from "./events";
export * as Health from "./health";
export * as Http from "./http";
export * as Journal from "./journal";
export * as Lambda from "./lambda";
export * as Storage from "./storage";
export * as Util from "./util";
