// prism.json: what a Prism adapter folder or zip says about its run, so that an imported adapter
// keeps its template, agent template, loss scale, training config and loss curve, and so that
// `prism swift-command` can rebuild the ms-swift command. PEFT ignores files it does not know,
// so the folder still loads as a plain PEFT adapter.
import type { LossPolicy } from '../templates/types.ts';
import { lossPolicyOf, type TrainConfig } from '../train/config.ts';
import { hubModelId, NO_HUB_ID_NOTE } from '../train/provenance.ts';
import { swiftAgentTemplate, swiftLossScale } from '../train/swift.ts';
import { AdapterFormatError } from './peft.ts';
import type { DatasetInfo, LossPoint } from './types.ts';

export const PRISM_JSON_FILE = 'prism.json';
const FORMAT = 'prism.adapter';

export interface PrismRunInfo {
  format: typeof FORMAT;
  version: 1;
  name: string;
  base_model: {
    /** The Hugging Face Hub id, or null when the run used a local folder with no Hub id given. */
    hub_id: string | null;
    /** What the run was started with (a Hub id, a `local:` label, a folder). */
    source: string;
    note?: string;
  };
  template: string;
  agent_template: string | null;
  /** ms-swift's `--loss_scale` of the run. */
  loss_scale: string;
  loss_policy: LossPolicy;
  config: TrainConfig;
  steps: number;
  /** Set when the adapter is a checkpoint of the run, not its final adapter. */
  checkpoint_step?: number;
  final_loss: number | null;
  loss_curve: LossPoint[];
  /** The training file as the user gave it, and where the bundle keeps it (path inside the zip). */
  dataset: (DatasetInfo & { file?: string }) | null;
  created: number;
}

export interface PrismRunInit {
  name: string;
  config: TrainConfig;
  steps: number;
  final_loss: number | null;
  loss_curve: readonly LossPoint[];
  dataset: (DatasetInfo & { file?: string }) | null;
  created: number;
  checkpointStep?: number;
}

export function buildPrismJson(init: PrismRunInit): PrismRunInfo {
  const c = init.config;
  const hub = hubModelId(c.model_id);
  return {
    format: FORMAT,
    version: 1,
    name: init.name,
    base_model: hub ? { hub_id: hub, source: c.model_id } : { hub_id: null, source: c.model_id, note: NO_HUB_ID_NOTE },
    template: c.template,
    agent_template: swiftAgentTemplate(c),
    loss_scale: swiftLossScale(c),
    loss_policy: lossPolicyOf(c),
    config: c,
    steps: init.steps,
    ...(init.checkpointStep !== undefined ? { checkpoint_step: init.checkpointStep } : {}),
    final_loss: init.final_loss,
    loss_curve: [...init.loss_curve],
    dataset: init.dataset,
    created: init.created,
  };
}

export function prismJsonText(info: PrismRunInfo): string {
  return JSON.stringify(info, null, 2) + '\n';
}

/** Read prism.json back; a file that is not Prism's (or is damaged) is an error naming the field. */
export function parsePrismJson(bytes: Uint8Array | string): PrismRunInfo {
  let j: unknown;
  try {
    j = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new AdapterFormatError(`${PRISM_JSON_FILE} is not valid JSON (${(err as Error).message})`);
  }
  const o = j as Record<string, unknown>;
  const bad = (field: string, want: string) => new AdapterFormatError(`${PRISM_JSON_FILE}: "${field}" must be ${want}`);
  if (!o || typeof o !== 'object' || o.format !== FORMAT) throw bad('format', `"${FORMAT}"`);
  if (o.version !== 1) throw bad('version', '1 (this Prism reads version 1)');
  if (typeof o.template !== 'string' || !o.template) throw bad('template', 'a template id');
  const cfg = o.config as Record<string, unknown> | undefined;
  if (!cfg || typeof cfg !== 'object' || !cfg.lora || typeof cfg.model_id !== 'string')
    throw bad('config', "the run's TrainConfig (model_id, lora, …)");
  if (
    !Array.isArray(o.loss_curve) ||
    o.loss_curve.some(
      (p) => !p || typeof (p as LossPoint).step !== 'number' || typeof (p as LossPoint).loss !== 'number',
    )
  ) {
    throw bad('loss_curve', 'a list of {step, loss}');
  }
  if (typeof o.steps !== 'number') throw bad('steps', 'a number');
  return o as unknown as PrismRunInfo;
}
