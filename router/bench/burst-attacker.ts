/**
 * The attacker of `live-burst.bench.ts`, in a process of its own so that its work does not
 * slow the measuring process, and one process for every burst, so that the code it runs is
 * warm (a fresh process spends about 100 ms of CPU on its first burst, on the router's two
 * cores). Talks with its parent over IPC: says `ready` once loaded, then for each attack:
 *
 * 1. on `{ url, metricsUrl, token, sockets, subscriptions, query }`, opens that many
 *    graphql-ws connections as one person, writes the subscribe messages, and says `connected`;
 * 2. on `burst`, sends the subscriptions over the connections the router accepted, all at
 *    once: each socket's share as WebSocket frames built beforehand and written in one go, so
 *    that the attacker, which shares the machine's two cores with the router, costs as
 *    little as it can while the burst is measured. Answers `{ outcome }` once every
 *    subscription is refused or registered by the router (its gauge, read only while a
 *    connection is open: a scrape costs the router some work), or every connection is
 *    closed (a flood), with what the attacker's own work cost;
 * 3. on `close`, closes its sockets and says `closed`; on `exit`, exits.
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
for (;;) {
  const connect = await next<Connect | 'exit'>();
  if (connect === 'exit') break;
  await attack(connect);
  process.send?.('closed');
}
process.exit(0);

async function attack(connect: Connect): Promise<void> {
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
  /** The router's gauge of subscriptions running. */
  const running = async () => {
    const text = await (await fetch(connect.metricsUrl)).text();
    return Number(/^baedal_router_live_subscriptions (\S+)/m.exec(text)?.[1] ?? 0);
  };
  // Each accepted socket's share of the subscribe messages, as the frames it will write.
  const frames = open.map(() => [] as Buffer[]);
  for (let i = 0; i < connect.subscriptions; i++) {
    const message = { id: randomUUID(), type: 'subscribe', payload: { query: connect.query } };
    frames[i % open.length]!.push(textFrame(JSON.stringify(message)));
  }
  const bursts = frames.map((list) => Buffer.concat(list));
  process.send?.('connected');

  await next<'burst'>();
  const cpuBefore = process.cpuUsage();
  // Under ws's feet, on the TCP socket: ws itself sends nothing meanwhile.
  open.forEach((socket, i) => {
    (socket as unknown as { _socket: Socket })._socket.write(bursts[i]!);
  });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Every connection closed: nothing it opened runs, and the router need not be asked.
    const accepted = closed === open.length ? 0 : await running();
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
}

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

/**
 * A client's text frame (RFC 6455, section 5.2) of less than 64 KiB, masked with a zero key,
 * which leaves the payload as it is: the server unmasks it alike.
 */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length =
    payload.length < 126
      ? [0x80 | payload.length]
      : [0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return Buffer.concat([Buffer.from([0x81, ...length, 0, 0, 0, 0]), payload]);
}
