/*
 * Firmware probe, first module: the runtime's baseline, taken before the firmware's main module runs (this
 * module is imported first by ./main.js). Not preloaded, like the publishers' probe.
 */
import Meter from "xsmqtt-bench/meter";

Meter.collect();
Meter.resetPeaks();
trace(`bench baseline.slots ${Meter.get(Meter.SLOTS_USED)}\n`);
trace(`bench baseline.chunks ${Meter.get(Meter.CHUNKS_USED)}\n`);
