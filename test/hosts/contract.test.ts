// The host seam's contract (test/contract/socket-contract.ts) against hosts/node. The same suite runs on
// Moddable's runtime in the device lane (test/device/contract.device.ts), so the two hosts cannot drift apart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TCPSocket } from "../../hosts/node/tcp.js";
import { NodeClock } from "../../hosts/node/clock.js";
import { collectSocketContract } from "../contract/socket-contract.js";
import { startContractPeer, type ContractPeer } from "../contract/peer.js";

describe("host seam contract on hosts/node", () => {
  let peer: ContractPeer;
  beforeAll(async () => {
    peer = await startContractPeer();
  });
  afterAll(async () => {
    await peer.close();
  });

  it("passes every case of the socket and clock contract", async () => {
    const lines = await collectSocketContract(TCPSocket, new NodeClock(), peer);
    expect(lines.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^contract done passed=11 failed=0$/);
  }, 60_000);
});
