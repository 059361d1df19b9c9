/**
 * What every route of the portal API is given: the operation, the token verifier and the clients. A module of its own
 * so that the route modules (nil-returns.ts, ...) and the router that lists them both import it, not each other.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Lang, OperationConfig } from '../operation/config.ts';
import type { PhaseTable } from '../phase/items.ts';
import type { PhaseCloseInput } from '../phase/input.ts';
import type { SeizureStore } from '../store/store.ts';
import type { TokenVerifier } from './auth.ts';
import type { AnalystMfa } from './mfa.ts';
import type { OriginCheck } from './origin.ts';

export interface PortalDeps {
  readonly config: OperationConfig;
  readonly verify: TokenVerifier;
  /**
   * Whether a request came through the portal's front door (origin.ts): checked before anything else; refused with
   * 403 `not-through-portal`. Absent: no check (tests that call the API directly).
   */
  readonly origin?: OriginCheck;
  /** Whether an analyst has TOTP turned on (mfa.ts); without, 403 `mfa-required`. Absent: not required (tests). */
  readonly analystMfa?: AnalystMfa;
  /** Signs the presigned POSTs and GETs: its credentials are the ones S3 checks. */
  readonly s3: S3Client;
  readonly bucket: string;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly store: SeizureStore;
  readonly phases: PhaseTable;
  /** @default MAX_UPLOAD_BYTES (25 MB) */
  readonly maxUploadBytes?: number;
  /** Starts the phase-close workflow (Step Functions on AWS, the local runner locally); absent: 501. */
  readonly startPhaseClose?: (input: PhaseCloseInput) => Promise<{ execution: string }>;
  /** The template workbook in a language (exceljs is loaded only when asked). */
  readonly template?: (lang: Lang) => Promise<Uint8Array>;
}
