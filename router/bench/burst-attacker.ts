/**
 * The attacker of `live-burst.bench.ts`, in a process of its own so that its work does not
 * slow the measuring process. Talks with its parent over IPC:
 *
 * 1. says `ready` once loaded;
 * 2. on `{ url, metricsUrl, token, sockets, subscriptions, query }`, opens that many
 *    graphql-ws connections as one person, writes the subscribe messages, and says `connected`;
 * 3. on `burst`, sends the subscriptions over the connections the router accepted, all
 *    at once (each socket's messages corked into as few writes as the kernel takes), and
 *    answers `{ outcome }` once every one is refused or registered by the router (its gauge),
 *    or every connection is closed (a flood). The outcome says what the attacker's own work
 *    cost, since it shares the machine's cores with the router;
 * 4. on `close`, closes its sockets and exits.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

interface Connect {
  readonly url: string;
  readonly metricsUrl: string;
  readonly token: string;
  readonly sockets: number;
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
/** The router's gauge of subscriptions running. Read seldom: its metrics cost it some work. */
const running = async () => {
  const text = await (await fetch(connect.metricsUrl)).text();
  return Number(/^baedal_router_live_subscriptions (\S+)/m.exec(text)?.[1] ?? 0);
};
await running(); // Loads fetch before the burst, whose cost is then the burst's alone.
const messages = Array.from({ length: connect.subscriptions }, () =>
  JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query: connect.query } }),
);
process.send?.('connected');

await next<'burst'>();
const cpuBefore = process.cpuUsage();
// ws has no cork of its own; its TCP socket's makes each socket's frames a few large writes.
const tcp = (socket: WebSocket) => (socket as unknown as { _socket: Socket })._socket;
for (const socket of open) tcp(socket).cork();
messages.forEach((message, i) => {
  open[i % open.length]!.send(message);
});
for (const socket of open) tcp(socket).uncork();
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const accepted = await running();
  if (refused + accepted >= connect.subscriptions || closed === open.length) {
    outcome.accepted = accepted;
    outcome['dropped unread'] = connect.subscriptions - refused - accepted;
    break;
  }
}
const cpu = process.cpuUsage(cpuBefore);
outcome['attacker CPU ms'] = Math.round((cpu.user + cpu.system) / 1000);
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
