// Which Hugging Face Hub model a run's base model is. A run may start from a folder on disk
// (`prism train --model DIR`, the studio's "local folder"); exports must then name the Hub id the
// folder corresponds to, or say that none is known, and never write a path or a `local:` label
// where PEFT (`base_model_name_or_path`) and ms-swift (`--model`) expect a Hub id.

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/;

/** The Hub id `modelId` names, or null when it is a local folder, a `local:` label or empty. */
export function hubModelId(modelId: string | null | undefined): string | null {
  if (typeof modelId !== 'string') return null;
  const id = modelId.trim();
  if (!id || id.startsWith('local:') || /^([./~]|[A-Za-z]:[\\/])/.test(id) || id.includes('\\')) return null;
  return HUB_ID.test(id) && !id.includes('..') ? id : null;
}

/** config.json's `_name_or_path` when it names a Hub model (transformers writes the id it was loaded from). */
export function hubIdFromConfig(config: string | Record<string, unknown>): string | null {
  let c: Record<string, unknown>;
  try {
    c = typeof config === 'string' ? (JSON.parse(config) as Record<string, unknown>) : config;
  } catch {
    return null;
  }
  return hubModelId(typeof c?._name_or_path === 'string' ? c._name_or_path : null);
}

/** What exports say when no Hub id is known. */
export const NO_HUB_ID_NOTE =
  'The base model was a local folder and no Hugging Face Hub id was given for it; set the base model ' +
  'yourself when loading this adapter.';
