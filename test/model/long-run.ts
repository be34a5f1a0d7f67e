// Long run of the client model (not part of `npm test`): `npx tsx test/model/long-run.ts [runs] [maxCommands] [seed]`.
// Prints the figures recorded in docs/reliability.md.
import { Figures, runModel } from "./client-model.js";

const runs = Number(process.argv[2] ?? 2000);
const maxCommands = Number(process.argv[3] ?? 200);
const seed = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const figures = new Figures();
const t0 = performance.now();
runModel(runs, maxCommands, seed, figures);
const s = (performance.now() - t0) / 1000;
console.log(`model long run: ${figures.runs} runs x <= ${maxCommands} commands in ${s.toFixed(1)} s, no invariant violated`);
console.log(JSON.stringify(figures));
