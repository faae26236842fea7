// What an entry point of a WGSL module binds, read off the WGSL text: the @group(0) @binding(N)
// variables its function (and the functions it calls) use, and the fields of its uniform struct.
// Enough of WGSL for our shaders (no nested block comments, one struct per `struct` keyword);
// used by the test that holds every KernelSpec to its shader.

export interface WgslBinding {
  binding: number;
  name: string;
  /** The address space and access: `storage, read`, `storage, read_write`, `uniform`. */
  space: string;
  type: string;
}

export interface EntryLayout {
  bindings: WgslBinding[];
  /** Fields [name, type] of each struct declared in the module. */
  structs: Map<string, [string, string][]>;
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** Function name → body text, for every `fn` of the module. */
function functions(src: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\bfn\s+(\w+)\s*\(/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const open = src.indexOf('{', m.index);
    let depth = 0;
    let i = open;
    for (; i < src.length; i++) {
      if (src[i] === '{') depth++;
      else if (src[i] === '}' && --depth === 0) break;
    }
    out.set(m[1], src.slice(m.index, i + 1));
  }
  return out;
}

export function entryLayout(source: string, entryPoint: string): EntryLayout {
  const src = stripComments(source);
  const fns = functions(src);
  if (!fns.has(entryPoint)) throw new Error(`no fn ${entryPoint} in the WGSL`);
  // The entry point's body and every function it reaches.
  const seen = new Set([entryPoint]);
  const queue = [entryPoint];
  while (queue.length) {
    const body = fns.get(queue.pop()!)!;
    for (const name of fns.keys()) {
      if (!seen.has(name) && new RegExp(`\\b${name}\\s*\\(`).test(body)) {
        seen.add(name);
        queue.push(name);
      }
    }
  }
  const bodies = [...seen].map((n) => fns.get(n)!);
  // A function uses a module variable when it names it (not as a member: `lid.x` is not `x`)
  // and declares no parameter or local of that name (the weights prelude's local `h`).
  const uses = (body: string, name: string) => {
    const locals = new Set(
      [...body.matchAll(/\b(?:let|var|const)\s+(\w+)|[(,]\s*(\w+)\s*:/g)].map((m) => m[1] ?? m[2]),
    );
    return !locals.has(name) && new RegExp(`(?<![.\\w])${name}\\b`).test(body);
  };
  const bindings: WgslBinding[] = [];
  const bre = /@group\(0\)\s*@binding\((\d+)\)\s*var\s*<([^>]*)>\s*(\w+)\s*:\s*([^;]+);/g;
  for (let m = bre.exec(src); m; m = bre.exec(src)) {
    if (bodies.some((body) => uses(body, m![3]))) {
      bindings.push({ binding: Number(m[1]), space: m[2].trim(), name: m[3], type: m[4].trim() });
    }
  }
  bindings.sort((a, b) => a.binding - b.binding);
  const structs = new Map<string, [string, string][]>();
  const sre = /\bstruct\s+(\w+)\s*\{([^}]*)\}/g;
  for (let m = sre.exec(src); m; m = sre.exec(src)) {
    const fields = m[2]
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => {
        const [name, type] = f
          .replace(/@\w+(\([^)]*\))?\s*/g, '')
          .split(':')
          .map((s) => s.trim());
        return [name, type] as [string, string];
      });
    structs.set(m[1], fields);
  }
  return { bindings, structs };
}

/** Entry points (`@compute … fn name`) of a module. */
export function computeEntryPoints(source: string): string[] {
  const src = stripComments(source);
  return [...src.matchAll(/@compute[^;{]*?\bfn\s+(\w+)/g)].map((m) => m[1]);
}
