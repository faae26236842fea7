// Every agent template a render can use: the families' native formats (`native:<format>`, one
// file each in native/) and ms-swift's (its names, one file each in swift/ behind the adapter).
// Adding a format: one file + one line in NATIVE_AGENTS or swift/registry.ts (see ../README.md).
import { TemplateError } from '../errors.ts';
import type { TemplateSpec } from '../spec.ts';
import { deepseek } from './native/deepseek.ts';
import { glm4 } from './native/glm4.ts';
import { hermes } from './native/hermes.ts';
import { llama3Json } from './native/llama3-json.ts';
import { mistral } from './native/mistral.ts';
import { phi4Mini } from './native/phi4-mini.ts';
import { react } from './native/react.ts';
import { nativeId, type NativeAgentDef } from './native/types.ts';
import { FAMILY_NATIVE_AGENTS } from './native/families.ts';
import { SWIFT_AGENT_DESCRIPTIONS } from './swift/catalog.ts';
import { isSwiftAgentTemplateId, SWIFT_AGENT_TEMPLATE_IDS, swiftAgentTemplates } from './swift/registry.ts';
import { swiftAgent } from './swift-adapter.ts';
import type { AgentTemplate, AgentTemplateInfo } from './types.ts';

export const NATIVE_AGENTS: readonly NativeAgentDef[] = [
  hermes,
  llama3Json,
  mistral,
  glm4,
  phi4Mini,
  deepseek,
  react,
  ...FAMILY_NATIVE_AGENTS,
];

/** The family's own agent template (what a render uses unless told otherwise). */
export const nativeAgentId = (spec: TemplateSpec): string => nativeId(spec.toolFormat);

/** Every agent template that can be used here: natives first, then ms-swift's in its order. */
export function agentTemplateList(): AgentTemplateInfo[] {
  const natives = NATIVE_AGENTS.map(({ id, kind, description, families }) => ({
    id,
    kind,
    description,
    ...(families ? { families } : {}),
  }));
  const swift = SWIFT_AGENT_TEMPLATE_IDS.filter((id) => swiftAgentTemplates[id]).map((id) => ({
    id,
    kind: 'ms-swift' as const,
    description: SWIFT_AGENT_DESCRIPTIONS[id],
  }));
  return [...natives, ...swift];
}

export function isAgentTemplateId(id: string): boolean {
  return id === 'native' || agentTemplateList().some((a) => a.id === id);
}

/**
 * Why `id` cannot be used with `spec` (unknown, not ported yet, or a native format bound to
 * another family's tokens), or undefined when it can.
 */
export function agentTemplateProblem(id: string | undefined, spec: TemplateSpec): string | undefined {
  if (id === undefined || id === 'native') return undefined;
  const native = NATIVE_AGENTS.find((a) => a.id === id);
  if (native) {
    if (native.families && !native.families.includes(spec.family)) {
      return (
        `${id} writes ${native.families.join('/')} tokens and cannot be used with ${spec.id} ` +
        `(family ${spec.family}); ` +
        "ms-swift's agent templates work with any model template"
      );
    }
    return undefined;
  }
  if (isSwiftAgentTemplateId(id)) {
    return swiftAgentTemplates[id] ? undefined : `ms-swift's agent template ${id} is not available in this build yet`;
  }
  return `unknown agent template '${id}' (known: native, ${agentTemplateList()
    .map((a) => a.id)
    .join(', ')})`;
}

/** A fresh agent template object for one render. */
export function createAgentTemplate(id: string | undefined, spec: TemplateSpec): AgentTemplate {
  const problem = agentTemplateProblem(id, spec);
  if (problem) throw new TemplateError(problem);
  const want = id === undefined || id === 'native' ? nativeAgentId(spec) : id;
  const native = NATIVE_AGENTS.find((a) => a.id === want);
  if (native) return native.create(spec);
  if (isSwiftAgentTemplateId(want)) return swiftAgent(want, spec);
  throw new TemplateError(`unknown agent template '${want}'`);
}
