// SHA-256 of a dataset file, to say exactly which data an adapter was trained on.
// Web Crypto is in every browser (secure contexts) and in Node ≥ 19 as globalThis.crypto.

/** Lowercase hex SHA-256 of the bytes. */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('SHA-256 needs Web Crypto (crypto.subtle): open Prism from https:// or http://localhost');
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
