// The base model and a tuned adapter in one conversation each, side by side, streamed: multi-turn
// (each side keeps its own replies), a system prompt, and tools picked from the dataset's tool
// definitions, rendered in the template's (or the chosen agent template's) tool format. A reply
// that calls a tool is shown parsed back into name + arguments (ms-swift's get_toolcall of that
// format) and as the template writes the call; the user answers it with a tool result.
// Both replies use the same sampling settings (greedy by default; a seed makes sampling repeatable).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunRecord } from '../../adapters/types.ts';
import type { Message, Tool } from '../../data/types.ts';
import { parseToolCalls, type ToolCallParse } from '../../infer/tool-calls.ts';
import {
  agentTemplateList,
  agentTemplateProblem,
  getTemplate,
  nativeAgentId,
  render,
  templateIds,
} from '../../templates/index.ts';
import { chatWorkerAvailable, closeChatWorker, generateInWorker, type ChatMessage } from '../../workers/chat-client.ts';
import { modelRequestFor, type ModelRequest } from '../train/model-request.ts';
import { adapterStore, useTrain } from '../train/store.ts';
import { TINY_ID } from '../train/models.ts';
import { useStudio } from '../studio/store.ts';
import { chatConversation, datasetTools, pendingCalls, renderedTurn, replyMessage, toolResult } from './history.ts';
import { HistoryView, IDLE, ToolCalls, type Live } from './views.tsx';
import '../train/train.css';
import './chat.css';

type SideId = 'base' | 'tuned';

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

/** Agent templates that work with any model template (the family-bound natives come in as "native"). */
const AGENTS = agentTemplateList().filter((a) => !a.families);

function runAgent(run: RunRecord | undefined): string {
  const a = (run?.hyperparameters as { agent_template?: unknown } | undefined)?.agent_template;
  return typeof a === 'string' && a ? a : 'native';
}

