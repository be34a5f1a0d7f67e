// The host seam's contract over MQTT-over-WebSockets on Moddable's runtime: test/contract/moddable-ws (the
// device's webSocketClass, i.e. the shared framing of src/transport/websocket.ts over ModdableTCP) built with
// mcconfig for lin and run in mcsim against the WebSocket peer the hosts/node run uses (test/hosts/ws-contract.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContractPeer } from "../contract/peer.js";
import { startWsContractPeer } from "../contract/ws-peer.js";
import { runContractApp, type Simulator } from "./moddable.js";

describe("host seam contract over WebSockets on Moddable (mcsim)", () => {
  let peer: ContractPeer;
  let sim: Simulator | undefined;
  beforeAll(async () => {
    peer = await startWsContractPeer("/mqtt");
  });
  afterAll(async () => {
    await sim?.kill();
    await peer.close();
  });

  it("passes every case of the socket and clock contract with webSocketClass over ModdableTCP", async () => {
    const run = await runContractApp("test/contract/moddable-ws/manifest.json", "contract-ws", peer);
    sim = run.sim;
    const done = run.done;
    expect(sim.lines.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(done).toBe("contract done passed=11 failed=0");
  }, 900_000);
});
