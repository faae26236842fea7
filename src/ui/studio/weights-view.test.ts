// The rendered and token views draw loss weights: a weighted span or token carries its weight in
// data-weight, the weighted class and the number in its tooltip; weight 1 and untrained pieces do
// not. Rendered to static HTML with react-dom/server (no DOM needed).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Rendered } from '../../templates/index.ts';
import { TextView, TokensView } from './RenderedView.tsx';

const rendered: Rendered = {
  text: 'Q: hi\nA: call(x) ok',
  spans: [
    { start: 0, end: 9, role: 'user', trainable: false },
    { start: 9, end: 16, role: 'assistant', trainable: true, weight: 2 },
    { start: 16, end: 19, role: 'assistant', trainable: true },
  ],
  warnings: [],
};

const attrs = (html: string, tag: string) =>
  [...html.matchAll(new RegExp(`<span [^>]*${tag}[^>]*>`, 'g'))].map((m) => m[0]);

describe('weights in the Templates views', () => {
  it('text view: the weighted span says its weight, the others do not', () => {
    const html = renderToStaticMarkup(createElement(TextView, { rendered, special: null, newlines: false }));
    const spans = attrs(html, 'data-start');
    expect(spans).toHaveLength(3);
    expect(spans[1]).toMatch(/data-weight="2"/);
    expect(spans[1]).toMatch(/class="[^"]*\bweighted w-up\b/);
    expect(spans[1]).toMatch(/title="assistant · trained · weight 2"/);
    expect(spans[1]).toMatch(/--w:0\.750/);
    for (const i of [0, 2]) expect(spans[i]).not.toMatch(/data-weight|weighted/);
  });

  it('token view: per-token weights from loss_scale, 0.5 drawn as down-weighted', () => {
    const tokens = {
      ids: Int32Array.from([10, 11, 12]),
      labels: Int32Array.from([-100, 11, 12]),
      offsets: Int32Array.from([0, 9, 9, 16, 16, 19]),
      trained: 2,
      weights: Float64Array.from([0, 0.5, 1]),
    };
    const html = renderToStaticMarkup(createElement(TokensView, { rendered, tokens, special: null, newlines: false }));
    const toks = attrs(html, 'data-id');
    expect(toks).toHaveLength(3);
    expect(toks[1]).toMatch(/data-weight="0.5"/);
    expect(toks[1]).toMatch(/\bweighted w-down\b/);
    expect(toks[1]).toMatch(/title="token 1 · id 11 · trained · weight 0.5"/);
    expect(toks[0]).not.toMatch(/data-weight/);
    expect(toks[2]).not.toMatch(/data-weight/);
  });
});
