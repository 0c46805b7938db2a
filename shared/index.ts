export * from './errors.ts';
export * from './limits.ts';
export * from './servers.ts';
export * from './jobs.ts';
export * from './images.ts';
export * from './events.ts';
export * from './models.ts';
export * from './launch-token.ts';
