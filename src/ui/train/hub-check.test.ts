// The any-Hub-model check: which repo an input names, the verdict on its config.json (in
// parseConfig's own refusal kinds), and what a failed Hub request means. Statuses and
// X-Error-Code values as huggingface_hub's hf_raise_for_status reads them.
import { describe, expect, it } from 'vitest';
import { KNOWN_CONFIGS } from '../../model/known-models.ts';
import { HttpError } from '../../model/sources/http.ts';
import {
  checkHubModel,
  classifyHubFailure,
  hubFailureOf,
  hubFailureOfMessage,
  parseHubRef,
  verdictLine,
  verdictOfConfig,
} from './hub-check.ts';

describe('parseHubRef', () => {
  it.each([
    ['google/gemma-3-1b-it', 'google/gemma-3-1b-it', 'main'],
    ['  internlm/internlm2_5-1_8b-chat ', 'internlm/internlm2_5-1_8b-chat', 'main'],
    ['https://huggingface.co/microsoft/Phi-4-mini-instruct', 'microsoft/Phi-4-mini-instruct', 'main'],
    ['huggingface.co/HuggingFaceTB/SmolLM3-3B/', 'HuggingFaceTB/SmolLM3-3B', 'main'],
    ['https://hf.co/Qwen/Qwen3-0.6B', 'Qwen/Qwen3-0.6B', 'main'],
    ['https://huggingface.co/Qwen/Qwen3-0.6B/tree/v1.0', 'Qwen/Qwen3-0.6B', 'v1.0'],
    ['https://huggingface.co/Qwen/Qwen3-0.6B/blob/main/config.json', 'Qwen/Qwen3-0.6B', 'main'],
    ['https://huggingface.co/Qwen/Qwen3-0.6B/resolve/abc123/model.safetensors', 'Qwen/Qwen3-0.6B', 'abc123'],
    ['https://huggingface.co/models/google/gemma-3-270m-it', 'google/gemma-3-270m-it', 'main'],
  ])('%s → %s @ %s', (input, repo, revision) => {
    expect(parseHubRef(input)).toEqual({ repo, revision });
  });
  it.each([
    ['', /Type a Hub model id/],
    ['gemma-3-1b-it', /owner\/name/],
    ['https://huggingface.co/datasets/tatsu-lab/alpaca', /dataset, not a model/],
    ['https://huggingface.co/spaces/owner/app', /Space, not a model/],
    ['https://github.com/google/gemma', /only huggingface.co/],
    ['https://huggingface.co/google', /owner\/name/],
    ['a b/c', /owner\/name/],
  ])('refuses %j', (input, why) => {
    const r = parseHubRef(input);
    expect('error' in r && r.error).toMatch(why);
  });
});

const REF = { repo: 'owner/model', revision: 'main' };

