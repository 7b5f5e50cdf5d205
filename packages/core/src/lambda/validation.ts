import type { z } from "zod";

/** zod issues → the contract's `details`, naming each invalid field by its dotted path. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    details[field] ??= issue.message;
  }
  return details;
}
