// Save the form's settings as a JSON file and load one back (checked field by field before
// anything changes), and, before starting, the same run as a `prism train` command (this
// machine, headless) and as a `swift sft` command (ms-swift on GPUs).
import { useMemo, useState } from 'react';
import { CONFIG_FILE_NAME, ConfigFileError, parseTrainConfigJson, trainConfigJson } from '../../train/config-file.ts';
import type { ConfigIssue, TrainConfig } from '../../train/config.ts';
import { prismTrainCommand } from '../../train/prism-command.ts';
import { swiftCommand } from '../../train/swift.ts';
import { TINY_ID, TINY_OPTIONS } from '../../model/demo.ts';
import { saveBytes } from '../adapters/bundle.ts';
import { useStudio } from '../studio/store.ts';
import { useModelChoices } from './ModelPicker.tsx';
import { useTrain } from './store.ts';
import './config-panel.css';

/** The folder `--model` names, and the line that makes it, for the model the form trains. */
function modelFolder(modelId: string): { dir: string; setup: string } {
  if (modelId === TINY_ID) {
    const o = TINY_OPTIONS;
    return {
      dir: 'tiny-demo',
      setup:
        `prism make-tiny-model --arch ${o.arch} --tokenizer ${o.tokenizer} --hidden ${o.hidden} --layers ` +
        `${o.layers} --heads ${o.heads} ` +
        `--kv-heads ${o.kvHeads} --intermediate ${o.intermediate} --seed ${o.seed} --dtype ${o.dtype} --out tiny-demo`,
    };
  }
  if (modelId.startsWith('local:')) {
    const name = modelId.slice('local:'.length) || 'MODEL_DIR';
    return { dir: name, setup: `# --model: the folder "${name}" you picked` };
  }
  const dir = modelId.split('/').pop() || 'MODEL_DIR';
  return { dir, setup: `hf download ${modelId} --local-dir ${dir}` };
}

function Command({ title, text, testid, note }: { title: string; text: string; testid: string; note?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="command">
      <div className="command-head">
        <strong className="small">{title}</strong>
        <button
          type="button"
          className="small"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => {},
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre data-testid={testid}>{text}</pre>
      {note && <small className="muted">{note}</small>}
    </div>
  );
}

export function ConfigPanel({ disabled }: { disabled: boolean }) {
  const { config, modelId, setConfig, setModel } = useTrain();
  const fileName = useStudio((s) => s.fileName);
  const choices = useModelChoices();
  const [loaded, setLoaded] = useState<string | null>(null);
  const [error, setError] = useState<{ file: string; issues: ConfigIssue[] } | null>(null);
  const data = fileName ?? 'dataset.jsonl';

  const commands = useMemo(() => {
    const { dir, setup } = modelFolder(modelId);
    const prism = `${setup}\n${prismTrainCommand(config, { modelDir: dir, dataPath: data, outDir: 'output' })}`;
    let swift: string;
    let swiftNote: string | undefined;
    try {
      swift = swiftCommand(config, { datasetPath: data, outputDir: 'output' });
    } catch (err) {
      swift = '';
      swiftNote = (err as Error).message;
    }
    return { prism, swift, swiftNote };
  }, [config, modelId, data]);

  async function load(files: FileList | null) {
    const f = files?.[0];
    if (!f) return;
    setError(null);
    setLoaded(null);
    try {
      const cfg: TrainConfig = parseTrainConfigJson(await f.text(), f.name);
      // The weights come from the model the file names when the picker offers it; else the picked one stays.
      if (cfg.model_id !== modelId && choices.some((c) => c.id === cfg.model_id)) setModel(cfg.model_id, cfg.template);
      setConfig(cfg);
      const picked = useTrain.getState().modelId;
      setLoaded(
        picked === cfg.model_id || picked.startsWith('local:')
          ? `Loaded ${f.name}.`
          : `Loaded ${f.name}. It names ${cfg.model_id}, which is not in the model list: the ` +
              `weights still come from ${picked}.`,
      );
    } catch (err) {
      if (err instanceof ConfigFileError) setError({ file: err.file, issues: err.issues });
      else setError({ file: f.name, issues: [{ field: '(file)', message: (err as Error).message }] });
    }
  }

  return (
    <section className="card config-panel" aria-labelledby="cfg-h" data-testid="config-panel">
      <h2 id="cfg-h">Settings file and commands</h2>
      <div className="toolbar">
        <button
          type="button"
          onClick={() =>
            saveBytes(new TextEncoder().encode(trainConfigJson(config)), CONFIG_FILE_NAME, 'application/json')
          }
          data-testid="config-save"
        >
          Save settings (JSON)
        </button>
        <label className={`button ${disabled ? 'disabled' : ''}`}>
          Load settings…
          <input
            type="file"
            accept=".json,application/json"
            className="sr-only"
            disabled={disabled}
            onChange={(e) => {
              void load(e.target.files);
              e.target.value = '';
            }}
            data-testid="config-load"
          />
        </label>
        <span className="muted small">
          A TrainConfig as JSON; prism.json and trainer_state.json of an adapter load too.
        </span>
      </div>
      {loaded && (
        <p className="muted small" role="status" data-testid="config-loaded">
          {loaded}
        </p>
      )}
      {error && (
        <div className="warn" role="alert" data-testid="config-error">
          <p>{error.file} was not loaded (the form is unchanged):</p>
          <ul className="plain">
            {error.issues.map((i, k) => (
              <li key={k} data-field={i.field}>
                <span className="mono">{i.field}</span>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <details open>
        <summary className="small">The same run on the command line</summary>
        <Command
          title="prism train (this run, headless in Node)"
          text={commands.prism}
          testid="cmd-prism"
          note="From a Prism checkout: npm run prism -- train …"
        />
        {commands.swift ? (
          <Command title="swift sft (ms-swift 4.x, on GPUs)" text={commands.swift} testid="cmd-swift" />
        ) : (
          <p className="warn small" data-testid="cmd-swift-error">
            No swift sft command: {commands.swiftNote}
          </p>
        )}
      </details>
    </section>
  );
}
