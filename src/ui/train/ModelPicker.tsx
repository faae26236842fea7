// Model picker: the tiny demo model (default, no download), the supported Hub models with their
// size, download and training memory up front, or a model folder from disk.
import { useMemo, useState } from 'react';
import { parseConfig } from '../../model/config.ts';
import { hubIdFromConfig, hubModelId } from '../../train/provenance.ts';
import { filesByRelativePath } from '../../model/sources/model-source.ts';
import {
  checkedHubChoice,
  hubChoices,
  localChoice,
  memoryNeeded,
  notYetChoices,
  tinyChoice,
  fmtBytes,
  fmtParams,
  type ModelChoice,
} from './models.ts';
import { useTrain } from './store.ts';
import { hubFailureOfMessage } from './hub-check.ts';
import { useHubModel } from './hub-model-store.ts';
import { FOLDER_INPUT_ID, HubFailureOffer, HubModelInput } from './HubModelInput.tsx';
import { useLengths } from './lengths.ts';

export function useModelChoices(): ModelChoice[] {
  const local = useTrain((s) => s.local);
  const checked = useHubModel((s) => s.checked);
  return useMemo(() => {
    const list = [tinyChoice(), ...hubChoices()];
    if (checked && !list.some((c) => c.id === checked.id)) list.push(checkedHubChoice(checked.id, checked.spec));
    if (local) list.push(localChoice(local.name, local.spec));
    return list;
  }, [local, checked]);
}

/** A Hub download of the chosen model that failed (the run's or the length measurement's), in words. */
function useHubFailure(chosen: ModelChoice | undefined) {
  const failed = useTrain((s) => s.run?.phase === 'failed');
  const runFailure = useHubModel((s) => s.runFailure);
  const lengthError = useLengths((s) => s.error);
  const token = useTrain((s) => !!s.hubToken);
  if (chosen?.kind !== 'hub') return null;
  if (failed && runFailure?.repo === chosen.id) return runFailure.failure;
  // The length measurement's worker reports its error as text.
  const ctx = { online: globalThis.navigator?.onLine ?? true, token, repo: chosen.id };
  return lengthError ? hubFailureOfMessage(lengthError, ctx) : null;
}

