// The MQTT client's unhappy steady states on XS, through its public API (MqttClient) on the in-memory transport
// with the scripted broker and a manual clock (test/xs/support/unhappy-rig.ts):
//
// - reconnect with resend: QoS 1 messages in flight, the link drops, the client reconnects to a broker that kept
//   the session and resends them with DUP;
// - offline-queue flush: messages published while the link is down wait in the offline queue and go out after
//   the reconnect; publishing into a full drop-oldest queue while offline;
// - streamed incoming payloads: PUBLISH packets larger than the client's receive buffer delivered as chunks;
// - keepalive timeout: the broker stops answering PINGREQ, the client declares the link dead and reconnects.
//
// What allocates, per event, and why (xs/README.md has the table):
// - a reconnect constructs one socket object: `new host.tcp(options)` is how an ECMA-419 socket is opened (a
//   host object on Moddable; here a MemorySocket, 12 slots). Inherent: a closed socket cannot be reopened.
// - a lost link is reported through `onError` with a typed error (ConnectionLostError, KeepaliveTimeoutError):
//   an Error object with its message (about 15 slots and 104-280 chunk bytes). Errors are objects at the API
//   edge by design (architecture.md); one per lost link, never per packet.
// - the loss path evaluates `typeof error === "string"`: on this runner a string literal in freshly parsed code
//   is copied into a 24-byte chunk each time; preloaded code on the device points at flash instead.
// Everything else (the resends, the queued messages, the flush, every streamed chunk, the PINGREQs) adds nothing:
// each scenario proves it by measuring the same cycle with 1 and with 8 messages and getting the same figures,
// or by reading all-zero figures where no link event happens.
import { CONNECTION_LOST, KEEPALIVE_TIMEOUT, QUEUED, SENT } from "../../../src/client/codes.js";
import { ascii, check, checkEqual, measureAlloc, measureAllocBounded, print, WARMUP } from "../harness.js";
import { countingHandler, createUnhappyRig } from "../support/unhappy-rig.js";

const CYCLES = 300;
// measureAlloc/measureAllocBounded run the body WARMUP times before the measured CYCLES.
const RUNS = WARMUP + CYCLES;
const payload = ascii("0123456789abcdef");

// Per-event bounds: socket (12 slots) + typed error (about 16 slots; message and stack chunks) + the loss
// path's literal (24 chunk bytes), with a few slots of margin.
const RECONNECT_BOUND = { slots: 36, chunks: 160 };
// The keepalive error's message carries the silent time: a longer string.
const KEEPALIVE_BOUND = { slots: 36, chunks: 352 };

// --------------------------------------------------------------------------- reconnect with resend
{
  const rig = createUnhappyRig({
    cleanSession: false, inflightWindow: 16, offlineQueue: 8,
    reconnect: { initialDelay: 100, maxDelay: 100, multiplier: 2, stableAfter: 1_000_000_000 },
  });
  const { client, broker, clock, counts } = rig;
  broker.sessionPresent = true;
  broker.autoPuback = false;
  client.connect();
  rig.settle();
  check("resend: connected", client.connected);
  const handle = client.topic("sensors/unhappy-1/temperature");
  let inFlight = 1;
  let sentOk = 0;
  // One event: `inFlight` QoS 1 messages sent and unacknowledged, the broker drops the link, the client
  // reconnects after its backoff (100 ms, jitter pinned), resends them with DUP, the broker acks.
  const cycle = (): void => {
    for (let i = 0; i < inFlight; i++) if (client.publish(handle, payload, 0, 16, 1, false) === SENT) sentOk++;
    rig.settle();
    broker.kick();
    rig.settle();
    clock.advance(100);
    rig.settle();
    broker.releaseAcks();
    rig.settle();
  };
  const dups0 = broker.dups;
  const connects0 = broker.connects;
  cycle();
  checkEqual("resend: one reconnect per cycle", broker.connects - connects0, 1);
  checkEqual("resend: the in-flight message went again with DUP", broker.dups - dups0, 1);
  checkEqual("resend: the broker kept the session", client.sessionPresent, true);
  checkEqual("resend: nothing left in flight", client.inflight, 0);
  checkEqual("resend: the loss reached onError as CONNECTION_LOST", counts.lastError, CONNECTION_LOST);

  const one = measureAllocBounded("client-reconnect-resend-1", CYCLES, cycle, RECONNECT_BOUND);
  inFlight = 8;
  const dupsBefore = broker.dups;
  const sentBefore = sentOk;
  const eight = measureAllocBounded("client-reconnect-resend-8", CYCLES, cycle, RECONNECT_BOUND);
  checkEqual("resend: 8 resends per reconnect cost what 1 does (slots)", eight.slots, one.slots);
  checkEqual("resend: 8 resends per reconnect cost what 1 does (chunks)", eight.chunks, one.chunks);
  checkEqual("resend: every message was published", sentOk - sentBefore, 8 * RUNS);
  checkEqual("resend: every message was resent with DUP", broker.dups - dupsBefore, 8 * RUNS);
  checkEqual("resend: still connected, nothing in flight", client.connected && client.inflight === 0, true);
  print(`xs-info client-reconnect-resend sockets opened ${rig.network.opened}, DUP resends ${broker.dups}`);
}

