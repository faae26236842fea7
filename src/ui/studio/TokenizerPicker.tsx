// Per column: load the tokenizer of the column's model from the Hub (by id) or a local folder.
// `tokKey` is what tokenizers.ts files it under: a template id, or an own-template column's key.
import { useState } from 'react';
import { useStudio } from './store.ts';
import { loadFromFolder, loadFromHub, unloadTokenizer } from './tokenizers.ts';

export function TokenizerPicker({ tokKey, models, column }: { tokKey: string; models: string[]; column: number }) {
  const status = useStudio((s) => s.tokenizers[tokKey]) ?? { state: 'none' as const };
  const [hubId, setHubId] = useState(models[0] ?? '');
  const listId = `models-${tokKey}`;

  return (
    <details className="tokenizer" open={status.state === 'error' ? true : undefined}>
      <summary>
        Tokenizer:{' '}
        <span data-testid={`tokenizer-status-${column}`} data-state={status.state}>
          {status.state === 'none' && <span className="muted">none (text view)</span>}
          {status.state === 'loading' && <>loading {status.source}…</>}
          {status.state === 'ready' && (
            <>
              <b>{status.source}</b> <span className="muted">({status.vocab.toLocaleString()} tokens)</span>
            </>
          )}
          {status.state === 'error' && <span className="err-text">failed</span>}
        </span>
      </summary>
      {status.state === 'error' && (
        <p className="err-text small" role="alert">
          {status.source}: {status.message}
        </p>
      )}
      <form
        className="tok-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (hubId.trim()) void loadFromHub(tokKey, hubId.trim());
        }}
      >
        <label className="small">
          Hub model id
          <input
            list={listId}
            value={hubId}
            onChange={(e) => setHubId(e.target.value)}
            placeholder="org/model"
            spellCheck={false}
          />
        </label>
        <datalist id={listId}>
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <button type="submit" disabled={status.state === 'loading'}>
          Load
        </button>
      </form>
      <label className="small folder">
        or a local folder (tokenizer.json or tokenizer.model, tokenizer_config.json):{' '}
        <input
          type="file"
          data-testid={`tokenizer-folder-${column}`}
          ref={(el) => el?.setAttribute('webkitdirectory', '')}
          onChange={(e) => {
            if (e.target.files?.length) void loadFromFolder(tokKey, e.target.files);
            e.target.value = '';
          }}
        />
      </label>
      {status.state === 'ready' && (
        <button type="button" className="link" onClick={() => unloadTokenizer(tokKey)}>
          Unload
        </button>
      )}
    </details>
  );
}
