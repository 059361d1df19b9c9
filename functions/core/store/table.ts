/**
 * The one table's key schema, read alike by the CDK storage construct and by the local cloud (dynalite), so the two
 * cannot drift. Key shapes (documented in the README):
 *
 * | item             | pk                         | sk                    | gsi1pk / gsi1sk                     | gsi2pk / gsi2sk                      |
 * |------------------|----------------------------|-----------------------|-------------------------------------|--------------------------------------|
 * | seizure line     | CASE#{member}#{case_ref}   | LINE#{line_no:6}      | PHASE#{phase}#{member} / {case_ref}#{line_no:6} | -                        |
 * | case head        | CASE#{member}#{case_ref}   | HEAD                  | -                                   | -                                    |
 * | submission       | OBJECT#{s3 key}            | VERSION#{version id}  | -                                   | SUBMISSIONS#{member} / {receivedAt}#{s3 key} |
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
}

export const TABLE: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byPhase', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } },
    { indexName: 'byMember', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' } },
  ],
};
