import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateServiceKeyPair, parsePrivateKey } from '@baedal/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentClient, PaymentUnavailableError } from './payment.client.js';

/** What the fake payment subgraph answers to a charge of each order; nothing for others. */
const answers: Record<string, { status: number; body: unknown }> = {};
let server: Server;
let paymentUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { orderId } = JSON.parse(body) as { orderId: string };
      const answer = answers[orderId];
      if (!answer) return;
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  paymentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A charge request the fake payment subgraph answers as given, or never. */
function charge(answer?: { status: number; body: unknown }) {
  const orderId = randomUUID();
  if (answer) answers[orderId] = answer;
  return { orderId, customerId: 'customer-1', amountWon: 43500, cardToken: 'tok_visa' };
}

const client = (url = paymentUrl) =>
  new PaymentClient({
    paymentUrl: url,
    timeoutMs: 300,
    signingKey: parsePrivateKey(generateServiceKeyPair().privateKey),
  });

describe('payment client', () => {
  it("answers the payment subgraph's answer to a charge", async () => {
    const answer = { status: 'CAPTURED', paymentId: randomUUID() };
    expect(await client().charge(charge({ status: 200, body: answer }))).toEqual(answer);
  });

  it('calls payment unavailable when the payment subgraph fails on its side', async () => {
    await expect(
      client().charge(charge({ status: 503, body: { error: { code: 'INTERNAL_SERVER_ERROR' } } })),
    ).rejects.toBeInstanceOf(PaymentUnavailableError);
  });

  it('calls payment unavailable when the payment subgraph does not answer in time', async () => {
    await expect(client().charge(charge())).rejects.toBeInstanceOf(PaymentUnavailableError);
  });

  it('calls payment unavailable when the payment subgraph cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(client(`http://127.0.0.1:${port}`).charge(charge())).rejects.toBeInstanceOf(
      PaymentUnavailableError,
    );
  });

  it('treats a refused request (HTTP 4xx) as a bug, not as payment unavailable', async () => {
    for (const status of [400, 401, 409]) {
      const refused = client().charge(
        charge({ status, body: { error: { code: 'BAD_USER_INPUT', field: 'amountWon' } } }),
      );
      await expect(refused).rejects.toThrow(`refused the charge (${status})`);
      await expect(refused).rejects.not.toBeInstanceOf(PaymentUnavailableError);
    }
  });
});
