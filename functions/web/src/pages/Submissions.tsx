import { useEffect, useState } from 'preact/hooks';
import { isMessageId, message } from '../../../core/validation/messages.ts';
import { api, type Issue, type Submission, type SubmissionDetail } from '../api.ts';
import { SHARE_WORDS } from '../shares-words.ts';
import { fmtDate, fmtNum, useApp } from '../app.ts';
import { whenOf } from '../earlier.ts';
import { type CountLabel, countLabel, type Lang } from '../i18n.ts';

export function StatusBadge({ status }: { status: string }) {
  const { t } = useApp();
  return <span class={`badge ${status}`}>{t.status[status] ?? status}</span>;
}

/**
 * An earlier file as the Member named it: `file` is its path under the Member's folder, and the portal puts every
 * upload in a folder of its own (2026-12-02T11-40-12Z-3f9a1c/week 12.xlsx); the date shown next to it tells versions apart
 * (to the second when two of one name fall in one minute).
 */
export const leafName = (file: string): string => file.slice(file.lastIndexOf('/') + 1);

/** "2 398 filas válidas", "1 caso retirado": a count, bold, and its label agreeing with it. */
function Count({ n, label, testid }: { n: number; label: CountLabel; testid?: string }) {
  const { t, lang } = useApp();
  return (
    <>
      <b data-testid={testid}>{fmtNum(n, lang)}</b> {countLabel(t, lang, label, n)}
    </>
  );
}

/**
 * An issue in the page's language, from its code and params with the one message table the checks use; an older
 * report, without params, in the language the file was checked in.
 */
export const issueText = (e: Issue, lang: Lang): string => (e.params && isMessageId(e.code) ? message(e.code, lang, e.params) : e.message);