export function ModelPicker({ disabled }: { disabled: boolean }) {
  const { modelId, setModel, setLocal, hubToken, setHubToken, config, setConfig } = useTrain();
  const choices = useModelChoices();
  const [folderError, setFolderError] = useState<string | null>(null);
  const seqLen = config.max_length ?? 1024;
  const chosen = choices.find((c) => c.id === modelId);
  const hubFailure = useHubFailure(chosen);

  async function pickFolder(files: FileList | null) {
    setFolderError(null);
    if (!files || !files.length) return;
    const byPath = filesByRelativePath(files);
    const cfg = byPath.get('config.json');
    if (!cfg) {
      setFolderError(
        'That folder has no config.json: pick the folder of a Hugging Face model (config.json, *.safetensors, ' +
          'tokenizer.json or tokenizer.model).',
      );
      return;
    }
    try {
      const spec = parseConfig(JSON.parse(await cfg.text()));
      const first = [...files][0] as File & { webkitRelativePath?: string };
      const name = (first.webkitRelativePath || first.name).split('/')[0] || 'model';
      setLocal({ name, spec, files: [...files] });
      const c = localChoice(name, spec);
      setModel(c.id, c.template);
      // The Hub id the folder corresponds to, when its config.json names one (transformers writes _name_or_path).
      const hub = hubIdFromConfig(await cfg.text());
      if (hub) setConfig({ ...useTrain.getState().config, model_id: hub });
    } catch (err) {
      setFolderError(`config.json: ${(err as Error).message}`);
    }
  }

  return (
    <section className="card" aria-labelledby="model-h">
      <h2 id="model-h">1. Model</h2>
      <fieldset className="models" disabled={disabled}>
        <legend className="sr-only">Base model</legend>
        <table className="model-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Parameters
              </th>
              <th scope="col" className="num">
                Download
              </th>
              <th
                scope="col"
                className="num"
                title={
                  `One training step at batch ${config.per_device_train_batch_size} × ${seqLen} ` +
                  `tokens, LoRA rank ${config.lora.r}`
                }
              >
                GPU memory to train
              </th>
            </tr>
          </thead>
          <tbody>
            {choices.map((c) => (
              <tr key={c.id} className={c.id === modelId ? 'chosen' : undefined}>
                <td>
                  <label>
                    <input
                      type="radio"
                      name="model"
                      value={c.id}
                      data-testid={`model-${c.kind === 'tiny' ? 'tiny' : c.id}`}
                      checked={c.id === modelId}
                      onChange={() => setModel(c.id, c.template)}
                    />
                    <span className="name">
                      {c.kind === 'hub' && <span className="owner">{c.id.split('/')[0]}</span>}
                      <span>{c.kind === 'hub' ? c.id.split('/').slice(1).join('/') : c.label}</span>
                    </span>
                    {c.gated && <span className="badge">gated</span>}
                  </label>
                </td>
                <td className="num">{fmtParams(c.params)}</td>
                <td className="num">
                  {c.kind === 'hub' ? fmtBytes(c.downloadBytes) : c.kind === 'tiny' ? 'none' : 'on disk'}
                </td>
                <td className="num">
                  {fmtBytes(
                    memoryNeeded(c.spec, { batch: config.per_device_train_batch_size, seqLen, r: config.lora.r }),
                  )}
                </td>
              </tr>
            ))}
            {notYetChoices().map((m) => (
              <tr key={m.id} className="not-yet" data-testid={`model-not-yet-${m.id}`}>
                <td>
                  <label title={m.reason}>
                    <input type="radio" name="model" value={m.id} disabled />
                    <span className="name">
                      <span className="owner">{m.id.split('/')[0]}</span>
                      <span>{m.id.split('/').slice(1).join('/')}</span>
                    </span>
                    <span className="badge">not yet</span>
                  </label>
                  <small className="muted reason">Not trainable in this build: {m.reason}.</small>
                </td>
                <td className="num">{m.size}</td>
                <td className="num">—</td>
                <td className="num">—</td>
              </tr>
            ))}
          </tbody>
        </table>
        {chosen?.note && <p className="muted">{chosen.note}</p>}
        {hubFailure && <HubFailureOffer failure={hubFailure} tokenField={!chosen?.gated} />}
        {!chosen && modelId.startsWith('local:') && (
          <p className="warn" role="alert" data-testid="local-missing">
            The model folder <strong>{modelId.slice(6)}</strong> was chosen before the page reloaded: browsers do not
            keep a folder’s files across reloads, so pick it again below (or choose another model).
          </p>
        )}
        {chosen?.gated && (
          <label className="field">
            <span>Hugging Face access token</span>
            <input
              type="password"
              autoComplete="off"
              value={hubToken}
              onChange={(e) => setHubToken(e.target.value)}
              placeholder="hf_…"
            />
            <small className="muted">Sent only to huggingface.co with the download; never stored.</small>
          </label>
        )}
        <HubModelInput />
        <label className="field">
          <span>Or a model folder from your disk</span>
          <input
            id={FOLDER_INPUT_ID}
            type="file"
            webkitdirectory=""
            multiple
            onChange={(e) => void pickFolder(e.target.files)}
          />
        </label>
        {folderError && (
          <p className="warn" role="alert">
            {folderError}
          </p>
        )}
        {modelId.startsWith('local:') && (
          <label className="field">
            <span>Hugging Face Hub id of this model</span>
            <input
              type="text"
              value={config.model_id.startsWith('local:') ? '' : config.model_id}
              placeholder="e.g. Qwen/Qwen2.5-0.5B-Instruct"
              data-testid="local-hub-id"
              onChange={(e) => setConfig({ ...config, model_id: e.target.value.trim() || modelId })}
            />
            <small className="muted">
              Named in the adapter (base_model_name_or_path) and the ms-swift command; without one the export says no
              Hub id is known.
              {config.model_id !== modelId && !hubModelId(config.model_id) && ' This is not a Hub id (owner/name).'}
            </small>
          </label>
        )}
      </fieldset>
    </section>
  );
}
