// Callbacks are deferred to a consistent point (issue 10): a burst of messages whose handler throws, all in
// one read, still reports every HandlerError (the deferred-event ring is drained between packets), and calls
// made from onError while the burst is being read are safe.
import { describe, expect, it } from "vitest";
import { HandlerError } from "../../src/client/index.js";
import { ascii, publishes, tapRig } from "./tap-util.js";

describe("deferred callbacks under a burst", () => {
  it("300 throwing deliveries in one read: 300 HandlerErrors, none dropped, publishes from onError all go out", () => {
    let h = -1;
    let fromError = 0;
    const rig = tapRig({
      rxBufferSize: 8192,
      onError: (e) => {
        if (e instanceof HandlerError && fromError < 300) rig.client.publish(h, ascii(`e${String(fromError++).padStart(3, "0")}`), 0, 4, 0, false);
      },
    }, { sendBuffer: 65536 });
    h = rig.client.topic("t/err");
    rig.client.subscribe("in/#", 0, () => { throw new Error("boom"); });
    rig.client.connect();
    rig.step();
    const topic = ascii("in/x");
    for (let i = 0; i < 300; i++) rig.broker.publish(topic, ascii("p"), 0, 1, 0, 0);
    rig.step();
    rig.step();
    expect(rig.errors.filter((e) => e instanceof HandlerError).length).toBe(300);
    expect(rig.client.counters.eventsDropped).toBe(0);
    expect(rig.client.counters.handlerErrors).toBe(300);
    expect(publishes(rig.wire[0]!).length).toBe(300);
  });
});