/** Counts, errors in words, downloads: what a Member sees after an upload. */
export function Report({ detail }: { detail: SubmissionDetail }) {
  const { t, lang, me, navigate } = useApp();
  const s = detail.submission;
  const r = detail.report;
  const errors = r?.errors ?? [];
  const more = (r?.errorsCapped ?? 0) + (r?.errorsNotListed ?? 0);
  // The empty template as a nil return has no rows: its line says what was recorded, not "every row was accepted".
  const nilOnly = !!s.nilReturn && errors.length === 0 && !s.failure;
  const replaced = (s.stored.replacedFiles ?? []).map((f) => ({
    id: `${f.file}\u0000${f.receivedAt}`,
    objectKey: f.file,
    fileName: leafName(f.file),
    receivedAt: f.receivedAt,
  }));
  const when = whenOf(replaced, lang, fmtDate);
  return (
    <section class="card" aria-labelledby="report-title">
      <h2 id="report-title">
        {s.fileName} <StatusBadge status={s.status} />
      </h2>
      <ul class="counts">
        <li class="ok">
          <Count n={s.rows.valid} label="validRows" testid="valid-rows" />
        </li>
        <li class={s.rows.invalid > 0 ? 'bad' : undefined}>
          <Count n={s.rows.invalid} label="invalidRows" testid="invalid-rows" />
        </li>
        <li>
          <Count n={s.rows.blank} label="blankRows" />
        </li>
        <li>
          <Count n={s.stored.written} label="stored" />
        </li>
        {s.stored.withdrawn > 0 && (
          <li>
            <Count n={s.stored.withdrawn} label="withdrawn" />
          </li>
        )}
        {s.stored.supersededCases > 0 && (
          <li>
            <Count n={s.stored.supersededCases} label="superseded" />
          </li>
        )}
        {s.stored.storedCases !== undefined && s.stored.storedCases > 0 && (
          <li>
            <Count n={s.stored.storedCases} label="storedCases" testid="stored-cases" />
          </li>
        )}
        {(s.stored.replacedCases ?? 0) > 0 && (
          <li>
            <Count n={s.stored.replacedCases ?? 0} label="replacedCases" testid="replaced-cases" />
          </li>
        )}
        {(s.stored.withdrawnCases ?? 0) > 0 && (
          <li>
            <Count n={s.stored.withdrawnCases ?? 0} label="withdrawnCases" testid="withdrawn-cases" />
          </li>
        )}
      </ul>
      {s.nilReturn && <p data-testid="nil-return">{t.nilSent(s.nilReturn.phase)}</p>}
      {replaced.length > 0 && (
        <>
          <p>{t.replacedFiles}</p>
          <ul data-testid="replaced-files">
            {replaced.map((f) => (
              <li key={f.id}>
                {f.fileName} <span class="muted">{when.get(f.id)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p class="actions">
        {detail.annotatedUrl && (
          // A copy with nothing to fix holds only the Summary sheet: "errors marked" would send the Member hunting.
          <a class="button" href={detail.annotatedUrl} download>
            {errors.length > 0 ? t.annotated : t.annotatedClean}
          </a>
        )}
        {detail.reportUrl && (
          <a class="button secondary" href={detail.reportUrl} download>
            {t.report}
          </a>
        )}
        {(s.stored.storedCases ?? s.stored.written) > 0 && !me.analyst && (
          <a
            class="button secondary"
            href="/shares/new"
            onClick={(e) => {
              e.preventDefault();
              navigate('/shares/new');
            }}
          >
            {SHARE_WORDS[lang].shareFromUpload}
          </a>
        )}
      </p>
      {!nilOnly && <h3>{t.errors}</h3>}
      {detail.feedbackReplaced ? (
        <p data-testid="feedback-replaced">{t.feedbackReplaced}</p>
      ) : nilOnly ? null : errors.length === 0 ? (
        <p>{s.failure ? s.failure.message : t.noErrors}</p>
      ) : (
        <ol class="errors">
          {errors.map((e) => (
            <li>
              <span class="where">
                {e.rowNumber === null ? t.fileError : `${t.row} ${e.rowNumber}`}
                {e.column ? ` · ${t.column} ${e.column}` : ''}
              </span>
              <span class="msg">{issueText(e, lang)}</span>
            </li>
          ))}
        </ol>
      )}
      {more > 0 && <p class="muted">{t.moreErrors(more)}</p>}
    </section>
  );
}

export function SubmissionList({ list }: { list: Submission[] }) {
  const { t, lang, me, navigate } = useApp();
  const counted = (n: number, label: CountLabel): string => `${fmtNum(n, lang)} ${countLabel(t, lang, label, n)}`;
  if (list.length === 0) return <p>{t.noUploads}</p>;
  return (
    <ul class="list">
      {list.map((s) => (
        <li>
          <a
            href={`/submissions/${s.id}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/submissions/${s.id}`);
            }}
          >
            <span class="name">{s.fileName}</span>
          </a>
          <StatusBadge status={s.status} />
          <span class="muted">
            {me.analyst ? `${s.member} · ` : ''}
            {fmtDate(s.receivedAt, lang)} · {counted(s.rows.valid, 'validRows')} · {counted(s.rows.invalid, 'invalidRows')} ·{' '}
            {counted(s.stored.written, 'stored')}
            {s.stored.withdrawn ? ` · ${counted(s.stored.withdrawn, 'withdrawn')}` : ''}
            {s.stored.supersededCases ? ` · ${counted(s.stored.supersededCases, 'superseded')}` : ''}
            {s.stored.withdrawnCases ? ` · ${counted(s.stored.withdrawnCases, 'withdrawnCases')}` : ''}
            {s.nilReturn ? ` · ${t.nilSent(s.nilReturn.phase)}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Submissions() {
  const { t, me } = useApp();
  const [member, setMember] = useState('');
  const [list, setList] = useState<Submission[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setList(null);
    api<{ submissions: Submission[] }>(`submissions${member ? `?member=${member}` : ''}`).then(
      (r) => setList(r.submissions),
      () => setFailed(true),
    );
  }, [member]);
  return (
    <section class="card">
      <h1>{me.analyst ? t.allUploads : t.uploads}</h1>
      {me.analyst && me.members && (
        <p>
          <label for="filter-member">{t.member}</label>
          <select id="filter-member" value={member} onChange={(e) => setMember((e.target as HTMLSelectElement).value)}>
            <option value="">{t.allMembers}</option>
            {me.members.map((m) => (
              <option value={m.code}>
                {m.code} · {m.name}
              </option>
            ))}
          </select>
        </p>
      )}
      {failed ? (
        <p class="error" role="alert">
          {t.error}
        </p>
      ) : list ? (
        <SubmissionList list={list} />
      ) : (
        <p role="status">{t.loading}</p>
      )}
    </section>
  );
}

export function SubmissionPage({ id }: { id: string }) {
  const { t, navigate } = useApp();
  const [detail, setDetail] = useState<SubmissionDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<SubmissionDetail>(`submissions/${id}`).then(setDetail, (e: { status?: number }) =>
      setError(e.status === 404 ? t.notFound : t.error),
    );
  }, [id]);
  return (
    <>
      <p>
        <a
          href="/submissions"
          onClick={(e) => {
            e.preventDefault();
            navigate('/submissions');
          }}
        >
          ← {t.back}
        </a>
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : detail ? (
        <Report detail={detail} />
      ) : (
        <p role="status">{t.loading}</p>
      )}
    </>
  );
}
