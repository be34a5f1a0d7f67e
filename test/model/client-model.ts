/**
 * Model-based test of the client (issue 10): fast-check `commands` drive random sequences of public calls and
 * broker behaviours against one client on the in-memory transport, with a scripted broker that acknowledges,
 * withholds acks, refuses connections, stalls, drops connections, trickles bytes and publishes to the client.
 * The application callbacks call back into the client (publish) from inside every callback.
 *
 * Checked after every step (throws {@link InvariantError}):
 * - no packet id reused while in flight (a QoS 1/2 PUBLISH with the id of another message still unacknowledged);
 * - an incoming QoS 2 message reaches the handlers at most once, however often it is redelivered with DUP;
 * - no byte on the wire that the caller did not ask to send (every PUBLISH payload is one the app published,
 *   the broker decodes everything, credentials appear only inside CONNECT packets);
 * - memory within the pools (in flight <= window, queued <= offlineQueue, counters consistent);
 * - no exception escapes the client (API calls and callbacks alike);
 * and after a final heal: every QoS 1/2 message accepted was delivered, or reported (overflow / poison), and its
 * completion token was reported by onComplete exactly once as COMPLETED or DROPPED_OLDEST (a POISON_MESSAGE
 * report may come before a COMPLETED after a retry).
 * Shared by the bounded vitest run and the long-run script (test/model/long-run.ts). Not a test file.
 * @module
 */
import fc from "fast-check";
import { COMPLETED, DROPPED_OLDEST, InvalidOptionError, POISON_MESSAGE, MqttClient, PoisonMessageError, QUEUED, Qos2Engine, SENT, type MqttMessage } from "../../src/client/index.js";
import type { SocketOptions } from "../../src/client/host.js";
import { PacketType } from "../../src/codec/codes.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork, MemorySocket } from "../support/memory-transport.js";
import { ScriptedBroker } from "../support/scripted-broker.js";

/** An invariant did not hold. */
export class InvariantError extends Error {
  override name = "InvariantError";
}

function fail(what: string): never {
  throw new InvariantError(what);
}

const WINDOW = 4;
const QUEUE = 12;
const PASSWORD = "model-SECRET-pw";
const text = new TextDecoder();

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Figures gathered over runs (for docs/reliability.md). */
export class Figures {
  runs = 0;
  steps = 0;
  published = 0;
  qos1Accepted = 0;
  delivered = 0;
  reportedDrops = 0;
  poisoned = 0;
  connections = 0;
  nestedCalls = 0;
  received = 0;
}

/** The real system: client, broker, network, clock, and what the app asked for. */
export class System {
  readonly network: MemoryNetwork;
  readonly broker: ScriptedBroker;
  readonly clock = new ManualClock();
  readonly client: MqttClient;
  readonly handles: number[] = [];
  /** Payload text → QoS the app published it with (only accepted ones: SENT / QUEUED). */
  readonly asked = new Map<string, number>();
  /** An invariant broken inside a handler (reported by {@link System.check}). */
  violation: string | undefined = undefined;
  /** Incoming QoS 2 payload and subscription → handler deliveries (must stay <= 1). */
  readonly delivered2 = new Map<string, number>();
  /** Token → onComplete reports (status codes), for every QoS 1/2 message accepted. */
  readonly completions = new Map<number, number[]>();
  /** QoS 1/2 payloads accepted. */
  readonly accepted1 = new Set<string>();
  /** Payloads the broker received. */
  readonly seen = new Set<string>();
  /** Packet id → payload of QoS 1 PUBLISHes the broker holds without having acked. */
  readonly unacked = new Map<number, string>();
  readonly poisonIds = new Set<number>();
  readonly subs: number[] = [];
  drops = 0;
  seq = 0;
  budget = 0;
  nested = 0;
  received = 0;
  trickle: Uint8Array | null = null;
  trickleAt = 0;
  /** Bytes the client wrote, per connection. */
  readonly wires: number[][] = [];
  connects = 0;

