// The MQTT client's steady state on XS: connect and subscribe on the in-memory transport against the
// scripted broker with a manual clock, then 100,000 each of QoS 0 publishes, QoS 1 publish/PUBACK round
// trips, 8-message bursts (coalesced writes), received QoS 1 messages routed by wildcard to two handlers (and acked), and 1,000 keepalive pings;
// then 10,000 QoS 1 publishes of 900 bytes over a 256-byte send buffer (each written in pieces as space frees).
// Every xs-alloc line must be all 0: client, transport and broker allocate nothing per packet.
import { createPiecesRig, createSteadyRig } from "../../support/steady-rig.js";
import { check, checkEqual, measureAlloc } from "../harness.js";

const ITERATIONS = 100_000;
const rig = createSteadyRig();
check("client connects and both SUBACKs arrive", rig.start());

const qos0 = rig.publishQos0;
const burst = rig.publishBurst;
const qos1 = rig.publishQos1;
const receive = rig.receive;
const ping = rig.ping;

const before0 = rig.broker.publishes;
measureAlloc("client-publish-qos0", ITERATIONS, qos0);
check("every QoS 0 publish reached the broker", rig.broker.publishes - before0 >= ITERATIONS);

const beforeBurst = rig.broker.publishes;
const writesBefore = rig.client.counters.writes;
measureAlloc("client-publish-qos0-burst8", ITERATIONS / 8, burst);
check("every burst publish reached the broker", rig.broker.publishes - beforeBurst >= ITERATIONS);
// 45-byte packets: alone each costs 4 power-of-two writes (32 per burst); coalesced a burst costs 10.
check("bursts are coalesced",
  (rig.client.counters.writes - writesBefore) * 8 <= (rig.broker.publishes - beforeBurst) * 10);

const acked = rig.client.counters.acked;
measureAlloc("client-publish-qos1-puback", ITERATIONS, qos1);
check("every QoS 1 publish was acknowledged", rig.client.counters.acked - acked >= ITERATIONS);
checkEqual("nothing left in flight", rig.client.inflight, 0);

const hash = rig.counts.hash;
const plus = rig.counts.plus;
measureAlloc("client-receive-route-ack", ITERATIONS, receive);
check("every message reached the # handler", rig.counts.hash - hash >= ITERATIONS);
check("every message reached the + handler", rig.counts.plus - plus >= ITERATIONS);
check("every message was acked", rig.broker.pubacks >= ITERATIONS);

const pings = rig.broker.pings;
measureAlloc("client-keepalive-ping", 1000, ping);
check("a PINGREQ per keepalive interval", rig.broker.pings - pings >= 1000);
checkEqual("still connected", rig.client.connected, true);
checkEqual("no errors", rig.counts.errors, 0);

const pieces = createPiecesRig();
check("pieces client connects", pieces.start());
const inPieces = pieces.publishInPieces;
const partial = pieces.client.counters.partialWrites;
const piecesAcked = pieces.client.counters.acked;
measureAlloc("client-publish-qos1-in-pieces", 10_000, inPieces);
check("every 900-byte publish was acknowledged", pieces.client.counters.acked - piecesAcked >= 10_000);
check("they went out in pieces", pieces.client.counters.partialWrites - partial >= 10_000);
checkEqual("pieces: nothing left in flight", pieces.client.inflight, 0);
checkEqual("pieces: broker saw 900-byte payloads", pieces.broker.lastPayloadLength, 900);
