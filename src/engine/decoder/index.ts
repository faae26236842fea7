export * from './decoder.ts';
export * from './batch.ts';
export * from './weights.ts';
export * from './layer.ts';
export * from './head.ts';
export * from './kv.ts';
