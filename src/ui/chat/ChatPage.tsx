// One prompt to the base model and to a tuned adapter, side by side, streamed. The prompt is
// rendered with the run's template and its generation prompt, shown exactly as sent. Both
// replies use the same sampling settings (greedy by default; a seed makes sampling repeatable).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunRecord } from '../../adapters/types.ts';
import { getTemplate, render, templateIds } from '../../templates/index.ts';
import type { Conversation } from '../../data/types.ts';
import { chatWorkerAvailable, closeChatWorker, generateInWorker, type ChatMessage } from '../../workers/chat-client.ts';
import { modelRequestFor, type ModelRequest } from '../train/model-request.ts';
import { adapterStore, useTrain } from '../train/store.ts';
import { TINY_ID } from '../train/models.ts';
import '../train/train.css';
import './chat.css';

interface Side {
  text: string;
  state: 'idle' | 'loading' | 'streaming' | 'done' | 'error';
  note: string;
}

const IDLE: Side = { text: '', state: 'idle', note: '' };

function runFromHash(): string | null {
  const q = location.hash.split('?')[1];
  return q ? new URLSearchParams(q).get('run') : null;
}

/** The adapter's base model; a gated Hub model gets the access token typed on the Train page (kept in memory only). */
function modelFor(run: RunRecord | undefined, local: ModelRequest | null, token: string): ModelRequest {
  if (!run || run.base_model === TINY_ID) return { kind: 'tiny' };
  if (run.base_model.startsWith('local:')) return local ?? { kind: 'tiny' };
  return token ? { kind: 'hub', repo: run.base_model, token } : { kind: 'hub', repo: run.base_model };
}

function Reply({ title, side, testid }: { title: string; side: Side; testid: string }) {
  return (
    <section className="card" aria-labelledby={`${testid}-h`}>
      <h2 id={`${testid}-h`}>{title}</h2>
      <div className="reply" data-testid={testid} data-state={side.state} aria-live="polite" aria-busy={side.state === 'streaming' || side.state === 'loading'}>
        {side.text || <span className="muted">{side.state === 'loading' ? 'Loading the model…' : side.state === 'idle' ? 'The reply streams here.' : ''}</span>}
      </div>
      {side.note && <p className={side.state === 'error' ? 'warn small' : 'muted small'} data-testid={`${testid}-note`}>{side.note}</p>}
    </section>
  );
}

