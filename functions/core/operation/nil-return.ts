/**
 * Nil returns: a Member says "nothing to report this phase". A nil return makes the Member a reporter of the phase,
 * so its Member-weeks count in the exposure behind every rate (phase/exposure.ts), exactly as a file of seizures
 * would: a Member that found nothing lowers the rates, a Member that did not answer does not.
 *
 * One item per (operation, phase, Member) in the seizures table, written once (a repeat is no error and changes
 * nothing):
 *   pk `NILRETURN#{operation}`, sk `PHASE#{phase:3}#MEMBER#{member}`,
 *   {operation, phase, member, recordedAt, source: 'cli' | 'portal' | 'empty-upload', by?}
 * Callers: `seizures nil-return` (bin/cli/nil-return.ts), the portal's API (issue 9), and ingest for an upload of the
 * empty template (source 'empty-upload'). The phase close reads them per slice (phase/steps.ts aggregateStep).
 *
 * Refused when the Member already has seizure lines stored for the phase (NilReturnConflictError): "nothing to
 * report" beside reported seizures says two contrary things, and it would be kept forever. The portal answers 409
 * `phase-has-seizures`, the CLI exits 1, ingest leaves the empty template rejected and says why.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Lang, OperationConfig } from './config.ts';
import { documentClient } from '../store/batch.ts';
import { phasePk } from '../store/keys.ts';
import { TABLE } from '../store/table.ts';

export type NilReturnSource = 'cli' | 'portal' | 'empty-upload';

export interface NilReturn {
  readonly operation: string;
  readonly phase: number;
  readonly member: string;
  /** ISO 8601 UTC. */
  readonly recordedAt: string;
  readonly source: NilReturnSource;
  /** Who sent it (a portal user's email, a CLI user's name), when known. */
  readonly by?: string;
}

/** A nil return that cannot be recorded: an unknown Member or phase, a bad source. Do not retry. */
export class NilReturnError extends Error {
  override readonly name = 'NilReturnError';
}

/** The Member has seizure lines stored for the phase: a nil return would contradict them. Not recorded; do not retry. */
export class NilReturnConflictError extends Error {
  override readonly name = 'NilReturnConflictError';
  /** The portal API's error code (409). */
  static readonly code = 'phase-has-seizures';
  constructor(
    readonly member: string,
    readonly phase: number,
  ) {
    super(nilReturnConflictMessage('en', phase));
  }
}

/** Why a nil return is refused, in the reader's language (the portal, the CLI, the ingest feedback). */
export function nilReturnConflictMessage(lang: Lang, phase: number): string {
  const nbsp = '\u00a0';
  switch (lang) {
    case 'fr':
      return `Non enregistré : des saisies de votre administration sont déjà enregistrées pour la phase${nbsp}${phase}, elle ne peut donc pas être déclarée « rien à déclarer ». Si ces saisies sont une erreur, prévenez les analystes.`;
    case 'es':
      return `No registrado: ya hay incautaciones de su administración guardadas para la fase${nbsp}${phase}, por lo que no puede declararse «nada que declarar». Si esas incautaciones son un error, avise a los analistas.`;
    default:
      return `Not recorded: seizures of your administration are already stored for phase${nbsp}${phase}, so it cannot be declared "nothing to report". If those seizures are a mistake, tell the analysts.`;
  }
}

const BY_PHASE = TABLE.globalSecondaryIndexes.find((i) => i.partitionKey.name === 'gsi1pk')!.indexName;

export const NIL_RETURN_PK_PREFIX = 'NILRETURN#';
export const nilReturnPk = (operation: string): string => `${NIL_RETURN_PK_PREFIX}${operation}`;
export const nilReturnSk = (phase: number, member: string): string => `PHASE#${String(phase).padStart(3, '0')}#MEMBER#${member}`;

export interface NilReturnRequest {
  readonly member: string;
  readonly phase: number;
  readonly source: NilReturnSource;
  readonly by?: string;
}

/** Checks a request against the operation: a Member of it, one of its phases. Throws NilReturnError. */
export function checkNilReturn(config: OperationConfig, r: NilReturnRequest): void {
  if (typeof r.member !== 'string' || !config.members.some((m) => m.code === r.member)) {
    throw new NilReturnError(
      `${JSON.stringify(r.member)} is not a Member of ${config.id} (Members are ISO alpha-2 codes of the operation config)`,
    );
  }
  if (!Number.isInteger(r.phase) || !config.phases.some((p) => p.phase === r.phase)) {
    throw new NilReturnError(
      `phase ${JSON.stringify(r.phase)} is not a phase of ${config.id} (${config.phases.map((p) => p.phase).join(', ')})`,
    );
  }
  if (!['cli', 'portal', 'empty-upload'].includes(r.source))
    throw new NilReturnError(`source must be cli, portal or empty-upload (got ${JSON.stringify(r.source)})`);
}

export class NilReturnStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(opts: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string; now?: () => Date }) {
    this.#doc = documentClient(opts.client);
    this.#table = opts.tableName;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Records a nil return once; `created` false when the Member had already sent one for the phase (that one is kept). */
  /** @throws NilReturnError (bad request), NilReturnConflictError (the Member has lines stored for the phase) */
  async record(config: OperationConfig, r: NilReturnRequest): Promise<{ created: boolean; nilReturn: NilReturn }> {
    checkNilReturn(config, r);
    if (await this.hasLines(r.phase, r.member)) throw new NilReturnConflictError(r.member, r.phase);
    const item: NilReturn = {
      operation: config.id,
      phase: r.phase,
      member: r.member,
      recordedAt: this.#now().toISOString(),
      source: r.source,
      ...(r.by ? { by: r.by } : {}),
    };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: nilReturnPk(config.id), sk: nilReturnSk(r.phase, r.member), ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, nilReturn: item };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException) && (e as Error).name !== 'ConditionalCheckFailedException') throw e;
      const had = await this.get(config.id, r.phase, r.member);
      return { created: false, nilReturn: had ?? item };
    }
  }

  /** Whether any seizure line of the Member is stored for the phase (one item of the byPhase index is enough). */
  async hasLines(phase: number, member: string): Promise<boolean> {
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: BY_PHASE,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': phasePk(phase, member) },
        Limit: 1,
        Select: 'COUNT',
      }),
    );
    return (out.Count ?? 0) > 0;
  }

  async get(operation: string, phase: number, member: string): Promise<NilReturn | undefined> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: { pk: nilReturnPk(operation), sk: nilReturnSk(phase, member) } }),
    );
    return out.Item ? strip(out.Item) : undefined;
  }

  /** The nil returns of an operation (of one phase when given), by phase then Member. */
  async list(operation: string, phase?: number): Promise<NilReturn[]> {
    const out: NilReturn[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: phase === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: {
            ':pk': nilReturnPk(operation),
            ...(phase === undefined ? {} : { ':sk': `PHASE#${String(phase).padStart(3, '0')}#` }),
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of page.Items ?? []) out.push(strip(i));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

function strip(i: Record<string, unknown>): NilReturn {
  const { pk: _pk, sk: _sk, ...rest } = i;
  return rest as unknown as NilReturn;
}
