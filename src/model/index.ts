/**
 * The pipeline model: pure TypeScript, no React, no JupyterLab.
 */
export * from './cache';
export * from './dag';
export * from './emitter';
export * from './json';
export * from './pipeline';
export * from './policy';
export * from './uuid';
