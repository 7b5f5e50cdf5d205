import * as Events from "@kith/core/events";
import { streamConsumer } from "@kith/core/lambda";

export const handler = streamConsumer(Events.relay);
