/** The KMS actions each `sealedSecrets` access (a route's or a queue consumer's) needs. */
export const SEALED_SECRETS_ACTIONS = {
  seal: ["kms:Encrypt"],
  open: ["kms:Decrypt"],
  "seal+open": ["kms:Encrypt", "kms:Decrypt"],
} as const;
