// The host seam's contract (test/contract/socket-contract.ts) on Moddable's runtime: the suite built with
// mcconfig for lin (test/contract/moddable) with the device's adapters over Moddable's TCP and Timer, run in
// mcsim against the same peer as the hosts/node run (test/hosts/contract.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startContractPeer, type ContractPeer } from "../contract/peer.js";
import { runContractApp, type Simulator } from "./moddable.js";

describe("host seam contract on Moddable (mcsim)", () => {
  let peer: ContractPeer;
  let sim: Simulator | undefined;
  beforeAll(async () => {
    peer = await startContractPeer();
  });
  afterAll(async () => {
    await sim?.kill();
    await peer.close();
  });

  it("passes every case of the socket and clock contract with ModdableTCP and ModdableClock", async () => {
    const run = await runContractApp("test/contract/moddable/manifest.json", "contract", peer);
    sim = run.sim;
    const done = run.done;
    expect(sim.lines.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(done).toBe("contract done passed=11 failed=0");
  }, 900_000);
});
