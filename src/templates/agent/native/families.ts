// The native tool formats of the 2025-26 families (issue 14), one file each; registered with the
// older ones in ../registry.ts (NATIVE_AGENTS) and described in descriptions.ts.
import { qwen3_5 } from './qwen3_5.ts';
import { qwen3Coder } from './qwen3_coder.ts';
import type { NativeAgentDef } from './types.ts';

export const FAMILY_NATIVE_AGENTS: readonly NativeAgentDef[] = [qwen3_5, qwen3Coder];
