// Node module hooks that give `import src from '…/x.wgsl?raw'` the same meaning it has under
// Vite and Vitest (the file's text as the default export), so the engine imports its shaders
// one way in the browser, in tests and in the CLI.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.search === '?raw') {
    const text = await readFile(u.pathname, 'utf8');
    return { format: 'module', shortCircuit: true, source: `export default ${JSON.stringify(text)};` };
  }
  return nextLoad(url, context);
}
