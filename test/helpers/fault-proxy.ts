/**
 * A loopback TCP proxy that tests drive to inject network faults between a client and a broker.
 *
 * Directions: "up" is client → target (broker), "down" is target → client.
 *
 * - `cut("both")` resets both sides of every live connection (RST, like a dropped NAT entry on both ends).
 *   `cut("up")` resets only the broker-facing socket: the broker sees the connection die, the client's
 *   socket stays open but nothing flows any more (what a device sees when the path dies silently).
 *   `cut("down")` resets only the client-facing socket: the client sees a reset while the broker still
 *   believes the client is connected (until its keepalive expires) — useful for will and takeover tests.
 * - `stall(dir)` stops forwarding but keeps every socket open (a half-open / black-holed link). Bytes are
 *   held (bounded; beyond the bound the source is paused, so TCP backpressure reaches the sender) and are
 *   delivered in order on `resume()`.
 * - `delay(ms)` holds every chunk `ms` before forwarding it; `throttle(bps)` limits each direction's rate;
 *   `splitWrites(true)` forwards one byte per write (every packet arrives fragmented).
 * - `refuse(true)` closes new connections right after accepting them.
 *
 * Faults apply to existing and new connections alike until changed.
 * @module
 */
import net from "node:net";

/** Which way bytes flow: up = client → target, down = target → client. */
export type Direction = "up" | "down" | "both";

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Port of the real server on 127.0.0.1. */
  targetPort: number;
  /** Host of the real server (default 127.0.0.1; loopback only in tests). */
  targetHost?: string;
  /** Bytes held per direction per connection before the source is paused (default 256 KiB). */
  maxBuffered?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` for MQTT clients. */
  readonly url: string;
  /** Abruptly reset live connections (see module notes for one-sided cuts). */
  cut(direction?: Direction): void;
  /** Stop forwarding in `direction`, keeping the connections open. */
  stall(direction?: Direction): void;
  /** Undo `stall`, `delay`, `throttle`, `splitWrites` and `refuse`: plain forwarding again. */
  resume(): void;
  /** Hold each chunk `ms` milliseconds before forwarding (0 = off). */
  delay(ms: number): void;
  /** Limit each direction to `bytesPerSecond` (0 = unlimited). */
  throttle(bytesPerSecond: number): void;
  /** Forward one byte per write when on. */
  splitWrites(on: boolean): void;
  /** Close new connections immediately when on. */
  refuse(on: boolean): void;
  /** Live proxied connections. */
  connections(): number;
  /** Bytes currently held by the proxy (stalled, delayed or throttled), all connections and directions. */
  held(): number;
  /** Connections accepted since start (including refused ones). */
  readonly accepted: number;
  /** Bytes forwarded client → target so far. */
  readonly bytesUp: number;
  /** Bytes forwarded target → client so far. */
  readonly bytesDown: number;
  /** Resolves when at least `count` connections are live, or rejects after `timeoutMs`. */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and resets every connection. */
  close(): Promise<void>;
}

interface Settings {
  stalledUp: boolean;
  stalledDown: boolean;
  delayMs: number;
  bytesPerSecond: number;
  split: boolean;
  refuse: boolean;
  maxBuffered: number;
}

interface Held {
  chunk: Buffer;
  offset: number;
  due: number;
}

function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    // RST when connected; plain destroy while still connecting (resetAndDestroy needs a handle).
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/** One direction of one connection: a bounded, ordered queue with fault-aware pumping. */
class Lane {
  readonly #held: Held[] = [];
  #buffered = 0;
  #timer: NodeJS.Timeout | null = null;
  #nextFree = 0;
  #waitingDrain = false;
  #sourceEnded = false;
  /** Bytes held, not yet forwarded. */
  get buffered(): number {
    return this.#buffered;
  }
  /** Destination is gone (cut one-sided): discard instead of forwarding. */
  blackhole = false;

  constructor(
    readonly src: net.Socket,
    readonly dst: net.Socket,
    readonly up: boolean,
    readonly settings: Settings,
    readonly count: (n: number) => void,
  ) {
    src.on("data", (chunk: Buffer) => this.push(chunk));
    src.on("end", () => {
      this.#sourceEnded = true;
      this.pump();
    });
    dst.on("drain", () => {
      this.#waitingDrain = false;
      this.pump();
    });
    dst.on("connect", () => this.pump());
  }

  push(chunk: Buffer): void {
    if (this.blackhole) return;
    this.#held.push({ chunk, offset: 0, due: performance.now() + this.settings.delayMs });
    this.#buffered += chunk.length;
    if (this.#buffered >= this.settings.maxBuffered) this.src.pause();
    this.pump();
  }

  stopped(): boolean {
    return this.up ? this.settings.stalledUp : this.settings.stalledDown;
  }

  #wake(ms: number): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.pump();
    }, Math.max(0, Math.ceil(ms)));
  }

  /** Forwards what the current faults allow; re-arms itself with a timer or 'drain'. Bounded loop. */
  pump(): void {
    if (this.blackhole) {
      this.#held.length = 0;
      this.#buffered = 0;
      if (this.src.isPaused()) this.src.resume();
      return;
    }
    if (this.stopped() || this.dst.destroyed || this.dst.connecting || this.#waitingDrain) return;
    for (let guard = 0; guard < 10_000 && this.#held.length > 0; guard++) {
      const head = this.#held[0];
      if (head === undefined) break;
      const now = performance.now();
      if (head.due > now) return this.#wake(head.due - now);
      if (this.settings.bytesPerSecond > 0 && this.#nextFree > now) return this.#wake(this.#nextFree - now);
      let n = head.chunk.length - head.offset;
      if (this.settings.split) n = 1;
      if (this.settings.bytesPerSecond > 0) {
        // ~20 ms worth per write keeps the rate smooth without a timer per byte.
        n = Math.min(n, Math.max(1, Math.floor(this.settings.bytesPerSecond / 50)));
        this.#nextFree = Math.max(this.#nextFree, now) + (n * 1000) / this.settings.bytesPerSecond;
      }
      const piece = head.chunk.subarray(head.offset, head.offset + n);
      head.offset += n;
      if (head.offset >= head.chunk.length) this.#held.shift();
      this.#buffered -= n;
      this.count(n);
      const flushed = this.dst.write(piece);
      if (this.#buffered < this.settings.maxBuffered / 2 && this.src.isPaused()) this.src.resume();
      if (!flushed) {
        this.#waitingDrain = true;
        return;
      }
      // One byte per write: give each its own segment/read on the far side.
      if (this.settings.split) return this.#wake(1);
    }
    if (this.#held.length > 0) return this.#wake(0);
    if (this.#sourceEnded && !this.dst.destroyed) this.dst.end();
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#held.length = 0;
    this.#buffered = 0;
  }
}

class Pair {
  readonly up: Lane;
  readonly down: Lane;
  closed = false;

  constructor(
    readonly client: net.Socket,
    readonly target: net.Socket,
    settings: Settings,
    counters: { up: number; down: number },
    readonly onClose: (pair: Pair) => void,
  ) {
    this.up = new Lane(client, target, true, settings, (n) => (counters.up += n));
    this.down = new Lane(target, client, false, settings, (n) => (counters.down += n));
    client.on("error", () => this.#lost(client));
    target.on("error", () => this.#lost(target));
    client.on("close", () => this.#lost(client));
    target.on("close", () => this.#lost(target));
    client.setNoDelay(true);
    target.setNoDelay(true);
  }

  /** One side went away: propagate as a reset unless that side was cut on purpose (one-sided cut). */
  #lost(side: net.Socket): void {
    const other = side === this.client ? this.target : this.client;
    const lane = side === this.client ? this.down : this.up; // lane writing INTO `side`
    if (lane.blackhole) {
      // Cut on purpose: the other side stays open and its bytes vanish.
      if (this.client.destroyed && this.target.destroyed) this.finish();
      return;
    }
    if (!other.destroyed) {
      // A clean FIN is forwarded by the lane ('end'); an abrupt loss becomes a reset.
      if (side.readableEnded && !side.errored) {
        if (this.client.destroyed && this.target.destroyed) this.finish();
        return;
      }
      reset(other);
    }
    this.finish();
  }

  cut(direction: Direction): void {
    if (direction === "both") {
      reset(this.client);
      reset(this.target);
      this.finish();
      return;
    }
    // "up": the broker-facing socket dies; "down": the client-facing socket dies.
    const victim = direction === "up" ? this.target : this.client;
    const intoVictim = direction === "up" ? this.up : this.down;
    const fromVictim = direction === "up" ? this.down : this.up;
    intoVictim.blackhole = true;
    fromVictim.blackhole = true;
    intoVictim.pump();
    reset(victim);
  }

  pump(): void {
    this.up.pump();
    this.down.pump();
  }

  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.up.dispose();
    this.down.dispose();
    this.onClose(this);
  }

  destroy(): void {
    reset(this.client);
    reset(this.target);
    this.finish();
  }
}

/** Starts a fault proxy on a free 127.0.0.1 port in front of `targetHost:targetPort`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const settings: Settings = {
    stalledUp: false,
    stalledDown: false,
    delayMs: 0,
    bytesPerSecond: 0,
    split: false,
    refuse: false,
    maxBuffered: options.maxBuffered ?? 256 * 1024,
  };
  const counters = { up: 0, down: 0 };
  const pairs = new Set<Pair>();
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const targetHost = options.targetHost ?? "127.0.0.1";

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    accepted++;
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (settings.refuse) {
      reset(client);
      return;
    }
    const target = net.connect({ host: targetHost, port: options.targetPort });
    sockets.add(target);
    target.once("close", () => sockets.delete(target));
    const pair = new Pair(client, target, settings, counters, (p) => pairs.delete(p));
    pairs.add(pair);
    client.resume();
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  const pumpAll = (): void => {
    for (const pair of pairs) pair.pump();
  };

  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    cut(direction = "both") {
      for (const pair of [...pairs]) pair.cut(direction);
    },
    stall(direction = "both") {
      if (direction !== "down") settings.stalledUp = true;
      if (direction !== "up") settings.stalledDown = true;
    },
    resume() {
      settings.stalledUp = false;
      settings.stalledDown = false;
      settings.delayMs = 0;
      settings.bytesPerSecond = 0;
      settings.split = false;
      settings.refuse = false;
      pumpAll();
    },
    delay(ms) {
      settings.delayMs = Math.max(0, ms);
      pumpAll();
    },
    throttle(bytesPerSecond) {
      settings.bytesPerSecond = Math.max(0, bytesPerSecond);
      pumpAll();
    },
    splitWrites(on) {
      settings.split = on;
      pumpAll();
    },
    refuse(on) {
      settings.refuse = on;
    },
    connections() {
      let n = 0;
      for (const pair of pairs) if (!pair.closed) n++;
      return n;
    },
    held() {
      let n = 0;
      for (const pair of pairs) n += pair.up.buffered + pair.down.buffered;
      return n;
    },
    get accepted() {
      return accepted;
    },
    get bytesUp() {
      return counters.up;
    },
    get bytesDown() {
      return counters.down;
    },
    async waitForConnections(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (pairs.size < count) {
        if (Date.now() > deadline) throw new Error(`fault proxy: ${pairs.size} of ${count} connections after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const pair of [...pairs]) pair.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
