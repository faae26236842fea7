// --autotune: auto when absent, on/off/auto accepted, anything else a usage error naming the values.
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { autotuneOption } from './autotune-option.ts';

const args = (autotune?: string) => ({ values: autotune === undefined ? {} : { autotune }, positionals: [] });

describe('--autotune', () => {
  it('parses the three modes, auto by default', () => {
    expect(autotuneOption(args())).toBe('auto');
    for (const m of ['on', 'off', 'auto']) expect(autotuneOption(args(m))).toBe(m);
  });
  it('refuses anything else', () => {
    expect(() => autotuneOption(args('yes'))).toThrow(UsageError);
    expect(() => autotuneOption(args('yes'))).toThrow(/--autotune must be one of auto, on, off, got yes/);
  });
});
