/**
 * A synthesized CloudFormation template with its intrinsic functions resolved the way CloudFormation would in a
 * fixed account and region, so tests can evaluate the real IAM policies and execute the real state machine
 * definitions. Physical names the template leaves to CloudFormation become `<logicalId>`-based names.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
}

export interface CfnTemplate {
  Resources: Record<string, TemplateResource>;
}

/** Lambda function physical names used for resolved ARNs: `fn-<logicalId>`. */
export const functionName = (logicalId: string): string => `fn-${logicalId}`;

/** A scalar (a name, an id, an ARN) as text; a list or an object where one is expected is a mistake. */
function scalar(v: Json): string {
  if (v !== null && typeof v === 'object') throw new Error(`expected a scalar, got ${JSON.stringify(v)}`);
  return String(v);
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'CryptoLakehouse',
  'AWS::NoValue': '',
};

export class ResolvedTemplate {
  constructor(readonly template: CfnTemplate) {}

  resource(logicalId: string): TemplateResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`no resource ${logicalId} in the template`);
    return r;
  }

  /** Logical ids of the resources of a type whose logical id starts with `prefix`. */
  ids(type: string, prefix = ''): string[] {
    return Object.entries(this.template.Resources)
      .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
      .map(([id]) => id);
  }

  /** The one resource of `type` whose logical id starts with `prefix` (throws when none or several match). */
  one(type: string, prefix: string): string {
    const ids = this.ids(type, prefix);
    if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
    return ids[0];
  }

  /** `Ref` of a resource, as CloudFormation returns it (a name for buckets, functions, roles, ...). */
  ref(logicalId: string): string {
    const r = this.resource(logicalId);
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return p.BucketName !== undefined ? this.text(p.BucketName) : `bucket-${logicalId.toLowerCase()}`;
      case 'AWS::Lambda::Function':
        return p.FunctionName !== undefined ? this.text(p.FunctionName) : functionName(logicalId);
      case 'AWS::IAM::Role':
        return `role-${logicalId}`;
      case 'AWS::StepFunctions::StateMachine':
        return this.arn(logicalId);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${logicalId}`;
      case 'AWS::Glue::Database':
        return p.DatabaseInput ? this.text((p.DatabaseInput as Record<string, Json>).Name) : logicalId;
      case 'AWS::Glue::Table':
        return this.text((p.TableInput as Record<string, Json>).Name);
      default:
        return logicalId;
    }
  }

  /** `Fn::GetAtt [logicalId, Arn]`. */
  arn(logicalId: string): string {
    const r = this.resource(logicalId);
    const svc = (t: string) => `arn:aws:${t}:${REGION}:${ACCOUNT}`;
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.ref(logicalId)}`;
      case 'AWS::Lambda::Function':
        return `${svc('lambda')}:function:${this.ref(logicalId)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${this.ref(logicalId)}`;
      case 'AWS::Logs::LogGroup':
        return `${svc('logs')}:log-group:${logicalId}:*`;
      case 'AWS::StepFunctions::StateMachine':
        return `${svc('states')}:stateMachine:${logicalId}`;
      case 'AWS::SQS::Queue':
        return `${svc('sqs')}:${logicalId}`;
      case 'AWS::SNS::Topic':
        return `${svc('sns')}:${logicalId}`;
      default:
        return `${svc(r.Type.split('::')[1].toLowerCase())}:${logicalId}`;
    }
  }

  /** A template value that resolves to a scalar (a name, an ARN, a state machine definition), as text. */
  text(v: Json | undefined): string {
    return scalar(this.resolve(v));
  }

  /** A template value with every intrinsic function replaced by its value. */
  resolve(v: Json | undefined): Json {
    if (v === undefined) return null;
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = v[k];
      switch (k) {
        case 'Ref': {
          const name = scalar(arg);
          return name in PSEUDO ? PSEUDO[name] : this.ref(name);
        }
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? arg.split('.') : (arg as string[]);
          if (attr === 'Arn') return this.arn(id);
          if (attr === 'RegionalDomainName') return `${this.ref(id)}.s3.${REGION}.amazonaws.com`;
          return `${id}.${attr}`;
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return (this.resolve(parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [i, list] = arg as [number, Json];
          return (this.resolve(list) as Json[])[Number(this.resolve(i))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, Json];
          return this.text(s).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return this.text(vars[name]);
            if (name in PSEUDO) return PSEUDO[name];
            const [id, attr] = name.split('.');
            return attr === 'Arn' ? this.arn(id) : this.ref(id);
          });
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`cannot resolve ${k} in a test template`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(v[k])]));
  }

  /** Logical id of the role a Lambda function runs as. */
  functionRole(functionId: string): string {
    return roleIdOf(this.resource(functionId).Properties?.Role);
  }

  /** Logical id of a state machine's execution role. */
  stateMachineRole(machineId: string): string {
    return roleIdOf(this.resource(machineId).Properties?.RoleArn);
  }

  /** The identity policy documents attached to a role: its inline policies and every AWS::IAM::Policy naming it. */
  rolePolicies(roleId: string): { name: string; policy: Record<string, Json> }[] {
    const role = this.resource(roleId);
    if (role.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not a role`);
    if (role.Properties?.ManagedPolicyArns) throw new Error(`${roleId} has managed policies, which this test cannot evaluate`);
    const inline = ((role.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]).map((p) => ({
      name: p.PolicyName,
      policy: this.resolve(p.PolicyDocument) as Record<string, Json>,
    }));
    const attached = this.ids('AWS::IAM::Policy')
      .filter((id) => ((this.resource(id).Properties?.Roles ?? []) as { Ref?: string }[]).some((r) => r.Ref === roleId))
      .map((id) => ({ name: id, policy: this.resolve(this.resource(id).Properties!.PolicyDocument) as Record<string, Json> }));
    return [...inline, ...attached];
  }
}

function roleIdOf(v: Json | undefined): string {
  const getAtt = (v as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  if (!getAtt || getAtt[1] !== 'Arn') throw new Error(`expected a role reference, got ${JSON.stringify(v)}`);
  return getAtt[0];
}
