import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import config, { generatedTypesPath } from './codegen.js';
import { type SubgraphName, subgraphs } from './index.js';

describe('resolver types', () => {
  let outputs: { filename: string; content: string }[];
  beforeAll(async () => {
    outputs = await generate({ ...config, silent: true }, false);
  });

  it.each(Object.keys(subgraphs) as SubgraphName[])(
    'of the %s subgraph are what its SDL generates (run `npm run codegen` after changing it)',
    (name) => {
      const path = generatedTypesPath(name);
      const generated = outputs.find((output) => output.filename === path);
      expect(generated, `no output for ${path}`).toBeDefined();
      expect(readFileSync(path, 'utf8')).toBe(generated!.content);
    },
  );
});
