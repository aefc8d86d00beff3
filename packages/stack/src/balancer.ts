import {
  Agent,
  createServer,
  get,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BalancerOptions {
  /** How often each replica's `/ready` is asked. Default 100 ms. */
  readonly probeIntervalMs?: number;
}

/** A replica behind the balancer. */
interface Upstream {
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** Keep-alive connections to this replica, as a proxy keeps them. */
  readonly agent: Agent;
  ready: boolean;
  removed: boolean;
}

/** Headers of one connection, not to be passed on to the next. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

const probeTimeoutMs = 2000;
const readyTimeoutMs = 60_000;

/**
 * A load balancer in front of a service's replicas, as a Kubernetes Service (with its
 * endpoints following readiness) is, for tests that replace replicas under traffic. Each HTTP
 * request goes to the next ready replica (round robin) over keep-alive connections; each
 * WebSocket stays on the replica it was opened on. A replica takes traffic once its `/ready`
 * answers 200, and takes nothing new once it answers anything else. It never retries: a
 * request that no replica could take, or that its replica failed, is answered 502 or 503
 * and recorded in `failures`, as a client would see it.
 *
 * Written here rather than taken from a library: the proxies on npm (http-proxy) do not follow
 * readiness, and what is needed fits in this file.
 */
export class Balancer implements AsyncDisposable {
  /** What clients call: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request or WebSocket the balancer could not carry through, and why. */
  readonly failures: string[] = [];
  /** HTTP requests each replica (by origin) answered. */
  readonly served = new Map<string, number>();
  readonly #server: Server;
  readonly #probeIntervalMs: number;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #sockets = new Set<Socket>();
  #turn = 0;

  private constructor(server: Server, probeIntervalMs: number) {
    this.#server = server;
    this.#probeIntervalMs = probeIntervalMs;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (incoming, outgoing) => this.#forward(incoming, outgoing));
    server.on('upgrade', (incoming, socket: Socket, head: Buffer) =>
      this.#tunnel(incoming, socket, head),
    );
    server.on('connection', (socket) => this.#track(socket));
  }

  /** Listens on a free port of the loopback interface. */
  static async start(options: BalancerOptions = {}): Promise<Balancer> {
    const server = createServer();
    // Clients close idle connections before the balancer would (see `add`).
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Balancer(server, options.probeIntervalMs ?? 100);
  }

  /** Adds a replica (`http://host:port`); resolves once it is ready and takes traffic. */
  async add(origin: string): Promise<void> {
    const { hostname, port } = new URL(origin);
    const upstream: Upstream = {
      origin,
      host: hostname,
      port: Number(port),
      // As Node's global agent: an idle connection is closed by this side first (after 5 s,
      // where servers wait 65 s), so that a request never meets a connection closing under it.
      agent: new Agent({ keepAlive: true, timeout: 5000 }),
      ready: false,
      removed: false,
    };
    this.#upstreams.set(origin, upstream);
    void this.#probe(upstream);
    const deadline = Date.now() + readyTimeoutMs;
    while (!upstream.ready) {
      if (Date.now() > deadline) throw new Error(`${origin} was not ready in time.`);
      await sleep(this.#probeIntervalMs);
    }
  }

  /** Forgets a replica (it has gone away). */
  remove(origin: string): void {
    const upstream = this.#upstreams.get(origin);
    if (!upstream) return;
    upstream.removed = true;
    upstream.ready = false;
    upstream.agent.destroy();
    this.#upstreams.delete(origin);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const origin of [...this.#upstreams.keys()]) this.remove(origin);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  /** Asks the replica's `/ready` until it is removed, as a readiness probe does. */
  async #probe(upstream: Upstream): Promise<void> {
    while (!upstream.removed) {
      const ready = await new Promise<boolean>((resolve) => {
        const probe = get(
          { host: upstream.host, port: upstream.port, path: '/ready', agent: false },
          (answer) => {
            answer.resume();
            resolve(answer.statusCode === 200);
          },
        );
        probe.setTimeout(probeTimeoutMs, () => probe.destroy());
        probe.on('error', () => resolve(false));
      });
      if (!upstream.removed) upstream.ready = ready;
      await sleep(this.#probeIntervalMs);
    }
  }

  /** The next ready replica, round robin. */
  #next(): Upstream | undefined {
    const ready = [...this.#upstreams.values()].filter((upstream) => upstream.ready);
    if (ready.length === 0) return undefined;
    this.#turn = (this.#turn + 1) % ready.length;
    return ready[this.#turn];
  }

  #forward(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const what = `${incoming.method} ${incoming.url}`;
    const upstream = this.#next();
    if (!upstream) {
      this.failures.push(`${what}: no ready replica`);
      outgoing.writeHead(503).end();
      return;
    }
    const fail = (error: Error) => {
      this.failures.push(`${what} to ${upstream.origin}: ${error.message}`);
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502).end();
    };
    const proxied = request(
      {
        host: upstream.host,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: endToEnd(incoming.headers),
        agent: upstream.agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(outgoing);
        answer.on('error', fail);
        answer.on('end', () =>
          this.served.set(upstream.origin, (this.served.get(upstream.origin) ?? 0) + 1),
        );
      },
    );
    proxied.on('error', fail);
    incoming.pipe(proxied);
  }

  /** Carries a WebSocket upgrade to a ready replica, byte for byte from then on. */
  #tunnel(incoming: IncomingMessage, socket: Socket, head: Buffer): void {
    const what = `${incoming.method} ${incoming.url} (upgrade)`;
    const upstream = this.#next();
    if (!upstream) {
      this.failures.push(`${what}: no ready replica`);
      socket.destroy();
      return;
    }
    const replica = connect(upstream.port, upstream.host);
    this.#track(replica);
    let connected = false;
    replica.on('connect', () => {
      connected = true;
      const headers = [];
      for (let i = 0; i < incoming.rawHeaders.length; i += 2)
        headers.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}\r\n`);
      replica.write(`${incoming.method} ${incoming.url} HTTP/1.1\r\n${headers.join('')}\r\n`);
      replica.write(head);
      socket.pipe(replica).pipe(socket);
    });
    replica.on('error', (error) => {
      if (!connected) this.failures.push(`${what} to ${upstream.origin}: ${error.message}`);
      socket.destroy();
    });
    socket.on('error', () => replica.destroy());
    socket.on('close', () => replica.destroy());
    replica.on('close', () => socket.destroy());
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }
}

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name)));
}
