/*
 * Allocation meter for the store contract app (main.ts): the XS machine's own slot and chunk counters, which
 * exist in every build (Moddable's `instrumentation` module and bench/device/meter need an instrumented build,
 * `mcconfig -i`, which the device lane does not make). Garbage collection can be switched off around a
 * measured loop, so the counters only grow: any allocation in the loop shows, none is hidden by a collection.
 * Every getter returns a number, so sampling allocates nothing.
 */
#include "xsAll.h"
#include "xsmc.h"

/* Slots in use now (live and not yet collected). */
void xs_store_meter_slots(xsMachine *the)
{
	xsmcSetInteger(xsResult, (txInteger)the->currentHeapCount);
}

/* Chunk bytes in use now. */
void xs_store_meter_chunks(xsMachine *the)
{
	xsmcSetInteger(xsResult, (txInteger)the->currentChunksSize);
}

/* A full collection (slots and chunks, compacting). */
void xs_store_meter_collect(xsMachine *the)
{
	xsCollectGarbage();
}

/* Switches garbage collection on (true) or off (false): off, the heap grows instead of collecting. */
void xs_store_meter_enable_collection(xsMachine *the)
{
	xsEnableGarbageCollection(xsmcTest(xsArg(0)));
}
