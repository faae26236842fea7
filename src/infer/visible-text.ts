// What may be shown of a reply while it streams: never text that would have to be taken back.

/**
 * The reply as far as it may be shown: cut before the first stop string; without the U+FFFD a
 * character split across byte tokens decodes as until its last byte arrives; and, while more
 * tokens may come, without a tail that could be the start of a stop string.
 */
export function visibleText(full: string, stop: readonly string[], more: boolean): string {
  const hits = stop
    .filter(Boolean)
    .map((s) => full.indexOf(s))
    .filter((i) => i >= 0);
  if (hits.length) return full.slice(0, Math.min(...hits)).replace(/\uFFFD+$/, '');
  const text = full.replace(/\uFFFD+$/, '');
  if (!more) return text;
  let held = 0;
  for (const s of stop) {
    for (let k = Math.min(s.length - 1, text.length); k > held; k--) {
      if (text.endsWith(s.slice(0, k))) {
        held = k;
        break;
      }
    }
  }
  return text.slice(0, text.length - held);
}
