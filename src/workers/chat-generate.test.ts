// How the chat worker keys the model it keeps loaded.
import { describe, expect, it } from 'vitest';
import { modelKey } from './chat-generate.ts';

describe('modelKey', () => {
  it('keys Hub models by repo, ignoring the token, and picked folders by their files', () => {
    expect(modelKey({ kind: 'hub', repo: 'a/b', token: 'x' })).toBe(modelKey({ kind: 'hub', repo: 'a/b' }));
    expect(modelKey({ kind: 'hub', repo: 'a/b' })).not.toBe(modelKey({ kind: 'hub', repo: 'a/c' }));
    const f = (name: string, bytes: number, lastModified: number) => new File([new Uint8Array(bytes)], name, { lastModified });
    expect(modelKey({ kind: 'local', files: [f('config.json', 3, 1), f('model.safetensors', 9, 1)] }))
      .toBe(modelKey({ kind: 'local', files: [f('model.safetensors', 9, 1), f('config.json', 3, 1)] }));
    expect(modelKey({ kind: 'local', files: [f('config.json', 3, 1)] })).not.toBe(modelKey({ kind: 'local', files: [f('config.json', 4, 1)] }));
    expect(modelKey({ kind: 'tiny' })).toBe('tiny');
  });
});
