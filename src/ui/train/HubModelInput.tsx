// Any Hub model beside the curated list: an id or huggingface.co URL, checked by reading its
// config.json (./hub-check.ts), then offered like the listed ones. A failed Hub request says
// what happened and offers the demo model or a folder from disk instead.
import { useState } from 'react';
import { KNOWN_MODELS } from '../../model/index.ts';
import { checkHubModel, parseHubRef, verdictLine, type HubFailure, type HubVerdict } from './hub-check.ts';
import { useHubModel } from './hub-model-store.ts';
import { checkedHubChoice, TINY_ID } from './models.ts';
import { useTrain } from './store.ts';

/** The model-folder input of the picker, which the offer below opens. */
export const FOLDER_INPUT_ID = 'model-folder-input';

/**
 * "Offline / gated / not found …: use the demo model, or a folder from disk." For a gated or
 * private model also the token field, unless the page shows one already (`tokenField` false).
 */
export function HubFailureOffer({ failure, tokenField = true }: { failure: HubFailure; tokenField?: boolean }) {
  const { setModel, hubToken, setHubToken } = useTrain();
  return (
    <div className="hub-failure" role="alert" data-testid="hub-failure" data-kind={failure.kind}>
      <p className="warn">{failure.message}</p>
      <p className="actions">
        <button type="button" onClick={() => setModel(TINY_ID, 'chatml')} data-testid="hub-failure-demo">
          Use the demo model
        </button>
        <button type="button" onClick={() => document.getElementById(FOLDER_INPUT_ID)?.click()}>
          Pick the model’s folder from disk
        </button>
      </p>
      {tokenField && failure.kind === 'gated' && (
        <label className="field">
          <span>Hugging Face access token</span>
          <input
            type="password"
            autoComplete="off"
            value={hubToken}
            placeholder="hf_…"
            onChange={(e) => setHubToken(e.target.value)}
          />
          <small className="muted">
            Sent only to huggingface.co; never stored. Then check again, or start the run again.
          </small>
        </label>
      )}
    </div>
  );
}

export function HubModelInput() {
  const { setModel, hubToken } = useTrain();
  const { checked, setChecked } = useHubModel();
  const [text, setText] = useState(checked?.id ?? '');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<HubVerdict | { state: 'input'; message: string } | null>(null);

  async function check() {
    const ref = parseHubRef(text);
    if ('error' in ref) return setResult({ state: 'input', message: ref.error });
    if (ref.revision !== 'main') {
      return setResult({
        state: 'input',
        message: `${ref.repo}: Prism downloads the main branch; a revision (${ref.revision}) is not supported yet.`,
      });
    }
    setBusy(true);
    try {
      const v = await checkHubModel(ref, { token: hubToken || undefined });
      setResult(v);
      if (v.state !== 'trains') return;
      const listed = KNOWN_MODELS.find((m) => m.id === v.repo);
      if (listed) return setModel(listed.id, listed.template);
      setChecked({ id: v.repo, config: v.config, spec: v.spec });
      setModel(v.repo, checkedHubChoice(v.repo, v.spec).template);
    } finally {
      setBusy(false);
    }
  }

  const failed = result?.state === 'failed' ? result.failure : null;
  return (
    <div className="hub-any">
      <label className="field">
        <span>Or any model on the Hub</span>
        <span className="row">
          <input
            type="text"
            value={text}
            placeholder="owner/name or https://huggingface.co/owner/name"
            data-testid="hub-model-input"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), void check())}
          />
          <button
            type="button"
            disabled={busy || !text.trim()}
            onClick={() => void check()}
            data-testid="hub-model-check"
          >
            {busy ? 'Checking…' : 'Check'}
          </button>
        </span>
        <small className="muted">Reads its config.json from huggingface.co: does this architecture train here?</small>
      </label>
      {result && result.state !== 'failed' && (
        <p
          className={result.state === 'trains' ? 'ok' : 'warn'}
          data-testid="hub-model-verdict"
          data-state={result.state}
        >
          {result.state === 'input' ? result.message : verdictLine(result)}
          {result.state === 'trains' &&
            result.notes.map((n) => (
              <small key={n} className="muted">
                {' '}
                {n}
              </small>
            ))}
        </p>
      )}
      {failed && <HubFailureOffer failure={failed} />}
    </div>
  );
}
