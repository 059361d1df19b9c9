/**
 * "Download my data" on the uploads page: the Member's stored lines (GET /api/my-data) as the template of the page's
 * language (xlsx, to correct and upload back) or as CSV. Analysts download the Member chosen in the page's filter.
 */
import { useState } from 'preact/hooks';
import { ApiError, saveDownload } from '../api.ts';
import { useApp } from '../app.ts';

export function MyDataSection({ member }: { member: string }) {
  const { t, me, lang } = useApp();
  const [state, setState] = useState<'idle' | 'busy' | 'too-many' | 'none' | 'failed'>('idle');
  const who = me.analyst ? member : (me.member ?? '');
  const get = async (format: 'xlsx' | 'csv') => {
    setState('busy');
    try {
      const q = `format=${format}&lang=${lang}${me.analyst ? `&member=${who}` : ''}`;
      await saveDownload(`my-data?${q}`, `my-data.${format}`);
      setState('idle');
    } catch (e) {
      setState(e instanceof ApiError && e.status === 413 ? 'too-many' : e instanceof ApiError && e.status === 404 ? 'none' : 'failed');
    }
  };
  return (
    <section class="card" aria-labelledby="my-data">
      <h2 id="my-data">{me.analyst ? t.myDataMember : t.myData}</h2>
      <p class="muted">{t.myDataHelp}</p>
      {who ? (
        <div class="actions">
          <button type="button" onClick={() => get('xlsx')} disabled={state === 'busy'}>
            {me.analyst ? t.myDataMember : t.myData} (.xlsx)
          </button>
          <button type="button" class="secondary" onClick={() => get('csv')} disabled={state === 'busy'}>
            {t.myDataCsv}
          </button>
        </div>
      ) : (
        <p>{t.myDataChoose}</p>
      )}
      <div aria-live="polite">
        {state === 'busy' && <p role="status">{t.myDataPreparing}</p>}
        {state === 'none' && <p role="status">{me.analyst ? t.myDataNoneMember : t.myDataNone}</p>}
        {(state === 'too-many' || state === 'failed') && (
          <p class="error" role="alert">
            {state === 'too-many' ? t.myDataTooMany : t.myDataFailed}
          </p>
        )}
      </div>
    </section>
  );
}
