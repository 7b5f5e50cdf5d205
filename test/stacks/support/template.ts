/**
 * A small model of synthesized CloudFormation templates that can follow references across stacks
 * (`Fn::ImportValue` → the exporting stack's output), so checks can ask "is this the table's ARN?"
 * no matter which stack the reference sits in.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

/** A resource, named by the stack that declares it. */
export interface Located {
  stack: string;
  logicalId: string;
  resource: CfnResource;
}

/** What a reference points at after following imports: `Ref` or `Fn::GetAtt` of a resource. */
export interface Target {
  stack: string;
  logicalId: string;
  /** `undefined` for `Ref`, the attribute name for `Fn::GetAtt`. */
  attribute?: string;
}

export class Templates {
  constructor(readonly byStackName: ReadonlyMap<string, CfnTemplate>) {}

  /** Every resource of `type` in every stack. */
  all(type: string): Located[] {
    const found: Located[] = [];
    for (const [stack, template] of this.byStackName) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        if (resource.Type === type) found.push({ stack, logicalId, resource });
      }
    }
    return found;
  }

  get(stack: string, logicalId: string): CfnResource | undefined {
    return this.byStackName.get(stack)?.Resources[logicalId];
  }

  /** Follows `Ref`, `Fn::GetAtt` and `Fn::ImportValue` (through the exporting stack's output). */
  resolve(value: unknown, stack: string): Target | undefined {
    if (!value || typeof value !== "object") return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === "string") return { stack, logicalId: v.Ref };
    const getAtt = v["Fn::GetAtt"];
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string") {
      return { stack, logicalId: getAtt[0], attribute: String(getAtt[1]) };
    }
    const importName = v["Fn::ImportValue"];
    if (typeof importName === "string") {
      for (const [exporter, template] of this.byStackName) {
        for (const output of Object.values(template.Outputs ?? {})) {
          if (output.Export?.Name === importName) return this.resolve(output.Value, exporter);
        }
      }
    }
    return undefined;
  }

  /** Whether `value` (seen in `stack`) refers to `target` (`attribute` undefined means `Ref`). */
  refersTo(value: unknown, stack: string, target: Located, attribute?: string): boolean {
    const resolved = this.resolve(value, stack);
    return (
      resolved !== undefined &&
      resolved.stack === target.stack &&
      resolved.logicalId === target.logicalId &&
      resolved.attribute === attribute
    );
  }

  /**
   * `{"Fn::Join": ["", [<ref>, "/index/*"]]}` → the reference and the literal suffix, so that
   * `<tableArn>/index/*` can be recognized as well.
   */
  resolveJoin(value: unknown, stack: string): { target: Target; suffix: string } | undefined {
    if (!value || typeof value !== "object") return undefined;
    const join = (value as Record<string, unknown>)["Fn::Join"];
    if (!Array.isArray(join) || join[0] !== "" || !Array.isArray(join[1]) || join[1].length !== 2)
      return undefined;
    const [head, suffix] = join[1] as [unknown, unknown];
    const target = this.resolve(head, stack);
    return target && typeof suffix === "string" ? { target, suffix } : undefined;
  }

  /** The statements of every `AWS::IAM::Policy` attached to the role `roleId` in `stack`. */
  roleStatements(stack: string, roleId: string): PolicyStatementJson[] {
    const statements: PolicyStatementJson[] = [];
    for (const policy of this.all("AWS::IAM::Policy")) {
      if (policy.stack !== stack) continue;
      const roles = (policy.resource.Properties?.Roles ?? []) as unknown[];
      if (!roles.some((role) => this.resolve(role, stack)?.logicalId === roleId)) continue;
      const document = policy.resource.Properties?.PolicyDocument as { Statement: PolicyStatementJson[] };
      statements.push(...document.Statement);
    }
    return statements;
  }
}

export interface PolicyStatementJson {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
