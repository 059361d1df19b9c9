/**
 * A stored case as a share carries it: read through its head (store/fence.ts `headNames`: only the lines the case's
 * head names, of the upload that owns it, so a withdrawn case or an orphan line is never shared), reduced to the
 * structured fields the issue names (products, quantities, units, route, transport mode, concealment, date) as codes,
 * and worded in a reader's language from the vocabularies. Free text of the Member (description, remarks, brand,
 * location) is never carried: only the note, as the sharer wrote it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Lang } from '../vocabulary/lang.ts';
import { countryName } from '../vocabulary/countries.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { VOCABS } from '../vocabulary/vocab.ts';
import { documentClient } from '../store/batch.ts';
import { headNames } from '../store/fence.ts';
import { decodeHeads } from '../store/heads.ts';
import { casePk, HEADS_SK, headRef, headShardOf, headsPk } from '../store/keys.ts';

/** What a share says of its case: codes only (worded per reader by `wordCase`). */
export interface CaseFields {
  /** The earliest seizure date of the case's lines, YYYY-MM-DD. */
  readonly date: string;
  readonly items: readonly { readonly category: string; readonly product: string; readonly quantity: number; readonly unit: string }[];
  /** ISO alpha-2 codes (XX: unknown), each list without repeats, in the order the lines give them. */
  readonly route: {
    readonly origin: readonly string[];
    readonly departure: readonly string[];
    readonly transit: readonly string[];
    readonly destination: readonly string[];
  };
  readonly transportModes: readonly string[];
  readonly concealment: readonly string[];
}

/** The lines of a Member's case that its head names; [] when the case is unknown or withdrawn. */
export async function readCase(client: DynamoDBClient, tableName: string, member: string, caseRef: string): Promise<SeizureRecord[]> {
  const doc = documentClient(client);
  const shard = await doc.send(
    new GetCommand({ TableName: tableName, Key: { pk: headsPk(member, headShardOf(caseRef)), sk: HEADS_SK }, ConsistentRead: true }),
  );
  const heads = typeof shard.Item?.heads === 'string' ? decodeHeads(shard.Item.heads) : undefined;
  const head = heads?.get(headRef(caseRef));
  if (!head || head.lines.length === 0) return [];
  const out: SeizureRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :line)',
        ExpressionAttributeValues: { ':pk': casePk(member, caseRef), ':line': 'LINE#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, orderToken, objectKey: _o, versionId: _v, ...record } = item;
      const line = { record: record as unknown as SeizureRecord, orderToken: String(orderToken) };
      if (headNames(head, line)) out.push(line.record);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out.sort((a, b) => a.line_no - b.line_no);
}

const unique = (values: Iterable<string | undefined>): string[] => [...new Set([...values].filter((v): v is string => !!v))];

/** The fields a share carries, from the case's lines (at least one). */
export function caseFields(lines: readonly SeizureRecord[]): CaseFields {
  return {
    date: lines.map((l) => l.seizure_date).sort()[0]!,
    items: lines.map((l) => ({ category: l.category, product: l.product, quantity: l.quantity, unit: l.unit })),
    route: {
      origin: unique(lines.map((l) => l.origin_country)),
      departure: unique(lines.map((l) => l.departure_country)),
      transit: unique(lines.flatMap((l) => l.transit_countries ?? [])),
      destination: unique(lines.map((l) => l.destination_country)),
    },
    transportModes: unique(lines.map((l) => l.transport_mode)),
    concealment: unique(lines.map((l) => l.concealment_method)),
  };
}

/** The Members on the case's route (origin, departure, transit, destination) other than the sharer: those proposed. */
export function routeMembers(fields: CaseFields, members: readonly string[], sharer: string): string[] {
  const on = new Set([...fields.route.origin, ...fields.route.departure, ...fields.route.transit, ...fields.route.destination]);
  return members.filter((m) => m !== sharer && on.has(m));
}

export interface Worded {
  readonly code: string;
  readonly label: string;
}

export interface WordedCase {
  readonly date: string;
  readonly items: readonly { readonly category: Worded; readonly product: Worded; readonly quantity: number; readonly unit: Worded }[];
  readonly route: { readonly origin: Worded[]; readonly departure: Worded[]; readonly transit: Worded[]; readonly destination: Worded[] };
  readonly transportModes: readonly Worded[];
  readonly concealment: readonly Worded[];
}

/** The fields in a reader's language: each code with its label (vocabularies; country names from ICU). */
export function wordCase(f: CaseFields, lang: Lang): WordedCase {
  const v = (name: keyof typeof VOCABS) => (code: string) => ({ code, label: VOCABS[name].label(code, lang) });
  const country = (code: string) => ({ code, label: countryName(code, lang) });
  return {
    date: f.date,
    items: f.items.map((i) => ({
      category: v('category')(i.category),
      product: v('product')(i.product),
      quantity: i.quantity,
      unit: v('unit')(i.unit),
    })),
    route: {
      origin: f.route.origin.map(country),
      departure: f.route.departure.map(country),
      transit: f.route.transit.map(country),
      destination: f.route.destination.map(country),
    },
    transportModes: f.transportModes.map(v('transport_mode')),
    concealment: f.concealment.map(v('concealment_method')),
  };
}
