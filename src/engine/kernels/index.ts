export * from './matmul.ts';
export * from './lora.ts';
export * from './rmsnorm.ts';
export * from './rope.ts';
export * from './elementwise.ts';
export * from './embedding.ts';
export * from './adamw.ts';
export * from './split.ts';
