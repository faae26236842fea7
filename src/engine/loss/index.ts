export * from './cross_entropy.ts';
export * from './targets.ts';
