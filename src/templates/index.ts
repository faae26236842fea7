// Templates: one conversation, every model family's exact prompt, and the trained spans.
export type { Rendered, Span, RenderWarning, LossPolicy } from './types.ts';
export type { TemplateSpec, TemplateId, ToolFormatId, TurnWrapper } from './spec.ts';
export { templates, templateIds, getTemplate, QWEN_DEFAULT_SYSTEM } from './specs.ts';
export { render, reactConversation, withNineCharIds, TemplateError, type RenderOptions } from './render.ts';
export { trainedMessages, type LossOptions } from './loss.ts';
export { doctor, renderChecked, contentWarnings, lengthWarning, DEFAULT_MAX_CHARS, type DoctorOptions } from './doctor.ts';
export { toolFormatDescriptions } from './tool-formats.ts';
export { pyJsonDumps, pyStrip } from './pyjson.ts';
export {
  parseLossScale, weighContext, LossScaleError, LOSS_BASES, LOSS_SCALE_NAMES,
  type LossScale, type LossBase, type WeightedPart, type ContextInfo, type LossScaleName,
} from './loss-scale/index.ts';