describe('verdictOfConfig', () => {
  it('the curated models of issue 15 train here', () => {
    for (const id of [
      'google/gemma-3-270m-it',
      'google/gemma-3-1b-it',
      'internlm/internlm2_5-1_8b-chat',
      'microsoft/Phi-4-mini-instruct',
      'HuggingFaceTB/SmolLM3-3B',
    ]) {
      const v = verdictOfConfig({ repo: id, revision: 'main' }, KNOWN_CONFIGS[id].config);
      expect(v.state, id).toBe('trains');
      expect(verdictLine(v)).toMatch(/ trains here \((Gemma3|InternLM2|Phi3|SmolLM3)ForCausalLM\)\.$/);
    }
  });
  it('an architecture the engine does not run: "not this architecture, because …"', () => {
    const v = verdictOfConfig(REF, { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 768 });
    expect(v).toMatchObject({ state: 'refused', refusal: 'architecture' });
    expect(verdictLine(v)).toMatch(
      new RegExp(
        /^owner\/model: not this architecture, because /.source +
          /unsupported architecture GPT2LMHeadModel: Prism runs LlamaForCausalLM/.source,
      ),
    );
  });
  it('a class the picker lists as not yet trainable gives what the engine lacks', () => {
    const v = verdictOfConfig(REF, { architectures: ['Lfm2ForCausalLM'], model_type: 'lfm2' });
    expect(verdictLine(v)).toMatch(
      /not this architecture, because Lfm2ForCausalLM is a hybrid: most of its layers are gated short convolutions/,
    );
  });
  it('a class it runs with a feature it cannot run exactly (yarn): refused as that configuration', () => {
    const cfg = {
      ...KNOWN_CONFIGS['Qwen/Qwen3-0.6B'].config,
      rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32768 },
    };
    const v = verdictOfConfig(REF, cfg);
    expect(v).toMatchObject({ state: 'refused', refusal: 'unsupported' });
    expect(verdictLine(v)).toMatch(
      /an architecture Prism runs, but not this configuration, because rope_scaling type "yarn" is not supported/,
    );
  });
  it('a malformed config names the field', () => {
    const { hidden_size: _h, ...cfg } = KNOWN_CONFIGS['Qwen/Qwen3-0.6B'].config;
    const v = verdictOfConfig(REF, cfg);
    expect(v).toMatchObject({ state: 'refused', refusal: 'invalid' });
    expect(verdictLine(v)).toBe('owner/model: its config.json cannot be read, because missing field "hidden_size".');
    expect(verdictOfConfig(REF, [1, 2])).toMatchObject({ state: 'refused', refusal: 'invalid' });
  });
  it('a Gemma 3 multimodal checkpoint trains its language model, and says so', () => {
    const { architectures: _a, model_type: _m, ...text } = KNOWN_CONFIGS['google/gemma-3-1b-it'].config;
    const v = verdictOfConfig(REF, {
      architectures: ['Gemma3ForConditionalGeneration'],
      model_type: 'gemma3',
      text_config: text,
    });
    expect(v.state).toBe('trains');
    expect(v.state === 'trains' && v.notes.join(' ')).toMatch(
      /language model trains here; the vision tower is neither loaded nor adapted/,
    );
  });
});

describe('classifyHubFailure', () => {
  const ctx = { online: true, token: false, repo: 'google/gemma-3-1b-it' };
  it.each([
    [null, null, { ...ctx, online: false }, 'offline', /You are offline/],
    [null, null, ctx, 'unreachable', /huggingface.co could not be reached/],
    [401, 'GatedRepo', ctx, 'gated', /gated or private \(HTTP 401\): enter a Hugging Face access token/],
    [
      401,
      null,
      ctx,
      'gated',
      /refused without a token \(HTTP 401\): the model is gated or private, or the id is wrong/,
    ],
    [401, 'RepoNotFound', ctx, 'not-found', /no such model on the Hub/],
    [401, null, { ...ctx, token: true }, 'gated', /this access token has no access/],
    [403, 'GatedRepo', { ...ctx, token: true }, 'gated', /accept the license on its Hub page/],
    [404, 'EntryNotFound', ctx, 'not-found', /has no config.json \(HTTP 404\)/],
    [404, 'RevisionNotFound', ctx, 'not-found', /no such branch, tag or commit/],
    [404, null, ctx, 'not-found', /not found on the Hub \(HTTP 404\)/],
    [429, null, ctx, 'server', /HTTP 429 .*too many requests/],
    [503, null, ctx, 'server', /HTTP 503 .*server error/],
  ] as const)('%s %s → %s', (status, code, c, kind, message) => {
    const f = classifyHubFailure(status, code, c);
    expect(f.kind).toBe(kind);
    expect(f.message).toMatch(message);
    expect(f.message).not.toMatch(/Failed to fetch/);
  });
  it('thrown download errors: fetch TypeErrors of each browser, HttpErrors; others are not Hub failures', () => {
    for (const m of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
      expect(hubFailureOf(new TypeError(m), ctx)?.kind).toBe('unreachable');
      expect(hubFailureOf(new TypeError(m), { ...ctx, online: false })?.kind).toBe('offline');
    }
    expect(hubFailureOf(new HttpError('x: HTTP 403', 403), ctx)?.kind).toBe('gated');
    expect(hubFailureOf(new HttpError('x: HTTP 404', 404), { ...ctx, path: 'tokenizer.json' })?.message).toMatch(
      /tokenizer.json/,
    );
    expect(hubFailureOf(new Error('tokenizer.json: bad JSON'), ctx)).toBeNull();
  });
});