// --------------------------------------------------------------------------- offline-queue flush
{
  const rig = createUnhappyRig({
    cleanSession: true, inflightWindow: 16, offlineQueue: 8, overflow: "drop-oldest",
    reconnect: { initialDelay: 100, maxDelay: 100, multiplier: 2, stableAfter: 1_000_000_000 },
  });
  const { client, broker, clock } = rig;
  client.connect();
  rig.settle();
  check("queue: connected", client.connected);
  const handle = client.topic("sensors/unhappy-1/humidity");
  let queuedMessages = 1;
  let queuedOk = 0;
  // One event: the link drops; while the client waits to reconnect, `queuedMessages` QoS 1 messages are
  // published (QUEUED); the reconnect flushes them and the broker acks.
  const cycle = (): void => {
    broker.kick();
    rig.settle();
    for (let i = 0; i < queuedMessages; i++) if (client.publish(handle, payload, 0, 16, 1, false) === QUEUED) queuedOk++;
    clock.advance(100);
    rig.settle();
  };
  const publishes0 = broker.publishes;
  cycle();
  checkEqual("queue: the queued message was flushed after the reconnect", broker.publishes - publishes0, 1);
  checkEqual("queue: the queue is empty", client.queued, 0);

  const one = measureAllocBounded("client-offline-flush-1", CYCLES, cycle, RECONNECT_BOUND);
  queuedMessages = 8;
  const before = broker.publishes;
  const queuedBefore = queuedOk;
  const eight = measureAllocBounded("client-offline-flush-8", CYCLES, cycle, RECONNECT_BOUND);
  checkEqual("queue: flushing 8 costs what flushing 1 does (slots)", eight.slots, one.slots);
  checkEqual("queue: flushing 8 costs what flushing 1 does (chunks)", eight.chunks, one.chunks);
  checkEqual("queue: every publish while offline was QUEUED", queuedOk - queuedBefore, 8 * RUNS);
  checkEqual("queue: every queued message reached the broker", broker.publishes - before, 8 * RUNS);

  // Offline for good (no reconnect while the clock stands still): publishing into the full drop-oldest queue
  // drops the oldest message and queues the new one. No link event: every figure must be 0.
  broker.kick();
  rig.settle();
  for (let i = 0; i < 8; i++) client.publish(handle, payload, 0, 16, 1, false);
  const dropped = client.counters.dropped;
  let offlineOk = 0;
  measureAlloc("client-offline-publish-drop-oldest", 10_000, () => {
    if (client.publish(handle, payload, 0, 16, 1, false) === QUEUED) offlineOk++;
  });
  checkEqual("queue: every offline publish was QUEUED", offlineOk, WARMUP + 10_000);
  check("queue: the oldest were dropped", client.counters.dropped - dropped >= 10_000);
  checkEqual("queue: the queue stays full", client.queued, 8);
  clock.advance(100);
  rig.settle();
  check("queue: reconnected after the offline stretch", client.connected);
  checkEqual("queue: the 8 newest went out", client.queued, 0);
}

