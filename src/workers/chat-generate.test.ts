// How the chat worker keys the model it keeps loaded.
import { describe, expect, it } from 'vitest';
import { modelKey } from './chat-generate.ts';

describe('modelKey', () => {
  it('keys Hub models by repo, ignoring the token, and picked folders by their files', () => {
    expect(modelKey({ kind: 'hub', repo: 'a/b', token: 'x' })).toBe(modelKey({ kind: 'hub', repo: 'a/b' }));
    expect(modelKey({ kind: 'hub', repo: 'a/b' })).not.toBe(modelKey({ kind: 'hub', repo: 'a/c' }));
    const f = (name: string, bytes: number, lastModified: number) =>
      [name, new File([new Uint8Array(bytes)], name, { lastModified })] as const;
    const local = (...files: (readonly [string, File])[]) => ({
      kind: 'local' as const,
      name: 'm',
      files: Object.fromEntries(files),
    });
    expect(modelKey(local(f('config.json', 3, 1), f('model.safetensors', 9, 1)))).toBe(
      modelKey(local(f('model.safetensors', 9, 1), f('config.json', 3, 1))),
    );
    expect(modelKey(local(f('config.json', 3, 1)))).not.toBe(modelKey(local(f('config.json', 4, 1))));
    expect(modelKey(local(f('config.json', 3, 1)))).not.toBe(modelKey(local(f('config.json', 3, 2))));
    expect(modelKey({ kind: 'tiny' })).toBe('tiny');
  });
});
