// The HTTP path end to end: a local node:http server serves tiny model folders in the Hub's URL
// layout (`/{repo}/resolve/{revision}/{path}`) with Range support; one connection is cut mid-file
// to prove reads resume from the last byte received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../open.ts';
import { writeSafetensors } from '../safetensors/writer.ts';
import { makeTinyModel, type ModelFiles } from '../tiny.ts';
import type { ProgressEvent } from '../types.ts';
import { HttpError, openHttpSource } from './http.ts';
import { hubFileUrl, hubModelSource } from './model-source.ts';
import { openSafetensors } from '../safetensors/reader.ts';
import { bytesSource } from './byte-source.ts';

const tiny = makeTinyModel({
  arch: 'qwen2',
  hidden: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  intermediate: 48,
  seed: 3,
  dtype: 'float32',
  tokenizer: 'bytes',
});

async function shardFiles(files: ModelFiles): Promise<ModelFiles> {
  const whole = await openSafetensors(bytesSource(files['model.safetensors']));
  const all = [];
  for await (const t of whole.stream()) all.push({ ...t, data: t.data.slice() });
  const half = Math.ceil(all.length / 2);
  const shards = [all.slice(0, half), all.slice(half)];
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const weight_map: Record<string, string> = {};
  shards.forEach((s, i) => s.forEach((t) => (weight_map[t.name] = names[i])));
  const { 'model.safetensors': _single, ...rest } = files;
  return {
    ...rest,
    [names[0]]: writeSafetensors(shards[0], { format: 'pt' }),
    [names[1]]: writeSafetensors(shards[1], { format: 'pt' }),
    'model.safetensors.index.json': new TextEncoder().encode(
      JSON.stringify({ metadata: { total_size: 0 }, weight_map }),
    ),
  };
}

interface Logged {
  repo: string;
  path: string;
  method: string;
  range: string | undefined;
  auth: string | undefined;
  status: number;
}
const log: Logged[] = [];
const repos: Record<string, { files: ModelFiles; token?: string; noRange?: boolean; dropOnce?: string }> = {};
let dropped = false;
let server: Server;
let endpoint: string;

function handle(req: IncomingMessage, res: ServerResponse) {
  const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
  const entry: Logged = {
    repo: m?.[1] ?? '',
    path: m?.[3] ?? '',
    method: req.method ?? '',
    range: req.headers.range,
    auth: req.headers.authorization,
    status: 0,
  };
  log.push(entry);
  const send = (status: number, headers: Record<string, string | number> = {}, body?: Uint8Array) => {
    entry.status = status;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const repo = m && repos[m[1]];
  if (!m || !repo || m[2] !== 'main') return send(404);
  if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) return send(401);
  const file = repo.files[m[3]];
  if (!file) return send(404);
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range || repo.noRange) return send(200, { 'Content-Length': file.length }, file);
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), file.length - 1) : file.length - 1;
  if (start >= file.length) return send(416, { 'Content-Range': `bytes */${file.length}` });
  const body = file.subarray(start, end + 1);
  const headers = { 'Content-Range': `bytes ${start}-${end}/${file.length}`, 'Content-Length': body.length };
  if (repo.dropOnce === m[3] && !dropped && body.length > 1000) {
    // Send part of the body, then cut the connection.
    dropped = true;
    entry.status = -206;
    res.writeHead(206, headers);
    res.write(body.subarray(0, Math.floor(body.length / 3)), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  send(206, headers, body);
}

beforeAll(async () => {
  repos['tiny/qwen2'] = { files: tiny.files, dropOnce: 'model.safetensors' };
  repos['tiny/sharded'] = { files: await shardFiles(tiny.files) };
  repos['tiny/gated'] = { files: tiny.files, token: 'hf_secret' };
  repos['tiny/norange'] = { files: tiny.files, noRange: true };
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function allTensors(model: Awaited<ReturnType<typeof openModel>>) {
  const out = new Map<string, number[]>();
  for await (const t of model.checkpoint.stream()) out.set(t.name, [...t.data]);
  return out;
}

describe('Hub-layout HTTP model source', () => {
  let expected: Map<string, number[]>;
  beforeAll(async () => {
    const whole = await openSafetensors(bytesSource(tiny.files['model.safetensors']));
    expected = new Map();
    for await (const t of whole.stream()) expected.set(t.name, [...t.data]);
  });

  it('loads a model over a dropped connection, resuming from the last byte, with progress', async () => {
    const events: ProgressEvent[] = [];
    const source = hubModelSource({ repo: 'tiny/qwen2', endpoint, retryDelayMs: 5, onProgress: (e) => events.push(e) });
    const model = await openModel(source);
    expect(model.spec.arch).toBe('qwen2');
    expect(await allTensors(model)).toEqual(expected);

    expect(dropped).toBe(true);
    const gets = log.filter((l) => l.repo === 'tiny/qwen2' && l.path === 'model.safetensors' && l.method === 'GET');
    const cut = gets.findIndex((l) => l.status === -206);
    expect(cut).toBeGreaterThan(0);
    // The retry asks for the rest of the same range, starting past the bytes already received.
    const [, a0, b0] = /bytes=(\d+)-(\d+)/.exec(gets[cut].range!)!.map(Number);
    const [, a1, b1] = /bytes=(\d+)-(\d+)/.exec(gets[cut + 1].range!)!.map(Number);
    expect(b1).toBe(b0);
    expect(a1).toBeGreaterThan(a0);
    expect(a1).toBe(a0 + Math.floor((b0 - a0 + 1) / 3));

    const size = tiny.files['model.safetensors'].length;
    const mine = events.filter((e) => e.path === 'model.safetensors');
    expect(mine.every((e) => e.total === size)).toBe(true);
    expect(mine.every((e, i) => i === 0 || e.loaded > mine[i - 1].loaded)).toBe(true);
    // Every byte counted once: the header plus every tensor, nothing re-downloaded.
    expect(mine.at(-1)!.loaded).toBe(size);
  });

  it('loads a sharded checkpoint through model.safetensors.index.json', async () => {
    const model = await openModel(hubModelSource({ repo: 'tiny/sharded', endpoint }));
    expect(model.checkpoint.files).toHaveLength(2);
    expect(await allTensors(model)).toEqual(expected);
  });

  it('sends the access token to gated repos and explains a 401 without it', async () => {
    await expect(openModel(hubModelSource({ repo: 'tiny/gated', endpoint }))).rejects.toThrow(
      /HTTP 401 \(gated or private: an access token/,
    );
    const model = await openModel(hubModelSource({ repo: 'tiny/gated', endpoint, token: 'hf_secret' }));
    expect(await allTensors(model)).toEqual(expected);
    expect(
      log.filter((l) => l.repo === 'tiny/gated' && l.status === 206).every((l) => l.auth === 'Bearer hf_secret'),
    ).toBe(true);
  });

  it('copes with a server that ignores Range', async () => {
    const model = await openModel(hubModelSource({ repo: 'tiny/norange', endpoint }));
    expect(await allTensors(model)).toEqual(expected);
  });

  it('reports missing files and repos', async () => {
    const src = hubModelSource({ repo: 'tiny/qwen2', endpoint });
    expect(await src.exists('config.json')).toBe(true);
    expect(await src.exists('nope.json')).toBe(false);
    await expect(
      openHttpSource(hubFileUrl('tiny/none', 'main', 'model.safetensors', endpoint), { retryDelayMs: 1 }),
    ).rejects.toBeInstanceOf(HttpError);
    await expect(openModel(hubModelSource({ repo: 'tiny/none', endpoint }))).rejects.toThrow(/no config.json/);
  });
});
