/**
 * The phase close's items in the one table (key shapes: store/table.ts, builders: store/keys.ts):
 * - the phase summary of a run, replaced by a rerun (`seizures summary` reads it);
 * - the sent-alert markers: a conditional PutItem per (run, recipient, content hash) claims an email before it is
 *   sent, so that a rerun never sends the same email twice, and a rerun after a crash sends only the missing ones.
 *
 * Claiming: `attribute_not_exists(pk)` creates the marker with status `sending`. A marker left `sending` (the sender
 * died between the claim and the record of the send) may be taken over once it is older than the lease: the email
 * is then sent again, which can duplicate it only if the crash came after SES accepted it and before `sent` was
 * recorded. A fresh `sending` marker belongs to a sender that may still be at work: it is reported as pending.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionFailure, pages, resolvePolicy, withRetry, type RetryPolicy } from '../store/batch.ts';
import { alertPk, alertSk, summaryPk, summarySk } from '../store/keys.ts';
import type { SignalCounts } from './analyse.ts';
import type { Mode } from './input.ts';
import type { Lang } from '../operation/config.ts';

export interface ReportKeys {
  json: string;
  xlsx: string;
  html: string;
  analystsJson: string;
  analystsXlsx: string;
  analystsHtml: string;
  /** The NCP version in each language (summary.{lang}.html/.xlsx); absent from runs rendered before there were. */
  htmlEn?: string;
  xlsxEn?: string;
  htmlFr?: string;
  xlsxFr?: string;
  htmlEs?: string;
  xlsxEs?: string;
}

/** The names of the language keys of ReportKeys, by language. */
export const LANG_KEY_NAMES = {
  en: { html: 'htmlEn', xlsx: 'xlsxEn' },
  fr: { html: 'htmlFr', xlsx: 'xlsxFr' },
  es: { html: 'htmlEs', xlsx: 'xlsxEs' },
} as const satisfies Record<Lang, { html: keyof ReportKeys; xlsx: keyof ReportKeys }>;

/** The NCP version's files in a language, beside summary.html: `{prefix}summary.{lang}.html` and `.xlsx`. */
export const langReportFiles = (prefix: string, lang: Lang): { html: string; xlsx: string } => ({
  html: `${prefix}summary.${lang}.html`,
  xlsx: `${prefix}summary.${lang}.xlsx`,
});

/** The language keys of a run's ReportKeys (htmlEn, xlsxEn, htmlFr, ...). */
export function langReportKeys(prefix: string): Partial<ReportKeys> {
  const out: Partial<ReportKeys> = {};
  for (const [lang, names] of Object.entries(LANG_KEY_NAMES) as [Lang, (typeof LANG_KEY_NAMES)[Lang]][]) {
    const f = langReportFiles(prefix, lang);
    out[names.html] = f.html;
    out[names.xlsx] = f.xlsx;
  }
  return out;
}

export interface SummaryCounts {
  lines: number;
  cases: number;
  units: number;
  kg: number;
  litres: number;
  reportingMembers: number;
  participatingMembers: number;
}

export interface SummaryItem {
  operation: string;
  phase: number;
  mode: Mode;
  asOf: string;
  runLabel: string;
  prefix: string;
  keys: ReportKeys;
  /** The closed phase's figures. */
  counts: SummaryCounts;
  /** Since the start of the operation. */
  cumulative: SummaryCounts;
  signals: SignalCounts;
  signalCount: number;
  alert: boolean;
  /** ISO 8601. */
  storedAt: string;
}

export type ClaimResult = 'claimed' | 'sent' | 'pending';

/** Claims older than this are taken to be abandoned by a sender that died. */
export const DEFAULT_ALERT_LEASE_MS = 5 * 60_000;

const META = ['pk', 'sk'] as const;

function without<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...item };
  for (const k of META) delete out[k];
  return out as T;
}

export interface PhaseTableOptions extends Partial<RetryPolicy> {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** @default DEFAULT_ALERT_LEASE_MS */
  leaseMs?: number;
  now?: () => Date;
}

export class PhaseTable {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #policy: RetryPolicy;
  readonly #lease: number;
  readonly #now: () => Date;

  constructor(o: PhaseTableOptions) {
    this.#doc = documentClient(o.client);
    this.#table = o.tableName;
    this.#policy = resolvePolicy(o);
    this.#lease = o.leaseMs ?? DEFAULT_ALERT_LEASE_MS;
    this.#now = o.now ?? (() => new Date());
  }

  /** Creates or replaces the summary of a run. */
  async putSummary(item: SummaryItem): Promise<void> {
    await withRetry(this.#policy, () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...item, pk: summaryPk(item.operation), sk: summarySk(item.phase, item.runLabel) },
        }),
      ),
    );
  }

  async getSummary(operation: string, phase: number, runLabel: string): Promise<SummaryItem | undefined> {
    const out = await withRetry(this.#policy, () =>
      this.#doc.send(
        new GetCommand({ TableName: this.#table, Key: { pk: summaryPk(operation), sk: summarySk(phase, runLabel) }, ConsistentRead: true }),
      ),
    );
    return out.Item ? without<SummaryItem>(out.Item) : undefined;
  }

  /** Every summary of an operation, by phase then run label. */
  async listSummaries(operation: string): Promise<SummaryItem[]> {
    const items: SummaryItem[] = [];
    const query = {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': summaryPk(operation) },
    };
    for await (const page of pages(this.#policy, this.#doc, query)) for (const i of page) items.push(without<SummaryItem>(i));
    return items;
  }

  /**
   * Claims the sending of one email: `claimed` (send it, then markSent), `sent` (already sent: skip) or `pending`
   * (another sender claimed it less than the lease ago).
   */
  async claimAlert(
    run: { operation: string; phase: number; runLabel: string },
    recipient: string,
    contentHash: string,
  ): Promise<ClaimResult> {
    const key = { pk: alertPk(run.operation, run.phase, run.runLabel), sk: alertSk(recipient, contentHash) };
    const now = this.#now();
    try {
      await withRetry(this.#policy, () =>
        this.#doc.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...key, status: 'sending', recipient: recipient.toLowerCase(), contentHash, claimedAt: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(pk) OR (#s = :sending AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':sending': 'sending', ':stale': new Date(now.getTime() - this.#lease).toISOString() },
          }),
        ),
      );
      return 'claimed';
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
    const got = await withRetry(this.#policy, () =>
      this.#doc.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return got.Item?.['status'] === 'sent' ? 'sent' : 'pending';
  }

  async markSent(
    run: { operation: string; phase: number; runLabel: string },
    recipient: string,
    contentHash: string,
    messageId: string | undefined,
  ): Promise<void> {
    await withRetry(this.#policy, () =>
      this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: alertPk(run.operation, run.phase, run.runLabel), sk: alertSk(recipient, contentHash) },
          UpdateExpression: 'SET #s = :sent, sentAt = :at, messageId = :id',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':at': this.#now().toISOString(), ':id': messageId ?? '' },
        }),
      ),
    );
  }

  /** Gives a claim back after a failed send, so that the next run sends it. */
  async releaseAlert(run: { operation: string; phase: number; runLabel: string }, recipient: string, contentHash: string): Promise<void> {
    await withRetry(this.#policy, () =>
      this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: alertPk(run.operation, run.phase, run.runLabel), sk: alertSk(recipient, contentHash) },
          ConditionExpression: '#s = :sending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending' },
        }),
      ),
    ).catch((e: unknown) => {
      if (!isConditionFailure(e)) throw e;
    });
  }
}
