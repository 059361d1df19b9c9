import { useEffect, useRef, useState } from 'preact/hooks';
import { api, saveDownload, uploadFile, type Submission, type SubmissionDetail } from '../api.ts';
import { useApp } from '../app.ts';
import { latestPerKey } from '../earlier.ts';
import { CorrectsField, correctsProblem } from './Corrects.tsx';
import { NilReturnSection } from './NilReturn.tsx';
import { Report } from './Submissions.tsx';

const MAX_BYTES = 25 * 1024 * 1024;
const POLL_MS = 1000;
const POLL_LIMIT_MS = 120_000;

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'checking' }
  | { kind: 'slow' }
  | { kind: 'done'; detail: SubmissionDetail };

/** The file checks the server makes again: extension and size. */
export function checkFile(f: File, t: ReturnType<typeof useApp>['t']): string | null {
  if (!/\.(xlsx|csv)$/i.test(f.name)) return t.wrongType;
  if (f.size === 0) return t.empty;
  if (f.size > MAX_BYTES) return t.tooBig((f.size / 1048576).toFixed(1));
  return null;
}

export function UploadPage() {
  const { t, me, lang } = useApp();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const [member, setMember] = useState(me.member ?? me.members?.[0]?.code ?? '');
  const owner = me.analyst ? member : (me.member ?? '');
  // The Member's earlier uploads (latest version of each), and the one this file corrects: none unless chosen.
  const [earlier, setEarlier] = useState<Submission[]>([]);
  const [replaces, setReplaces] = useState('');
  const loadEarlier = async (who: string) => {
    if (!who) return setEarlier([]);
    const { submissions } = await api<{ submissions: Submission[] }>(`submissions?member=${who}`).catch(() => ({ submissions: [] }));
    setEarlier(latestPerKey(submissions));
  };
  useEffect(() => {
    setReplaces('');
    void loadEarlier(owner);
  }, [owner]);
  const correctsError = correctsProblem(
    file,
    earlier.find((s) => s.id === replaces),
    t,
  );

  const choose = (f: File | null) => {
    setFile(f);
    setPhase({ kind: 'idle' });
    setProblem(f ? checkFile(f, t) : null);
    setReplaces('');
  };

  const send = async (e: Event) => {
    e.preventDefault();
    if (!file || problem || correctsError) return;
    try {
      setPhase({ kind: 'uploading', fraction: 0 });
      const target = await api<{ url: string; fields: Record<string, string>; key: string }>('uploads', {
        method: 'POST',
        body: { fileName: file.name, size: file.size, ...(me.analyst ? { member } : {}), ...(replaces ? { replaces } : {}) },
      });
      // A correction reuses the earlier upload's key: its new version is the submission of that key not seen before.
      const seen = new Set(
        replaces
          ? (await api<{ submissions: Submission[] }>(`submissions?member=${owner}`)).submissions
              .filter((x) => x.objectKey === target.key)
              .map((x) => x.id)
          : [],
      );
      await uploadFile(target, file, (fraction) => setPhase({ kind: 'uploading', fraction }));
      setPhase({ kind: 'checking' });
      const started = Date.now();
      for (;;) {
        const { submissions } = await api<{ submissions: Submission[] }>(`submissions?member=${owner}`);
        const s = submissions.find((x) => x.objectKey === target.key && !seen.has(x.id));
        if (s && s.status !== 'processing') {
          setPhase({ kind: 'done', detail: await api<SubmissionDetail>(`submissions/${s.id}`) });
          setReplaces('');
          setEarlier(latestPerKey(submissions));
          return;
        }
        if (Date.now() - started > POLL_LIMIT_MS) return setPhase({ kind: 'slow' });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (err) {
      setPhase({ kind: 'idle' });
      setProblem((err as Error).message && (err as { status?: number }).status === 400 ? (err as Error).message : t.uploadFailed);
    }
  };

  const busy = phase.kind === 'uploading' || phase.kind === 'checking';
  return (
    <>
      <section class="card">
        <h1>{t.uploadTitle}</h1>
        <p class="muted">{t.uploadHelp}</p>
        <form onSubmit={send}>
          {me.analyst && me.members && (
            <>
              <label for="member">{t.forMember}</label>
              <select id="member" value={member} onChange={(e) => setMember((e.target as HTMLSelectElement).value)}>
                {me.members.map((m) => (
                  <option value={m.code}>
                    {m.code} · {m.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <label for="file">{t.file}</label>
          <fieldset
            aria-label={t.drop}
            class={`drop${dragging ? ' over' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              const f = e.dataTransfer?.files[0];
              if (f && input.current && e.dataTransfer) input.current.files = e.dataTransfer.files;
              choose(f ?? null);
            }}
          >
            <span aria-hidden="true">{t.drop}</span>
            <input
              ref={input}
              id="file"
              name="file"
              type="file"
              accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              aria-describedby={problem ? 'file-problem' : undefined}
              onChange={(e) => choose((e.target as HTMLInputElement).files?.[0] ?? null)}
            />
          </fieldset>
          {problem && (
            <p id="file-problem" class="error" role="alert">
              {problem}
            </p>
          )}
          <CorrectsField
            earlier={earlier}
            file={file}
            value={replaces}
            onChange={setReplaces}
            disabled={busy}
            suggest={phase.kind === 'idle'}
          />
          <button type="submit" disabled={!file || !!problem || !!correctsError || busy}>
            {t.send}
          </button>
        </form>
        <div aria-live="polite">
          {phase.kind === 'uploading' && (
            <p class="progress">
              <label for="progress">
                {t.uploading} {Math.round(phase.fraction * 100)} %
              </label>
              <progress id="progress" max={100} value={Math.round(phase.fraction * 100)} />
            </p>
          )}
          {phase.kind === 'checking' && <p role="status">{t.checking}</p>}
          {phase.kind === 'slow' && <p role="status">{t.stillChecking}</p>}
        </div>
      </section>
      {phase.kind === 'done' && <Report detail={phase.detail} />}
      {(me.member || me.analyst) && <NilReturnSection member={me.analyst ? member : me.member!} />}
      <section class="card">
        <h2>{t.template}</h2>
        <p class="muted">{t.templateHelp}</p>
        <button type="button" class="secondary" onClick={() => saveDownload(`template?lang=${lang}`, `template-${lang}.xlsx`)}>
          {t.template} ({lang.toUpperCase()})
        </button>
      </section>
    </>
  );
}
