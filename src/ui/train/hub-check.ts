// Any Hub model, not only the curated list: the id (or a huggingface.co URL) the user types, its
// config.json read from the Hub, and the verdict — "trains here", or "not this architecture /
// not this feature, because …" in parseConfig's own words (ConfigError.refusal) — plus what a
// failed Hub request means: offline, unreachable, gated or private (401/403), not found (404).
// Ground truth for the statuses: huggingface_hub's hf_raise_for_status (X-Error-Code
// RepoNotFound / GatedRepo / EntryNotFound / RevisionNotFound; without a token the Hub answers
// 401 both for a gated or private repo and for one that does not exist).
import { ConfigError, parseConfig } from '../../model/config.ts';
import { NOT_YET_TRAINABLE } from '../../model/known-models.ts';
import { hubFileUrl } from '../../model/sources/model-source.ts';
import { HttpError } from '../../model/sources/http.ts';
import type { ModelSpec } from '../../model/types.ts';

/** `owner/name`, as the Hub spells repository ids (letters, digits, `-`, `_`, `.`). */
const REPO_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);

export interface HubRef {
  repo: string;
  /** A branch, tag or commit named in a URL (…/tree/REV, …/blob/REV/…, …/resolve/REV/…); else main. */
  revision: string;
}

/**
 * The repository a user's input names: `owner/name`, or a huggingface.co / hf.co URL of the
 * model page or of one of its files. Datasets and Spaces are not models.
 */
export function parseHubRef(input: string): HubRef | { error: string } {
  const text = input.trim();
  if (!text) return { error: 'Type a Hub model id (owner/name) or paste its huggingface.co URL.' };
  let path = text;
  if (/^(https?:\/\/)?(www\.)?(huggingface\.co|hf\.co)\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      return { error: `${text}: not a valid URL.` };
    }
    if (!HUB_HOSTS.has(url.hostname.toLowerCase())) return { error: `${text}: not a huggingface.co URL.` };
    path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  } else if (/^[a-z]+:\/\//i.test(text)) {
    return { error: `${text}: only huggingface.co (or hf.co) URLs name Hub models.` };
  }
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'datasets' || parts[0] === 'spaces') {
    return { error: `${text}: that is a Hub ${parts[0] === 'datasets' ? 'dataset' : 'Space'}, not a model.` };
  }
  if (parts[0] === 'models') parts.shift();
  const repo = parts.slice(0, 2).join('/');
  if (parts.length < 2 || !REPO_RE.test(repo)) {
    return { error: `${text}: a Hub model id has the form owner/name (e.g. google/gemma-3-1b-it).` };
  }
  const rest = parts.slice(2);
  const revision = rest.length >= 2 && ['tree', 'blob', 'resolve'].includes(rest[0]) ? rest[1] : 'main';
  return { repo, revision };
}

export type HubFailureKind = 'offline' | 'unreachable' | 'gated' | 'not-found' | 'server';

export interface HubFailure {
  kind: HubFailureKind;
  /** What happened, in words (never just "Failed to fetch"). */
  message: string;
}

export interface FailureContext {
  /** navigator.onLine: false means the browser knows it has no network. */
  online: boolean;
  /** An access token was sent. */
  token: boolean;
  repo: string;
  /** The file asked for (config.json, tokenizer.json…). */
  path?: string;
}

/**
 * What a failed Hub request means. `status` is the HTTP status (null when fetch itself threw: no
 * answer at all), `errorCode` the Hub's X-Error-Code header when the browser could read it.
 */
export function classifyHubFailure(status: number | null, errorCode: string | null, ctx: FailureContext): HubFailure {
  const file = ctx.path ?? 'config.json';
  if (status === null) {
    if (!ctx.online) {
      return { kind: 'offline', message: `You are offline: ${ctx.repo} cannot be read from huggingface.co.` };
    }
    return {
      kind: 'unreachable',
      message:
        `huggingface.co could not be reached for ${ctx.repo} (no answer: the network, a firewall or a proxy ` +
        'blocked the request).',
    };
  }
  if (errorCode === 'GatedRepo' || status === 403 || (status === 401 && ctx.token)) {
    return {
      kind: 'gated',
      message: ctx.token
        ? `${ctx.repo} is gated or private and this access token has no access to it (HTTP ${status}): accept the ` +
          'license on its Hub page with the account the token belongs to, or use a token with access.'
        : `${ctx.repo} is gated or private (HTTP ${status}): enter a Hugging Face access token whose account has ` +
          'accepted the model’s license.',
    };
  }
  if (status === 401) {
    // Without a token the Hub answers 401 for a repo that does not exist as well as for a gated one.
    return {
      kind: errorCode === 'RepoNotFound' ? 'not-found' : 'gated',
      message:
        errorCode === 'RepoNotFound'
          ? `${ctx.repo}: no such model on the Hub (HTTP 401, RepoNotFound): check the id, or enter a token if it is ` +
            'private.'
          : `${ctx.repo}: the Hub refused without a token (HTTP 401): the model is gated or private, or the id is ` +
            'wrong. Check the id, or enter an access token with access to it.',
    };
  }
  if (status === 404) {
    if (errorCode === 'EntryNotFound') {
      const message = `${ctx.repo} has no ${file} (HTTP 404): it is not a Transformers model folder.`;
      return { kind: 'not-found', message };
    }
    if (errorCode === 'RevisionNotFound') {
      return { kind: 'not-found', message: `${ctx.repo}: no such branch, tag or commit (HTTP 404).` };
    }
    return { kind: 'not-found', message: `${ctx.repo}/${file}: not found on the Hub (HTTP 404): check the id.` };
  }
  return {
    kind: 'server',
    message:
      `huggingface.co answered HTTP ${status} for ${ctx.repo}/${file}` +
      `${status === 429 ? ' (too many requests)' : status >= 500 ? ' (a server error)' : ''}: try again in a moment.`,
  };
}

