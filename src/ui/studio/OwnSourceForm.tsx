// Where an own-template column's chat_template comes from: pasted Jinja, a tokenizer_config.json
// file (string or named-list form), or a tokenizer already loaded on the page; plus the special
// tokens the template receives. Nothing here is applied until "Use this template".
import { useId, useMemo, useState } from 'react';
import {
  chatTemplateFromConfig,
  ConfigError,
  parseConfigText,
  sourceFromConfig,
  specialTokensFromConfig,
  type OwnSourceKind,
  type OwnTemplateSource,
} from '../../templates/compare/own-template.ts';
import { useStudio } from './store.ts';
import { loadedTokenizers } from './tokenizers.ts';

type ToolsMode = '' | 'objects' | 'json_functions';

interface PickedConfig {
  label: string;
  cfg: Record<string, unknown>;
  tokenizerJSON?: Record<string, unknown>;
  tokenizerKey?: string;
}

const KINDS: [OwnSourceKind, string][] = [
  ['paste', 'Paste a template'],
  ['jinja', 'A .jinja file'],
  ['file', 'tokenizer_config.json'],
  ['tokenizer', 'A loaded tokenizer'],
];

export function OwnSourceForm({
  ownKey,
  column,
  current,
  onApplied,
}: {
  ownKey: string;
  column: number;
  current: OwnTemplateSource | null;
  onApplied(): void;
}) {
  const setOwnSource = useStudio((s) => s.setOwnSource);
  const tokenizers = useStudio((s) => s.tokenizers);
  const uid = useId();
  const [kind, setKind] = useState<OwnSourceKind>(current?.kind ?? 'paste');
  const [pasted, setPasted] = useState(current?.kind === 'paste' ? current.chatTemplate : '');
  const [fileCfg, setFileCfg] = useState<PickedConfig | null>(null);
  const [jinja, setJinja] = useState<{ name: string; text: string } | null>(
    current?.kind === 'jinja' ? { name: current.label, text: current.chatTemplate } : null,
  );
  const [tokKey, setTokKey] = useState<string>(current?.tokenizerKey ?? '');
  const [name, setName] = useState<string | undefined>(current?.templateName);
  const [bos, setBos] = useState(current?.specialTokens.bos_token ?? '');
  const [eos, setEos] = useState(current?.specialTokens.eos_token ?? '');
  const [tools, setTools] = useState<ToolsMode>(current?.toolsOnSystemMessage ?? '');
  const [error, setError] = useState<string | null>(null);

  // Re-read on every tokenizer status change (the map of loaded tokenizers is not state).
  const ready = useMemo(() => loadedTokenizers().filter(([k]) => tokenizers[k]?.state === 'ready'), [tokenizers]);
  const tokCfg: PickedConfig | null = useMemo(() => {
    const hit = ready.find(([k]) => k === tokKey);
    if (!hit) return null;
    const [k, t] = hit;
    return { label: t.source, cfg: t.files.tokenizerConfig, tokenizerJSON: t.files.tokenizerJSON, tokenizerKey: k };
  }, [ready, tokKey]);
  const picked = kind === 'file' ? fileCfg : kind === 'tokenizer' ? tokCfg : null;
  const names = useMemo(() => {
    if (!picked) return [];
    try {
      return chatTemplateFromConfig(picked.cfg, name).names;
    } catch {
      try {
        return chatTemplateFromConfig(picked.cfg, undefined).names;
      } catch {
        return [];
      }
    }
  }, [picked, name]);

  /** A newly picked config brings its own bos/eos (still editable). */
  const takeTokens = (cfg: Record<string, unknown>) => {
    const sp = specialTokensFromConfig(cfg);
    setBos(sp.bos_token ?? '');
    setEos(sp.eos_token ?? '');
    setName(undefined);
    setError(null);
    try {
      chatTemplateFromConfig(cfg);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const apply = () => {
    setError(null);
    try {
      let src: OwnTemplateSource;
      if (kind === 'paste') {
        if (!pasted.trim()) throw new ConfigError('paste a Jinja chat template first');
        src = {
          kind,
          label: `${pasted.length.toLocaleString()} characters`,
          chatTemplate: pasted,
          specialTokens: {},
          addedSpecial: [],
        };
      } else if (kind === 'jinja') {
        if (!jinja) throw new ConfigError('pick a .jinja file first');
        src = { kind, label: jinja.name, chatTemplate: jinja.text, specialTokens: {}, addedSpecial: [] };
      } else {
        if (!picked)
          throw new ConfigError(
            kind === 'file' ? 'pick a tokenizer_config.json file first' : 'pick a loaded tokenizer first',
          );
        src = sourceFromConfig(picked.cfg, kind, picked.label, {
          name,
          tokenizerJSON: picked.tokenizerJSON,
          tokenizerKey: picked.tokenizerKey,
        });
      }
      src.specialTokens = { ...src.specialTokens, bos_token: bos || null, eos_token: eos || null };
      if (tools) src.toolsOnSystemMessage = tools;
      setOwnSource(ownKey, src);
      onApplied();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <form
      className="own-form"
      aria-label={`Template source for column ${column + 1}`}
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <fieldset className="own-kinds">
        <legend className="small">Source</legend>
        {KINDS.map(([k, label]) => (
          <label key={k} className="small">
            <input
              type="radio"
              name={`${uid}-kind`}
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
              data-testid={`own-kind-${k}-${column}`}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>

      {kind === 'paste' && (
        <label className="small own-paste">
          <span>
            Jinja chat template (the <code>chat_template</code> string, or a chat_template.jinja file's text)
          </span>
          <textarea
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                apply();
              }
            }}
            rows={8}
            spellCheck={false}
            placeholder="{% for message in messages %}…"
            data-testid={`own-paste-${column}`}
          />
        </label>
      )}

      {kind === 'jinja' && (
        <label className="small">
          <span>
            A Jinja chat template file (<code>chat_template.jinja</code>, or any <code>.jinja</code>)
            {jinja ? <b> · {jinja.name}</b> : null}
          </span>
          <input
            type="file"
            accept=".jinja,.j2,.jinja2,.txt,text/plain"
            data-testid={`own-jinja-${column}`}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (!f) return;
              setError(null);
              try {
                const text = await f.text();
                if (!text.trim()) throw new ConfigError('the file is empty');
                // A tokenizer_config.json picked here by mistake: say where it goes.
                if (/^\s*\{\s*"/.test(text))
                  throw new ConfigError(
                    'this looks like JSON: a tokenizer_config.json goes under "tokenizer_config.json"',
                  );
                setJinja({ name: f.name, text });
              } catch (err) {
                setJinja(null);
                setError(`${f.name}: ${(err as Error).message}`);
              }
            }}
          />
        </label>
      )}

      {kind === 'file' && (
        <label className="small">
          <span>tokenizer_config.json{fileCfg ? <b> · {fileCfg.label}</b> : null}</span>
          <input
            type="file"
            accept=".json,application/json"
            data-testid={`own-file-${column}`}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (!f) return;
              try {
                const cfg = parseConfigText(await f.text());
                setFileCfg({ label: f.name, cfg });
                takeTokens(cfg);
              } catch (err) {
                setFileCfg(null);
                setError(`${f.name}: ${(err as Error).message}`);
              }
            }}
          />
        </label>
      )}

      {kind === 'tokenizer' &&
        (ready.length === 0 ? (
          <p className="small muted">
            No tokenizer is loaded yet: load one with a column's Tokenizer picker (from the Hub or a local folder), then
            pick it here.
          </p>
        ) : (
          <label className="small">
            Tokenizer{' '}
            <select
              value={tokKey}
              data-testid={`own-tokenizer-${column}`}
              onChange={(e) => {
                setTokKey(e.target.value);
                const t = ready.find(([k]) => k === e.target.value)?.[1];
                if (t) takeTokens(t.files.tokenizerConfig);
              }}
            >
              <option value="">choose…</option>
              {ready.map(([k, t]) => (
                <option key={k} value={k}>
                  {t.source} ({k === ownKey ? 'this column' : `${k} column`})
                </option>
              ))}
            </select>
          </label>
        ))}

      {names.length > 1 && (
        <label className="small">
          Named template{' '}
          <select
            value={name ?? (names.includes('default') ? 'default' : '')}
            onChange={(e) => setName(e.target.value || undefined)}
          >
            {!names.includes('default') && <option value="">choose…</option>}
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      )}

      <div className="own-tokens">
        <label className="small" title="What the template's bos_token variable holds (empty: undefined)">
          bos_token{' '}
          <input
            value={bos}
            onChange={(e) => setBos(e.target.value)}
            spellCheck={false}
            data-testid={`own-bos-${column}`}
          />
        </label>
        <label className="small" title="What the template's eos_token variable holds (empty: undefined)">
          eos_token{' '}
          <input
            value={eos}
            onChange={(e) => setEos(e.target.value)}
            spellCheck={false}
            data-testid={`own-eos-${column}`}
          />
        </label>
      </div>
      <label
        className="small"
        title="Most templates read the tools argument; GLM-4-9b-chat and Phi-4-mini read tools from the system message"
      >
        Tools go in{' '}
        <select value={tools} onChange={(e) => setTools(e.target.value as ToolsMode)}>
          <option value="">the tools argument</option>
          <option value="objects">the system message (GLM-4)</option>
          <option value="json_functions">the system message as JSON (Phi-4-mini)</option>
        </select>
      </label>
      {error && (
        <p className="err-text small" role="alert" data-testid={`own-error-${column}`}>
          {error}
        </p>
      )}
      <p className="own-actions">
        <button type="submit" className="primary" data-testid={`own-apply-${column}`}>
          Use this template
        </button>
        {kind === 'paste' && <span className="small muted">or Ctrl+Enter in the text box</span>}
      </p>
    </form>
  );
}
