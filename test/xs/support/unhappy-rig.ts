/**
 * Rig for the client's unhappy steady states on XS (test/xs/scenarios/client-unhappy.xs.ts): reconnects,
 * offline-queue flushes, streamed incoming payloads and keepalive timeouts, on the in-memory transport with the
 * scripted broker and a manual clock.
 *
 * The one difference from `MemoryNetwork`: connections are recycled. `MemoryNetwork` creates a connection and
 * two byte rings per connect and keeps every connection in a growing list (fine for functional tests, but it would
 * be most of what a reconnect measurement counts). {@link RecyclingNetwork} creates its connections up front and
 * hands a closed one out again, so what a reconnect allocates is the client's (the socket object the client
 * constructs, its typed error) and not the test network's. Engine-neutral: no Node API.
 * @module
 */
import { MqttClient, type MqttClientOptions } from "../../../src/client/client.js";
import type { MqttError } from "../../../src/client/errors.js";
import type { MqttMessage } from "../../../src/client/message.js";
import type { SocketConstructor, SocketOptions } from "../../../src/client/host.js";
import { ManualClock } from "../../support/manual-clock.js";
import { MemoryConnection, MemorySocket, pumpConnections, type MemoryNetwork } from "../../support/memory-transport.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";

/**
 * A loopback network over a fixed set of {@link MemoryConnection}s, reused once both ends closed. Same delivery
 * rules as `MemoryNetwork.pump` (lwip semantics: first onWritable = connected, onError after the buffered bytes).
 */
export class RecyclingNetwork {
  /** Pass as `host.tcp`. */
  readonly socketClass: SocketConstructor;
  /** The connection pool (created here, never grown). */
  readonly connections: readonly MemoryConnection[];
  /** Server side: called once per new connection (the scripted broker installs itself here). */
  accept: ((connection: MemoryConnection) => void) | null = null;
  /** Refuse new connections (the client gets onError at the next pump). */
  refuse = false;
  /** Sockets constructed so far. */
  opened = 0;
  /** The newest connection handed out, or null. */
  last: MemoryConnection | null = null;
  #next = 0;

  constructor(poolSize = 3, sendBuffer = 8192, receiveBuffer = 65536) {
    const pool: MemoryConnection[] = [];
    for (let i = 0; i < poolSize; i++) pool.push(new MemoryConnection(sendBuffer, receiveBuffer));
    this.connections = pool;
    const network = this;
    this.socketClass = class extends MemorySocket {
      constructor(options: SocketOptions) {
        const c = network.take();
        super(options, c, sendBuffer);
        network.opened++;
        if (network.refuse) c.close();
        else if (network.accept !== null) network.accept(c);
      }
    };
  }

  /**
   * The next connection whose both ends are closed, reset for reuse.
   * @throws Error when every connection is still in use (the pool is too small for the scenario)
   */
  take(): MemoryConnection {
    const pool = this.connections;
    for (let k = 0; k < pool.length; k++) {
      const c = pool[(this.#next + k) % pool.length]!;
      if (c.socket !== null || (this.last === c && !c.closed)) continue;
      this.#next = (this.#next + k + 1) % pool.length;
      c.inbound.clear();
      c.outbound.clear();
      c.closed = false;
      c.stalled = false;
      c.onData = null;
      c.onClose = null;
      c.tag = null;
      this.last = c;
      return c;
    }
    throw new Error("RecyclingNetwork: every connection is in use");
  }

  /**
   * Delivers bytes and callbacks until nothing moves (at most `maxRounds` rounds), as `MemoryNetwork.pump`.
   * @returns the rounds used
   */
  pump(maxRounds = 64): number {
    return pumpConnections(this.connections, maxRounds);
  }
}

/** What the rig's callbacks observed (numbers only, so observing allocates nothing). */
export class UnhappyCounts {
  /** onConnected calls. */
  connected = 0;
  /** onConnected calls that reported a kept session. */
  sessionPresent = 0;
  /** onDisconnected calls. */
  disconnected = 0;
  /** Code of the last onDisconnected. */
  lastDisconnect = 0;
  /** onError calls. */
  errors = 0;
  /** Code of the last onError. */
  lastError = 0;
  /** Handler calls (messages or streamed chunks). */
  deliveries = 0;
  /** Handler calls with `final` set (whole messages). */
  messages = 0;
  /** Payload bytes delivered to the handler. */
  bytes = 0;
  /** Running check of streamed chunks: `chunkOffset` always equals the bytes delivered so far of that message. */
  chunkOrderErrors = 0;
  /** Bytes of the current message delivered so far. */
  messageBytes = 0;
  /** Sum of every delivered payload byte (content check). */
  sum = 0;
}

/** A client, a scripted broker, a recycling network and a manual clock, wired together. */
export interface UnhappyRig {
  network: RecyclingNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  counts: UnhappyCounts;
  /** Pumps the network and fires due timers until nothing moves (at most `rounds` times each). */
  settle(rounds?: number): void;
}

/**
 * Builds the rig; all allocation happens here. `options` override the defaults (host, hostname, clientId,
 * callbacks are the rig's). Reconnect delays are exact: the jitter draw is pinned (`random() = 0.5`).
 */
export function createUnhappyRig(options: Partial<MqttClientOptions> = {}, brokerBuffer = 4096): UnhappyRig {
  const network = new RecyclingNetwork(3, 8192, 65536);
  const broker = new ScriptedBroker(network as unknown as MemoryNetwork, { bufferSize: brokerBuffer });
  const clock = new ManualClock();
  const counts = new UnhappyCounts();
  const client = new MqttClient({
    hostname: "broker.local",
    clientId: "unhappy-1",
    keepAlive: 60,
    ...options,
    host: { tcp: network.socketClass, clock, random: () => 0.5 },
    onConnected: (sessionPresent: boolean) => {
      counts.connected++;
      if (sessionPresent) counts.sessionPresent++;
    },
    onDisconnected: (code: number) => {
      counts.disconnected++;
      counts.lastDisconnect = code;
    },
    onError: (e: MqttError) => {
      counts.errors++;
      counts.lastError = e.code;
    },
  });
  const settle = (rounds = 8): void => {
    for (let i = 0; i < rounds; i++) {
      network.pump();
      if (clock.advance(0) === 0 && network.pump() <= 1) break;
    }
  };
  return { network, broker, clock, client, counts, settle };
}

/**
 * A subscription handler that counts deliveries and checks streamed chunks arrive in order (numbers only).
 * @returns the handler (created once, at setup)
 */
export function countingHandler(counts: UnhappyCounts): (m: MqttMessage) => void {
  return (m: MqttMessage): void => {
    counts.deliveries++;
    if (m.chunkOffset !== counts.messageBytes) counts.chunkOrderErrors++;
    counts.bytes += m.payloadLength;
    counts.messageBytes += m.payloadLength;
    const p = m.payload;
    const end = m.payloadOffset + m.payloadLength;
    let sum = counts.sum;
    for (let i = m.payloadOffset; i < end; i++) sum = (sum + p[i]!) & 0xffffff;
    counts.sum = sum;
    if (m.final) {
      counts.messages++;
      counts.messageBytes = 0;
    }
  };
}
