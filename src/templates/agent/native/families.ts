// The native tool formats of the 2025-26 families (issue 14), one file each; registered with the
// older ones in ../registry.ts (NATIVE_AGENTS) and described in descriptions.ts.
import { deepseekV31 } from './deepseek_v3_1.ts';
import { gemma4 } from './gemma4.ts';
import { glm4_5, glm4_7 } from './glm4_5.ts';
import { gptOss } from './gpt_oss.ts';
import { granite3_3 } from './granite3_3.ts';
import { granite4 } from './granite4.ts';
import { hermes3 } from './hermes3.ts';
import { kimiK2 } from './kimi_k2.ts';
import { lfm2_5 } from './lfm2_5.ts';
import { minicpm5 } from './minicpm5.ts';
import { mistralSmall } from './mistral_small.ts';
import { qwen3_5 } from './qwen3_5.ts';
import { seedOss } from './seed_oss.ts';
import { qwen3Coder } from './qwen3_coder.ts';
import type { NativeAgentDef } from './types.ts';

export const FAMILY_NATIVE_AGENTS: readonly NativeAgentDef[] = [
  qwen3_5,
  qwen3Coder,
  minicpm5,
  granite4,
  granite3_3,
  hermes3,
  lfm2_5,
  glm4_5,
  glm4_7,
  deepseekV31,
  seedOss,
  kimiK2,
  mistralSmall,
  gptOss,
  gemma4,
];
