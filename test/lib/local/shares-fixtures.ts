/**
 * What the shares tests share: a portal cloud with users of FR, DE (two), BE and GB and an analyst, a stored FR case
 * whose route runs through DE and BE, the API called with a user's token, and the mail the local SES holds.
 */
import assert from 'node:assert/strict';
import { addUser } from '../../../bin/cli/users.ts';
import { cognitoClient } from '../../../lib/local/cognito.ts';
import { PASSWORD, portalCloud, USERS, type PortalCloud } from '../../functions/web/helpers.ts';

export const MORE_USERS = {
  de2: { email: 'second@zoll.de.example', member: 'DE', analyst: false },
  be: { email: 'officer@douane.be.example', member: 'BE', analyst: false },
  gb: { email: 'officer@hmrc.gb.example', member: 'GB', analyst: false },
} as const;
export const ALL_USERS = { ...USERS, ...MORE_USERS };
export type UserName = keyof typeof ALL_USERS;

export const CASE_REF = 'FR-2026-0042';
/** Two lines of one case: made in CN, through DE, to BE, by air, misdescribed. */
export const CASE_CSV = [
  'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type,Country of origin,Transit countries,Country of destination,Concealment method,Goods description',
  `FR,${CASE_REF},2021-06-15,Medicines,Ivermectin,12000,Pieces,Air cargo,Falsified,CN,DE,BE,Misdescribed,secret internal wording`,
  `FR,${CASE_REF},2021-06-15,Medicines,Ivermectin,40,Packs,Air cargo,Falsified,CN,DE,BE,Misdescribed,`,
  'FR,FR-OTHER-1,2021-06-16,Medicines,Ivermectin,5,Pieces,Air cargo,Falsified,CN,,GB,,',
].join('\n');

export interface SharesCloud extends PortalCloud {
  readonly tokens: Record<UserName, string>;
  call(
    path: string,
    who: UserName | undefined,
    init?: { method?: string; body?: unknown },
  ): Promise<{ status: number; json: any; headers: Headers }>;
  /** The mail the local SES holds, to an address. */
  mailTo(address: string): Promise<{ subject: string; text: string; html: string }[]>;
}

export async function sharesCloud(opts: Parameters<typeof portalCloud>[0] = {}): Promise<SharesCloud> {
  const pc = await portalCloud(opts);
  const portal = pc.cloud.portal!;
  const client = cognitoClient(portal.cognito.endpoint);
  try {
    for (const u of Object.values(MORE_USERS))
      await addUser(
        { client, userPoolId: portal.cognito.userPoolId },
        { email: u.email, password: PASSWORD, member: u.member, analyst: u.analyst },
      );
  } finally {
    client.destroy();
  }
  const names = Object.keys(ALL_USERS) as UserName[];
  const tokens = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await pc.token(ALL_USERS[n].email)]))) as Record<
    UserName,
    string
  >;
  const call: SharesCloud['call'] = async (path, who, init = {}) => {
    const res = await fetch(`${pc.url}/api/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, headers: res.headers };
  };
  return {
    ...pc,
    tokens,
    call,
    async mailTo(address) {
      const store = (await (await fetch(`${pc.cloud.endpoints.ses}/store`)).json()) as {
        emails: { destination: { to: string[] }; subject: string; body: { text?: string; html?: string } }[];
      };
      return store.emails
        .filter((e) => e.destination.to.includes(address))
        .map((e) => ({ subject: e.subject, text: e.body.text ?? '', html: e.body.html ?? '' }));
    },
  };
}

/** Uploads the FR case file through the portal (presigned POST) and waits until it is stored. */
export async function storeFrCase(sc: SharesCloud): Promise<void> {
  const target = await sc.call('uploads', 'fr', { method: 'POST', body: { fileName: 'shares.csv', size: CASE_CSV.length } });
  assert.equal(target.status, 200, JSON.stringify(target.json));
  const form = new FormData();
  for (const [k, v] of Object.entries(target.json.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([CASE_CSV]), 'shares.csv');
  const posted = await fetch(target.json.url, { method: 'POST', body: form });
  assert.equal(posted.status, 204);
  await sc.cloud.waitForIdle(60_000);
  const list = await sc.call('submissions', 'fr');
  const s = list.json.submissions.find((x: { objectKey: string }) => x.objectKey === target.json.key);
  assert.equal(s?.status, 'accepted', JSON.stringify(s));
}