/** A thrown error of a Hub download (fetch's TypeError, an HttpError), classified; null when it is not one. */
export function hubFailureOf(err: unknown, ctx: FailureContext): HubFailure | null {
  if (err instanceof HttpError) return classifyHubFailure(err.status, null, ctx);
  return err instanceof TypeError ? hubFailureOfMessage(err.message, ctx) : null;
}

/**
 * The same, from an error's message only (errors that crossed a worker boundary arrive as text):
 * a fetch TypeError's wording, or an HttpError's "URL: HTTP 403 …". Null when it is neither.
 */
export function hubFailureOfMessage(message: string, ctx: FailureContext): HubFailure | null {
  // fetch rejects with a TypeError when no answer came (offline, DNS, CORS, a reset connection):
  // Chrome says "Failed to fetch", Firefox "NetworkError when attempting to fetch resource.", Safari "Load failed".
  const noAnswer = /^(TypeError: )?(Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)$/;
  if (noAnswer.test(message.trim())) {
    return classifyHubFailure(null, null, ctx);
  }
  const m = /^(https?:\/\/\S+): HTTP (\d{3})\b/.exec(message);
  if (!m) return null;
  const path = /\/resolve\/[^/]+\/(.+)$/.exec(m[1])?.[1];
  return classifyHubFailure(Number(m[2]), null, { ...ctx, path: path ? decodeURIComponent(path) : ctx.path });
}

export type HubVerdict =
  | {
      state: 'trains';
      repo: string;
      revision: string;
      spec: ModelSpec;
      config: Record<string, unknown>;
      notes: string[];
    }
  | { state: 'refused'; repo: string; refusal: ConfigError['refusal']; reason: string }
  | { state: 'failed'; repo: string; failure: HubFailure };

/** The verdict on a config.json read from the Hub (or anywhere). */
export function verdictOfConfig(ref: HubRef, config: unknown): HubVerdict {
  let spec: ModelSpec;
  try {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ConfigError('config.json must be a JSON object');
    }
    spec = parseConfig(config as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // A class the picker lists as not yet trainable: its specific reason (what the engine lacks).
    const cls =
      typeof config === 'object' && config !== null ? (config as { architectures?: unknown }).architectures : null;
    const known = Array.isArray(cls) ? NOT_YET_TRAINABLE.find((m) => m.architecture === cls[0]) : undefined;
    const reason = err.refusal === 'architecture' && known ? known.reason : err.message;
    return { state: 'refused', repo: ref.repo, refusal: err.refusal, reason };
  }
  const notes: string[] = [];
  if (spec.weight_prefix !== 'model.') {
    notes.push(`${spec.architecture}: its language model trains here; the vision tower is neither loaded nor adapted.`);
  }
  const json = config as Record<string, unknown>;
  return { state: 'trains', repo: ref.repo, revision: ref.revision, spec, config: json, notes };
}

export interface CheckOptions {
  token?: string;
  fetch?: typeof fetch;
  online?: boolean;
  signal?: AbortSignal;
}

/** Read `config.json` of a Hub model and judge it. Never throws for network or HTTP trouble. */
export async function checkHubModel(ref: HubRef, o: CheckOptions = {}): Promise<HubVerdict> {
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const online = o.online ?? globalThis.navigator?.onLine ?? true;
  const ctx = { online, token: !!o.token, repo: ref.repo, path: 'config.json' };
  let res: Response;
  try {
    res = await doFetch(hubFileUrl(ref.repo, ref.revision, 'config.json'), {
      headers: o.token ? { Authorization: `Bearer ${o.token}` } : {},
      signal: o.signal,
    });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    return { state: 'failed', repo: ref.repo, failure: classifyHubFailure(null, null, ctx) };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    const failure = classifyHubFailure(res.status, res.headers.get('x-error-code'), ctx);
    return { state: 'failed', repo: ref.repo, failure };
  }
  let config: unknown;
  try {
    config = JSON.parse(await res.text());
  } catch (err) {
    return {
      state: 'refused',
      repo: ref.repo,
      refusal: 'invalid',
      reason: `config.json is not valid JSON: ${(err as Error).message}`,
    };
  }
  return verdictOfConfig(ref, config);
}

/** The verdict's headline: "trains here" or "not this architecture, because …". */
export function verdictLine(v: HubVerdict): string {
  if (v.state === 'trains') return `${v.repo} trains here (${v.spec.architecture}).`;
  if (v.state === 'failed') return v.failure.message;
  const because = v.reason.replace(/^config\.json: /, '');
  if (v.refusal === 'architecture') return `${v.repo}: not this architecture, because ${because}.`;
  if (v.refusal === 'unsupported') {
    return `${v.repo}: an architecture Prism runs, but not this configuration, because ${because}.`;
  }
  return `${v.repo}: its config.json cannot be read, because ${because}.`;
}
