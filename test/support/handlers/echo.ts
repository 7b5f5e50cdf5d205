import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Returns the event it was given, so gateway tests can see exactly what a handler receives. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", "x-echo": "yes" },
    cookies: ["a=1; Path=/", "b=2; Path=/"],
    body: JSON.stringify(event),
  };
}

/** Answers with bytes that are not valid UTF-8, base64-encoded as API Gateway expects. */
export async function binary(): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 201,
    headers: { "content-type": "application/octet-stream" },
    isBase64Encoded: true,
    body: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString("base64"),
  };
}

export async function slow(): Promise<never> {
  return new Promise(() => undefined);
}
