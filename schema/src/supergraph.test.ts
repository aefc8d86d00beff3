import { describe, expect, it } from 'vitest';
import { composeSupergraph } from './compose.js';
import { readSupergraphSdl } from './index.js';

describe('supergraph', () => {
  it('is what the subgraph SDLs compose to (run `npm run compose` after changing one)', () => {
    expect(readSupergraphSdl()).toBe(composeSupergraph().supergraphSdl);
  });

  it('composes without hints of conflicting definitions', () => {
    expect(composeSupergraph().hints).toEqual([]);
  });
});