  /** @param dropOldest offline-queue policy: "drop-oldest" (drops reported) or "reject-new" (no loss at all). */
  constructor(dropOldest: boolean) {
    this.network = new MemoryNetwork({ sendBuffer: 512, receiveBuffer: 1 << 16 });
    this.broker = new ScriptedBroker(this.network, { bufferSize: 8192 });
    const sys = this;
    const Base = this.network.socketClass as unknown as new (o: SocketOptions) => MemorySocket;
    class Tapped extends Base {
      override write(buffer: Uint8Array): number {
        const left = super.write(buffer);
        const i = sys.network.connections.indexOf(this.connection);
        const w = (sys.wires[i] ??= []);
        for (const b of buffer) w.push(b);
        return left;
      }
    }
    this.broker.onPacket = (p) => {
      if (p.type === PacketType.CONNECT) this.connects++;
      if (p.type !== PacketType.PUBLISH) return;
      const payload = text.decode(p.payloadBuffer.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength));
      const qos = this.asked.get(payload);
      if (qos === undefined) fail(`the broker received a PUBLISH nobody asked for: ${JSON.stringify(payload.slice(0, 40))}`);
      if (p.qos !== qos) fail(`${payload} published at QoS ${qos} arrived at QoS ${p.qos}`);
      this.seen.add(payload);
      if (p.qos >= 1) {
        const held = this.unacked.get(p.packetId);
        if (held !== undefined && held !== payload) fail(`packet id ${p.packetId} reused for ${payload} while ${held} is unacknowledged`);
        if (p.qos === 1 && this.broker.autoPuback) this.unacked.delete(p.packetId);
        else this.unacked.set(p.packetId, payload); // QoS 2: held until the client's PUBREL
      }
    };
    const onPacket = this.broker.onPacket;
    this.broker.onPacket = (p) => {
      if (p.type === PacketType.PUBREL) this.unacked.delete(p.packetId);
      onPacket(p);
    };
    this.client = new MqttClient({
      host: { tcp: Tapped, clock: this.clock, random: () => 0.5 },
      hostname: "broker.local",
      clientId: "model-1",
      username: "model-user",
      password: PASSWORD,
      keepAlive: 5,
      connectTimeout: 1000,
      txSlotSize: 700,
      inflightWindow: WINDOW,
      offlineQueue: QUEUE,
      overflow: dropOldest ? "drop-oldest" : "reject-new",
      rxBufferSize: 256,
      oversize: "skip",
      poisonAfter: 3,
      qos2: new Qos2Engine({ incoming: 8 }),
      reconnect: { initialDelay: 50, maxDelay: 400, multiplier: 2, stableAfter: 2000 },
      onConnected: () => this.nestedPublish(),
      onDisconnected: () => this.nestedPublish(),
      onError: (e) => {
        if (e instanceof PoisonMessageError) this.poisonIds.add(e.packetId);
        this.nestedPublish();
      },
      onWritable: () => this.nestedPublish(),
      onComplete: (token, status) => {
        const seen = this.completions.get(token);
        if (seen === undefined) this.violation ??= `onComplete for unknown token ${token}`;
        else seen.push(status);
        this.nestedPublish();
      },
      onQueueOverflow: (code) => {
        if (code === DROPPED_OLDEST) this.drops++;
        this.nestedPublish();
      },
    });
    for (const t of ["a/1", "a/2", "b/long/topic/name"]) this.handles.push(this.client.topic(t));
  }

  /** The app publishes; records what it asked for. */
  publish(handle: number, qos: number, size: number, retain: boolean): number {
    const tag = `m${this.seq++}:`;
    const payload = ascii(tag + "x".repeat(Math.max(0, size - tag.length)));
    const key = text.decode(payload);
    this.asked.set(key, qos); // before the call: it may reach the broker before publish returns? (never: batched)
    const status = this.client.publish(this.handles[handle % this.handles.length]!, payload, 0, payload.length, qos, retain);
    if (status === SENT || status === QUEUED) {
      if (qos >= 1) {
        this.accepted1.add(key);
        const token = this.client.lastToken;
        if (!(token > 0) || this.completions.has(token)) this.violation ??= `publish accepted ${key} with token ${token}`;
        this.completions.set(token, []);
      } else if (this.client.lastToken !== 0) this.violation ??= "a QoS 0 publish got a token";
    } else {
      this.asked.delete(key);
      if (status >= 0) fail(`publish returned an unknown status ${status}`);
    }
    return status;
  }

  /** While healing, callbacks only publish (so the client can settle). */
  healing = false;

  /**
   * A call made from inside a callback (bounded per step): mostly a publish; now and then end() + connect(),
   * an unsubscribe, a subscribe or a close-free resend request, so every public call is made re-entrantly.
   */
  nestedPublish(): void {
    if (this.budget <= 0) return;
    this.budget--;
    const k = this.nested++;
    if (!this.healing) {
      if (k % 17 === 5) {
        this.client.end();
        this.client.connect();
        return;
      }
      if (k % 11 === 3) {
        const id = this.subs.pop();
        if (id !== undefined) this.client.unsubscribe(id);
        return;
      }
      if (k % 13 === 7 && this.subs.length < 4) {
        tableFullOk(() => this.subs.push(this.client.subscribe("m/+", 2, this.handler)));
        return;
      }
      if (k % 19 === 11) {
        for (const id of this.poisonIds) if (this.client.retryPoisoned(id)) this.poisonIds.delete(id);
        return;
      }
    }
    this.publish(this.seq, this.seq % 3, 10 + (this.seq % 50), false);
  }

  /** Message handler: counts and publishes from inside. */
  readonly handler = (m: MqttMessage): void => {
    this.received++;
    if (m.qos === 2 && m.final) {
      const key = `${m.payloadString()} (subscription ${m.subscription})`; // once per matching subscription
      const n = (this.delivered2.get(key) ?? 0) + 1;
      if (n > 1) this.violation ??= `incoming QoS 2 ${key} delivered ${n} times`; // checked by check(): a throw here would be a HandlerError
      this.delivered2.set(key, n);
    }
    this.nestedPublish();
  };

  /** Pumps the network and advances time; then checks the invariants. */
  step(ms: number): void {
    this.budget = 4;
    this.network.pump();
    this.clock.advance(ms);
    this.network.pump();
    this.check();
  }

  /** Invariants that hold after every step. */
  check(): void {
    const c = this.client;
    if (this.violation !== undefined) fail(this.violation);
    if (this.broker.errors !== 0) fail(`the broker could not decode what the client wrote (code ${this.broker.lastError})`);
    if (c.inflight > WINDOW) fail(`in flight ${c.inflight} > window ${WINDOW}`);
    if (c.queued > QUEUE) fail(`queued ${c.queued} > offline queue ${QUEUE}`);
    if (c.poisoned > c.inflight) fail("more messages set aside than in flight");
    const k = c.counters;
    if (k.eventsDropped !== 0) fail("deferred events were dropped");
    if (!(k.bytesSent >= 0) || !Number.isFinite(k.bytesSent)) fail("bytesSent not a finite count");
    // Credentials: the password appears at most once per connection (inside its CONNECT), nowhere else.
    const pw = ascii(PASSWORD);
    for (let c = 0; c < this.wires.length; c++) {
      const w = this.wires[c] ?? [];
      let hits = 0;
      outer: for (let i = 0; i + pw.length <= w.length; i++) {
        for (let j = 0; j < pw.length; j++) if (w[i + j] !== pw[j]) continue outer;
        hits++;
      }
      const connects = countConnects(w);
      if (hits > connects || connects > 1) fail(`connection ${c}: password on the wire ${hits} times, ${connects} CONNECTs`);
    }
  }

  /** Heals the network and broker, retries poison, and runs until everything owed went out. */
  heal(): void {
    const b = this.broker;
    this.healing = true;
    this.network.refuse = false;
    b.connackCode = 0;
    b.answerPings = true;
    b.autoPuback = true;
    for (const c of this.network.connections) c.stalled = false;
    this.trickle = null;
    b.releaseAcks();
    this.unacked.clear();
    if (!this.client.connected) this.client.connect();
    for (let i = 0; i < 200; i++) {
      for (const id of this.poisonIds) if (this.client.retryPoisoned(id)) this.poisonIds.delete(id);
      this.step(100);
      b.releaseAcks();
      if (this.client.connected && this.client.inflight === 0 && this.client.queued === 0 && this.client.poisoned === 0) break;
    }
    if (!this.client.connected) fail("did not reconnect after healing");
    if (this.client.inflight !== 0) fail(`${this.client.inflight} QoS 1/2 messages still in flight after healing`);
    if (this.client.queued !== 0) fail(`${this.client.queued} messages still queued after healing`);
    let missing = 0;
    for (const m of this.accepted1) if (!this.seen.has(m)) missing++;
    // Only messages reported as dropped (drop-oldest) may be missing; with reject-new, none.
    if (missing > this.drops) fail(`${missing} QoS 1/2 messages lost, only ${this.drops} reported dropped`);
    if (this.violation !== undefined) fail(this.violation);
    for (const [token, reports] of this.completions) {
      const final = reports.filter((r) => r !== POISON_MESSAGE);
      if (final.length !== 1 || (final[0] !== COMPLETED && final[0] !== DROPPED_OLDEST)) {
        fail(`token ${token}: completion reports ${JSON.stringify(reports)} (one COMPLETED or DROPPED_OLDEST expected)`);
      }
    }
  }
}

