import { Logger } from "@aws-lambda-powertools/logger";
import { scrubReplacer } from "./scrub";

/**
 * The one logger every module and handler shares. Its JSON replacer scrubs secrets from every
 * key/value pair before serialization, so no code path can log a token by accident.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "kith",
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO") as "INFO",
  jsonReplacerFn: scrubReplacer,
});
