import { describe, expect, it } from 'vitest';
import { composeSupergraph } from './compose.js';
import { readApiSdl, readSupergraphSdl } from './index.js';

describe('supergraph', () => {
  it('is what the subgraph SDLs compose to (run `npm run compose` after changing one)', () => {
    expect(readSupergraphSdl()).toBe(composeSupergraph().supergraphSdl);
  });

  it('has its API schema published beside it (run `npm run compose` after changing an SDL)', () => {
    expect(readApiSdl()).toBe(composeSupergraph().apiSdl);
  });

  it("keeps the router's federation internals out of the API schema", () => {
    const api = readApiSdl();
    expect(api).toContain('type Query {');
    expect(api).not.toMatch(/join__|link__|_entities|_service|_Any\b|@key|@shareable/);
  });

  it('composes without hints of conflicting definitions', () => {
    expect(composeSupergraph().hints).toEqual([]);
  });
});
