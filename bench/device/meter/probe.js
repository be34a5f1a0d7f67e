/*
 * xsmqtt bench probe: the measurement both device publishers share (bench/device/*-publisher), so the
 * figures of xsmqtt and of Moddable's client come from the same code. Reports through trace() as
 * `bench <key> <value>` lines, read by bench/device.ts. Nothing here allocates until report time. No GC
 * count is reported: mcsim's instrumentation sampler resets XS's count every second.
 *
 * Phases: start() at main's first line (after a full GC: the runtime's baseline); connected() when the
 * client may publish (timing starts); warm() after the first messages (peaks restart: the steady state);
 * finish() when every message is acknowledged. Not preloaded: its module variables change at run time
 * (a preloaded module's are frozen), so both apps load it into RAM alike, before the baseline is taken.
 */
import Meter from "xsmqtt-bench/meter";
import Instrumentation from "instrumentation";

let startUs = 0, startCpu = 0, publishCpu = 0, before = 0;
let setupSlots = 0, setupChunks = 0, setupStack = 0;
let warmSlots = 0, warmChunks = 0;
let connectedSlots = 0, connectedChunks = 0;
// Allocation between samples of the current slot and chunk counts, summed from warm() on; an interval in
// which a collection ran (the count went down) is skipped, so these are lower bounds when GCs happen.
let steady = false, lastSlots = 0, lastChunks = 0, beforeSlots = 0, beforeChunks = 0;
let publishSlots = 0, publishChunks = 0, otherSlots = 0, otherChunks = 0;

function collect() {
	Meter.collect();
}
function report(key, value) {
	trace(`bench ${key} ${value}\n`);
}
function instrument(name) {
	const index = Instrumentation.map(name);
	return (undefined === index) ? -1 : (Instrumentation.get(index) ?? -1);
}

const Probe = Object.freeze({
	report,
	start() {
		collect();
		Meter.resetPeaks();
		report("baseline.slots", Meter.get(Meter.SLOTS_USED));
		report("baseline.chunks", Meter.get(Meter.CHUNKS_USED));
	},
	connected() {
		collect();
		connectedSlots = Meter.get(Meter.SLOTS_USED);
		connectedChunks = Meter.get(Meter.CHUNKS_USED);
		startUs = Meter.get(Meter.MONOTONIC_US);
		startCpu = Meter.get(Meter.THREAD_CPU_US);
	},
	/** Around each publish call: CPU spent inside the client's publish. */
	beforePublish() {
		beforeSlots = Meter.get(Meter.SLOTS_USED);
		beforeChunks = Meter.get(Meter.CHUNKS_USED);
		if (steady) {
			if (beforeSlots >= lastSlots) otherSlots += beforeSlots - lastSlots;
			if (beforeChunks >= lastChunks) otherChunks += beforeChunks - lastChunks;
		}
		before = Meter.get(Meter.THREAD_CPU_US);
	},
	afterPublish() {
		publishCpu += Meter.get(Meter.THREAD_CPU_US) - before;
		lastSlots = Meter.get(Meter.SLOTS_USED);
		lastChunks = Meter.get(Meter.CHUNKS_USED);
		if (steady) {
			if (lastSlots >= beforeSlots) publishSlots += lastSlots - beforeSlots;
			if (lastChunks >= beforeChunks) publishChunks += lastChunks - beforeChunks;
		}
	},
	/** A labelled live-heap sample (after a full collection): `bench mark.<name> <slots>/<chunk bytes>`. */
	mark(name) {
		collect();
		report(`mark.${name}`, `${Meter.get(Meter.SLOTS_USED)}/${Meter.get(Meter.CHUNKS_USED)}`);
	},
	warm() {
		report("phase", "steady");	// bench/device.ts splits mcsim's per-second instrument samples here
		setupSlots = Meter.get(Meter.SLOTS_PEAK);
		setupChunks = Meter.get(Meter.CHUNKS_PEAK);
		setupStack = Meter.get(Meter.STACK_PEAK);
		collect();
		Meter.resetPeaks();
		warmSlots = Meter.get(Meter.SLOTS_USED);
		warmChunks = Meter.get(Meter.CHUNKS_USED);
		lastSlots = warmSlots;
		lastChunks = warmChunks;
		steady = true;
	},
	finish(messages, acked, steadyMessages) {
		const wall = Meter.get(Meter.MONOTONIC_US) - startUs;
		const cpu = Meter.get(Meter.THREAD_CPU_US) - startCpu;
		const steadySlots = Meter.get(Meter.SLOTS_PEAK), steadyChunks = Meter.get(Meter.CHUNKS_PEAK);
		const steadyStack = Meter.get(Meter.STACK_PEAK);
		report("messages", messages);
		report("steady.messages", steadyMessages);
		report("acked", acked);
		report("wall.us", wall.toFixed(0));
		report("cpu.us", cpu.toFixed(0));
		report("publish.cpu.us", publishCpu.toFixed(0));
		report("connected.slots", connectedSlots);
		report("connected.chunks", connectedChunks);
		report("setup.peak.slots", setupSlots);
		report("setup.peak.chunks", setupChunks);
		report("setup.peak.stack", setupStack);
		report("warm.slots", warmSlots);
		report("warm.chunks", warmChunks);
		report("steady.peak.slots", steadySlots);
		report("steady.peak.chunks", steadyChunks);
		report("steady.peak.stack", steadyStack);
		report("steady.alloc.publish", `${publishSlots}/${publishChunks}`);
		report("steady.alloc.other", `${otherSlots}/${otherChunks}`);
		report("reserved.slots", Meter.get(Meter.SLOTS_RESERVED));
		report("reserved.chunks", Meter.get(Meter.CHUNKS_RESERVED));
		report("stack.size", Meter.get(Meter.STACK_SIZE));
		report("slot.size", Meter.get(Meter.SLOT_SIZE));
		report("instr.slots.bytes", instrument("XS Slot Heap Used"));
		report("instr.chunks.bytes", instrument("XS Chunk Heap Used"));
		report("instr.stack.bytes", instrument("XS Stack Used"));
		collect();
		report("live.slots", Meter.get(Meter.SLOTS_USED));
		report("live.chunks", Meter.get(Meter.CHUNKS_USED));
		report("done", 1);
	},
});
export default Probe;
