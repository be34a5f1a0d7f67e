// MQTT over WebSockets on XS: the RFC 6455 framing of src/transport/websocket.ts over an allocation-free scripted
// inner socket (test/support/ws-rig.ts): 100,000 each of a 45-byte packet sent as one masked frame, a packet
// in one frame, a packet split across two frames, three packets in one frame, and a fragmented message with a
// ping answered by a pong. Every xs-alloc line must be all 0: the framing allocates nothing per packet.
import { createWsRig } from "../../support/ws-rig.js";
import { check, checkEqual, measureAlloc } from "../harness.js";

const ITERATIONS = 100_000;
/** `delta` is a whole number (>= ITERATIONS) of `unit`s (measureAlloc also runs warm-up iterations). */
function whole(delta: number, unit: number): boolean {
  return delta % unit === 0 && delta / unit >= ITERATIONS;
}
const rig = createWsRig();
check("websocket handshake completes", rig.open);

const sendOne = rig.sendOne;
const receiveOne = rig.receiveOne;
const receiveSplit = rig.receiveSplit;
const receiveThree = rig.receiveThreeInOne;
const receiveFragmented = rig.receiveFragmentedWithPing;

const sent = rig.socket.framesSent;
measureAlloc("websocket-send-frame", ITERATIONS, sendOne);
check("one frame per write", rig.socket.framesSent - sent >= ITERATIONS);

let sum = rig.counts.sum;
measureAlloc("websocket-receive-frame", ITERATIONS, receiveOne);
check("every packet read whole", whole(rig.counts.sum - sum, rig.packetSum));

sum = rig.counts.sum;
measureAlloc("websocket-receive-split-across-frames", ITERATIONS, receiveSplit);
check("split packets read whole", whole(rig.counts.sum - sum, rig.packetSum));

sum = rig.counts.sum;
measureAlloc("websocket-receive-three-per-frame", ITERATIONS, receiveThree);
check("three packets per frame read", whole(rig.counts.sum - sum, 3 * rig.packetSum));

sum = rig.counts.sum;
const written = rig.inner.writtenTotal;
measureAlloc("websocket-receive-fragmented-ping-pong", ITERATIONS, receiveFragmented);
check("fragmented packets read whole", whole(rig.counts.sum - sum, rig.packetSum));
check("a pong per ping", whole(rig.inner.writtenTotal - written, 10));
checkEqual("no errors", rig.counts.errors, 0);
checkEqual("nothing left buffered", rig.inner.inbound.count, 0);
