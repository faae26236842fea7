// Templates: one conversation, every model family's exact prompt, and the trained spans.
export type { Rendered, Span, RenderWarning, LossPolicy } from './types.ts';
export type { TemplateSpec, TemplateId, ToolFormatId, TurnWrapper, TemplateVars, TemplateVarDecl } from './spec.ts';
export { checkToday, parseTemplateVars, templateVarNames, TemplateVarError, TEMPLATE_VAR_NAMES } from './vars.ts';
export { strftime } from './strftime.ts';
export { templates, templateIds, getTemplate, QWEN_DEFAULT_SYSTEM } from './specs.ts';
export { render, resolveLossScale, TemplateError, type RenderOptions } from './render.ts';
export { reactConversation } from './agent/native/react.ts';
export { withNineCharIds } from './agent/native/mistral.ts';
export {
  agentTemplateList,
  agentTemplateProblem,
  createAgentTemplate,
  isAgentTemplateId,
  nativeAgentId,
  NATIVE_AGENTS,
} from './agent/registry.ts';
export type { AgentTemplateInfo, AgentKind } from './agent/types.ts';
export { trainedMessages, POLICY_BASE, type LossOptions } from './loss.ts';
export {
  doctor,
  refusalFix,
  renderChecked,
  contentWarnings,
  lengthWarning,
  DEFAULT_MAX_CHARS,
  type DoctorOptions,
} from './doctor.ts';
export { toolFormatDescriptions } from './agent/native/descriptions.ts';
export { pyJsonDumps, pyStrip } from './pyjson.ts';
export {
  parseLossScale,
  weighContext,
  lossScaleBase,
  withLossBase,
  LossScaleError,
  LOSS_BASES,
  LOSS_SCALE_NAMES,
  type LossScale,
  type LossBase,
  type WeightedPart,
  type ContextInfo,
  type LossScaleName,
} from './loss-scale/index.ts';
