/**
 * `seizures dev` (`npm start`): the whole pipeline on this machine, in the foreground until Ctrl-C or SIGTERM, then
 * everything it started is stopped. Prints where everything is, then one line per upload processed.
 */
import type { Settled } from '../../lib/local/index.ts';
import { objectsOfBody } from '../../lib/local/notifications.ts';
import { LOCAL_USAGE, localOptions, localSettingsOf } from './cloud-flags.ts';
import { configOption, parse, readConfig, UsageError } from './common.ts';

export const usage = `seizures dev ${LOCAL_USAGE} [--config FILE]  (defaults: .seizures/, ports 4569, 4567, 8005; env SEIZURES_DATA_DIR, SEIZURES_S3_PORT, SEIZURES_DYNAMODB_PORT, SEIZURES_SES_PORT)`;

const time = () => new Date().toISOString().slice(11, 19);

export async function devCommand(args: string[], signals: { once(event: 'SIGINT' | 'SIGTERM', f: () => void): unknown } = process): Promise<number> {
  const { values, positionals } = parse(args, { ...localOptions, ...configOption });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const settings = localSettingsOf(values);
  const operation = readConfig(values.config);

  // The emulators and the SDK load only when the command runs (the CLI loads every command's module).
  const { runCloudCommand } = await import('./cloud.ts');
  const { banner, startLocalCloud } = await import('../../lib/local/index.ts');
  const { dynamoClient } = await import('../../functions/core/aws.ts');
  const { SeizureStore } = await import('../../functions/core/store/store.ts');
  return runCloudCommand('dev', async () => {
    const cloud = await startLocalCloud({ dataDir: settings.dataDir, ports: settings.ports, operation });
    const dyn = dynamoClient(cloud.endpoints);
    const store = new SeizureStore({ client: dyn, tableName: cloud.tableName });
    const out = (line: string) => process.stdout.write(`${time()} ${line}\n`);

    cloud.queue.on('settled', (s: Settled) => {
      for (const o of objectsOfBody(s.message.body)) {
        if (s.outcome === 'deleted') {
          store.getSubmission(o.key, `seq:${o.sequencer}`).then(
            (r) => out(r ? `${o.key}: ${r.status} (${r.rows.valid} valid, ${r.rows.invalid} invalid row(s); feedback under feedback/${r.member}/)` : `${o.key}: done`),
            () => out(`${o.key}: done`),
          );
        } else if (s.outcome === 'retry') {
          out(`${o.key}: attempt ${s.message.receiveCount} failed; retried shortly`);
        } else {
          out(`${o.key}: failed ${s.message.receiveCount} times, moved to the dead-letter queue (${cloud.dataDir}/queue/ingest-dlq/)`);
        }
      }
    });

    process.stdout.write(banner(cloud));
    const pending = cloud.queue.messages().length - cloud.reconciled.length;
    if (pending > 0) out(`${pending} upload(s) queued before the last stop: finishing them`);
    if (cloud.reconciled.length) out(`${cloud.reconciled.length} upload(s) stored but never queued (a crash?): processing them: ${cloud.reconciled.join(', ')}`);

    await new Promise<void>((resolve) => {
      signals.once('SIGINT', resolve);
      signals.once('SIGTERM', resolve);
    });
    process.stdout.write(`\n${time()} stopping (waiting for ingests in flight; Ctrl-C again to force)\n`);
    signals.once('SIGINT', () => process.exit(130));
    dyn.destroy();
    await cloud.stop();
    process.stdout.write(`${time()} stopped; data kept in ${cloud.dataDir}\n`);
    return 0;
  });
}
