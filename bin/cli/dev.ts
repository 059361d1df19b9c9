/**
 * `seizures dev` (`npm start`): the whole pipeline on this machine, in the foreground until Ctrl-C or SIGTERM, then
 * everything it started is stopped. Prints where everything is, then one line per upload processed.
 * `--demo` runs `seizures demo` (bin/cli/demo.ts) on the cloud once it is up, then keeps running, so a newcomer can
 * open the demo's files, summaries and alert emails.
 */
import { dynamoClient } from '../../functions/core/platform/aws.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import { banner, startLocalCloud, type Settled } from '../../lib/local/index.ts';
import { objectsOfBody } from '../../lib/local/notifications.ts';
import { localTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { LOCAL_USAGE, localOptions, localSettingsOf } from './cloud-flags.ts';
import { configOption, parse, readConfig, UsageError } from './common.ts';
import { runDemo } from './demo.ts';
import { progress } from './progress.ts';
// Imported statically: nothing may be awaited before the signal listeners below.
import { portalPorts } from '../../lib/local/settings.ts';

export const usage = `seizures dev [--demo] ${LOCAL_USAGE} [--portal-port N] [--cognito-port N] [--config FILE]  (defaults: .seizures/, ports 4569, 4567, 8005, portal 8080, cognito 9229; env SEIZURES_DATA_DIR, SEIZURES_S3_PORT, SEIZURES_DYNAMODB_PORT, SEIZURES_SES_PORT, SEIZURES_PORTAL_PORT, SEIZURES_COGNITO_PORT)`;

const portalOptions = { 'portal-port': { type: 'string' }, 'cognito-port': { type: 'string' } } as const;

function portOf(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535 (got '${v}')`);
  return Number(v);
}

const time = () => new Date().toISOString().slice(11, 19);

export async function devCommand(
  args: string[],
  signals: { once(event: 'SIGINT' | 'SIGTERM', f: () => void): unknown } = process,
): Promise<number> {
  const { values, positionals } = parse(args, { demo: { type: 'boolean' }, ...localOptions, ...portalOptions, ...configOption });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const settings = localSettingsOf(values);
  const portalPort = portOf(values['portal-port'], '--portal-port');
  const cognitoPort = portOf(values['cognito-port'], '--cognito-port');
  let portal: ReturnType<typeof portalPorts>;
  try {
    portal = portalPorts({
      ...(portalPort !== undefined ? { portal: portalPort } : {}),
      ...(cognitoPort !== undefined ? { cognito: cognitoPort } : {}),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const operation = readConfig(values.config);
  // Listen before anything starts: a SIGTERM that lands during startup, or the instant the banner is out, must still
  // stop the cloud cleanly instead of killing the process with the emulators' files half written.
  const stopRequested = new Promise<void>((resolve) => {
    signals.once('SIGINT', resolve);
    signals.once('SIGTERM', resolve);
  });

  return runCloudCommand('dev', async () => {
    const cloud = await startLocalCloud({ dataDir: settings.dataDir, ports: settings.ports, operation, portal });
    const dyn = dynamoClient(cloud.endpoints);
    const store = new SeizureStore({ client: dyn, tableName: cloud.tableName });
    const out = (line: string) => process.stdout.write(`${time()} ${line}\n`);

    // While the demo uploads its files it reports their progress itself: no line per upload of its own.
    let demoUploading = false;
    cloud.queue.on('settled', (s: Settled) => {
      if (demoUploading) return;
      for (const o of objectsOfBody(s.message.body)) {
        if (s.outcome === 'deleted') {
          store.getSubmission(o.key, `seq:${o.sequencer}`).then(
            (r) =>
              out(
                r
                  ? `${o.key}: ${r.status} (${r.rows.valid} valid, ${r.rows.invalid} invalid row(s); feedback under feedback/${r.member}/)`
                  : `${o.key}: done`,
              ),
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
    if (cloud.reconciled.length)
      out(`${cloud.reconciled.length} upload(s) stored but never queued (a crash?): processing them: ${cloud.reconciled.join(', ')}`);

    let stopping = false;
    if (values.demo) {
      const prog = progress(process.stderr);
      demoUploading = true;
      out('running the demo (seizures demo) on this cloud');
      const target = localTarget(cloud, 'this local cloud', { lasting: true, inProcess: cloud });
      void runDemo(target, {
        config: operation,
        out: (line) => {
          prog.done();
          process.stdout.write(`${line}\n`);
        },
        progress: prog,
        onIngested: () => (demoUploading = false),
      }).then(
        (r) => {
          void target.close();
          prog.done();
          demoUploading = false;
          const total = r.timings['total'];
          out(
            `demo ${r.code === 0 ? 'done' : 'FINISHED WITH PROBLEMS (see above)'}${total ? ` in ${(total / 1000).toFixed(0)} s` : ''}; the cloud keeps running (Ctrl-C stops it): open the files in ${cloud.dataDir}/demo/, the emails at ${cloud.mailViewer}`,
          );
        },
        (e: unknown) => {
          void target.close();
          prog.done();
          demoUploading = false;
          if (!stopping) out(`the demo failed: ${(e as Error).stack ?? e}`);
        },
      );
    }

    await stopRequested;
    stopping = true;
    process.stdout.write(`\n${time()} stopping (waiting for ingests in flight; Ctrl-C again to force)\n`);
    signals.once('SIGINT', () => process.exit(130));
    dyn.destroy();
    await cloud.stop();
    process.stdout.write(`${time()} stopped; data kept in ${cloud.dataDir}\n`);
    return 0;
  });
}
