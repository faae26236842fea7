// A native agent template: a model family's own tool format, registered under `native:<id>`.
import type { TemplateSpec, ToolFormatId } from '../../spec.ts';
import type { AgentTemplate, AgentTemplateInfo } from '../types.ts';

export interface NativeAgentDef extends AgentTemplateInfo {
  readonly format: ToolFormatId;
  /** A fresh object per render (some formats keep state across the walk, as DeepSeek's template does). */
  create(spec: TemplateSpec): AgentTemplate;
}

/** `native:hermes` etc. */
export const nativeId = (format: ToolFormatId): string => `native:${format}`;
