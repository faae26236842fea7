// The Templates page: one record, 2–4 model families side by side, each prompt exactly as that
// model's chat template writes it, trained text highlighted, special tokens as chips, and with a
// tokenizer the tokens themselves. Every option re-renders every column at once.
import { useEffect, useMemo, type CSSProperties } from 'react';
import type { Conversation } from '../../data/index.ts';
import {
  agentTemplateList,
  getTemplate,
  LOSS_SCALE_NAMES,
  nativeAgentId,
  templateIds,
  templateVarNames,
  templates as allTemplates,
  type Rendered,
  type TemplateId,
} from '../../templates/index.ts';
import { CompareTable } from './CompareTable.tsx';
import { RecordNav } from './RecordNav.tsx';
import { SpecNotes } from './SpecNotes.tsx';
import { ColumnBody, useColumnTokens } from './ColumnView.tsx';
import { OwnTemplateColumn } from './OwnTemplateColumn.tsx';
import { TokenizerPicker } from './TokenizerPicker.tsx';
import { loadSample } from './load-dataset.ts';
import { lossScaleSpec, renderColumn } from '../../templates/compare/render-column.ts';
import { specialPattern } from './segments.ts';
import { MAX_COLUMNS, MIN_COLUMNS, useStudio, type RenderChoices } from './store.ts';
import { loadFromHub } from './tokenizers.ts';
import './studio.css';

function Options() {
  const c = useStudio((s) => s.choices);
  const set = useStudio((s) => s.setChoices);
  const viewTokens = useStudio((s) => s.viewTokens);
  const setViewTokens = useStudio((s) => s.setViewTokens);
  const showNewlines = useStudio((s) => s.showNewlines);
  const setShowNewlines = useStudio((s) => s.setShowNewlines);
  const anyTokenizer = useStudio((s) => Object.values(s.tokenizers).some((t) => t?.state === 'ready'));
  const anyOwn = useStudio((s) => s.ownColumns.length > 0);
  const policies: [RenderChoices['lossPolicy'], string, string][] = [
    ['all_assistant', 'All assistant turns', 'every assistant reply is trained'],
    ['last_round', 'Last round', 'only the reply after the last user message'],
    ['all', 'Everything', 'the whole prompt is trained (pretraining-style)'],
  ];
  return (
    <section className="card options" aria-label="Render options">
      <fieldset>
        <legend>Train on</legend>
        {policies.map(([v, label, help]) => (
          <label key={v} title={help}>
            <input
              type="radio"
              name="loss"
              value={v}
              checked={c.lossPolicy === v}
              onChange={() => set({ lossPolicy: v })}
            />{' '}
            {label}
          </label>
        ))}
        {c.lossPolicy === 'last_round' && (
          <label
            title={'In agent data the last round can start after the last user message or after the last tool result'}
          >
            from the last{' '}
            <select
              value={c.lastRoundBoundary}
              onChange={(e) => set({ lastRoundBoundary: e.target.value as RenderChoices['lastRoundBoundary'] })}
            >
              <option value="user">user message</option>
              <option value="user_or_tool">user message or tool result</option>
            </select>
          </label>
        )}
        <LossScaleInput />
      </fieldset>
      <AgentPicker />
      <TemplateVarsPicker />
      <fieldset>
        <legend>Thinking</legend>
        <label
          title={
            "The templates' enable_thinking (Qwen3: false adds an empty think block to the generation prompt); each " +
            "template's own default unless set"
          }
        >
          enable_thinking{' '}
          <select
            value={c.enableThinking === null ? '' : String(c.enableThinking)}
            onChange={(e) => set({ enableThinking: e.target.value === '' ? null : e.target.value === 'true' })}
            data-testid="enable-thinking-select"
          >
            <option value="">template default</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        </label>
        <label title="Train the empty <think></think> block a template inserts">
          <input
            type="checkbox"
            checked={c.trainEmptyThink}
            onChange={(e) => set({ trainEmptyThink: e.target.checked })}
          />{' '}
          train empty think
        </label>
      </fieldset>
      <fieldset>
        <legend>Prompt</legend>
        <label title="Llama 3.1+ 'Today Date' line, e.g. 26 Jul 2024">
          Date{' '}
          <input
            className="date"
            value={c.date}
            placeholder="template default"
            onChange={(e) => set({ date: e.target.value })}
          />
        </label>
        <label title="The date templates print with strftime_now (gpt-oss, Granite 3.3, Mistral Small 3.2), YYYY-MM-DD">
          Today{' '}
          <input
            className="today"
            value={c.today ?? ''}
            placeholder="current date"
            onChange={(e) => set({ today: e.target.value })}
            data-testid="today-input"
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={c.addGenerationPrompt}
            onChange={(e) => set({ addGenerationPrompt: e.target.checked })}
          />{' '}
          add generation prompt
        </label>
        <label>
          max_length{' '}
          <input
            className="num"
            type="number"
            min={16}
            step={256}
            value={c.maxLength}
            onChange={(e) => Number(e.target.value) > 0 && set({ maxLength: Math.floor(Number(e.target.value)) })}
          />
        </label>
      </fieldset>
      <fieldset>
        <legend>View</legend>
        <label>
          <input type="radio" name="view" checked={!viewTokens} onChange={() => setViewTokens(false)} /> Text
        </label>
        <label title={anyTokenizer ? '' : 'load a tokenizer in a column first'}>
          <input
            type="radio"
            name="view"
            checked={viewTokens}
            disabled={!anyTokenizer}
            onChange={() => setViewTokens(true)}
          />{' '}
          Tokens
        </label>
        <label title="Draw ↵ at each line break (not part of the text)">
          <input type="checkbox" checked={showNewlines} onChange={(e) => setShowNewlines(e.target.checked)} /> show ↵
        </label>
      </fieldset>
      {anyOwn && (
        <p className="own-note small muted" data-testid="own-options-note">
          Model's own template columns: <i>Train on</i> and the last-round boundary apply; enable_thinking and the date
          (as <code>date_string</code>) are passed to the template as arguments; <i>train empty think</i> and the tool
          format do not apply (the spans follow what the template itself writes in each turn, tools as its Jinja writes
          them).
        </p>
      )}
      <div className="legend" aria-label="Legend">
        <span className="sp trained">trained</span>
        <span className="sp masked">not trained</span>
        <span
          className="sp trained added"
          title="an end marker the official template does not write, added so the model learns to stop"
        >
          added for training
        </span>
        <span
          className="sp trained weighted w-up"
          style={{ '--w': '0.75' } as CSSProperties}
          title="a loss weight above 1 (e.g. 2)"
        >
          weight &gt; 1
        </span>
        <span
          className="sp trained weighted w-down"
          style={{ '--w': '0.25' } as CSSProperties}
          title="a loss weight below 1 (e.g. 0.5)"
        >
          weight &lt; 1
        </span>
        <span className="chip">special token</span>
      </div>
    </section>
  );
}

