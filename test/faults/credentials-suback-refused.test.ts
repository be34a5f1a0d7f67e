// A refused subscription (SUBACK 0x80) is reported on that subscription [MQTT-3.9.3-2]: aedes with an
// `authorizeSubscribe` that refuses filters under `denied/` (mosquitto 2.0 grants and filters instead). The
// refused subscription's onSuback gets 0x80, granted() says 0x80, onError gets a typed SubscribeError naming
// the filter and the subscription id; the allowed subscription on the same connection is granted and works.
import net from "node:net";
import { Aedes } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SENT, SUBSCRIBE_FAILED, SubscribeError } from "../../src/client/index.js";
import { recordingClient, until, utf8 } from "./util.js";

let broker: Aedes;
let server: net.Server;
let port = 0;
beforeAll(async () => {
  broker = await Aedes.createBroker({
    authorizeSubscribe: (_client, sub, callback) => {
      if (sub.topic.startsWith("denied/")) callback(null, null); // → 0x80 in the SUBACK
      else callback(null, sub);
    },
  });
  server = net.createServer(broker.handle as (socket: net.Socket) => void);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("faults: refused subscription", () => {
  it("reports 0x80 on the refused subscription only", async () => {
    const r = recordingClient(port, { clientId: `acl-${process.pid}` });
    const c = r.client;
    const subacks: number[] = [];
    const got: string[] = [];
    try {
      const bad = c.subscribe("denied/secrets/#", 1, () => undefined, (code) => subacks.push(code));
      const good = c.subscribe("allowed/x", 1, (m) => got.push(m.payloadString()));
      c.connect();
      await until(() => c.granted(bad) !== -1 && c.granted(good) !== -1, 5000, "both SUBACKs");
      expect(c.granted(bad)).toBe(0x80);
      expect(subacks).toEqual([0x80]);
      expect(c.granted(good)).toBe(1);
      const e = r.errors.find((x) => x instanceof SubscribeError) as SubscribeError | undefined;
      expect(e).toBeInstanceOf(SubscribeError);
      expect(e!.code).toBe(SUBSCRIBE_FAILED);
      expect(e!.filter).toBe("denied/secrets/#");
      expect(e!.subscription).toBe(bad);
      expect(c.connected).toBe(true);
      const p = utf8("still-works");
      expect(c.publish(c.topic("allowed/x"), p, 0, p.length, 1, false)).toBe(SENT);
      await until(() => got.length === 1, 5000, "message on the allowed subscription");
    } finally {
      c.end();
    }
  }, 10_000);
});
