import type * as core from "zod/v4/core";

/**
 * zod issues → the contract's `details`, naming each invalid field by its dotted path. An unknown
 * field is named itself ("plan": "unknown field"), not reported against the object holding it.
 */
export function issuesToDetails(issues: readonly core.$ZodIssue[]): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of issues) {
    const prefix = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) details[[...prefix, key].join(".")] ??= "unknown field";
      continue;
    }
    const field = prefix.length > 0 ? prefix.join(".") : "(root)";
    details[field] ??= issue.message;
  }
  return details;
}
