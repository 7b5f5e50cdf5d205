export * as AgentMail from "./agentmail";
export * as Deliveries from "./deliveries";
export * as GitHub from "./github";
export * as GitLab from "./gitlab";
export * as Linear from "./linear";
export { type Delivery, type Outcome, receive, type SenderInput, toResponse } from "./receive";
export * as Slack from "./slack";
