import { streamBatchConsumer } from "@kith/core/lambda";
import * as Rollup from "@kith/core/rollup";

export const handler = streamBatchConsumer((changes) => Rollup.applyStreamChanges(changes));
