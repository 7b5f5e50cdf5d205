import { tableDefinition } from "@kith/core/storage";
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type { StackContext } from "sst/constructs";
import { applyNagSuppressions, type FunctionWiring, retainsData } from "./shared";

/** Item-level actions only: no Scan (no request path scans) and no table administration. */
const TABLE_DATA_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
];

/** The single DynamoDB table, built from the same `tableDefinition` the local runtime uses. */
export function Storage({ stack, app }: StackContext) {
  const retain = retainsData(app);
  const string = dynamodb.AttributeType.STRING;

  const table = new dynamodb.Table(stack, "Table", {
    partitionKey: { name: tableDefinition.partitionKey, type: string },
    sortKey: { name: tableDefinition.sortKey, type: string },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
    stream: dynamodb.StreamViewType[tableDefinition.stream],
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: retain,
  });
  for (const index of tableDefinition.globalIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: string },
      sortKey: { name: index.sortKey, type: string },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  // Seals secrets kept in the table (integration secrets, bot tokens): see packages/core/src/vault.
  const secretsKey = new kms.Key(stack, "SecretsKey", {
    description: "Kith: encrypts secrets stored in the table",
    enableKeyRotation: true,
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  // Every function knows the key; only the routes the manifest marks `sealedSecrets` may use it (stacks/api.ts).
  const wiring: FunctionWiring = {
    environment: { KITH_TABLE_NAME: table.tableName, KITH_KMS_KEY_ID: secretsKey.keyArn },
    permissions: [
      new PolicyStatement({
        actions: TABLE_DATA_ACTIONS,
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    ],
  };

  stack.addOutputs({ TableName: table.tableName });
  applyNagSuppressions(stack);
  return { table, secretsKey, wiring };
}
