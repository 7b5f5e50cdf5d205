/**
 * Imported first by every route test file, before any core module creates the shared logger:
 * rejected requests are the point of many tests, and one info line each would bury the results.
 * Warnings and errors still print.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
