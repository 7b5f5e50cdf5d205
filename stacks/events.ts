import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { StackContext } from "sst/constructs";
import { Function as SstFunction } from "sst/constructs";
import { manifest, type SubscriptionDefinition } from "../manifest";
import { applyNagSuppressions, constructId, type FunctionWiring, namePrefix } from "./shared";

/** The custom bus for domain events (`<stage>-kith-events`). */
export function Events({ stack, app }: StackContext) {
  const bus = new events.EventBus(stack, "Bus", { eventBusName: `${namePrefix(app)}events` });

  const wiring: FunctionWiring = {
    environment: { KITH_EVENT_BUS_NAME: bus.eventBusName },
    permissions: [new PolicyStatement({ actions: ["events:PutEvents"], resources: [bus.eventBusArn] })],
  };

  stack.addOutputs({ EventBusName: bus.eventBusName });
  applyNagSuppressions(stack);
  return { bus, wiring };
}

/** The manifest's pattern as an EventBridge pattern; an empty pattern matches every event on the bus. */
export function eventPattern(pattern: SubscriptionDefinition["pattern"]): events.EventPattern {
  const { source, detailType } = pattern;
  if (!source && !detailType) return { source: events.Match.prefix("") };
  return {
    ...(source ? { source: [...source] } : {}),
    ...(detailType ? { detailType: [...detailType] } : {}),
  };
}

/**
 * One rule on `bus` per `manifest.subscriptions` entry.
 *
 * Called from the Queues stack, not the Events stack: the SqsQueue target writes the rule's ARN into the
 * queue's resource policy, so a rule in another stack than its queue makes a cross-stack cycle.
 */
export function addSubscriptions(
  scope: Construct,
  props: {
    bus: events.IEventBus;
    queues: ReadonlyMap<string, sqs.IQueue>;
    subscriptions?: readonly SubscriptionDefinition[];
  },
): Map<string, events.Rule> {
  const rules = new Map<string, events.Rule>();
  const subscriptions: readonly SubscriptionDefinition[] = props.subscriptions ?? manifest.subscriptions;
  for (const subscription of subscriptions) {
    if (rules.has(subscription.name)) throw new Error(`duplicate subscription "${subscription.name}"`);
    const rule = new events.Rule(scope, `Subscription-${constructId(subscription.name)}`, {
      eventBus: props.bus,
      description: `kith subscription ${subscription.name}`,
      eventPattern: eventPattern(subscription.pattern),
    });
    if ("queue" in subscription.target) {
      const queueName = subscription.target.queue;
      const queue = props.queues.get(queueName);
      if (!queue) throw new Error(`subscription "${subscription.name}" targets unknown queue "${queueName}"`);
      if (queue.fifo) {
        throw new Error(
          `subscription "${subscription.name}" targets FIFO queue "${queueName}": EventBridge needs a ` +
            "MessageGroupId for that, which the manifest cannot express yet",
        );
      }
      rule.addTarget(new targets.SqsQueue(queue));
    } else {
      const fn = new SstFunction(scope, `Subscriber-${constructId(subscription.name)}`, {
        handler: subscription.target.handler,
      });
      rule.addTarget(new targets.LambdaFunction(fn));
    }
    rules.set(subscription.name, rule);
  }
  return rules;
}
