/**
 * The REST API of orchest-jlab: `OrchestAPI` (the one client) and the types
 * of its answers, by domain.
 */
export * from './client';
export * from './cluster';
export * from './envvars';
export * from './environments';
export * from './jobs';
export * from './notifications';
export * from './pipelines';
export * from './runs';
export * from './services';
export * from './sessions';
