/**
 * The VAPID key pair: generated once per deployment and then always the same (a subscription is bound to the public
 * key it was made with). On AWS it lives in Secrets Manager: the stack creates the secret empty of keys, and the first
 * function that needs them generates a pair and writes it as a version with a fixed ClientRequestToken, so two
 * first-comers racing write one pair (the loser's write is refused and it reads the winner's). Locally: a file of the
 * data directory (lib/local/vapid.ts).
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import webpush from 'web-push';
import type { VapidKeys, VapidSource } from './push.ts';

/** The ClientRequestToken of the one version that holds the generated keys (32 to 64 characters). */
export const VAPID_VERSION_TOKEN = 'seizures-vapid-keys-v1-000000000000000';

export class VapidKeysError extends Error {
  override readonly name = 'VapidKeysError';
}

export function generateVapidKeys(subject: string): VapidKeys {
  const k = webpush.generateVAPIDKeys();
  return { publicKey: k.publicKey, privateKey: k.privateKey, subject };
}

export function parseVapid(text: string | undefined): VapidKeys | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<VapidKeys>;
    if (typeof v.publicKey === 'string' && typeof v.privateKey === 'string' && typeof v.subject === 'string')
      return { publicKey: v.publicKey, privateKey: v.privateKey, subject: v.subject };
  } catch {
    /* not JSON: not keys yet */
  }
  return undefined;
}

/** The keys in a Secrets Manager secret, generated on first use; cached for the container's life. */
export function secretsManagerVapid(client: SecretsManagerClient, secretId: string, subject: string): VapidSource {
  let cached: Promise<VapidKeys> | undefined;
  const read = async () => parseVapid((await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString);
  const load = async (): Promise<VapidKeys> => {
    const existing = await read();
    if (existing) return existing;
    try {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: VAPID_VERSION_TOKEN,
          SecretString: JSON.stringify(generateVapidKeys(subject)),
        }),
      );
    } catch (e) {
      // Another function wrote the version first (same token, other keys): use its keys.
      if (!(e instanceof ResourceExistsException)) throw e;
    }
    const keys = await read();
    if (!keys) throw new VapidKeysError(`the secret ${secretId} holds no VAPID keys after writing them`);
    return keys;
  };
  return () =>
    (cached ??= load().catch((e: unknown) => {
      cached = undefined; // a failed first load is tried again by the next call
      throw e;
    }));
}
