/**
 * Hostile-broker runner on the in-memory transport (no sockets, manual clock): one MqttClient faces
 * generated hostile connections (see hostile-server.ts), each followed by a well-behaved connection on
 * which the client must reconnect, publish QoS 1 and get its PUBACK (so its pools did not leak).
 *
 * Checked per case: the expected typed error (class + codec/client code), or for mutated/random input that
 * every error is an {@link MqttError} and a connection the client ended came with one; no exception escapes
 * the transport pump (the client's callbacks); recovery on the next good connection.
 * @module
 */
import { ConnectionRefusedError, MqttError, MqttClient, PacketTooLargeError, ProtocolError, SENT } from "../../src/client/index.js";
import { PACKET_TOO_LARGE } from "../../src/client/codes.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork } from "../support/memory-transport.js";
import { prng } from "./no-loss-core.js";
import { FAMILIES, generateCase, HostileMemoryServer, type HostileCase } from "./hostile-server.js";

/** Figures of a run. */
export interface HostileFigures {
  cases: number;
  /** Cases whose outcome did not match the expectation (first few in `failures`). */
  mismatches: number;
  failures: string[];
  /** Exceptions that escaped the client into the transport pump or clock. */
  escaped: number;
  /** Good rounds in which the client did not reconnect or its QoS 1 publish was not acknowledged. */
  recoveryFailures: number;
  /** Errors reported, by class name. */
  errorsByName: Record<string, number>;
  /** Cases per family. */
  byFamily: Record<string, number>;
  /** Errors that were not MqttError instances. */
  untyped: number;
  /** Good-responder decode errors (the client sent malformed bytes): must be 0. */
  clientMalformed: number;
  seconds: number;
  /** heapUsed (bytes) after GC at 10 % and at the end, when `gc` is exposed. */
  heapAt10: number;
  heapAtEnd: number;
}

