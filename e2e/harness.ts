// What every e2e test needs: the built app served on localhost (a secure context, so
// navigator.gpu exists) and Debian's Chromium driven by playwright-core, with WebGPU on
// SwiftShader when there is no GPU. Playwright gives each launch a fresh, empty profile.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const ROOT = resolve(import.meta.dirname, '..');
export const OUT_DIR = join(ROOT, 'test-results', 'e2e');
const CHROMIUM = process.env.PRISM_CHROMIUM ?? '/usr/bin/chromium';

export interface Session {
  url: string;
  browser: Browser;
  page: Page;
  /** Console errors and page errors seen so far: a test can assert there were none. */
  errors: string[];
  close(): Promise<void>;
}

export async function serve(): Promise<PreviewServer> {
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does).');
  }
  return preview({ root: ROOT, logLevel: 'warn', preview: { host: 'localhost', port: 0, strictPort: false } });
}

/** Debian's Chromium, headless, with WebGPU (SwiftShader when there is no GPU). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set PRISM_CHROMIUM).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function open(path = '/'): Promise<Session> {
  mkdirSync(OUT_DIR, { recursive: true });
  const server = await serve();
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  const url = `http://localhost:${address.port}`;
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url + path);
  return {
    url,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export function shot(name: string): string {
  return join(OUT_DIR, `${name}.png`);
}
