// The Train page: pick a model, check it fits, set the hyperparameters, train in a worker and
// watch it learn. A run left unfinished by a closed tab is offered for resumption.
import { useEffect, useState } from 'react';
import { useApp } from '../store.ts';
import { currentDatasetRef } from '../studio/load-dataset.ts';
import { useStudio } from '../studio/store.ts';
import { LengthPanel } from './LengthPanel.tsx';
import { lengthCap, presetMaxLength, useLengths } from './lengths.ts';
import { modelRequestFor } from './model-request.ts';
import { CachePanel } from './CachePanel.tsx';
import { ConfigPanel } from './ConfigPanel.tsx';
import { canTrain } from './capability.ts';
import { CapabilityCheck, useChecks } from './CapabilityCheck.tsx';
import { ModelPicker, useModelChoices } from './ModelPicker.tsx';
import { RunPanel } from './RunPanel.tsx';
import { configLine, interruptedRuns, useTrain, type InterruptedRun } from './store.ts';
import { TrainForm } from './TrainForm.tsx';
import type { Conversation } from '../../data/types.ts';
import { effectiveLossScale } from '../../train/config.ts';
import './train.css';

type Interrupted = InterruptedRun;

function ResumeOffer() {
  const [runs, setRuns] = useState<Interrupted[]>([]);
  const [error, setError] = useState<string | null>(null);
  const { start, run } = useTrain();
  useEffect(() => {
    void interruptedRuns().then(setRuns, () => setRuns([]));
  }, [run?.id]);
  if (!runs.length) return null;
  async function go(r: Interrupted) {
    try {
      setError(null);
      await start({ resumeRunId: r.id });
      setRuns((xs) => xs.filter((x) => x.id !== r.id));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <section className="card resume-offer" role="region" aria-label="Unfinished runs" data-testid="resume-offer">
      <h2>Pick up where you left off</h2>
      <ul className="plain">
        {runs.map((r) => (
          <li key={r.id}>
            <span>{r.name}</span> <span className="muted">· last checkpoint at step {r.step}</span>{' '}
            <small className="muted run-settings" data-testid="resume-settings">
              {configLine(r.config)}
            </small>{' '}
            <button type="button" className="primary" onClick={() => void go(r)} data-testid="resume-run">
              Resume from step {r.step}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function DatasetLine({ count, name }: { count: number; name: string | null }) {
  return (
    <p className="dataset-line" data-testid="train-dataset">
      {count > 0 ? (
        <>
          Training data: <strong>{name}</strong> · {count} conversation{count === 1 ? '' : 's'}
        </>
      ) : (
        <>
          No dataset yet: load a JSONL file on the <a href="#/dataset">Dataset page</a> (Alt+1) or try a sample there.
        </>
      )}
    </p>
  );
}

export function TrainPage() {
  const results = useStudio((s) => s.results);
  const fileName = useStudio((s) => s.fileName);
  const studioTemplates = useStudio((s) => s.templates);
  const studioLoss = useStudio((s) => s.choices.lossPolicy);
  const studioAgent = useStudio((s) => s.choices.agentTemplate);
  const stored = useStudio((s) => s.stored);
  const { modelId, config, run, start, local, hubToken, preset, setConfig } = useTrain();
  const gpu = useApp((s) => s.gpu);
  const choices = useModelChoices();
  const chosen = choices.find((c) => c.id === modelId);
  const checks = useChecks(chosen?.spec);
  const [startError, setStartError] = useState<string | null>(null);
  const conversations = results.map((r) => r.conversation).filter((c): c is Conversation => !!c);
  const active = !!run && (run.phase === 'preparing' || run.phase === 'running' || run.phase === 'paused');
  const facts = useLengths((s) => s.facts);
  const measure = useLengths((s) => s.measure);
  const cap = chosen
    ? lengthCap(chosen.spec, { batch: config.per_device_train_batch_size, r: config.lora.r }, gpu)
    : null;

  // Every record measured with this model's tokenizer and template, once per change of either.
  useEffect(() => {
    const dataset = currentDatasetRef();
    if (!dataset || !chosen || active) return;
    let model;
    try {
      model = modelRequestFor(modelId, local, hubToken || undefined);
    } catch {
      return; // a local folder to pick again: the model picker says so
    }
    measure({
      dataset,
      model,
      modelId,
      template: config.template,
      lossScale: effectiveLossScale(config),
      agentTemplate: config.agent_template,
    });
    // The Hub token is left out on purpose: it only matters for a gated model's first fetch.
  }, [
    stored?.sha256,
    modelId,
    local,
    config.template,
    config.loss_policy,
    config.loss_scale,
    config.agent_template,
    active,
    !!chosen,
    measure,
  ]);

  // A preset takes its max_length from the data: 99% of the records whole, within the GPU plan.
  useEffect(() => {
    if (active || !preset || !facts || cap === null) return;
    const { maxLength } = presetMaxLength(facts, cap);
    const c = useTrain.getState().config;
    if (c.max_length !== maxLength) setConfig({ ...c, max_length: maxLength }, { keepPreset: true });
  }, [facts, preset, cap, active, setConfig]);

  const blocker = !conversations.length
    ? 'Load a dataset first.'
    : !canTrain(checks)
      ? 'Fix the capability check above first.'
      : startError;

  async function onStart() {
    setStartError(null);
    try {
      await start();
    } catch (err) {
      setStartError((err as Error).message);
    }
  }

  return (
    <div className="train-page">
      <ResumeOffer />
      {active && run ? (
        <DatasetLine count={run.conversations} name={run.datasetName} />
      ) : (
        <DatasetLine count={conversations.length} name={fileName} />
      )}
      <div className="train-columns">
        <div className="col">
          <ModelPicker disabled={active} />
          <CapabilityCheck checks={checks} />
          <CachePanel />
        </div>
        <div className="col">
          <TrainForm
            disabled={active}
            templateHint={studioTemplates[0] ?? null}
            lossHint={studioLoss ?? null}
            agentHint={studioAgent ?? null}
          />
          <LengthPanel cap={cap} disabled={active} />
          <ConfigPanel disabled={active} />
          <RunPanel
            canStart={!!conversations.length && canTrain(checks) && !!config}
            blocker={blocker}
            onStart={() => void onStart()}
          />
        </div>
      </div>
    </div>
  );
}
