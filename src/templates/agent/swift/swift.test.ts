// Every ported ms-swift agent template against ms-swift's OWN code (swift_oracle.py imports it from
// ../shared/reference/ms-swift): tools block, rewritten first user message, each run of calls,
// each run of results (with and without a model template's TemplateMeta), and parsing the calls
// back (get_toolcall). Refusals must match: where ms-swift raises, we raise.
import { describe, expect, it } from 'vitest';
import { SWIFT_CORPUS, TEMPLATE_METAS } from './corpus.ts';
import {
  runOurs,
  runSwiftOracle,
  swiftAgentTemplateMapNames,
  swiftReferenceExists,
  type SwiftCase,
  type SwiftOutput,
} from './oracle.ts';
import { SWIFT_AGENT_TEMPLATE_IDS, swiftAgentTemplates, type SwiftAgentTemplateId } from './registry.ts';

const ported = SWIFT_AGENT_TEMPLATE_IDS.filter((id) => swiftAgentTemplates[id]);

function casesFor(id: SwiftAgentTemplateId): { label: string; c: SwiftCase }[] {
  const out: { label: string; c: SwiftCase }[] = [];
  for (const { name, ...rest } of SWIFT_CORPUS) {
    out.push({ label: name, c: { agent_template: id, ...structuredClone(rest) } });
    for (const [meta, m] of Object.entries(TEMPLATE_METAS)) {
      out.push({
        label: `${name} [${meta} template_meta]`,
        c: { agent_template: id, ...structuredClone(rest), template_meta: m },
      });
    }
  }
  return out;
}

// ms-swift's answers for every template's cases, from one Python process (one per template costs
// a start-up and an import each).
let oracleAnswers: Map<string, SwiftOutput[]> | undefined;
function oracleFor(id: SwiftAgentTemplateId, cases: SwiftCase[]): SwiftOutput[] {
  if (!oracleAnswers) {
    const all = ported.flatMap((p) => casesFor(p).map((x) => x.c));
    const answers = runSwiftOracle(all);
    oracleAnswers = new Map(ported.map((p) => [p, answers.filter((_, k) => all[k].agent_template === p)]));
  }
  const want = oracleAnswers.get(id)!;
  expect(want.length).toBe(cases.length);
  return want;
}

describe.skipIf(!swiftReferenceExists())('ms-swift agent templates vs ms-swift (../shared/reference/ms-swift)', () => {
  it('registers only ms-swift names', () => {
    for (const id of Object.keys(swiftAgentTemplates)) expect(SWIFT_AGENT_TEMPLATE_IDS).toContain(id);
  });

  it("ships every template of ms-swift's agent_template_map, in its order", () => {
    expect([...SWIFT_AGENT_TEMPLATE_IDS]).toEqual(swiftAgentTemplateMapNames());
    expect(ported).toEqual([...SWIFT_AGENT_TEMPLATE_IDS]);
  });

  for (const id of ported) {
    it(`${id}: every corpus case equals ms-swift's pieces`, () => {
      const cases = casesFor(id);
      const want = oracleFor(
        id,
        cases.map((x) => x.c),
      );
      // The oracle must have rendered something: a corpus every case of which is refused proves nothing.
      expect(want.filter((w) => !('error' in w)).length).toBeGreaterThan(cases.length / 2);
      cases.forEach(({ label, c }, k) => {
        const got = runOurs(swiftAgentTemplates[id]!(), structuredClone(c));
        const w = want[k];
        if ('error' in w)
          expect('error' in got ? 'refused' : got, `${label}: ms-swift refuses (${w.error})`).toBe('refused');
        else expect(got, label).toEqual(w);
      });
    });
  }
});
