/**
 * Check 2: every resource is valid CloudFormation, against the registry schemas in @aws-cdk/aws-service-spec (the
 * database aws-cdk-lib generates its L1s from): the type exists; every property is one the type has; every required
 * property is there; every value has its type (nested types, lists, maps, unions, tags); every Ref and GetAtt names a
 * resource of the template, and a GetAtt an attribute that type has. A value given by an intrinsic is only checked
 * for the intrinsic's target: what it resolves to is known on deploy.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Template } from './template.ts';

export interface SchemaProblem {
  readonly resource: string;
  readonly property: string;
  readonly problem: string;
}

export interface SchemaResult {
  resources: number;
  problems: SchemaProblem[];
}

type Db = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
type PropertyType = {
  type: string;
  element?: PropertyType;
  types?: PropertyType[];
  reference?: { $ref: string };
  allowedValues?: unknown[];
};
type Properties = Record<string, { type: PropertyType; required?: boolean }>;

let db: Promise<Db> | undefined;
/** The spec database, loaded once per process (it takes seconds). */
export const specDb = (): Promise<Db> => (db ??= loadAwsServiceSpec());

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
]);

const isIntrinsic = (v: unknown): v is Record<string, unknown> => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
};

export async function checkSchema(template: Template): Promise<SchemaResult> {
  const spec = await specDb();
  const problems: SchemaProblem[] = [];
  let resources = 0;
  const typeOf = (id: string) => template.Resources[id]?.Type;
  const resourceSpec = (type: string) => spec.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  const definition = (ref: string) => spec.get('typeDefinition', ref) as unknown as { name: string; properties: Properties };

  /** Every Ref and GetAtt under v, checked against the template. */
  const checkIntrinsics = (resource: string, path: string, v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => checkIntrinsics(resource, `${path}[${i}]`, x));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (isIntrinsic(o) && 'Ref' in o) {
      const target = o.Ref as string;
      if (!PSEUDO.has(target) && !template.Resources[target] && !template.Parameters?.[target])
        problems.push({ resource, property: path, problem: `Ref to ${target}, which is not in the template` });
      return;
    }
    if (isIntrinsic(o) && 'Fn::GetAtt' in o) {
      const arg = o['Fn::GetAtt'];
      const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.*)/s);
      const type = typeOf(id!);
      if (!type) problems.push({ resource, property: path, problem: `GetAtt of ${id}, which is not in the template` });
      else if (!type.startsWith('Custom::') && type !== 'AWS::CloudFormation::CustomResource') {
        const rs = resourceSpec(type);
        if (rs && !(attr! in rs.attributes))
          problems.push({ resource, property: path, problem: `GetAtt ${id}.${attr}: ${type} has no attribute ${attr}` });
      }
      return;
    }
    if (isIntrinsic(o) && 'Fn::Sub' in o) {
      const arg = o['Fn::Sub'];
      const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
      for (const m of text.matchAll(/\$\{([^}!]+)\}/g)) {
        const name = m[1]!;
        if (name in vars || PSEUDO.has(name)) continue;
        const [id, attr] = name.split(/\.(.*)/s);
        checkIntrinsics(resource, path, attr ? { 'Fn::GetAtt': [id, attr] } : { Ref: id });
      }
      checkIntrinsics(resource, path, vars);
      return;
    }
    for (const [k, x] of Object.entries(o)) checkIntrinsics(resource, path ? `${path}.${k}` : k, x);
  };

  /** A value against its type; problems named by the property's path. */
  const checkValue = (resource: string, path: string, v: unknown, t: PropertyType): string | undefined => {
    if (isIntrinsic(v)) return undefined;
    switch (t.type) {
      case 'json':
        return undefined;
      case 'string':
      case 'date-time':
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return undefined;
        return `expected a string, got ${describe(v)}`;
      case 'integer':
      case 'number':
        if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))) return undefined;
        return `expected a number, got ${describe(v)}`;
      case 'boolean':
        if (typeof v === 'boolean' || v === 'true' || v === 'false') return undefined;
        return `expected true or false, got ${describe(v)}`;
      case 'null':
        return v === null ? undefined : `expected null, got ${describe(v)}`;
      case 'tag':
        if (v && typeof v === 'object' && 'Key' in v && 'Value' in v) return undefined;
        return `expected a tag {Key, Value}, got ${describe(v)}`;
      case 'array':
        if (!Array.isArray(v)) return `expected a list, got ${describe(v)}`;
        v.forEach((x, i) => report(resource, `${path}[${i}]`, checkValue(resource, `${path}[${i}]`, x, t.element!)));
        return undefined;
      case 'map':
        if (!v || typeof v !== 'object' || Array.isArray(v)) return `expected a map, got ${describe(v)}`;
        for (const [k, x] of Object.entries(v)) report(resource, `${path}.${k}`, checkValue(resource, `${path}.${k}`, x, t.element!));
        return undefined;
      case 'union': {
        // The first type the value fits, its nested problems reported; none: say which were expected.
        for (const u of t.types ?? []) {
          const before = problems.length;
          if (checkValue(resource, path, v, u) === undefined && problems.length === before) return undefined;
          problems.length = before;
        }
        return `expected one of ${(t.types ?? []).map((u) => u.type).join(', ')}, got ${describe(v)}`;
      }
      case 'ref': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return `expected an object, got ${describe(v)}`;
        const def = definition(t.reference!.$ref);
        checkObject(resource, path, v as Record<string, unknown>, def.properties);
        return undefined;
      }
    }
    return undefined;
  };
  const report = (resource: string, property: string, problem: string | undefined) => {
    if (problem) problems.push({ resource, property, problem });
  };
  const checkObject = (resource: string, path: string, v: Record<string, unknown>, props: Properties) => {
    const at = (k: string) => (path ? `${path}.${k}` : k);
    for (const [k, x] of Object.entries(v)) {
      const p = props[k];
      if (!p) {
        const near = Object.keys(props).find((n) => distance(n.toLowerCase(), k.toLowerCase()) <= 2);
        problems.push({ resource, property: at(k), problem: `no such property${near ? ` (did you mean ${near}?)` : ''}` });
        continue;
      }
      report(resource, at(k), checkValue(resource, at(k), x, p.type));
    }
    for (const [k, p] of Object.entries(props))
      if (p.required && !(k in v)) problems.push({ resource, property: at(k), problem: 'required, missing' });
  };

  for (const [id, r] of Object.entries(template.Resources)) {
    resources++;
    checkIntrinsics(id, '', r.Properties ?? {});
    if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource' || r.Type === 'AWS::CDK::Metadata') continue;
    const rs = resourceSpec(r.Type);
    if (!rs) {
      problems.push({ resource: id, property: '', problem: `${r.Type} is not a CloudFormation resource type` });
      continue;
    }
    checkObject(id, '', r.Properties ?? {}, rs.properties as unknown as Properties);
  }
  for (const [name, o] of Object.entries(template.Outputs ?? {})) checkIntrinsics(`Outputs.${name}`, 'Value', o.Value);
  return { resources, problems };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

/** Edit distance (Levenshtein), to name the property a misspelling meant. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
