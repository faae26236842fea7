// Every kernel's declaration (KernelSpec: bindings by name, uniform fields) against its WGSL
// text: the storage variables its entry point uses sit at @binding(0..n-1) in the declared
// order, the uniform struct at @binding(n) has exactly the declared fields and types, and every
// compute entry point in shaders/ is declared by the wrapper that dispatches it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../kernels/index.ts';
import '../attention/index.ts';
import '../attention/decode.ts';
import '../loss/index.ts';
import { declaredKernels, type KernelSpec } from './spec.ts';
import { computeEntryPoints, entryLayout } from './wgsl-layout.ts';

const SHADERS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shaders');

/** The mismatches between a declaration and its WGSL ([] when they agree). */
function mismatches(spec: KernelSpec): string[] {
  const { bindings, structs } = entryLayout(spec.source, spec.entryPoint);
  const out: string[] = [];
  const storage = bindings.filter((b) => b.space.startsWith('storage'));
  const uniforms = bindings.filter((b) => b.space === 'uniform');
  const got = storage.map((b) => `${b.binding}:${b.name}`);
  const want = spec.bindings.map((name, i) => `${i}:${name}`);
  if (got.join(' ') !== want.join(' ')) out.push(`storage bindings are ${got.join(' ')}, declared ${want.join(' ')}`);
  if (spec.uniform.length === 0) {
    if (uniforms.length) out.push(`uses a uniform at @binding(${uniforms[0].binding}) but declares none`);
    return out;
  }
  if (uniforms.length !== 1)
    return [...out, `declares uniform fields but the entry point uses ${uniforms.length} uniforms`];
  const u = uniforms[0];
  if (u.binding !== spec.bindings.length)
    out.push(`uniform at @binding(${u.binding}), expected @binding(${spec.bindings.length})`);
  const fields = structs.get(u.type);
  if (!fields) return [...out, `uniform type ${u.type} is not a struct of the module`];
  const gotF = fields.map(([n, t]) => `${n}: ${t}`).join(', ');
  const wantF = spec.uniform.map(([n, t]) => `${n}: ${t}`).join(', ');
  if (gotF !== wantF) out.push(`uniform ${u.type} is { ${gotF} }, declared { ${wantF} }`);
  return out;
}

describe('kernel declarations vs WGSL', () => {
  const specs = declaredKernels();

  for (const spec of specs) {
    it(`${spec.file} ${spec.entryPoint}`, () => {
      // The file itself, or with a prelude (common/*.wgsl) in front.
      expect(spec.source.endsWith(readFileSync(join(SHADERS, spec.file), 'utf8'))).toBe(true);
      expect(mismatches(spec)).toEqual([]);
    });
  }

  it('every compute entry point in shaders/ is declared once', () => {
    const declared = specs.map((s) => `${s.file}:${s.entryPoint}`);
    expect(new Set(declared).size).toBe(declared.length);
    const all = readdirSync(SHADERS)
      .filter((f) => f.endsWith('.wgsl'))
      .flatMap((f) => computeEntryPoints(readFileSync(join(SHADERS, f), 'utf8')).map((e) => `${f}:${e}`));
    expect(all.filter((e) => !declared.includes(e))).toEqual([]);
  });

  it('catches a wrong order, a wrong name and a wrong uniform field', () => {
    const rms = specs.find((s) => s.entryPoint === 'rmsnorm_forward')!;
    expect(mismatches({ ...rms, bindings: ['w', 'x', 'y', 'rstd'] })[0]).toMatch(
      /storage bindings are 0:x 1:w 2:y 3:rstd/,
    );
    expect(mismatches({ ...rms, bindings: ['x', 'w', 'y'] })[0]).toMatch(/declared 0:x 1:w 2:y$/);
    const swapped = [rms.uniform[1], rms.uniform[0], ...rms.uniform.slice(2)];
    expect(mismatches({ ...rms, uniform: swapped })[0]).toMatch(/uniform Params is \{ rows: u32, cols: u32/);
    expect(mismatches({ ...rms, uniform: rms.uniform.map(([n]) => [n, 'f32'] as const) })[0]).toMatch(
      /declared \{ rows: f32/,
    );
  });
});
