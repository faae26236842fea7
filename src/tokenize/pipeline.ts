// One record through render → encode → max_length, as a worker runs it. Failures are results,
// not exceptions: a record a template refuses must not stop a 100k-record run.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Conversation } from '../data/types.ts';
import { parseLossScale } from '../templates/loss-scale/index.ts';
import { refusalFix } from '../templates/doctor.ts';
import { render, TemplateError, type RenderOptions } from '../templates/render.ts';
import { getTemplate } from '../templates/specs.ts';
import type { TemplateSpec } from '../templates/spec.ts';
import type { Rendered } from '../templates/types.ts';
import { RecordEncoder, type EncoderOptions } from './encode.ts';
import { applyLength } from './length.ts';
import { countTrained } from './stats.ts';
import type { EncodedRecord, LengthOptions, LengthStatus } from './types.ts';

/** Everything a worker needs besides the tokenizer. Plain data (crosses worker boundaries). */
export interface PipelineConfig {
  /** A built-in template id (`qwen3`, `llama3`, …); needed for items that carry a conversation. */
  template?: string;
  render?: RenderOptions;
  /**
   * ms-swift's loss-scale spec (`last_round+react`), as a string so the config stays plain data
   * across worker boundaries; parsed once per pipeline and given to render (RenderOptions.lossScale).
   */
  loss_scale?: string;
  length?: LengthOptions;
  encoder?: EncoderOptions;
}

/** A record to tokenize: a conversation to render, or text already rendered. */
export type PipelineItem = { line: number; conversation: Conversation } | { line: number; rendered: Rendered };

export type PipelineResult =
  | {
      line: number;
      ok: true;
      /** null when dropped by `truncation: delete`. */
      record: EncodedRecord | null;
      status: LengthStatus;
      /** Before truncation. */
      tokens: number;
      trained: number;
      /** Trained tokens left after truncation. */
      trainedKept: number;
      straddles: number;
      warnings: string[];
    }
  | { line: number; ok: false; error: string };

export class TokenizePipeline {
  readonly encoder: RecordEncoder;
  private readonly spec: TemplateSpec | null;
  private readonly renderOptions: RenderOptions;

  constructor(
    tokenizer: PreTrainedTokenizer,
    private readonly config: PipelineConfig,
  ) {
    this.encoder = new RecordEncoder(tokenizer, config.encoder);
    this.spec = config.template ? getTemplate(config.template) : null;
    this.renderOptions = pipelineRenderOptions(config);
  }

  process(item: PipelineItem): PipelineResult {
    try {
      let rendered: Rendered;
      if ('rendered' in item) rendered = item.rendered;
      else {
        if (!this.spec) throw new Error('no template given to render conversations with');
        rendered = render(this.spec, item.conversation, this.renderOptions);
      }
      const full = this.encoder.encode(rendered, item.line);
      const trained = countTrained(full.labels);
      const { record, status, tokens } = applyLength(full, this.config.length ?? {});
      const trainedKept = record === full ? trained : record ? countTrained(record.labels) : 0;
      return {
        line: item.line,
        ok: true,
        record,
        status,
        tokens,
        trained,
        trainedKept,
        straddles: full.straddles,
        warnings: rendered.warnings.map((w) => w.code),
      };
    } catch (err) {
      // A refusal an opt-in fix would render says so (Mistral Small's tool call ids).
      const fix =
        err instanceof TemplateError && this.spec && 'conversation' in item
          ? refusalFix(this.spec, item.conversation, this.renderOptions)
          : undefined;
      return { line: item.line, ok: false, error: (err as Error).message + (fix ? `; ${fix}` : '') };
    }
  }
}

/** The render options with the loss scale parsed once (refused here, once, when the spec is invalid). */
export function pipelineRenderOptions(config: PipelineConfig): RenderOptions {
  if (config.loss_scale === undefined) return config.render ?? {};
  return { ...config.render, lossScale: parseLossScale(config.loss_scale) };
}
