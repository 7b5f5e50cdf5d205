import { sqsConsumer } from "@kith/core/lambda";
import { SyncJobSchema } from "@kith/core/mailbox/schemas";
import { googleSync } from "@kith/core/sync/google";
import { runSyncJob } from "@kith/core/sync/job";

export const handler = sqsConsumer({ body: SyncJobSchema }, async (job, record) => {
  // The message id names a fresh request's chain, so SQS's redelivery after a crash resumes it.
  await runSyncJob(job, googleSync, { messageId: record.messageId });
});
