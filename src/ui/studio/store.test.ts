import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, useStudio } from './store.ts';

const conv = (line: number) => ({
  messages: [
    { role: 'user' as const, content: 'q' },
    { role: 'assistant' as const, content: 'a' },
  ],
  source: { format: 'messages' as const, line },
});

describe('studio store', () => {
  beforeEach(() => useStudio.setState({ templates: DEFAULT_TEMPLATES, ownColumns: [] }));

  it('streams results in, counts them, and selects the first valid record when done', () => {
    const s = useStudio.getState();
    s.startLoading('x.jsonl', 100);
    s.addResults([{ line: 1, issues: [{ line: 1, severity: 'error', code: 'invalid_json', message: 'bad' }] }]);
    s.progress(50);
    expect(useStudio.getState().loading).toEqual({ name: 'x.jsonl', bytesRead: 50, total: 100 });
    s.addResults([{ line: 3, conversation: conv(3), issues: [], format: 'messages' }]);
    s.finishLoading();
    const st = useStudio.getState();
    expect(st.loading).toBeNull();
    expect(st.selected).toBe(1);
    expect(st.summary).toMatchObject({ records: 2, valid: 1, invalid: 1, turns: 2, formats: { messages: 1 } });
    expect(st.summary.issues.map((i) => i.line)).toEqual([1]);
  });

  it('a new file starts from nothing', () => {
    useStudio.getState().startLoading('y.jsonl', 1);
    expect(useStudio.getState().results).toEqual([]);
    expect(useStudio.getState().summary.records).toBe(0);
  });

  it('keeps between 2 and 4 columns', () => {
    const s = useStudio.getState();
    s.addTemplate('phi3');
    s.addTemplate('glm4');
    expect(useStudio.getState().templates).toHaveLength(4);
    for (let i = 0; i < 4; i++) useStudio.getState().removeTemplate(0);
    expect(useStudio.getState().templates).toHaveLength(2);
    useStudio.getState().setTemplate(1, 'deepseek_r1');
    expect(useStudio.getState().templates[1]).toBe('deepseek_r1');
  });

  it('counts own-template columns within the 4, and keeps one built-in column', () => {
    const s = useStudio.getState();
    const key = s.addOwnColumn()!;
    expect(useStudio.getState().ownColumns).toEqual([{ key, source: null }]);
    s.addTemplate('phi3');
    expect(useStudio.getState().templates).toHaveLength(3); // 3 + 1 own = 4: full
    expect(useStudio.getState().addOwnColumn()).toBeUndefined();
    const src = {
      kind: 'paste' as const,
      label: 'pasted',
      chatTemplate: '{{ x }}',
      specialTokens: {},
      addedSpecial: [],
    };
    useStudio.getState().setOwnSource(key, src);
    expect(useStudio.getState().ownColumns[0]!.source).toBe(src);
    for (let i = 0; i < 4; i++) useStudio.getState().removeTemplate(0);
    expect(useStudio.getState().templates).toHaveLength(1);
    useStudio.getState().removeOwnColumn(key); // would leave one column
    expect(useStudio.getState().ownColumns).toHaveLength(1);
  });
});
