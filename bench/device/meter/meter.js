/*
 * xsmqtt bench meter: numbers from the XS machine (see meter.c). Sampling allocates nothing.
 */
function get(what) @ "xs_meter_get";
function collect() @ "xs_meter_collect";
function resetPeaks() @ "xs_meter_reset_peaks";

const Meter = Object.freeze({
	SLOTS_USED: 0, SLOTS_PEAK: 1, CHUNKS_USED: 2, CHUNKS_PEAK: 3, STACK_PEAK: 4, GC_COUNT: 5,
	SLOTS_RESERVED: 6, CHUNKS_RESERVED: 7, STACK_SIZE: 8, SLOT_SIZE: 9, THREAD_CPU_US: 10, MONOTONIC_US: 11,
	KEYS_USED: 12,
	get, collect, resetPeaks
});
export default Meter;
