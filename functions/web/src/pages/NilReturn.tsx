import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.ts';
import { fmtDate, useApp } from '../app.ts';

interface NilReturnAnswer {
  created: boolean;
  nilReturn: { phase: number; member: string; recordedAt: string };
}

type State = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; answer: NilReturnAnswer } | { kind: 'error'; message: string };

/** The phase today falls in, else the last one that has started, else the first: the one a Member most likely means. */
function defaultPhase(phases: readonly { phase: number; start: string; end: string }[]): number | undefined {
  const today = new Date().toISOString().slice(0, 10);
  return (phases.find((p) => p.start <= today && today <= p.end) ?? [...phases].reverse().find((p) => p.start <= today) ?? phases[0])
    ?.phase;
}

/** "Nothing to report this phase?": POST /api/nil-returns for the caller's Member (an analyst: the Member chosen above). */
export function NilReturnSection({ member }: { member: string }) {
  const { t, me, lang } = useApp();
  const phases = me.operation.phases;
  const [phase, setPhase] = useState(defaultPhase(phases));
  const [state, setState] = useState<State>({ kind: 'idle' });

  const send = async (e: Event) => {
    e.preventDefault();
    if (phase === undefined) return;
    setState({ kind: 'sending' });
    try {
      const answer = await api<NilReturnAnswer>('nil-returns', {
        method: 'POST',
        body: { phase, ...(me.analyst ? { member } : {}) },
      });
      setState({ kind: 'done', answer });
    } catch (err) {
      // 409: the Member has seizures stored for the phase (said in the reader's language, not the API's).
      const refused = err instanceof ApiError && err.status === 409 && err.code === 'phase-has-seizures';
      setState({
        kind: 'error',
        message: refused ? t.nilRefused(phase) : err instanceof ApiError && err.status === 400 ? err.message : t.error,
      });
    }
  };

  return (
    <section class="card" aria-labelledby="nil-title">
      <h2 id="nil-title">{t.nilTitle}</h2>
      <p class="muted">{t.nilHelp}</p>
      <form onSubmit={send}>
        <label for="nil-phase">{t.nilPhase}</label>
        <select
          id="nil-phase"
          value={phase}
          onChange={(e) => {
            setPhase(Number((e.target as HTMLSelectElement).value));
            setState({ kind: 'idle' });
          }}
        >
          {phases.map((p) => (
            <option value={p.phase}>
              {t.phase} {p.phase} ({p.start} – {p.end})
            </option>
          ))}
        </select>
        <button type="submit" class="secondary" disabled={phase === undefined || state.kind === 'sending'}>
          {t.nilSend}
        </button>
      </form>
      <div aria-live="polite">
        {state.kind === 'done' && (
          <p role="status">
            {state.answer.created
              ? t.nilSent(state.answer.nilReturn.phase)
              : t.nilAlready(state.answer.nilReturn.phase, fmtDate(state.answer.nilReturn.recordedAt, lang))}
          </p>
        )}
        {state.kind === 'error' && (
          <p class="error" role="alert">
            {state.message}
          </p>
        )}
      </div>
    </section>
  );
}
