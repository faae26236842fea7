// Every loss-scale spec against ms-swift's OWN code (loss_scale_oracle.py imports it from
// ../shared/reference/ms-swift; agent_oracle.py there is run too, for the names it takes alone):
// equal parts and weights for every response of corpus.ts under every spec, the same binary flag,
// the same refusals, and the per-context weighting (base strategy, last round, a message's
// loss / loss_scale) against ms-swift's LossScale.__call__.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_SPECS, QUERIES, RESPONSES, SPECS } from './corpus.ts';
import { runLines, runLossScaleOracle, swiftReferenceExists, SWIFT_REFERENCE_DIR, type OracleCase } from './oracle.ts';
import { LOSS_SCALE_NAMES, LossScaleError, parseLossScale, weighContext } from './parse.ts';

const asPairs = (parts: { text: string; weight: number }[]) => parts.map((p) => [p.text, p.weight]);

describe('parseLossScale', () => {
  it('refuses an unknown name, naming the valid ones', () => {
    expect(() => parseLossScale('last_round+tool')).toThrow(LossScaleError);
    expect(() => parseLossScale('last_round+tool')).toThrow(
      /"tool" is not a loss scale.*default, last_round, all.*hermes/,
    );
    expect(() => parseLossScale('react+default')).toThrow(/base strategy, allowed only first/);
  });

  it('keeps the base strategy and the spec', () => {
    const ls = parseLossScale('last_round+hermes+ignore_empty_think');
    expect([ls.spec, ls.base, ls.binary]).toEqual(['last_round+hermes+ignore_empty_think', 'last_round', false]);
    expect(parseLossScale('react').base).toBe('default');
  });
});

describe.skipIf(!swiftReferenceExists())('loss scales vs ms-swift (../shared/reference/ms-swift)', () => {
  it(`${SPECS.length} specs × ${RESPONSES.length} responses (× queries for agentflan): equal parts and weights`, () => {
    const cases: OracleCase[] = [];
    for (const spec of SPECS) {
      const queries = spec.includes('agentflan') ? QUERIES : [QUERIES[0]];
      for (const response of RESPONSES) for (const query of queries) cases.push({ spec, response, query });
    }
    const want = runLossScaleOracle(cases);
    let weighted = 0;
    cases.forEach((c, k) => {
      if (!('response' in c)) return;
      const w = want[k];
      if ('error' in w) throw new Error(`ms-swift refused ${JSON.stringify(c)}: ${w.error}`);
      const ls = parseLossScale(c.spec);
      expect(asPairs(ls.getLossScale(c.response, c.query ?? undefined)), JSON.stringify(c)).toEqual(w.parts);
      expect(ls.binary, c.spec).toBe(w.binary);
      if (w.parts.some(([, x]) => x !== 1)) weighted++;
    });
    // The corpus must exercise the scales: most cases split into weights other than 1.
    expect(weighted).toBeGreaterThan(cases.length / 3);
  });

  it("agent_oracle.py's loss mode (one name) agrees", () => {
    const names = LOSS_SCALE_NAMES;
    const cases = names.flatMap((n) => RESPONSES.map((response) => ({ loss_scale: n, response, query: QUERIES[1] })));
    const want = runLines([join(SWIFT_REFERENCE_DIR, 'agent_oracle.py')], cases) as { parts: [string, number][] }[];
    cases.forEach((c, k) => {
      expect(asPairs(parseLossScale(c.loss_scale).getLossScale(c.response, c.query)), JSON.stringify(c)).toEqual(
        want[k].parts,
      );
    });
  });

  it('refuses what ms-swift refuses', () => {
    const want = runLossScaleOracle(BAD_SPECS.map((spec) => ({ spec, response: 'x', query: 'q' })));
    BAD_SPECS.forEach((spec, k) => {
      expect(want[k], spec).toHaveProperty('error');
      expect(() => parseLossScale(spec), JSON.stringify(spec)).toThrow(LossScaleError);
    });
  });

  it('weighContext equals LossScale.__call__ (base strategy, last round, loss and loss_scale fields)', () => {
    type M = { role: string; content: string; loss?: boolean; loss_scale?: number };
    const convs: M[][] = [
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '<think>\n\n</think>\n\nhello' },
      ],
      [
        { role: 'user', content: 'What is the tool you want to use' },
        { role: 'assistant', content: 'Thought: t\nAction: a\nAction Input: {}\nObservation: o' },
        { role: 'tool', content: 'result' },
        { role: 'assistant', content: '<tool_call>x</tool_call> Final Answer: f' },
      ],
      [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'Action: a\n<tool_call>1</tool_call>', loss: true },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'Action: b', loss: false },
        { role: 'user', content: 'c' },
        { role: 'assistant', content: 'Action: c', loss_scale: 0.5 },
        { role: 'user', content: 'd' },
        { role: 'assistant', content: '<tool_call>d</tool_call>', loss_scale: 3, loss: true },
        { role: 'user', content: 'e' },
        { role: 'assistant', content: 'Action: e', loss_scale: 2, loss: false },
      ],
      [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'Final Answer: one' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: '<think></think>Final Answer: two' },
      ],
    ];
    const specs = [
      'default',
      'last_round',
      'all',
      'react',
      'last_round+react',
      'all+hermes',
      'hermes+ignore_empty_think',
      'last_round+react+hermes',
      'all+ignore_empty_think',
      'agentflan',
      'last_round+agentflan',
    ];
    const cases: OracleCase[] = [];
    const ours: [string, number][][] = [];
    for (const spec of specs) {
      for (const messages of convs) {
        // A chat-template-like context list: a prompt around each query, each response, a
        // separator between rounds and the suffix after the last one.
        const contexts: [string, 'response' | 'suffix' | 'other'][] = [];
        for (let i = 0; i < messages.length; i += 2) {
          contexts.push(
            [`<|user|>${messages[i].content}<|assistant|>`, 'other'],
            [messages[i + 1].content, 'response'],
          );
          contexts.push(i + 2 < messages.length ? ['<|sep|>', 'other'] : ['<|end|>', 'suffix']);
        }
        if (spec.includes('agentflan')) contexts.pop(); // ms-swift's agentflan raises on a suffix (query None)
        cases.push({ spec, contexts, messages });
        const ls = parseLossScale(spec);
        let lastUser = -1;
        messages.forEach((m, i) => {
          if (m.role === 'user' || m.role === 'tool') lastUser = i;
        });
        let i = 0;
        const got: [string, number][] = [];
        for (const [text, type] of contexts) {
          const info = { type, lastRound: 2 * i >= lastUser } as Parameters<typeof weighContext>[2];
          if (type === 'response') {
            const m = messages[2 * i + 1];
            Object.assign(info, { query: messages[2 * i].content, loss: m.loss, lossScale: m.loss_scale });
            i++;
          }
          got.push(...(asPairs(weighContext(ls, text, info)) as [string, number][]));
        }
        ours.push(got);
      }
    }
    const want = runLossScaleOracle(cases);
    cases.forEach((c, k) => {
      const w = want[k];
      if ('error' in w) throw new Error(`ms-swift refused ${JSON.stringify(c)}: ${w.error}`);
      expect(ours[k], JSON.stringify(c)).toEqual(w.parts);
    });
  });
});
