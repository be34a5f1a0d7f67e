// QoS 2 steady state on XS: 50,000 QoS 2 publish round trips (PUBLISH → PUBREC → PUBREL → PUBCOMP), 50,000
// received QoS 2 messages (PUBLISH → PUBREC → PUBREL → PUBCOMP, delivered once) and 20,000 received with a DUP
// redelivery before the PUBREL (delivered once, acknowledged twice), with onComplete reporting each publish; then
// 20,000 QoS 1 publishes listed (messages()), looked up (packetIdOf) and dropped (dropMessage) in flight.
// Every xs-alloc line must be all 0.
import { createQos2Rig } from "../../support/qos2-rig.js";
import { check, checkEqual, measureAlloc } from "../harness.js";

const ITERATIONS = 50_000;
const rig = createQos2Rig();
check("qos2 client connects and is granted QoS 2", rig.start());

const publish = rig.publishQos2;
const receive = rig.receiveQos2;
const duplicate = rig.receiveQos2Duplicate;

const acked = rig.client.counters.acked;
const pubrels = rig.broker.pubrels;
measureAlloc("client-qos2-publish-round-trip", ITERATIONS, publish);
check("every QoS 2 publish completed (PUBCOMP)", rig.client.counters.acked - acked >= ITERATIONS);
check("every QoS 2 publish was released (PUBREL)", rig.broker.pubrels - pubrels >= ITERATIONS);
checkEqual("nothing left in flight", rig.client.inflight, 0);

const delivered = rig.counts.delivered;
const pubcomps = rig.broker.pubcomps;
measureAlloc("client-qos2-receive-round-trip", ITERATIONS, receive);
check("every QoS 2 message delivered", rig.counts.delivered - delivered >= ITERATIONS);
check("every QoS 2 message completed (PUBCOMP)", rig.broker.pubcomps - pubcomps >= ITERATIONS);

const d2 = rig.counts.delivered;
const dups = rig.client.counters.duplicates;
measureAlloc("client-qos2-receive-dup-once", 20_000, duplicate);
// measureAlloc also runs warm-up calls: count deliveries against recognised redeliveries (one each per call).
check("at least 20,000 duplicated messages", rig.client.counters.duplicates - dups >= 20_000);
checkEqual("each duplicated message delivered exactly once", rig.counts.delivered - d2, rig.client.counters.duplicates - dups);
checkEqual("no incoming id left held", rig.engine.pending, 0);

// Per-message completion: onComplete ran for every publish above (tokens > 0); list, look up and drop a message.
check("onComplete(token, COMPLETED) for every QoS 2 publish", rig.counts.completed >= ITERATIONS);
check("completion tokens are real", rig.counts.tokenSum > 0);
const listDrop = rig.publishListDrop;
const unknown = rig.client.counters.unknownAcks;
measureAlloc("client-publish-list-drop", 20_000, listDrop);
check("each dropped message's late PUBACK was ignored", rig.client.counters.unknownAcks - unknown >= 20_000);
checkEqual("nothing left in flight after the drops", rig.client.inflight, 0);
checkEqual("still connected", rig.client.connected, true);
checkEqual("no errors", rig.counts.errors, 0);
