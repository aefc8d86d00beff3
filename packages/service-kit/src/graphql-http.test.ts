import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import express from 'express';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlHttpHandler, isGraphqlPath } from './graphql-http.js';
import { listen } from './http-server.js';
import { createLogger } from './logger.js';

interface Context {
  readonly viewer: string;
}

const apollo = new ApolloServer<Context>({
  typeDefs: 'type Query { viewer: String! }',
  resolvers: { Query: { viewer: (_parent, _args, context: Context) => context.viewer } },
});
const jsonBody = express.json();
const serve = graphqlHttpHandler(
  apollo,
  async (request) => {
    const viewer = request.headers['x-viewer'];
    if (typeof viewer !== 'string') {
      throw new GraphQLError('Who are you?', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    return { viewer };
  },
  createLogger('test', { level: 'silent', format: 'json' }),
);
const server = createServer((request, response) =>
  jsonBody(request, response, () => void serve(request, response)),
);
let url: string;

beforeAll(async () => {
  await apollo.start();
  url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/graphql`;
});

afterAll(async () => {
  await apollo.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('graphqlHttpHandler', () => {
  it("answers a POST with Apollo's status, headers and body", async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-viewer': 'ada' },
      body: JSON.stringify({ query: '{ viewer }' }),
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ data: { viewer: 'ada' } });
  });

  it('passes the query string of a GET', async () => {
    const response = await fetch(`${url}?query=${encodeURIComponent('{ viewer }')}`, {
      headers: { 'x-viewer': 'grace', 'apollo-require-preflight': 'true' },
    });

    expect(await response.json()).toEqual({ data: { viewer: 'grace' } });
  });

  it('answers a refusal of the context with its HTTP status and code', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer }' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      errors: [
        {
          message: 'Context creation failed: Who are you?',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });
});

describe('isGraphqlPath', () => {
  it.each([
    ['/graphql', true],
    ['/graphql/', true],
    ['/graphql?query=%7B__typename%7D', true],
    ['/graphqlx', false],
    ['/graphql/x', false],
    ['/health', false],
    ['/', false],
  ])('%s: %s', (url, expected) => {
    expect(isGraphqlPath(url)).toBe(expected);
  });
});
