import { sqsConsumer } from "@kith/core/lambda";
import { SyncJobSchema } from "@kith/core/mailbox/schemas";
import { runSyncJob } from "@kith/core/sync/job";
import { microsoftSync } from "@kith/core/sync/microsoft";

export const handler = sqsConsumer({ body: SyncJobSchema }, async (job) => {
  await runSyncJob(job, microsoftSync);
});
