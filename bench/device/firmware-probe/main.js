/*
 * Firmware probe: the app's entry (creation.main) in bench/device.ts's wrapper around the firmware's own
 * manifest.json. It takes the baseline, runs the firmware's unchanged `main` module (hosts/moddable/main), and
 * after `config.benchSeconds` seconds of readings reports the XS high-water marks (slots, chunks, stack) since
 * the baseline and the live heap after a full GC, through trace() as `bench <key> <value>` lines.
 */
import "xsmqtt-bench/firmware-baseline";
import "main";
import Meter from "xsmqtt-bench/meter";
import Timer from "timer";
import config from "mc/config";

const seconds = Number(config.benchSeconds ?? 15);
const state = {n: 0};
Timer.repeat(id => {
	if (++state.n < seconds)
		return;
	Timer.clear(id);
	trace(`bench peak.slots ${Meter.get(Meter.SLOTS_PEAK)}\n`);
	trace(`bench peak.chunks ${Meter.get(Meter.CHUNKS_PEAK)}\n`);
	trace(`bench peak.stack ${Meter.get(Meter.STACK_PEAK)}\n`);
	trace(`bench stack.size ${Meter.get(Meter.STACK_SIZE)}\n`);
	trace(`bench reserved.slots ${Meter.get(Meter.SLOTS_RESERVED)}\n`);
	trace(`bench reserved.chunks ${Meter.get(Meter.CHUNKS_RESERVED)}\n`);
	trace(`bench slot.size ${Meter.get(Meter.SLOT_SIZE)}\n`);
	Meter.collect();
	trace(`bench live.slots ${Meter.get(Meter.SLOTS_USED)}\n`);
	trace(`bench live.chunks ${Meter.get(Meter.CHUNKS_USED)}\n`);
	trace(`bench done 1\n`);
}, 1000);
