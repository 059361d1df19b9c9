import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { fmtNum, useApp } from '../app.ts';

interface Line {
  member: string;
  caseRef: string;
  lineNo: number;
  seizureDate: string;
  product: string;
  quantity: number;
  unit: string;
  file: string;
  sheet: string;
  row: number;
  objectKey: string;
  versionId: string;
  submissionId: string;
}
interface Answer {
  phase: number;
  dimension: string;
  key: string;
  week: string | null;
  total: number;
  lines: Line[];
}

/** Analysts: the seizure lines behind a figure or signal, down to the uploaded file's version, sheet and row. */
export function Lineage() {
  const { t, lang, navigate } = useApp();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = location.search;
  useEffect(() => {
    const q = new URLSearchParams(query);
    q.delete('lang');
    // A page of lines is what a person reads; the total says how many there are.
    if (!q.has('limit')) q.set('limit', '100');
    api<Answer>(`lineage?${q}`).then(setAnswer, (e: Error) => setError(e.message || t.error));
  }, [query]);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!answer) return <p role="status">{t.loading}</p>;
  return (
    <section class="card">
      <h1>{t.lineage}</h1>
      <p>
        {t.phase} {answer.phase} · {answer.dimension} = <b>{answer.key}</b>
        {answer.week ? ` · ${answer.week}` : ''}
      </p>
      <p class="muted" role="status">
        {t.ofTotal(answer.lines.length, answer.total)}
      </p>
      <div class="scroll">
        <table class="lineage">
          <thead>
            <tr>
              <th scope="col">{t.member}</th>
              <th scope="col">{t.fileName}</th>
              <th scope="col">{t.sheet}</th>
              <th scope="col" class="n">
                {t.row}
              </th>
              <th scope="col">{t.caseRef}</th>
              <th scope="col">{t.date}</th>
              <th scope="col">{t.product}</th>
              <th scope="col" class="n">
                {t.quantity}
              </th>
              <th scope="col">{t.version}</th>
            </tr>
          </thead>
          <tbody>
            {answer.lines.map((l) => (
              <tr>
                <td>{l.member}</td>
                <td>
                  <a
                    href={`/submissions/${l.submissionId}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/submissions/${l.submissionId}`);
                    }}
                  >
                    {l.file}
                  </a>
                </td>
                <td>{l.sheet}</td>
                <td class="n">{l.row}</td>
                <td>
                  {l.caseRef} #{l.lineNo}
                </td>
                <td>{l.seizureDate}</td>
                <td>{l.product}</td>
                <td class="n">
                  {fmtNum(l.quantity, lang)} {l.unit}
                </td>
                <td class="mono" title={l.objectKey}>
                  {l.versionId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