/** ms-swift's loss-scale names, offered as suggestions; any `+` chain of them is accepted. */
const LOSS_SCALE_SUGGESTIONS = [
  ...LOSS_SCALE_NAMES.filter((n) => n !== 'base'),
  'hermes+ignore_empty_think',
  'react+ignore_empty_think',
];

/** ms-swift's `--loss_scale` names after the base strategy chosen by the radios above. */
function LossScaleInput() {
  const c = useStudio((s) => s.choices);
  const set = useStudio((s) => s.setChoices);
  const { spec, error } = lossScaleSpec(c);
  return (
    <label
      title={
        error ??
        (spec
          ? `ms-swift --loss_scale ${spec}`
          : 'weight 1 everywhere trained; e.g. react, hermes, hermes+ignore_empty_think')
      }
    >
      loss scale{' '}
      <input
        className="loss-scale"
        list="loss-scale-names"
        value={c.lossScale ?? ''}
        placeholder="none"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        data-testid="loss-scale-input"
        onChange={(e) => set({ lossScale: e.target.value })}
      />
      <datalist id="loss-scale-names">
        {LOSS_SCALE_SUGGESTIONS.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {error && (
        <span className="err-text small" role="alert" data-testid="loss-scale-error">
          {' '}
          {error}
        </span>
      )}
    </label>
  );
}

const BOOLEAN_VARS = new Set(['keep_past_thinking', 'clear_thinking', 'thinking']);

/** The official templates' other variables, for the templates in the columns (each reads its own). */
function TemplateVarsPicker() {
  const columns = useStudio((s) => s.templates);
  const c = useStudio((s) => s.choices);
  const set = useStudio((s) => s.setChoices);
  const decls = new Map<string, { default: string; description: string; templates: string[] }>();
  for (const id of columns) {
    for (const name of templateVarNames(getTemplate(id))) {
      const d = getTemplate(id).vars!.find((v) => v.name === name)!;
      const prev = decls.get(name);
      decls.set(name, { default: d.default, description: d.description, templates: [...(prev?.templates ?? []), id] });
    }
  }
  const value = (name: string) => c.vars?.[name] ?? '';
  const put = (name: string, v: string) => set({ vars: { ...(c.vars ?? {}), [name]: v } });
  const fixable = columns.some((id) => getTemplate(id).toolFormat === 'mistral_small');
  if (!decls.size && !fixable) return null;
  return (
    <fieldset data-testid="template-vars">
      <legend>Template variables</legend>
      {[...decls].map(([name, d]) => (
        <label key={name} title={`${d.description} (${d.templates.join(', ')}; default ${d.default})`}>
          {name}{' '}
          {BOOLEAN_VARS.has(name) ? (
            <select value={value(name)} onChange={(e) => put(name, e.target.value)} data-testid={`var-${name}`}>
              <option value="">default ({d.default})</option>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              className="var"
              value={value(name)}
              placeholder={d.default}
              onChange={(e) => put(name, e.target.value)}
              data-testid={`var-${name}`}
            />
          )}
        </label>
      ))}
      {fixable && (
        <label title="Mistral Small 3.2 refuses tool call ids that are not 9 characters: rewrite them instead">
          <input
            type="checkbox"
            checked={!!c.fixToolCallIds}
            onChange={(e) => set({ fixToolCallIds: e.target.checked })}
          />{' '}
          fix tool call ids
        </label>
      )}
    </fieldset>
  );
}

/** The agent templates the global picker offers: each family's own, the generic natives, ms-swift's. */
const AGENT_CHOICES = agentTemplateList().filter((a) => !a.families);

function AgentPicker() {
  const value = useStudio((s) => s.choices.agentTemplate);
  const set = useStudio((s) => s.setChoices);
  const natives = AGENT_CHOICES.filter((a) => a.kind === 'native');
  const swift = AGENT_CHOICES.filter((a) => a.kind === 'ms-swift');
  const picked = AGENT_CHOICES.find((a) => a.id === value);
  return (
    <fieldset>
      <legend>Tools</legend>
      <label
        title={
          picked?.description ??
          "Each model family's own tool format (hermes for Qwen, JSON for Llama 3.1+, ReAct " +
            'where the template has none)'
        }
      >
        agent template{' '}
        <select
          value={value}
          onChange={(e) => set({ agentTemplate: e.target.value })}
          data-testid="agent-template-select"
        >
          <option value="native">native (each family's own)</option>
          <optgroup label="native formats">
            {natives.map((a) => (
              <option key={a.id} value={a.id} title={a.description}>
                {a.id}
              </option>
            ))}
          </optgroup>
          <optgroup label="ms-swift (--agent_template)">
            {swift.map((a) => (
              <option key={a.id} value={a.id} title={a.description}>
                {a.id}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
    </fieldset>
  );
}

const RESULTS_IN: Record<NonNullable<Rendered['toolResultsIn']>, string> = {
  user: 'tool results in a user turn',
  tool: 'tool results in tool turns',
  assistant: 'tool results inline in the reply',
};

/** Which tool format a column used and where its tool results went. */
function AgentLine({
  column,
  id,
  result,
}: {
  column: number;
  id: TemplateId;
  result: ReturnType<typeof renderColumn>;
}) {
  const agent = result.ok ? (result.rendered.agentTemplate ?? nativeAgentId(getTemplate(id))) : undefined;
  if (!agent) return null;
  const where = result.ok && result.rendered.toolResultsIn;
  return (
    <p
      className="column-agent small muted"
      data-testid={`agent-line-${column}`}
      data-agent={agent}
      data-results-in={where || ''}
    >
      tools: <b>{agent === nativeAgentId(getTemplate(id)) ? `native: ${agent.slice('native:'.length)}` : agent}</b>
      {where && <> · {RESULTS_IN[where]}</>}
    </p>
  );
}

function Column({
  id,
  column,
  conv,
  canRemove,
}: {
  id: TemplateId;
  column: number;
  conv: Conversation;
  canRemove: boolean;
}) {
  const choices = useStudio((s) => s.choices);
  const setTemplate = useStudio((s) => s.setTemplate);
  const removeTemplate = useStudio((s) => s.removeTemplate);
  const spec = getTemplate(id);
  const special = specialPattern(spec);
  const result = useMemo(() => renderColumn(id, conv, choices), [id, conv, choices]);
  const tokens = useColumnTokens(id, result);

  return (
    <article
      className="column"
      data-testid={`column-${column}`}
      data-template={id}
      aria-label={`${spec.id} (column ${column + 1})`}
    >
      <header className="column-head">
        <label>
          <span className="sr-only">Template for column {column + 1}</span>
          <select
            value={id}
            onChange={(e) => setTemplate(column, e.target.value as TemplateId)}
            data-testid={`template-select-${column}`}
          >
            {templateIds.map((t) => (
              <option key={t} value={t}>
                {t} — {allTemplates[t].family}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="icon"
          disabled={!result.ok}
          onClick={() => result.ok && void navigator.clipboard?.writeText(result.rendered.text)}
          aria-label={`Copy the ${spec.id} prompt`}
          title="Copy the prompt text"
        >
          Copy
        </button>
        <button
          type="button"
          className="icon"
          onClick={() => removeTemplate(column)}
          disabled={!canRemove}
          aria-label={`Remove column ${column + 1}`}
          title="Remove this column"
        >
          ✕
        </button>
      </header>
      <p className="column-models small muted">
        {spec.models.length
          ? spec.models.slice(0, 2).join(', ') + (spec.models.length > 2 ? ' …' : '')
          : 'generic ChatML'}
      </p>
      <AgentLine column={column} id={id} result={result} />
      <ColumnBody
        column={column}
        name={spec.id}
        result={result}
        tokens={tokens}
        special={special}
        picker={<TokenizerPicker key={spec.id} tokKey={spec.id} models={spec.models} column={column} />}
        notes={<SpecNotes spec={spec} column={column} />}
        refusedText={`${spec.id} cannot render this record`}
      />
    </article>
  );
}

function Empty() {
  return (
    <section className="card">
      <h2>One conversation, every model</h2>
      <p>
        Load a dataset on the <a href="#/dataset">Dataset page</a> to compare how Qwen, Llama, InternLM, GLM, Mistral,
        Gemma, Phi, DeepSeek and SmolLM render each record, byte-exact to each model's chat template, with the trained
        text highlighted.
      </p>
      <p>
        <button type="button" className="primary" onClick={() => void loadSample('agent-openai.jsonl')}>
          Try it on the agent sample
        </button>
      </p>
    </section>
  );
}

export function TemplatesPage() {
  const results = useStudio((s) => s.results);
  const selected = useStudio((s) => s.selected);
  const templates = useStudio((s) => s.templates);
  const ownColumns = useStudio((s) => s.ownColumns);
  const addTemplate = useStudio((s) => s.addTemplate);
  const addOwnColumn = useStudio((s) => s.addOwnColumn);
  let index = selected;
  if (!results[index]?.conversation) {
    const next = results.findIndex((r, i) => i >= selected && r.conversation);
    index = next >= 0 ? next : results.findIndex((r) => r.conversation);
  }
  const record = results[index];
  const select = useStudio((s) => s.select);
  useEffect(() => {
    if (index >= 0 && index !== selected) select(index);
  }, [index, selected, select]);
  if (!record?.conversation) return <Empty />;
  const unused = templateIds.find((t) => !templates.includes(t)) ?? templateIds[0];
  const count = templates.length + ownColumns.length;
  const full = count >= MAX_COLUMNS;

  return (
    <div className="templates-page">
      <Options />
      <section className="card record-bar" aria-label="Record">
        <RecordNav validOnly />
        <span className="bar-actions">
          <button
            type="button"
            onClick={() => {
              for (const id of new Set(templates)) {
                const model = getTemplate(id).models[0];
                if (model && useStudio.getState().tokenizers[id]?.state !== 'ready') void loadFromHub(id, model);
              }
            }}
            title="Fetch each column's tokenizer from the Hugging Face Hub (cached by the browser after the first time)"
          >
            Load tokenizers from the Hub
          </button>
          <button
            type="button"
            onClick={() => addTemplate(unused)}
            disabled={full}
            title={full ? `at most ${MAX_COLUMNS} columns` : 'Add a built-in template column'}
          >
            + Add a column
          </button>
          <button
            type="button"
            data-testid="add-own-template"
            onClick={() => addOwnColumn()}
            disabled={full}
            title={
              full
                ? `at most ${MAX_COLUMNS} columns: remove one first`
                : "Render with a model's own Jinja chat_template (pasted, from a " +
                  'tokenizer_config.json, or from a loaded tokenizer)'
            }
          >
            + Model's own template
          </button>
        </span>
      </section>
      <div className={`columns cols-${count}`} data-testid="columns" data-line={record.line}>
        {templates.map((id, i) => (
          <Column
            key={i}
            id={id}
            column={i}
            conv={record.conversation!}
            canRemove={templates.length > 1 && count > MIN_COLUMNS}
          />
        ))}
        {ownColumns.map((c, i) => (
          <OwnTemplateColumn
            key={c.key}
            own={c}
            column={templates.length + i}
            conv={record.conversation!}
            canRemove={count > MIN_COLUMNS}
          />
        ))}
      </div>
      <CompareTable />
    </div>
  );
}