/** Runs `cases` hostile cases (plus as many good rounds). Never throws for mismatches: they are counted. */
export function runHostileMemory(cases: number, seed: number, onProgress?: (done: number) => void): HostileFigures {
  const started = performance.now();
  const rng = prng(seed);
  const network = new MemoryNetwork({ sendBuffer: 8192, receiveBuffer: 65536 });
  const server = new HostileMemoryServer(network);
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const errorsByName: Record<string, number> = {};
  let untyped = 0;
  const RX = 1024;
  const client = new MqttClient({
    host: { tcp: network.socketClass, clock, random: () => 0.5 },
    hostname: "broker.local",
    clientId: "hostile-1",
    keepAlive: 60,
    connectTimeout: 5000,
    rxBufferSize: RX,
    txSlotSize: 256,
    inflightWindow: 4,
    offlineQueue: 4,
    reconnect: { initialDelay: 20, maxDelay: 20, multiplier: 1, stableAfter: 1e12 },
    onError: (e) => {
      errors.push(e);
      if (!(e instanceof MqttError)) untyped++;
      const name = (e as Error)?.name ?? "?";
      errorsByName[name] = (errorsByName[name] ?? 0) + 1;
    },
  });
  client.subscribe("cmd/#", 1, () => undefined);
  const handle = client.topic("dev/hostile-1/up");
  const payload = new Uint8Array(8);

  let escaped = 0;
  const step = (): void => {
    try {
      network.pump();
      server.tick();
      network.pump();
      clock.advance(1);
      network.pump();
    } catch {
      escaped++;
    }
  };

  let nextCase: HostileCase | null = null;
  server.next = () => {
    const k = nextCase;
    nextCase = null;
    return k;
  };

  let mismatches = 0;
  let recoveryFailures = 0;
  const failures: string[] = [];
  const fail = (text: string): void => {
    mismatches++;
    if (failures.length < 20) failures.push(text);
  };
  const byFamily: Record<string, number> = Object.fromEntries(FAMILIES.map((f) => [f, 0]));
  const gc = (globalThis as { gc?: () => void }).gc;
  let heapAt10 = 0;

  for (let i = 0; i < cases; i++) {
    // The transport keeps every connection it ever made and pumps them all: drop the dead ones.
    const list = network.connections;
    let kept = 0;
    for (let k = 0; k < list.length; k++) if (!(list[k]!.closed && list[k]!.socket === null)) list[kept++] = list[k]!;
    list.length = kept;
    // ---- hostile connection
    const kase = generateCase(rng, i, { maxPacket: RX });
    byFamily[kase.family] = (byFamily[kase.family] ?? 0) + 1;
    nextCase = kase;
    // The client is connected to a good connection (or idle): end it so that it reconnects to the case.
    server.finish();
    try {
      network.pump();
    } catch {
      escaped++;
    }
    // Only this case's errors are kept (holding every Error of a long run would grow the heap by itself).
    errors.length = 0;
    const e0 = 0;
    const unknown0 = client.counters.unknownAcks;
    if (i === 0) client.connect();
    let guard = 0;
    const served = (): boolean => server.lastCase === kase && server.lastCaseConnection !== null &&
      (server.sentAll || server.lastCaseConnection.closed);
    while (!served() && guard++ < 5000) step();
    step();
    step();
    const conn = server.lastCaseConnection;
    // The client still holds the case's connection (it did not end it).
    const ended = conn === null || server.lastCase !== kase || conn.closed;
    const stillOpen = !ended && client.connected;
    const firstError = errors[e0];
    const label = `case ${i} ${kase.family} [${Buffer.from(kase.bytes.subarray(0, 24)).toString("hex")}${kase.bytes.length > 24 ? "…" : ""}] drip=${kase.drip}`;
    if (!served()) fail(`${label}: the client never opened the hostile connection`);
    const ex = kase.expect;
    if (ex.kind === "code") {
      if (!(firstError instanceof MqttError)) fail(`${label}: expected code ${ex.code}, got ${firstError === undefined ? "no error" : String(firstError)}`);
      else if (firstError.code !== ex.code) fail(`${label}: expected code ${ex.code}, got ${firstError.name} ${firstError.code}`);
      else if (ex.returnCode !== undefined && !(firstError instanceof ConnectionRefusedError && firstError.returnCode === ex.returnCode)) {
        fail(`${label}: expected refusal ${ex.returnCode}, got ${firstError.name}`);
      } else if (ex.code === PACKET_TOO_LARGE && !(firstError instanceof PacketTooLargeError)) fail(`${label}: not a PacketTooLargeError`);
      else if (ex.code > -100 && !(firstError instanceof ProtocolError)) fail(`${label}: codec code without ProtocolError`);
      if (!ended) fail(`${label}: the client kept the connection after a fatal packet`);
    } else if (ex.kind === "survive") {
      if (!stillOpen) fail(`${label}: dropped a connection for a harmless packet (${String(firstError)})`);
      if (ex.unknownAck && client.counters.unknownAcks !== unknown0 + 1) fail(`${label}: unknown PUBACK not counted`);
    } else {
      for (let k = e0; k < errors.length; k++) if (!(errors[k] instanceof MqttError)) fail(`${label}: untyped error ${String(errors[k])}`);
      if (ended && errors.length === e0) fail(`${label}: connection ended without a typed error`);
    }
    server.finish();
    step();
    step();
    // ---- well-behaved connection: reconnect, publish QoS 1, PUBACK.
    guard = 0;
    while (!(client.connected && server.current === null) && guard++ < 5000) step();
    let ok = client.connected && server.current === null;
    if (ok) {
      payload[0] = i & 0xff;
      const r = client.publish(handle, payload, 0, payload.length, 1, false);
      guard = 0;
      while (client.inflight > 0 && guard++ < 50) step();
      ok = r === SENT && client.inflight === 0 && client.queued === 0;
    }
    if (!ok) {
      recoveryFailures++;
      if (failures.length < 20) failures.push(`case ${i} ${kase.family}: no recovery (state ${client.state}, inflight ${client.inflight}, queued ${client.queued})`);
    }
    if (i === Math.floor(cases / 10) && gc !== undefined) {
      gc();
      heapAt10 = process.memoryUsage().heapUsed;
    }
    if (onProgress !== undefined && i % 10_000 === 9_999) onProgress(i + 1);
  }
  client.end();
  let heapAtEnd = 0;
  if (gc !== undefined) {
    gc();
    heapAtEnd = process.memoryUsage().heapUsed;
  }
  return {
    cases, mismatches, failures, escaped, recoveryFailures, errorsByName, byFamily, untyped,
    clientMalformed: server.good.errors, seconds: (performance.now() - started) / 1000, heapAt10, heapAtEnd,
  };
}
