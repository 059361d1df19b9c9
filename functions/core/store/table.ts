/**
 * The one table's key schema, read alike by the CDK storage construct and by the local cloud (dynalite), so the two
 * cannot drift. Key shapes (documented in the README):
 *
 * | item             | pk                         | sk                    | gsi1pk / gsi1sk                     | gsi2pk / gsi2sk                      |
 * |------------------|----------------------------|-----------------------|-------------------------------------|--------------------------------------|
 * | seizure line     | CASE#{member}#{case_ref}   | LINE#{line_no:6}      | PHASE#{phase}#{member} / {case_ref}#{line_no:6} | -                        |
 * | case heads       | HEADS#{member}#{shard:3}   | HEADS                 | -                                   | -                                    |
 * | Member lease     | LOCK#{member}              | LOCK                  | -                                   | -                                    |
 * | submission       | OBJECT#{s3 key}            | VERSION#{version id}  | -                                   | SUBMISSIONS#{member} / {receivedAt}#{s3 key} |
 * | newest version   | OBJECT#{s3 key}            | NEWEST                | -                                   | -                                    |
 * | phase summary    | SUMMARY#{operation}        | PHASE#{phase:3}#{runLabel} | -                              | -                                    |
 * | sent-alert marker| ALERT#{operation}#{phase}#{runLabel} | TO#{recipient, lower case}#{content hash} | -      | -                                    |
 * | share            | SHARE#{id}                 | SHARE                 | SHARES#{operation} / {createdAt}#{id} | SHARESFROM#{operation}#{member} / {createdAt}#{id} |
 * | share recipient  | SHARE#{id}                 | TO#{member}           | -                                   | SHARESTO#{operation}#{member} / {createdAt}#{id} |
 * | share sent mark  | SHARE#{id}                 | SENT#{member}#{mail or push#hash} | -                       | -                                    |
 * | push subscription| PUSH#{user sub}            | SUB#{endpoint hash}   | -                                   | PUSHTO#{member} / {sub}#{hash}       |
 *
 * Key builders: store/keys.ts. case_ref is NFC-normalised in keys; line_no is zero-padded to 6 digits (0..999999);
 * receivedAt is in UTC `toISOString()` form in gsi2sk. A line item holds the SeizureRecord fields as attributes plus
 * orderToken, objectKey and versionId of the upload that wrote it. A Member's case heads are spread over 256 shard
 * items (shard: FNV-1a of the NFC case_ref, keys.ts `headShardOf`), each holding member, shard, rev (bumped by every
 * write, which is conditional on it), cases (how many) and heads: a JSON string of
 * `[case_ref, token, lines, withdrawn, garbage?, prev?]` sorted by case_ref (store/heads.ts): the upload that owns the
 * case, its line numbers, how many lines it withdrew, line numbers still to delete, and the upload it replaced. A
 * newest-version item holds member and token: the newest version of the key applied to the store (store/objects.ts). A Member lease holds member,
 * orderToken, objectKey and versionId of the upload writing, run (that run's id), acquiredAt and expiresAt (epoch
 * ms); it exists only while an upload is being stored (store/lease.ts). A submission item holds the SubmissionRecord fields. A phase summary (one per phase-close
 * run: runLabel `final` or `interim-{YYYY-MM-DD}`, replaced by a rerun) holds operation, phase, mode, asOf, runLabel,
 * prefix, keys (the six report objects), counts, signals, signalCount, alert and storedAt (functions/core/phase/items.ts).
 * A sent-alert marker (content hash: the first 16 hex digits of SHA-256 over subject, text and html) holds status
 * `sending` then `sent`, recipient, claimedAt, sentAt and messageId; the conditional put that creates it is what
 * stops a rerun from sending the same email twice. Of the phase close's items only lines have gsi1 keys and only
 * submissions gsi2 keys (sparse indexes); shares and push subscriptions (functions/core/shares/README.md) use both
 * indexes under their own partition keys, which no phase-close or ingest query reads. Share items and subscriptions
 * carry `ttl` (epoch seconds), the table's TTL attribute (TTL_ATTRIBUTE). The write order: store/store.ts.
 */
export interface KeyAttr {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttr;
  readonly sortKey: KeyAttr;
}

export interface TableDefinition {
  readonly partitionKey: KeyAttr;
  readonly sortKey: KeyAttr;
  /** All projected ALL. */
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** The attribute DynamoDB's TTL deletes items by (epoch seconds); dynalite has no TTL (expiry is enforced on read). */
  readonly timeToLiveAttribute?: string;
}

export const TABLE: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byPhase', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } },
    { indexName: 'byMember', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' } },
  ],
  timeToLiveAttribute: 'ttl',
};
