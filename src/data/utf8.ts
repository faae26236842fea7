// Decoding one line's bytes. TextDecoder with `fatal` rejects bad UTF-8 but says not where, so
// after a failure we walk the bytes (the WHATWG decoder's rules: no overlong forms, no
// surrogates, nothing above U+10FFFF) to name the first bad byte.

// ignoreBOM: keep a U+FEFF that is not at the start of the file, so it is reported rather than
// silently dropped (the file's own BOM is removed before decoding, by the line splitter).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The decoded line, or null when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** 0-based offset of the first byte that does not start or continue a valid sequence; -1 if none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.byteLength;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}