function countConnects(w: number[]): number {
  let n = 0;
  let i = 0;
  // Walk packet boundaries: the wire is a sequence of whole packets (a partial one may end it).
  while (i < w.length) {
    const first = w[i]!;
    let mult = 1, len = 0, j = i + 1, b = 0;
    do {
      if (j >= w.length) return n;
      b = w[j++]!;
      len += (b & 127) * mult;
      mult *= 128;
    } while (b & 128);
    if (first === 0x10) n++;
    i = j + len;
  }
  return n;
}

/**
 * Runs a subscribe call, accepting its one legitimate refusal here: entries wait for their UNSUBACK before they
 * are free again, so on a stalled link the table can be full (a setup-time InvalidOptionError).
 */
function tableFullOk(call: () => void): void {
  try {
    call();
  } catch (e) {
    if (!(e instanceof InvalidOptionError && e.option === "maxSubscriptions")) throw e;
  }
}

type Cmd = fc.Command<object, System>;

function cmd(name: string, run: (s: System) => void): Cmd {
  return { check: () => true, run: (_m, s) => run(s), toString: () => name };
}

/** The command arbitraries. */
export function commandArbs(): fc.Arbitrary<Cmd>[] {
  return [
    fc.tuple(fc.nat(2), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 600 }), fc.boolean())
      .map(([h, q, n, r]) => cmd(`publish(${h},q${q},${n})`, (s) => { s.publish(h, q, n, r); s.step(0); })),
    fc.nat(3).map((k) => cmd(`burst(${k + 2})`, (s) => {
      for (let i = 0; i < k + 2; i++) s.publish(i, i % 3, 20, false);
      s.step(0);
    })),
    fc.constantFrom("m/#", "m/+", "m/x").map((f) => cmd(`subscribe(${f})`, (s) => {
      tableFullOk(() => { if (s.subs.length < 4) s.subs.push(s.client.subscribe(f, f === "m/x" ? 2 : 1, s.handler, () => s.nestedPublish())); });
      s.step(0);
    })),
    fc.constant(cmd("subscribeMany", (s) => {
      tableFullOk(() => { if (s.subs.length < 4) s.subs.push(...s.client.subscribeMany(["m/#", "m/+", "m/x"], [1, 0, 2], s.handler, () => s.nestedPublish())); });
      s.step(0);
    })),
    fc.constant(cmd("unsubscribeMany", (s) => {
      const ids = s.subs.splice(0, 3);
      if (ids.length > 0) s.client.unsubscribeMany(ids, () => s.nestedPublish());
      s.step(0);
    })),
    fc.constant(cmd("unsubscribe", (s) => {
      const id = s.subs.shift();
      if (id !== undefined) s.client.unsubscribe(id);
      s.step(0);
    })),
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 600 })).map(([q, n]) => cmd(`brokerPublish(q${q},${n})`, (s) => {
      s.broker.publish(ascii("m/x"), new Uint8Array(n), 0, n, q, 1 + (s.seq++ % 60000));
      s.step(0);
    })),
    fc.tuple(fc.integer({ min: 1, max: 200 }), fc.nat(2)).map(([n, dups]) => cmd(`brokerPublishQos2(${n},dup x${dups})`, (s) => {
      // A QoS 2 message with a unique payload, then `dups` DUP redeliveries of it before its PUBREL.
      const tag = ascii(`q2:${s.seq}:`);
      const payload = new Uint8Array(Math.max(n, tag.length));
      payload.set(tag);
      const id = 1 + (s.seq++ % 60000);
      s.broker.autoPubrel = false;
      for (let i = 0; i <= dups; i++) s.broker.publish(ascii("m/x"), payload, 0, payload.length, 2, id, false, i > 0);
      s.step(0);
      s.broker.autoPubrel = true;
      s.broker.sendAck(PacketType.PUBREL, id);
      s.step(0);
    })),
    fc.boolean().map((on) => cmd(`autoPuback(${on})`, (s) => {
      s.broker.autoPuback = on;
      if (on) { s.broker.releaseAcks(); s.unacked.clear(); }
      s.step(0);
    })),
    fc.constant(cmd("kick", (s) => { s.broker.kick(); s.trickle = null; s.step(0); })),
    fc.boolean().map((on) => cmd(`refuse(${on})`, (s) => { s.network.refuse = on; s.step(0); })),
    fc.constantFrom(0, 3, 5).map((code) => cmd(`connack(${code})`, (s) => { s.broker.connackCode = code; s.step(0); })),
    fc.boolean().map((on) => cmd(`stall(${on})`, (s) => {
      const c = s.network.last;
      if (c !== null) c.stalled = on;
      s.step(0);
    })),
    fc.boolean().map((on) => cmd(`answerPings(${on})`, (s) => { s.broker.answerPings = on; s.step(0); })),
    fc.integer({ min: 1, max: 40 }).map((n) => cmd(`trickle(${n})`, (s) => {
      if (s.trickle === null) {
        // A QoS 1 PUBLISH of 300 payload bytes on m/x (larger than rxBufferSize: skipped when complete).
        s.trickle = Uint8Array.from([0x32, 0xb3, 0x02, 0x00, 0x03, ...ascii("m/x"), 0x12, 0x34, ...new Uint8Array(300)]);
        s.trickleAt = 0;
      }
      const left = s.trickle.length - s.trickleAt;
      const k = Math.min(n, left);
      s.broker.sendRaw(s.trickle, s.trickleAt, k);
      s.trickleAt += k;
      if (s.trickleAt >= s.trickle.length) s.trickle = null;
      s.step(0);
    })),
    fc.integer({ min: 1, max: 4000 }).map((ms) => cmd(`advance(${ms})`, (s) => s.step(ms))),
    fc.constant(cmd("end", (s) => { s.client.end(); s.step(0); })),
    fc.constant(cmd("connect", (s) => { s.client.connect(); s.step(0); })),
  ];
}

/**
 * Runs `numRuns` random command sequences of up to `maxCommands` each; throws on the first violation
 * (fast-check shrinks it to a minimal sequence first).
 */
export function runModel(numRuns: number, maxCommands: number, seed?: number, figures = new Figures()): Figures {
  fc.assert(
    fc.property(fc.boolean(), fc.commands(commandArbs(), { maxCommands, size: "max" }), (dropOldest, cmds) => {
      const s = new System(dropOldest);
      s.subs.push(s.client.subscribe("m/#", 1, s.handler));
      s.client.connect();
      s.step(0);
      fc.modelRun(() => ({ model: {}, real: s }), cmds);
      s.heal();
      figures.runs++;
      figures.steps += [...cmds].length;
      figures.published += s.seq;
      figures.qos1Accepted += s.accepted1.size;
      figures.delivered += s.seen.size;
      figures.reportedDrops += s.drops;
      figures.poisoned += s.client.counters.poisoned;
      figures.connections += s.network.connections.length;
      figures.nestedCalls += s.nested;
      figures.received += s.received;
      s.client.close();
      if (s.clock.nextDue() !== -1) fail("a timer is still armed after close()");
    }),
    { numRuns, seed, endOnFailure: false },
  );
  return figures;
}
