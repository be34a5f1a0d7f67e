/*
 * Allocation meter for the store contract app: see alloc-meter.c. Sampling allocates nothing.
 */
function slots() @ "xs_store_meter_slots";
function chunks() @ "xs_store_meter_chunks";
function collect() @ "xs_store_meter_collect";
function enableCollection(enable) @ "xs_store_meter_enable_collection";

export default Object.freeze({ slots, chunks, collect, enableCollection });
