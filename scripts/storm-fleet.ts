// Full reconnect-storm run: `tsx scripts/storm-fleet.ts [--clients 500] [--down-ms 5000] [--initial 1000] [--max 8000]`.
// Two fleets of MqttClient (our backoff + full jitter vs a fixed interval without jitter), one broker restart;
// prints attempts, peak attempts/s (most in any 100 ms window) and the per-second histogram of each policy.
import { runStorm, stormLines } from "../test/faults/storm-core.js";
import { numberOption } from "./options.js";

const clients = numberOption("--clients", 500);
const downMs = numberOption("--down-ms", 5000);
const initialDelay = numberOption("--initial", 1000);
const maxDelay = numberOption("--max", 8000);
console.log(`storm-fleet: ${clients} clients per policy, broker down ${downMs} ms, initial ${initialDelay} ms, cap ${maxDelay} ms`);
const s = await runStorm({
  clients, downMs, initialDelay, maxDelay, reconnectBoundMs: maxDelay * 3 + 20_000, seed: numberOption("--seed", 1),
  log: (line) => console.log(line),
});
for (const line of stormLines(s)) console.log(line);
console.log(`peak ratio jitter/fixed = ${(s.jitter.peakPerSecond / s.fixed.peakPerSecond).toFixed(2)}`);
process.exitCode = s.jitter.reconnected === clients && s.fixed.reconnected === clients ? 0 : 1;
