// A 50 MB file: generated in the page (about 68,000 records, every tenth line broken), dropped on
// the Dataset page, read by the dataset worker. While it loads no main-thread task may take over
// 200 ms: a PerformanceObserver on 'longtask' gives each task's wall time, a Chrome trace its CPU
// time on the page's main thread. On a machine with more runnable processes than cores (CI boxes
// shared with other jobs) a task's wall time mostly measures the time the OS gave to others (a
// 700 ms task with 18 ms of CPU was seen here at load average 23 on 2 cores): there the CPU time
// is held to the limit and the wall times are printed; otherwise both are held to it. The issue
// list stays a few dozen rows in the DOM however many issues there are (virtualized), the page
// gains no blank scroll, and the last issue is reachable by scrolling the list and opens its record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { open, shot } from './harness.ts';

const TARGET_BYTES = 50e6;
const LONG_TASK_LIMIT_MS = 200;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  tdur?: number;
  args?: { name?: string };
}

/** CPU milliseconds of every task run on the page's main thread (trace RunTask events' tdur). */
function mainThreadTaskCpuMs(trace: { traceEvents: TraceEvent[] }): number[] {
  const main = new Set(
    trace.traceEvents
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  return trace.traceEvents
    .filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`) && e.tdur !== undefined)
    .map((e) => e.tdur! / 1000);
}

test('a 50 MB file loads without a main-thread task over 200 ms, its issue list virtualized', async () => {
  const s = await open('/#/dataset');
  try {
    const { page } = s;
    // The file is built in the page, in small steps (test code, before anything is measured).
    const made = await page.evaluate(async (target) => {
      const parts: string[] = [];
      let size = 0;
      let records = 0;
      let broken = 0;
      let lastBroken = 0;
      while (size < target) {
        let chunk = '';
        for (let k = 0; k < 500; k++) {
          records++;
          if (records % 10 === 7) {
            chunk += `{"messages": [{"role": "user", "content": "cut off ${records}"}\n`;
            broken++;
            lastBroken = records;
          } else {
            // (No inner functions: the page gets this source without tsx's name helper.)
            chunk +=
              JSON.stringify({
                messages: [
                  { role: 'system', content: 'You answer briefly.' },
                  { role: 'user', content: `Question ${records}: ${'lorem ipsum '.repeat(24)}` },
                  { role: 'assistant', content: `Answer ${records}: ${'dolor sit amet '.repeat(24)}` },
                ],
              }) + '\n';
          }
        }
        parts.push(chunk);
        size += chunk.length;
        await new Promise((r) => setTimeout(r, 0));
      }
      const dt = new DataTransfer();
      dt.items.add(new File(parts, 'long.jsonl', { type: 'application/jsonl' }));
      (window as unknown as { __drop: DataTransfer }).__drop = dt;
      return { records, broken, lastBroken, size };
    }, TARGET_BYTES);
    assert.ok(made.size >= TARGET_BYTES);
    await page.waitForTimeout(1000);

    await s.browser.startTracing(page, {
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'],
    });
    const started = Date.now();
    await page.evaluate(() => {
      const w = window as unknown as { __long: number[]; __drop: DataTransfer };
      w.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__long.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
      const drop = new DragEvent('drop', { dataTransfer: w.__drop, bubbles: true, cancelable: true });
      document.querySelector('[data-testid="dropzone"]')!.dispatchEvent(drop);
    });
    await page.waitForSelector('[data-testid="loaded-file"]', { timeout: 240_000 });
    const seconds = (Date.now() - started) / 1000;
    await page.waitForTimeout(500);
    const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    const cpu = mainThreadTaskCpuMs(JSON.parse((await s.browser.stopTracing()).toString('utf8')));
    const busy = loadavg()[0] > cpus().length;
    console.log(
      `# ${(made.size / 1e6).toFixed(1)} MB, ${made.records} records read in ${seconds.toFixed(1)} s; ` +
        `long tasks: ${long.length}, ` +
        `longest ${Math.max(0, ...long)} ms wall; ${cpu.length} main-thread tasks, ` +
        `longest ${Math.max(0, ...cpu).toFixed(1)} ms CPU; ` +
        `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} ` +
        `cores${busy ? ' (oversubscribed: wall times printed, not held)' : ''}`,
    );
    assert.ok(cpu.length > 100, 'the trace saw the main thread work');
    assert.equal(await page.locator('[data-testid="summary-records"]').textContent(), String(made.records));
    assert.equal(await page.locator('[data-testid="summary-invalid"]').textContent(), String(made.broken));
    assert.deepEqual(
      cpu.filter((d) => d > LONG_TASK_LIMIT_MS),
      [],
      `main-thread tasks over ${LONG_TASK_LIMIT_MS} ms of CPU while loading`,
    );
    if (!busy)
      assert.deepEqual(
        long.filter((d) => d > LONG_TASK_LIMIT_MS),
        [],
        `main-thread tasks over ${LONG_TASK_LIMIT_MS} ms while loading`,
      );

    // Thousands of issues, a few dozen rows in the DOM, and no blank page below.
    const dom = await page.evaluate(() => ({
      rows: document.querySelectorAll('[data-testid="issues"] li').length,
      listed: Number(document.querySelector('[data-testid="issues"]')!.getAttribute('data-count')),
      elements: document.querySelectorAll('*').length,
      pageHeight: document.scrollingElement!.scrollHeight,
      window: innerHeight,
    }));
    assert.ok(dom.listed >= made.broken, `the list holds every issue (${dom.listed})`);
    assert.ok(dom.rows <= 40, `${dom.rows} issue rows in the DOM`);
    assert.ok(dom.elements < 1500, `${dom.elements} elements in the page`);
    assert.ok(dom.pageHeight < 3 * dom.window, `the page is ${dom.pageHeight} px tall`);
    await page.screenshot({ path: shot('long-file'), fullPage: true });

    // The last issue: scrolled to, drawn, and it opens its record.
    await page.locator('.vlist').evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = page.locator(`[data-testid="issues"] li[data-line="${made.lastBroken}"] button`);
    await last.waitFor({ timeout: 10_000 });
    await last.click();
    await page.waitForFunction(
      (line) => document.querySelector('[data-testid="record-line"]')?.textContent === String(line),
      made.lastBroken,
    );
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});