describe('checkHubModel', () => {
  const config = KNOWN_CONFIGS['microsoft/Phi-4-mini-instruct'].config;
  function fakeFetch(answer: Response | Error, seen: { url?: string; auth?: string } = {}): typeof fetch {
    return (async (url: string, init?: RequestInit) => {
      seen.url = url;
      seen.auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
      if (answer instanceof Error) throw answer;
      return answer;
    }) as unknown as typeof fetch;
  }
  it('reads config.json at the revision, sends the token, and judges it', async () => {
    const seen: { url?: string; auth?: string } = {};
    const v = await checkHubModel(
      { repo: 'microsoft/Phi-4-mini-instruct', revision: 'main' },
      {
        fetch: fakeFetch(new Response(JSON.stringify(config)), seen),
        token: 'hf_x',
        online: true,
      },
    );
    expect(seen).toEqual({
      url: 'https://huggingface.co/microsoft/Phi-4-mini-instruct/resolve/main/config.json',
      auth: 'Bearer hf_x',
    });
    expect(v.state).toBe('trains');
  });
  it('offline, unreachable, gated, not found, unreadable', async () => {
    const ref = { repo: 'google/gemma-3-1b-it', revision: 'main' };
    const failed = async (answer: Response | Error, online = true) => {
      const v = await checkHubModel(ref, { fetch: fakeFetch(answer), online });
      return v.state === 'failed' ? v.failure.kind : v.state;
    };
    expect(await failed(new TypeError('Failed to fetch'), false)).toBe('offline');
    expect(await failed(new TypeError('Failed to fetch'))).toBe('unreachable');
    expect(await failed(new Response('', { status: 401, headers: { 'X-Error-Code': 'GatedRepo' } }))).toBe('gated');
    expect(await failed(new Response('', { status: 403 }))).toBe('gated');
    expect(await failed(new Response('', { status: 404, headers: { 'X-Error-Code': 'RepoNotFound' } }))).toBe(
      'not-found',
    );
    expect(await failed(new Response('', { status: 502 }))).toBe('server');
    const bad = await checkHubModel(ref, { fetch: fakeFetch(new Response('{"architectures": [')), online: true });
    expect(bad).toMatchObject({ state: 'refused', refusal: 'invalid' });
  });
});

describe('hubFailureOfMessage (errors that crossed the worker boundary as text)', () => {
  const ctx = { online: true, token: false, repo: 'google/gemma-3-1b-it' };
  it('reads the fetch wording and HttpError messages; anything else is not a Hub failure', () => {
    expect(hubFailureOfMessage('Failed to fetch', ctx)?.kind).toBe('unreachable');
    expect(hubFailureOfMessage('TypeError: Load failed', { ...ctx, online: false })?.kind).toBe('offline');
    const gated = hubFailureOfMessage(
      'https://huggingface.co/google/gemma-3-1b-it/resolve/main/tokenizer.json: HTTP 401 (gated or private: an ' +
        'access token with access is needed)',
      ctx,
    );
    expect(gated?.kind).toBe('gated');
    const missing = hubFailureOfMessage(
      'https://huggingface.co/google/gemma-3-1b-it/resolve/main/tokenizer.json: HTTP 404 (no such file)',
      ctx,
    );
    expect(missing?.message).toMatch(/google\/gemma-3-1b-it\/tokenizer.json: not found on the Hub/);
    expect(hubFailureOfMessage('None of the 3 conversations could be used', ctx)).toBeNull();
  });
});
