/*
 * xsmqtt bench: XS memory and CPU meters for bench/device (lin simulator builds with `-i`).
 *
 * Reads the XS machine's own counters (the ones xsbug's instruments and `fxReport` print): current and peak
 * slot heap, current and peak chunk heap, the stack high-water mark (tracked only when mxInstrument is
 * defined, i.e. `mcconfig -i` or `-d`), GC count, and the creation sizes. Every getter returns a number, so
 * sampling allocates nothing. CPU time is the calling thread's (the thread running XS), from clock_gettime.
 */
#include "xsAll.h"
#include "xsmc.h"
#include <time.h>

enum {
	kSlotsUsed = 0,       /* slots in use now (live + not yet collected) */
	kSlotsPeak,           /* high-water mark of slots in use since start or reset */
	kChunksUsed,          /* chunk bytes in use now */
	kChunksPeak,          /* high-water mark of chunk bytes */
	kStackPeak,           /* stack high-water mark, in slots */
	kGCCount,
	kSlotsReserved,       /* slots the heap holds (grows by heap.incremental) */
	kChunksReserved,      /* chunk bytes reserved */
	kStackSize,           /* stack size in slots (creation.stack) */
	kSlotSize,            /* sizeof(txSlot) on this runtime */
	kThreadCPU,           /* microseconds of CPU used by this thread */
	kMonotonic,           /* monotonic microseconds */
	kKeysUsed
};

static double microseconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void xs_meter_get(xsMachine *the)
{
	int what = xsmcToInteger(xsArg(0));
	switch (what) {
	case kSlotsUsed: xsmcSetInteger(xsResult, (txInteger)the->currentHeapCount); break;
	case kSlotsPeak: xsmcSetInteger(xsResult, (txInteger)the->peakHeapCount); break;
	case kChunksUsed: xsmcSetInteger(xsResult, (txInteger)the->currentChunksSize); break;
	case kChunksPeak: xsmcSetInteger(xsResult, (txInteger)the->peakChunksSize); break;
#ifdef mxInstrument
	case kStackPeak:
		if (the->stackPeak > the->stack)
			the->stackPeak = the->stack;
		xsmcSetInteger(xsResult, (txInteger)(the->stackTop - the->stackPeak));
		break;
#endif
	case kGCCount: xsmcSetInteger(xsResult, (txInteger)the->garbageCollectionCount); break;
	case kSlotsReserved: xsmcSetInteger(xsResult, (txInteger)the->maximumHeapCount); break;
	case kChunksReserved: xsmcSetInteger(xsResult, (txInteger)the->maximumChunksSize); break;
	case kStackSize: xsmcSetInteger(xsResult, (txInteger)(the->stackTop - the->stackBottom)); break;
	case kSlotSize: xsmcSetInteger(xsResult, (txInteger)sizeof(txSlot)); break;
	case kThreadCPU: xsmcSetNumber(xsResult, microseconds(CLOCK_THREAD_CPUTIME_ID)); break;
	case kMonotonic: xsmcSetNumber(xsResult, microseconds(CLOCK_MONOTONIC)); break;
	case kKeysUsed: xsmcSetInteger(xsResult, (txInteger)(the->keyIndex - the->keyOffset)); break;
	default: xsmcSetInteger(xsResult, -1); break;
	}
}

/* Full collection, then the peaks restart from what is live now. */
void xs_meter_collect(xsMachine *the)
{
	xsCollectGarbage();
}

void xs_meter_reset_peaks(xsMachine *the)
{
	the->peakHeapCount = the->currentHeapCount;
	the->peakChunksSize = the->currentChunksSize;
#ifdef mxInstrument
	the->stackPeak = the->stack;
#endif
}
