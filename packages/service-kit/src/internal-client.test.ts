import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@baedal/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InternalClient, ServiceUnavailableError } from './internal-client.js';

/*
 * The client against a real HTTP server that answers each path as the test says: the
 * protocol (statuses, bodies, timeouts) is what is under test here, not another service.
 */
const answers = new Map<string, { status: number; body: unknown } | 'never'>();
const received: { path: string; headers: Record<string, unknown>; body: unknown }[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ path: request.url!, headers: request.headers, body: JSON.parse(body) });
      const answer = answers.get(request.url!);
      if (!answer || answer === 'never') return;
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let paths = 0;
/** A fresh path the server answers as given (or never). */
function route(answer: { status: number; body: unknown } | 'never'): string {
  const path = `/internal/test-${++paths}`;
  answers.set(path, answer);
  return path;
}

const answerSchema = z.object({ status: z.enum(['DONE']) });

function client(options: { timeoutMs?: number; minimumRequests?: number } = {}) {
  return new InternalClient({
    service: 'test',
    baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    breaker: {
      errorThresholdPercent: 50,
      minimumRequests: options.minimumRequests ?? 100,
      resetTimeoutMs: 60_000,
    },
  });
}

describe('InternalClient', () => {
  it('posts JSON with the given headers and answers the validated answer', async () => {
    using calls = client();
    const path = route({ status: 200, body: { status: 'DONE' } });
    await expect(
      calls.post(path, { orderId: 'o-1' }, answerSchema, { 'x-test': 'yes' }),
    ).resolves.toEqual({ status: 'DONE' });
    expect(received.at(-1)).toMatchObject({
      path,
      body: { orderId: 'o-1' },
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
    });
  });

  it('rethrows an expected refusal as the domain error of its code, with its details', async () => {
    using calls = client();
    const path = route({
      status: 409,
      body: { error: { code: 'INVALID_TRANSITION', message: 'no', currentStatus: 'COOKING' } },
    });
    const refused = calls.post(path, {}, answerSchema);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { currentStatus: 'COOKING' },
    });
  });

  it('answers an unknown outcome for a timeout, an unreachable service and a failure', async () => {
    using calls = client({ timeoutMs: 200 });
    for (const path of [route('never'), route({ status: 503, body: { error: 'down' } })]) {
      await expect(calls.post(path, {}, answerSchema)).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        notAsked: false,
      });
    }
    using nowhere = new InternalClient({
      service: 'test',
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 10_000,
      breaker: { errorThresholdPercent: 50, minimumRequests: 100, resetTimeoutMs: 60_000 },
    });
    await expect(nowhere.post('/x', {}, answerSchema)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it('treats a malformed answer or an unexpected status as a bug, not as unavailability', async () => {
    using calls = client();
    const malformed = route({ status: 200, body: { status: 'SOMETHING ELSE' } });
    const unexpected = route({ status: 404, body: { nothing: true } });
    for (const path of [malformed, unexpected]) {
      const failing = calls.post(path, {}, answerSchema);
      await expect(failing).rejects.toThrow();
      await expect(failing).rejects.not.toBeInstanceOf(ServiceUnavailableError);
    }
  });

  it('opens its breaker after failures and then answers at once without asking', async () => {
    using calls = client({ minimumRequests: 2 });
    const failing = route({ status: 500, body: {} });
    for (let i = 0; i < 2; i++) await calls.post(failing, {}, answerSchema).catch(() => {});
    expect(calls.open).toBe(true);
    const before = received.length;
    await expect(
      calls.post(route({ status: 200, body: { status: 'DONE' } }), {}, answerSchema),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError', notAsked: true });
    expect(received.length).toBe(before);
  });

  it('does not count refusals as failures: they never open the breaker', async () => {
    using calls = client({ minimumRequests: 2 });
    const refusing = route({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', message: 'x' } },
    });
    for (let i = 0; i < 5; i++) await calls.post(refusing, {}, answerSchema).catch(() => {});
    expect(calls.open).toBe(false);
  });
});
