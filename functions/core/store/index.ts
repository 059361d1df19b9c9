export { TABLE } from './table.ts';
export type { IndexDefinition, KeyAttr, TableDefinition } from './table.ts';
export { SeizureStore } from './store.ts';
export type { ApplyResult, StoreOptions, UploadRef } from './store.ts';
export { UnprocessedItemsError, batchWrite, isRetryable } from './batch.ts';
export type { BatchWriteOptions, RetryPolicy, WriteRequest } from './batch.ts';
export { createTable } from './create-table.ts';
export type { CreateTableOptions } from './create-table.ts';
export * as keys from './keys.ts';
