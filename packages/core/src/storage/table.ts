/**
 * The single table's shape, shared by `stacks/storage.ts` and the local runtime's bootstrap so that
 * DynamoDB Local always has exactly the keys and indexes that AWS has.
 */

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  partitionKey: string;
  sortKey: string;
  /** Every key attribute is a string: numeric orderings are written as zero-padded strings. */
  globalIndexes: readonly IndexDefinition[];
  timeToLiveAttribute: string;
  /** The table's stream: what the outbox relay (manifest `streams`) reads. */
  stream: "NEW_AND_OLD_IMAGES";
}

export const tableDefinition = {
  partitionKey: "pk",
  sortKey: "sk",
  globalIndexes: [
    // Secondary access paths that stay inside one tenant: e.g. users by name, unmapped by count.
    { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    // Lookups across a second dimension: e.g. token by hash, interactions by correspondent.
    { name: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  ],
  timeToLiveAttribute: "expiresAt",
  // Both images: the relay publishes only the outbox events a write added (storage/outbox.ts).
  stream: "NEW_AND_OLD_IMAGES",
} as const satisfies TableDefinition;

/** Every attribute that is part of a key, for CreateTable's AttributeDefinitions. */
export function keyAttributes(definition: TableDefinition = tableDefinition): string[] {
  const names = [definition.partitionKey, definition.sortKey];
  for (const index of definition.globalIndexes) names.push(index.partitionKey, index.sortKey);
  return [...new Set(names)];
}