// --------------------------------------------------------------------------- streamed incoming payloads
{
  const BIG = 2000;
  const rig = createUnhappyRig({
    rxBufferSize: 256, maxIncomingPacketSize: 8192, oversize: "stream",
    reconnect: { initialDelay: 100, maxDelay: 100, multiplier: 2, stableAfter: 1_000_000_000 },
  }, 4096);
  const { client, broker, counts } = rig;
  client.connect();
  rig.settle();
  const sub = client.subscribe("firmware/unhappy-1/#", 1, countingHandler(counts));
  rig.settle();
  checkEqual("stream: subscribed", client.granted(sub), 1);
  const topic = ascii("firmware/unhappy-1/image");
  const big = new Uint8Array(BIG);
  let expectedSum = 0;
  for (let i = 0; i < BIG; i++) {
    big[i] = (i * 31 + 7) & 0xff;
    expectedSum += big[i]!;
  }
  let id = 0;
  // One event: the broker publishes a 2000-byte QoS 1 message; the client (256-byte receive buffer) hands it to
  // the handler in chunks and acks it after the last one.
  const receive = (): void => {
    id = id >= 65535 ? 1 : id + 1;
    broker.publish(topic, big, 0, BIG, 1, id);
    rig.network.pump();
  };
  receive();
  check("stream: delivered in more than one chunk", counts.deliveries > 1);
  checkEqual("stream: one whole message", counts.messages, 1);
  checkEqual("stream: every payload byte", counts.bytes, BIG);
  checkEqual("stream: the bytes are the message's", counts.sum, expectedSum & 0xffffff);
  checkEqual("stream: chunks in order", counts.chunkOrderErrors, 0);
  checkEqual("stream: acked", broker.pubacks, 1);
  const messages = counts.messages;
  const pubacks = broker.pubacks;
  const deliveries = counts.deliveries;
  measureAlloc("client-receive-streamed-2000B", 20_000, receive);
  const n = counts.messages - messages;
  check("stream: every message delivered whole", n >= 20_000 && counts.chunkOrderErrors === 0);
  check("stream: every message acked", broker.pubacks - pubacks >= 20_000);
  print(`xs-info client-receive-streamed-2000B chunks per message ${((counts.deliveries - deliveries) / n).toFixed(1)}`);
  checkEqual("stream: no errors", counts.errors, 0);
}

// --------------------------------------------------------------------------- keepalive timeout
{
  const rig = createUnhappyRig({
    keepAlive: 10, pingTimeout: 5000,
    reconnect: { initialDelay: 100, maxDelay: 100, multiplier: 2, stableAfter: 1_000_000_000 },
  });
  const { client, broker, clock, counts } = rig;
  broker.answerPings = false;
  client.connect();
  rig.settle();
  check("keepalive: connected", client.connected);
  // One event: the broker goes silent; after keepAlive the client sends PINGREQ, no PINGRESP comes, the client
  // declares the link dead (KEEPALIVE_TIMEOUT), closes it and reconnects after its backoff.
  const cycle = (): void => {
    clock.advance(10_000);
    rig.settle();
    clock.advance(5_000);
    rig.settle();
    clock.advance(100);
    rig.settle();
  };
  const connects0 = broker.connects;
  const pings0 = broker.pings;
  cycle();
  checkEqual("keepalive: PINGREQ sent", broker.pings - pings0, 1);
  checkEqual("keepalive: timeout reported", counts.lastDisconnect, KEEPALIVE_TIMEOUT);
  checkEqual("keepalive: reconnected", broker.connects - connects0, 1);
  check("keepalive: connected again", client.connected);
  const c0 = broker.connects;
  measureAllocBounded("client-keepalive-timeout-reconnect", CYCLES, cycle, KEEPALIVE_BOUND);
  checkEqual("keepalive: one timeout and reconnect per cycle", broker.connects - c0, RUNS);
  checkEqual("keepalive: every disconnect was a keepalive timeout", counts.lastDisconnect, KEEPALIVE_TIMEOUT);
}
