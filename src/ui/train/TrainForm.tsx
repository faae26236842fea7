// The hyperparameters, with presets and one line of help each. Names are ms-swift's, so the
// same values continue a run with `swift sft` (the adapter zip carries that command).
import type { ReactNode } from 'react';
import { agentTemplateList, getTemplate, nativeAgentId, templateIds } from '../../templates/index.ts';
import type { LossPolicy } from '../../templates/types.ts';
import {
  lossPolicyOf,
  withLossPolicy,
  type LrSchedulerType,
  type TrainConfig,
  type TruncationStrategy,
} from '../../train/config.ts';
import { HELP, PRESETS } from './presets.ts';
import { useTrain } from './store.ts';

function Field({ name, label, children }: { name: string; label: string; children: ReactNode }) {
  const help = HELP[name];
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {help && <small className="muted">{help}</small>}
    </label>
  );
}

function NumberInput({
  value,
  onChange,
  step,
  min,
  max,
  nullable,
  testid,
}: {
  value: number | null;
  onChange: (v: number | null) => void;
  step?: number;
  min?: number;
  max?: number;
  nullable?: boolean;
  testid?: string;
}) {
  return (
    <input
      type="number"
      value={value ?? ''}
      step={step ?? 'any'}
      min={min}
      max={max}
      data-testid={testid}
      placeholder={nullable ? 'auto' : undefined}
      onChange={(e) => {
        const t = e.target.value.trim();
        if (t === '') return onChange(nullable ? null : (min ?? 0));
        const v = Number(t);
        if (Number.isFinite(v)) onChange(v);
      }}
    />
  );
}

/** Agent templates that work with any model template (the family-bound natives come in as "native"). */
const AGENTS = agentTemplateList().filter((a) => !a.families);

