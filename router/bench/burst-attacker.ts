/**
 * The attacker of `live-burst.bench.ts`, in a process of its own so that its work does not
 * slow the measuring process. Talks with its parent over IPC:
 *
 * 1. says `ready` once loaded;
 * 2. on `{ url, metricsUrl, token, sockets }`, opens that many graphql-ws connections as one
 *    person and says `connected`;
 * 3. on `{ subscriptions, query }`, sends them over the connections the router accepted, as
 *    fast as they take them, and answers `{ outcome }` once every one is refused or
 *    registered by the router (its gauge), or every connection is closed (a flood);
 * 4. on `close`, closes its sockets and exits.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';

interface Connect {
  readonly url: string;
  readonly metricsUrl: string;
  readonly token: string;
  readonly sockets: number;
}
interface Burst {
  readonly subscriptions: number;
  readonly query: string;
}

const next = async <T>() => ((await once(process, 'message')) as [T])[0];

process.send?.('ready');
const connect = await next<Connect>();
const open = (
  await Promise.all(Array.from({ length: connect.sockets }, () => signIn(connect)))
).filter((socket): socket is WebSocket => socket !== null);
const outcome: Record<string, number> = { 'sockets refused': connect.sockets - open.length };
let refused = 0;
let closed = 0;
for (const socket of open) {
  socket.once('close', (code) => {
    closed += 1;
    const what = `connections closed (${code})`;
    outcome[what] = (outcome[what] ?? 0) + 1;
  });
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type !== 'error') return;
    const code = message.payload[0]?.extensions?.code ?? 'error';
    outcome[code] = (outcome[code] ?? 0) + 1;
    refused += 1;
  });
}
process.send?.('connected');

const burst = await next<Burst>();
for (let i = 0; i < burst.subscriptions; i++) {
  const payload = { query: burst.query };
  open[i % open.length]!.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload }));
}
for (;;) {
  // Seldom: the router's metrics cost it some work.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const text = await (await fetch(connect.metricsUrl)).text();
  const accepted = Number(/^baedal_router_live_subscriptions (\S+)/m.exec(text)?.[1] ?? 0);
  if (refused + accepted >= burst.subscriptions || closed === open.length) {
    outcome.accepted = accepted;
    outcome['dropped unread'] = burst.subscriptions - refused - accepted;
    break;
  }
}
process.send?.({ outcome });

await next<'close'>();
for (const socket of open) socket.terminate();
process.exit(0);

function signIn({ url, token }: Connect): Promise<WebSocket | null> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  return new Promise((resolve) => {
    socket.once('close', () => resolve(null));
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    socket.once('message', (data) => {
      resolve(JSON.parse(String(data)).type === 'connection_ack' ? socket : null);
    });
  });
}
