// The host seam's contract (test/contract/socket-contract.ts) over MQTT-over-WebSockets: the same eleven
// cases as TCPSocket, with hosts/node/ws.ts's socket class against a WebSocket peer (test/contract/ws-peer.ts)
// that acts the cases out in binary frames, so the client sees the same socket whichever transport it gets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeClock } from "../../hosts/node/clock.js";
import { webSocketClass } from "../../hosts/node/ws.js";
import { collectSocketContract } from "../contract/socket-contract.js";
import type { ContractPeer } from "../contract/peer.js";
import { startWsContractPeer } from "../contract/ws-peer.js";

describe("host seam contract over WebSockets on hosts/node", () => {
  let peer: ContractPeer;
  beforeAll(async () => {
    peer = await startWsContractPeer("/mqtt");
  });
  afterAll(async () => {
    await peer.close();
  });

  it("passes every case of the socket and clock contract with webSocketClass({ path: \"/mqtt\" })", async () => {
    const lines = await collectSocketContract(webSocketClass({ path: "/mqtt" }), new NodeClock(), peer);
    expect(lines.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^contract done passed=11 failed=0$/);
  }, 60_000);
});