export function TrainForm({
  disabled,
  templateHint,
  lossHint,
  agentHint,
}: {
  disabled: boolean;
  templateHint: string | null;
  lossHint: LossPolicy | null;
  agentHint?: string | null;
}) {
  const { config, setConfig, preset, setPreset, configFrom } = useTrain();
  const set = <K extends keyof TrainConfig>(k: K, v: TrainConfig[K]) => setConfig({ ...config, [k]: v });
  const setLora = (k: keyof TrainConfig['lora'], v: number) =>
    setConfig({ ...config, lora: { ...config.lora, [k]: v } });
  return (
    <section className="card" aria-labelledby="form-h">
      <h2 id="form-h">3. Settings</h2>
      <fieldset disabled={disabled} className="form">
        <legend className="sr-only">Training settings</legend>
        <div className="presets" role="radiogroup" aria-label="Preset">
          {PRESETS.map((p) => (
            <label key={p.id} className={`preset ${preset === p.id ? 'on' : ''}`}>
              <input
                type="radio"
                name="preset"
                checked={preset === p.id}
                onChange={() => setPreset(p.id)}
                data-testid={`preset-${p.id}`}
              />
              <strong>{p.label}</strong>
              <small className="muted">{p.blurb}</small>
            </label>
          ))}
        </div>
        <p className="muted small" data-testid="settings-origin">
          {configFrom ? (
            <>
              The settings of run <strong>{configFrom.name}</strong>.
            </>
          ) : preset ? (
            <>From the {PRESETS.find((p) => p.id === preset)?.label} preset.</>
          ) : (
            'Custom settings (changed by hand).'
          )}
        </p>
        <div className="grid">
          <Field name="template" label="Template">
            <select value={config.template} onChange={(e) => set('template', e.target.value)}>
              {templateIds.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <small className="muted">
              {templateHint && templateHint !== config.template
                ? `The Templates page compares ${templateHint}; this model was trained with ${config.template}.`
                : 'The prompt format the model was trained with.'}
            </small>
          </Field>
          <Field name="agent_template" label="Tool format">
            <select
              value={config.agent_template ?? 'native'}
              data-testid="train-agent-template"
              onChange={(e) => {
                const { agent_template: _old, ...rest } = config;
                setConfig(e.target.value === 'native' ? rest : { ...rest, agent_template: e.target.value });
              }}
            >
              <option value="native">
                native ({nativeAgentId(getTemplate(config.template)).slice('native:'.length)} for {config.template})
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
            {agentHint && agentHint !== (config.agent_template ?? 'native') && (
              <small className="muted">The Templates page shows {agentHint}.</small>
            )}
          </Field>
          <Field name="loss_policy" label="Train on">
            <select
              value={lossPolicyOf(config)}
              onChange={(e) => setConfig(withLossPolicy(config, e.target.value as LossPolicy))}
            >
              <option value="all_assistant">every assistant turn</option>
              <option value="last_round">the last round only</option>
              <option value="all">everything (incl. prompts)</option>
            </select>
            <small className="muted">
              {lossHint
                ? `Carried over from the Templates page (${lossHint}).`
                : 'Which tokens the loss is computed on.'}
            </small>
          </Field>
          <Field name="loss_scale" label="Loss scale">
            <input
              type="text"
              value={config.loss_scale ?? 'default'}
              spellCheck={false}
              data-testid="loss-scale"
              onChange={(e) => setConfig({ ...config, loss_scale: e.target.value.trim(), loss_policy: undefined })}
            />
          </Field>
          <Field name="learning_rate" label="Learning rate">
            <NumberInput
              value={config.learning_rate}
              onChange={(v) => set('learning_rate', v ?? 1e-4)}
              step={0.00001}
              min={0}
              testid="lr"
            />
          </Field>
          <Field name="max_steps" label="Max steps">
            <NumberInput
              value={config.max_steps}
              onChange={(v) => set('max_steps', Math.round(v ?? -1))}
              step={1}
              min={-1}
              testid="max-steps"
            />
          </Field>
          <Field name="num_train_epochs" label="Epochs">
            <NumberInput
              value={config.num_train_epochs}
              onChange={(v) => set('num_train_epochs', v ?? 1)}
              step={1}
              min={0}
            />
          </Field>
          <Field name="per_device_train_batch_size" label="Batch size">
            <NumberInput
              value={config.per_device_train_batch_size}
              onChange={(v) => set('per_device_train_batch_size', Math.max(1, Math.round(v ?? 1)))}
              step={1}
              min={1}
            />
          </Field>
          <Field name="gradient_accumulation_steps" label="Gradient accumulation">
            <NumberInput
              value={config.gradient_accumulation_steps}
              nullable
              onChange={(v) => set('gradient_accumulation_steps', v === null ? null : Math.max(1, Math.round(v)))}
              step={1}
              min={1}
            />
          </Field>
          <Field name="max_length" label="Max length (tokens)">
            <NumberInput
              value={config.max_length}
              nullable
              onChange={(v) => set('max_length', v === null ? null : Math.max(16, Math.round(v)))}
              step={64}
              min={16}
              testid="max-length"
            />
          </Field>
          <Field name="truncation_strategy" label="Longer records">
            <select
              value={config.truncation_strategy}
              onChange={(e) => set('truncation_strategy', e.target.value as TruncationStrategy)}
              data-testid="truncation"
            >
              <option value="delete">drop them (delete)</option>
              <option value="left">keep their end (left)</option>
              <option value="right">keep their start (right)</option>
            </select>
          </Field>
          <Field name="lora.r" label="LoRA rank (r)">
            <NumberInput
              value={config.lora.r}
              onChange={(v) => setLora('r', Math.max(1, Math.round(v ?? 8)))}
              step={1}
              min={1}
            />
          </Field>
          <Field name="lora.lora_alpha" label="LoRA alpha">
            <NumberInput
              value={config.lora.lora_alpha}
              onChange={(v) => setLora('lora_alpha', v ?? 32)}
              step={1}
              min={0}
            />
          </Field>
          <Field name="lora.lora_dropout" label="LoRA dropout">
            <NumberInput
              value={config.lora.lora_dropout}
              onChange={(v) => setLora('lora_dropout', v ?? 0)}
              step={0.01}
              min={0}
              max={0.99}
            />
          </Field>
          <Field name="warmup_ratio" label="Warmup ratio">
            <NumberInput
              value={config.warmup_ratio}
              onChange={(v) => set('warmup_ratio', v ?? 0)}
              step={0.01}
              min={0}
              max={1}
            />
          </Field>
          <Field name="lr_scheduler_type" label="Schedule">
            <select
              value={config.lr_scheduler_type}
              onChange={(e) => set('lr_scheduler_type', e.target.value as LrSchedulerType)}
            >
              <option value="cosine">cosine</option>
              <option value="linear">linear</option>
              <option value="constant">constant</option>
            </select>
          </Field>
          <Field name="split_dataset_ratio" label="Eval split">
            <NumberInput
              value={config.split_dataset_ratio}
              onChange={(v) => set('split_dataset_ratio', v ?? 0)}
              step={0.01}
              min={0}
              max={0.5}
            />
          </Field>
          <Field name="eval_steps" label="Eval every (steps)">
            <NumberInput
              value={config.eval_steps}
              nullable
              onChange={(v) => set('eval_steps', v === null ? null : Math.max(1, Math.round(v)))}
              step={1}
              min={1}
            />
          </Field>
          <Field name="save_steps" label="Checkpoint every (steps)">
            <NumberInput
              value={config.save_steps}
              onChange={(v) => set('save_steps', Math.max(1, Math.round(v ?? 500)))}
              step={1}
              min={1}
            />
          </Field>
          <Field name="weight_decay" label="Weight decay">
            <NumberInput
              value={config.weight_decay}
              onChange={(v) => set('weight_decay', v ?? 0)}
              step={0.01}
              min={0}
            />
          </Field>
          <Field name="seed" label="Seed">
            <NumberInput value={config.seed} onChange={(v) => set('seed', Math.round(v ?? 42))} step={1} />
          </Field>
        </div>
      </fieldset>
    </section>
  );
}