export function ChatPage() {
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [runId, setRunId] = useState<string | null>(runFromHash());
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('');
  const [maxTokens, setMaxTokens] = useState(32);
  const [temperature, setTemperature] = useState(0);
  const [topP, setTopP] = useState(1);
  const [seed, setSeed] = useState(0);
  // Replies of an earlier send may still report (a stopped reply answers `done`): ignore them.
  const round = useRef(0);
  const [base, setBase] = useState<Side>(IDLE);
  const [tuned, setTuned] = useState<Side>(IDLE);
  const stops = useRef<{ stop(): void }[]>([]);
  const local = useTrain((s) => s.local);
  const hubToken = useTrain((s) => s.hubToken);

  useEffect(() => {
    void adapterStore().then((s) => s.list()).then((all) => {
      const usable = all.filter((r) => r.status === 'completed' || r.status === 'imported');
      setRuns(usable);
      setRunId((id) => (id && usable.some((r) => r.id === id) ? id : usable[0]?.id ?? null));
    });
    return () => {
      stops.current.forEach((s) => s.stop());
      // The worker keeps the model on the GPU between replies; leaving the page frees it for training.
      closeChatWorker();
    };
  }, []);

  const run = runs.find((r) => r.id === runId);
  const [template, setTemplate] = useState('chatml');
  useEffect(() => {
    if (run?.template) setTemplate(run.template);
  }, [run?.template]);

  const rendered = useMemo(() => {
    if (!prompt.trim()) return { text: '', error: null as string | null };
    const conv: Conversation = { ...(system.trim() ? { system } : {}), messages: [{ role: 'user', content: prompt }] } as Conversation;
    try {
      return { text: render(getTemplate(template), conv, { addGenerationPrompt: true }).text, error: null };
    } catch (err) {
      return { text: '', error: (err as Error).message };
    }
  }, [prompt, system, template]);

  const busy = [base, tuned].some((s) => s.state === 'loading' || s.state === 'streaming');
  const available = chatWorkerAvailable();

  async function send() {
    if (!rendered.text || busy) return;
    stops.current.forEach((s) => s.stop());
    stops.current = [];
    const mine = ++round.current;
    const weights = run ? await (await adapterStore()).getAdapter(run.id) : undefined;
    const model = modelFor(run, local ? modelRequestFor(`local:${local.name}`, local) : null, hubToken);
    const stop = getTemplate(template).stop;
    const sides: [boolean, (f: (s: Side) => Side) => void, { safetensors: Uint8Array; config: string } | null][] = [
      [true, (f) => setBase(f), null],
      [false, (f) => setTuned(f), weights ? { safetensors: weights.safetensors, config: weights.config } : null],
    ];
    for (const [isBase, set, adapter] of sides) {
      if (adapter === null && !isBase) {
        set(() => ({ text: '', state: 'error', note: 'Pick an adapter to compare with.' }));
        continue;
      }
      set(() => ({ text: '', state: 'loading', note: '' }));
      const onMessage = (m: ChatMessage) => {
        if (round.current !== mine) return;
        if (m.type === 'progress') set((s) => ({ ...s, note: `${m.phase} ${m.total ? Math.round((100 * m.loaded) / m.total) + '%' : ''}` }));
        else if (m.type === 'token') set((s) => ({ ...s, state: 'streaming', text: s.text + m.text, note: '' }));
        else if (m.type === 'done') set((s) => ({ ...s, state: 'done', note: `${m.tokens} tokens · ${m.tokens_per_second.toFixed(1)} tokens/s` }));
        else set((s) => ({ ...s, state: 'error', note: m.message }));
      };
      try {
        stops.current.push(await generateInWorker({ type: 'generate', model, adapter, prompt: rendered.text, max_new_tokens: maxTokens, stop, temperature, top_p: topP, seed }, onMessage));
      } catch (err) {
        set(() => ({ text: '', state: 'error', note: (err as Error).message }));
      }
    }
  }

  return (
    <div className="chat-page">
      <section className="card">
        <h2>Chat: base model vs your adapter</h2>
        {!available && (
          <p className="warn" role="status" data-testid="chat-unavailable">
            Generation is not in this build yet: the prompt below is rendered exactly as it will be sent, but no model replies.
          </p>
        )}
        <form className="chat-form" onSubmit={(e) => { e.preventDefault(); void send(); }}>
          <div className="chat-row">
            <label className="field">
              <span>Adapter</span>
              <select value={runId ?? ''} onChange={(e) => setRunId(e.target.value || null)} data-testid="chat-adapter">
                {runs.length === 0 && <option value="">No trained adapters yet</option>}
                {runs.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
              </select>
            </label>
            <label className="field">
              <span>Template</span>
              <select value={template} onChange={(e) => setTemplate(e.target.value)}>
                {templateIds.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </label>
          </div>
          <fieldset className="chat-row chat-sampling">
            <legend className="small muted">Generation</legend>
            <label className="field" title="The reply ends here at the latest (or at the template's stop words, or the model's end token).">
              <span>Max new tokens</span>
              <input type="number" min={1} max={2048} value={maxTokens} data-testid="chat-max-tokens" onChange={(e) => setMaxTokens(Math.max(1, Math.min(2048, Math.round(Number(e.target.value)) || 1)))} />
            </label>
            <label className="field" title="0 always picks the most likely token (greedy). Higher values sample more freely.">
              <span>Temperature</span>
              <input type="number" min={0} max={5} step={0.1} value={temperature} data-testid="chat-temperature" onChange={(e) => setTemperature(Math.max(0, Math.min(5, Number(e.target.value) || 0)))} />
            </label>
            <label className="field" title="Sample only from the most likely tokens whose probabilities add up to this (1 is off).">
              <span>Top-p</span>
              <input type="number" min={0.05} max={1} step={0.05} value={topP} disabled={temperature === 0} data-testid="chat-top-p" onChange={(e) => setTopP(Math.max(0.05, Math.min(1, Number(e.target.value) || 1)))} />
            </label>
            <label className="field" title="The same seed and settings give the same reply.">
              <span>Seed</span>
              <input type="number" min={0} step={1} value={seed} disabled={temperature === 0} data-testid="chat-seed" onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value)) || 0))} />
            </label>
            <small className="muted">{temperature === 0 ? 'Greedy: the most likely token each step.' : `Sampling at temperature ${temperature}, top-p ${topP}, seed ${seed}.`}</small>
          </fieldset>
          <label className="field">
            <span>System prompt (optional)</span>
            <input type="text" value={system} onChange={(e) => setSystem(e.target.value)} />
          </label>
          <label className="field">
            <span>Your message</span>
            <textarea
              value={prompt}
              onChange={(e) => setPrompt(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void send(); } }}
              placeholder="Ask something your dataset taught it… (Ctrl+Enter sends)"
              data-testid="chat-prompt"
            />
          </label>
          <div className="chat-row">
            <button type="submit" className="primary" disabled={!rendered.text || busy || !available} data-testid="chat-send">Send to both</button>
            {busy && <button type="button" onClick={() => { stops.current.forEach((s) => s.stop()); setBase((s) => ({ ...s, state: 'done' })); setTuned((s) => ({ ...s, state: 'done' })); }}>Stop</button>}
          </div>
          {rendered.error && <p className="warn" role="alert">{rendered.error}</p>}
          {rendered.text && (
            <details>
              <summary>The prompt as the model sees it ({template}, with the generation prompt)</summary>
              <pre className="reply" data-testid="chat-rendered">{rendered.text}</pre>
            </details>
          )}
        </form>
      </section>
      <div className="chat-columns">
        <Reply title={`Base model${run ? ` · ${run.base_model}` : ''}`} side={base} testid="reply-base" />
        <Reply title={`With adapter${run ? ` · ${run.name}` : ''}`} side={tuned} testid="reply-adapter" />
      </div>
    </div>
  );
}
