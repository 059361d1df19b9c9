/**
 * "This file corrects an earlier upload": the one way a Member makes a file a new version of an earlier one (POST
 * /api/uploads `replaces`), so that the earlier file's cases the correction no longer has are withdrawn. Every upload
 * gets a folder of its own, so the same file name alone replaces nothing: a Member who names every weekly file the
 * same must not withdraw last week's cases by chance. Hence no upload is chosen by default, not even one of the same
 * name (that one is only pointed out).
 */
import type { Submission } from '../api.ts';
import { fmtDate, useApp } from '../app.ts';
import { extOf, keptName, whenOf } from '../earlier.ts';

/** Why the chosen upload cannot be corrected by this file (another file type), or null. */
export function correctsProblem(file: File | null, earlier: Submission | undefined, t: ReturnType<typeof useApp>['t']): string | null {
  return file && earlier && extOf(file.name) !== extOf(earlier.fileName) ? t.correctsOtherType(earlier.fileName) : null;
}

export function CorrectsField(props: {
  earlier: readonly Submission[];
  file: File | null;
  value: string;
  onChange: (id: string) => void;
  disabled: boolean;
  /** Whether to point out an earlier upload of the file's name (not while this file is sent, nor on its result). */
  suggest: boolean;
}) {
  const { t, lang } = useApp();
  const { earlier, file, value } = props;
  if (earlier.length === 0) return null;
  const chosen = earlier.find((s) => s.id === value);
  const sameName = file && !chosen && props.suggest ? earlier.find((s) => s.fileName === keptName(file.name)) : undefined;
  const problem = correctsProblem(file, chosen, t);
  const when = whenOf(earlier, lang, fmtDate);
  return (
    <>
      <label for="replaces">{t.corrects}</label>
      <select
        id="replaces"
        value={value}
        disabled={props.disabled}
        aria-describedby={`replaces-help${problem ? ' replaces-problem' : ''}`}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">{t.correctsNone}</option>
        {earlier.map((s) => (
          <option value={s.id} key={s.id}>
            {s.fileName} · {when.get(s.id)}
          </option>
        ))}
      </select>
      <p id="replaces-help" class="muted hint">
        {t.correctsHelp}
      </p>
      <div aria-live="polite">
        {chosen && !problem && (
          <p class="note" data-testid="corrects-effect">
            {t.correctsEffect(chosen.fileName, when.get(chosen.id)!)}
          </p>
        )}
        {sameName && (
          <p class="note" data-testid="corrects-hint">
            {t.correctsHint(sameName.fileName, when.get(sameName.id)!)}
          </p>
        )}
      </div>
      {problem && (
        <p id="replaces-problem" class="error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