function Side({
  title,
  live,
  history,
  testid,
  pending,
  onResult,
  busy,
}: {
  title: string;
  live: Live;
  history: readonly Message[];
  testid: string;
  pending: { name: string }[];
  onResult: (text: string) => void;
  busy: boolean;
}) {
  const [result, setResult] = useState('');
  // A finished reply is the last history entry and shows in the reply box below the history.
  const shown = live.state === 'done' && history.at(-1)?.role === 'assistant' ? history.slice(0, -1) : history;
  return (
    <section className="card" aria-labelledby={`${testid}-h`}>
      <h2 id={`${testid}-h`}>{title}</h2>
      <HistoryView messages={shown} />
      <div
        className="reply"
        data-testid={testid}
        data-state={live.state}
        aria-live="polite"
        aria-busy={live.state === 'streaming' || live.state === 'loading'}
      >
        {live.text || (
          <span className="muted">
            {live.state === 'loading' ? 'Loading the model…' : live.state === 'idle' ? 'The reply streams here.' : ''}
          </span>
        )}
      </div>
      {live.note && (
        <p className={live.state === 'error' ? 'warn small' : 'muted small'} data-testid={`${testid}-note`}>
          {live.note}
        </p>
      )}
      <ToolCalls live={live} testid={testid} />
      {pending.length > 0 && !busy && (
        <form
          className="tool-result"
          onSubmit={(e) => {
            e.preventDefault();
            onResult(result);
            setResult('');
          }}
        >
          <label className="field">
            <span>Result of {pending.map((p) => p.name).join(', ')} (sent back as the tool&apos;s answer)</span>
            <textarea
              value={result}
              onChange={(e) => setResult(e.target.value)}
              rows={2}
              data-testid={`${testid}-tool-result`}
              placeholder='e.g. {"temperature": 18}'
            />
          </label>
          <button type="submit" data-testid={`${testid}-send-result`}>
            Send result
          </button>
        </form>
      )}
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
  const [picked, setPicked] = useState<string[]>([]);
  // Replies of an earlier send may still report (a stopped reply answers `done`): ignore them.
  const round = useRef(0);
  const [live, setLive] = useState<Record<SideId, Live>>({ base: IDLE, tuned: IDLE });
  const [history, setHistory] = useState<Record<SideId, Message[]>>({ base: [], tuned: [] });
  const stops = useRef<{ stop(): void }[]>([]);
  const local = useTrain((s) => s.local);
  const hubToken = useTrain((s) => s.hubToken);
  const results = useStudio((s) => s.results);
  const tools = useMemo(() => datasetTools(results.map((r) => r.conversation)), [results]);
  const chosenTools: Tool[] = tools.filter((t) => picked.includes(t.function.name));

  useEffect(() => {
    void adapterStore()
      .then((s) => s.list())
      .then((all) => {
        const usable = all.filter((r) => r.status === 'completed' || r.status === 'imported');
        setRuns(usable);
        setRunId((id) => (id && usable.some((r) => r.id === id) ? id : (usable[0]?.id ?? null)));
      });
    return () => {
      stops.current.forEach((s) => s.stop());
      // The worker keeps the model on the GPU between replies; leaving the page frees it for training.
      closeChatWorker();
    };
  }, []);

  const run = runs.find((r) => r.id === runId);
  const [template, setTemplate] = useState('chatml');
  const [agent, setAgent] = useState('native');
  useEffect(() => {
    if (run?.template) setTemplate(run.template);
    setAgent(runAgent(run));
  }, [run?.id, run?.template]);
  const spec = getTemplate(template);
  const agentProblem = agent === 'native' ? undefined : agentTemplateProblem(agent, spec);
  const agentOpt = agent === 'native' || agentProblem ? undefined : agent;

  /** The prompt for one side: its history plus the new user message (if any), with the generation prompt. */
  function promptFor(side: SideId, extra: Message[]): { text: string; error: string | null } {
    const conv = chatConversation(system, chosenTools, [...history[side], ...extra]);
    if (!conv.messages.length) return { text: '', error: null };
    try {
      return { text: render(spec, conv, { addGenerationPrompt: true, agentTemplate: agentOpt }).text, error: null };
    } catch (err) {
      return { text: '', error: (err as Error).message };
    }
  }

  const userMsg: Message[] = prompt.trim() ? [{ role: 'user', content: prompt }] : [];
  const rendered = userMsg.length ? promptFor('base', userMsg) : { text: '', error: null };

  const busy = (['base', 'tuned'] as const).some((s) => live[s].state === 'loading' || live[s].state === 'streaming');
  const available = chatWorkerAvailable();
  const turns = history.base.filter((m) => m.role === 'user').length;

  /** Generate on `sides`, each from its history plus `extra[side]`. */
  async function generate(sides: SideId[], extra: Record<SideId, Message[]>) {
    stops.current.forEach((s) => s.stop());
    stops.current = [];
    const mine = ++round.current;
    const weights = run ? await (await adapterStore()).getAdapter(run.id) : undefined;
    const model = modelFor(run, local ? modelRequestFor(`local:${local.name}`, local) : null, hubToken);
    const setSide = (side: SideId, f: (l: Live) => Live) => setLive((all) => ({ ...all, [side]: f(all[side]) }));
    for (const side of sides) {
      const adapter =
        side === 'base' ? null : weights ? { safetensors: weights.safetensors, config: weights.config } : undefined;
      if (adapter === undefined) {
        setSide(side, () => ({ ...IDLE, state: 'error', note: 'Pick an adapter to compare with.' }));
        continue;
      }
      const p = promptFor(side, extra[side]);
      if (!p.text) {
        setSide(side, () => ({ ...IDLE, state: 'error', note: p.error ?? 'Nothing to send.' }));
        continue;
      }
      const before = [...history[side], ...extra[side]];
      setHistory((h) => ({ ...h, [side]: before }));
      setSide(side, () => ({ ...IDLE, state: 'loading' }));
      let text = '';
      const onMessage = (m: ChatMessage) => {
        if (round.current !== mine) return;
        if (m.type === 'progress')
          setSide(side, (s) => ({
            ...s,
            note: `${m.phase} ${m.total ? Math.round((100 * m.loaded) / m.total) + '%' : ''}`,
          }));
        else if (m.type === 'token') {
          text += m.text;
          setSide(side, (s) => ({ ...s, state: 'streaming', text: s.text + m.text, note: '' }));
        } else if (m.type === 'done') {
          // Replies are read for tool calls only when the model was offered tools.
          let parse: ToolCallParse | null = null;
          if (chosenTools.length) {
            try {
              parse = parseToolCalls(text, spec, agentOpt);
            } catch (err) {
              parse = { parser: null, calls: [], error: (err as Error).message };
            }
          }
          const reply = replyMessage(text, parse?.calls ?? [], before.length, parse?.content);
          const callText = parse?.calls.length
            ? renderedTurn(spec, chatConversation(system, chosenTools, before), reply, { agentTemplate: agentOpt })
            : null;
          setHistory((h) => ({ ...h, [side]: [...before, reply] }));
          setSide(side, (s) => ({
            ...s,
            state: 'done',
            parse,
            callText,
            note: `${m.tokens} tokens · ${m.tokens_per_second.toFixed(1)} tokens/s`,
          }));
        } else setSide(side, (s) => ({ ...s, state: 'error', note: m.message }));
      };
      try {
        stops.current.push(
          await generateInWorker(
            {
              type: 'generate',
              model,
              adapter,
              prompt: p.text,
              max_new_tokens: maxTokens,
              stop: spec.stop,
              temperature,
              top_p: topP,
              seed,
            },
            onMessage,
          ),
        );
      } catch (err) {
        setSide(side, () => ({ ...IDLE, state: 'error', note: (err as Error).message }));
      }
    }
  }

  function send() {
    if (!rendered.text || busy) return;
    void generate(['base', 'tuned'], { base: userMsg, tuned: userMsg });
    setPrompt('');
  }

  function answer(side: SideId, content: string) {
    const msgs = pendingCalls(history[side]).map((c) => toolResult(c, content));
    void generate([side], { base: side === 'base' ? msgs : [], tuned: side === 'tuned' ? msgs : [] });
  }

  function reset() {
    stops.current.forEach((s) => s.stop());
    round.current++;
    setHistory({ base: [], tuned: [] });
    setLive({ base: IDLE, tuned: IDLE });
  }

  return (
    <div className="chat-page">
      <section className="card">
        <h2>Chat: base model vs your adapter</h2>
        {!available && (
          <p className="warn" role="status" data-testid="chat-unavailable">
            Generation is not in this build yet: the prompt below is rendered exactly as it will be sent, but no model
            replies.
          </p>
        )}
        <form
          className="chat-form"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <div className="chat-row">
            <label className="field">
              <span>Adapter</span>
              <select
                value={runId ?? ''}
                onChange={(e) => {
                  setRunId(e.target.value || null);
                  reset();
                }}
                data-testid="chat-adapter"
              >
                {runs.length === 0 && <option value="">No trained adapters yet</option>}
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Template</span>
              <select value={template} onChange={(e) => setTemplate(e.target.value)} data-testid="chat-template">
                {templateIds.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Tool format</span>
              <select value={agent} onChange={(e) => setAgent(e.target.value)} data-testid="chat-agent-template">
                <option value="native">
                  native ({nativeAgentId(spec).slice('native:'.length)} for {template})
                </option>
                <optgroup label="native formats">
                  {AGENTS.filter((a) => a.kind === 'native').map((a) => (
                    <option key={a.id} value={a.id} title={a.description}>
                      {a.id}
                    </option>
                  ))}
                </optgroup>
                <optgroup label="ms-swift (--agent_template)">
                  {AGENTS.filter((a) => a.kind === 'ms-swift').map((a) => (
                    <option key={a.id} value={a.id} title={a.description}>
                      {a.id}
                    </option>
                  ))}
                </optgroup>
              </select>
              {agentProblem && <small className="warn">{agentProblem} (the template&apos;s own format is used)</small>}
            </label>
          </div>
          <fieldset className="chat-row chat-sampling">
            <legend className="small muted">Generation</legend>
            <label
              className="field"
              title="The reply ends here at the latest (or at the template's stop words, or the model's end token)."
            >
              <span>Max new tokens</span>
              <input
                type="number"
                min={1}
                max={2048}
                value={maxTokens}
                data-testid="chat-max-tokens"
                onChange={(e) => setMaxTokens(Math.max(1, Math.min(2048, Math.round(Number(e.target.value)) || 1)))}
              />
            </label>
            <label
              className="field"
              title="0 always picks the most likely token (greedy). Higher values sample more freely."
            >
              <span>Temperature</span>
              <input
                type="number"
                min={0}
                max={5}
                step={0.1}
                value={temperature}
                data-testid="chat-temperature"
                onChange={(e) => setTemperature(Math.max(0, Math.min(5, Number(e.target.value) || 0)))}
              />
            </label>
            <label
              className="field"
              title="Sample only from the most likely tokens whose probabilities add up to this (1 is off)."
            >
              <span>Top-p</span>
              <input
                type="number"
                min={0.05}
                max={1}
                step={0.05}
                value={topP}
                disabled={temperature === 0}
                data-testid="chat-top-p"
                onChange={(e) => setTopP(Math.max(0.05, Math.min(1, Number(e.target.value) || 1)))}
              />
            </label>
            <label className="field" title="The same seed and settings give the same reply.">
              <span>Seed</span>
              <input
                type="number"
                min={0}
                step={1}
                value={seed}
                disabled={temperature === 0}
                data-testid="chat-seed"
                onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value)) || 0))}
              />
            </label>
            <small className="muted">
              {temperature === 0
                ? 'Greedy: the most likely token each step.'
                : `Sampling at temperature ${temperature}, top-p ${topP}, seed ${seed}.`}
            </small>
          </fieldset>
          <label className="field">
            <span>System prompt (optional)</span>
            <textarea value={system} onChange={(e) => setSystem(e.target.value)} rows={2} data-testid="chat-system" />
          </label>
          <fieldset className="chat-tools" data-testid="chat-tools">
            <legend className="small muted">Tools {tools.length ? `from the dataset (${tools.length})` : ''}</legend>
            {tools.length === 0 ? (
              <small className="muted">
                The loaded dataset declares no tools. Load agent data on the Dataset page to offer its tools to the
                model.
              </small>
            ) : (
              tools.map((t) => (
                <label key={t.function.name} className="chat-tool" title={t.function.description}>
                  <input
                    type="checkbox"
                    checked={picked.includes(t.function.name)}
                    data-testid="chat-tool"
                    data-name={t.function.name}
                    onChange={() =>
                      setPicked((p) =>
                        p.includes(t.function.name) ? p.filter((x) => x !== t.function.name) : [...p, t.function.name],
                      )
                    }
                  />
                  <code>{t.function.name}</code>
                  {t.function.description && <small className="muted"> {t.function.description}</small>}
                </label>
              ))
            )}
          </fieldset>
          <label className="field">
            <span>Your message{turns ? ` (turn ${turns + 1})` : ''}</span>
            <textarea
              value={prompt}
              onChange={(e) => setPrompt(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  send();
                }
              }}
              placeholder="Ask something your dataset taught it… (Ctrl+Enter sends)"
              data-testid="chat-prompt"
            />
          </label>
          <div className="chat-row">
            <button
              type="submit"
              className="primary"
              disabled={!rendered.text || busy || !available}
              data-testid="chat-send"
            >
              Send to both
            </button>
            {busy && (
              <button
                type="button"
                onClick={() => {
                  stops.current.forEach((s) => s.stop());
                  setLive((l) => ({ base: { ...l.base, state: 'done' }, tuned: { ...l.tuned, state: 'done' } }));
                }}
              >
                Stop
              </button>
            )}
            {(history.base.length > 0 || history.tuned.length > 0) && (
              <button type="button" onClick={reset} disabled={busy} data-testid="chat-new">
                New conversation
              </button>
            )}
          </div>
          {rendered.error && (
            <p className="warn" role="alert">
              {rendered.error}
            </p>
          )}
          {rendered.text && (
            <details>
              <summary>
                The prompt as the model sees it ({template}
                {agentOpt ? `, ${agentOpt} tools` : ''}, with the generation prompt
                {turns ? ', the base model’s history' : ''})
              </summary>
              <pre className="reply" data-testid="chat-rendered">
                {rendered.text}
              </pre>
            </details>
          )}
        </form>
      </section>
      <div className="chat-columns">
        <Side
          title={`Base model${run ? ` · ${run.base_model}` : ''}`}
          live={live.base}
          history={history.base}
          testid="reply-base"
          pending={pendingCalls(history.base)}
          onResult={(t) => answer('base', t)}
          busy={busy}
        />
        <Side
          title={`With adapter${run ? ` · ${run.name}` : ''}`}
          live={live.tuned}
          history={history.tuned}
          testid="reply-adapter"
          pending={pendingCalls(history.tuned)}
          onResult={(t) => answer('tuned', t)}
          busy={busy}
        />
      </div>
    </div>
  );
}
