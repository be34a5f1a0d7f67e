// Session journal steady state on XS: QoS 1 and QoS 2 publish round trips and QoS 2 receipts (with and without
// a DUP redelivery) with every message saved to and freed from a session store as it goes. Every xs-alloc line
// must be all 0, and the store sees exactly the commits journal.ts states per message.
import { SessionJournal } from "../../../src/client/journal.js";
import { MemoryStore } from "../../support/memory-store.js";
import { createQos2Rig } from "../../support/qos2-rig.js";
import { check, checkEqual, measureAlloc } from "../harness.js";

const ITERATIONS = 20_000;
const store = new MemoryStore();
const rig = createQos2Rig(new SessionJournal(store));
check("journaled client connects and is granted QoS 2", rig.start());

let syncs = store.syncs;
let acked = rig.client.counters.acked;
measureAlloc("journal-qos1-publish-round-trip", ITERATIONS, rig.publishQos1);
// measureAlloc runs warm-up calls too: compare commits with acknowledged messages.
checkEqual("QoS 1: 2 commits per message (accepted, acknowledged)", store.syncs - syncs, 2 * (rig.client.counters.acked - acked));
check("QoS 1: every iteration acknowledged", rig.client.counters.acked - acked >= ITERATIONS);

syncs = store.syncs;
acked = rig.client.counters.acked;
measureAlloc("journal-qos2-publish-round-trip", ITERATIONS, rig.publishQos2);
checkEqual("QoS 2: 3 commits per message (accepted, PUBREC, PUBCOMP)", store.syncs - syncs, 3 * (rig.client.counters.acked - acked));

syncs = store.syncs;
let delivered = rig.counts.delivered;
measureAlloc("journal-qos2-receive-round-trip", ITERATIONS, rig.receiveQos2);
checkEqual("incoming QoS 2: 2 commits per message (id saved, released)", store.syncs - syncs, 2 * (rig.counts.delivered - delivered));

syncs = store.syncs;
delivered = rig.counts.delivered;
measureAlloc("journal-qos2-receive-dup-once", ITERATIONS, rig.receiveQos2Duplicate);
checkEqual("a redelivery costs no commit", store.syncs - syncs, 2 * (rig.counts.delivered - delivered));

checkEqual("nothing left in flight", rig.client.inflight, 0);
checkEqual("no errors", rig.counts.errors, 0);
checkEqual("no store errors", rig.client.counters.storeErrors, 0);
