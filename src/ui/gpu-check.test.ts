// The WebGPU check's verdicts: the headline names the real cause (a browser whose WebGPU grants
// no adapter is not "without WebGPU"), and the home view's one line names the adapter and limits.
import { describe, expect, it } from 'vitest';
import { adapterLine, checkWebGPU } from './gpu-check.ts';

const nav = (gpu: unknown) => ({ gpu }) as unknown as Navigator;

describe('checkWebGPU', () => {
  it('no navigator.gpu: no WebGPU in this browser', async () => {
    const s = await checkWebGPU({} as Navigator);
    expect(s).toMatchObject({ state: 'unsupported', title: 'No WebGPU in this browser.' });
  });

  it('WebGPU without an adapter does not say there is no WebGPU', async () => {
    const s = await checkWebGPU(nav({ requestAdapter: async () => null }));
    if (s.state !== 'unsupported') throw new Error(s.state);
    expect(s.title).toBe('WebGPU gave no GPU adapter.');
    expect(`${s.title} ${s.reason}`).not.toMatch(/No WebGPU/i);
  });

  it('a throwing requestAdapter is reported as such', async () => {
    const s = await checkWebGPU(
      nav({
        requestAdapter: async () => {
          throw new Error('device lost');
        },
      }),
    );
    expect(s).toMatchObject({ state: 'unsupported', title: 'WebGPU failed to start.' });
    expect(s.state === 'unsupported' && s.reason).toMatch(/device lost/);
  });

  it('an adapter: its name and limits in one line', async () => {
    const adapter = {
      info: { vendor: 'google', architecture: 'swiftshader', description: '' },
      features: new Set(['timestamp-query']),
      limits: {
        maxStorageBufferBindingSize: 128 * 2 ** 20,
        maxBufferSize: 2 ** 30,
        maxComputeWorkgroupStorageSize: 16384,
      },
    };
    const s = await checkWebGPU(nav({ requestAdapter: async () => adapter }));
    if (s.state !== 'ready') throw new Error(s.state);
    expect(adapterLine(s)).toBe(
      'google swiftshader · max buffer 1 GiB · max storage binding 128 MiB · workgroup memory 16 KiB · shader-f16 no',
    );
  });
});
