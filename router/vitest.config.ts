import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

/**
 * The end-to-end files each start the whole supergraph (five processes): one file at a time,
 * so that a 2-core runner is not asked to start thirty processes at once.
 */
export default mergeConfig(shared, defineConfig({ test: { fileParallelism: false } }));
