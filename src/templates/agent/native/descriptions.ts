// One line per native tool format (what `prism templates` prints next to each family).
import type { ToolFormatId } from '../../spec.ts';
import { deepseek } from './deepseek.ts';
import { FAMILY_NATIVE_AGENTS } from './families.ts';
import { glm4 } from './glm4.ts';
import { hermes } from './hermes.ts';
import { llama3Json } from './llama3-json.ts';
import { mistral } from './mistral.ts';
import { phi4Mini } from './phi4-mini.ts';
import { react } from './react.ts';

export const toolFormatDescriptions: Record<ToolFormatId, string> = Object.fromEntries(
  [hermes, llama3Json, mistral, glm4, phi4Mini, deepseek, react, ...FAMILY_NATIVE_AGENTS].map((d) => [
    d.format,
    d.description,
  ]),
) as Record<ToolFormatId, string>;
