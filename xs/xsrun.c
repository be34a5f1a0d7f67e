/*
 * xsrun: a minimal XS host for xsmqtt's engine tests.
 *
 *   xsrun [-v] script.js
 *
 * Creates one machine with fixed, generous creation sizes (so the heap never has to grow or collect
 * during a measurement), installs a few globals, parses and runs one classic script (an esbuild IIFE
 * bundle), drains the promise job queue, and exits 0, or 1 after an uncaught exception, an unhandled
 * rejection or an abort (each reported as an `xs-error ...` line on stdout).
 *
 * Globals:
 *   print(...values)           writes the values, space separated, and a newline to stdout
 *   xsrun.gc()                 full compacting collection (xsCollectGarbage)
 *   xsrun.gcCount()            collections so far (the->garbageCollectionCount, mxInstrument)
 *   xsrun.slots()              slots in use (the->currentHeapCount: +1 per fxNewSlot, recounted by a collection)
 *   xsrun.chunkBytes()         chunk bytes in use (the->currentChunksSize: + capacity per fxNewChunk /
 *                              fxRenewChunk growth, recounted by a compacting collection)
 *   xsrun.peakSlots(), xsrun.peakChunkBytes(), xsrun.maxSlots(), xsrun.maxChunkBytes()
 * The counter natives return numbers in xsResult (a stack slot): reading them allocates nothing.
 */

#include "xsAll.h"
#include "xsScript.h"
#include "xs.h"

#include <limits.h>

/* Slots: 1M (32 MB on 64-bit) and chunks: 64 MB up front. A steady-state loop that allocates a
   few slots per iteration still shows up as a counter delta rather than as a collection. */
static txCreation gxCreation = {
	64 * 1024 * 1024,	/* initialChunkSize */
	4 * 1024 * 1024,	/* incrementalChunkSize */
	1024 * 1024,		/* initialHeapCount */
	128 * 1024,			/* incrementalHeapCount */
	16 * 1024,			/* stackCount */
	32 * 1024,			/* initialKeyCount */
	8 * 1024,			/* incrementalKeyCount */
	1993,				/* nameModulo */
	127,				/* symbolModulo */
	16 * 1024 * 1024,	/* parserBufferSize */
	1993,				/* parserTableModulo */
	0,					/* staticSize */
};

/* Ours instead of the default (which throws): scripts may use promises. */
void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

/* Ours instead of the default (which exits with the status and a message on stderr): report on stdout,
   in the runner's line format, with the exception or rejection reason when there is one, then exit 1. */
void fxAbort(txMachine* the, int status)
{
	const char* volatile why;
	switch (status) {
#ifdef XSRUN_MODDABLE
	case XS_JAVASCRIPT_STACK_OVERFLOW_EXIT: why = "stack overflow"; break;
	case XS_NATIVE_STACK_OVERFLOW_EXIT: why = "native stack overflow"; break;
#else
	case XS_STACK_OVERFLOW_EXIT: why = "stack overflow"; break;
#endif
	case XS_NOT_ENOUGH_MEMORY_EXIT: why = "memory full"; break;
	case XS_NO_MORE_KEYS_EXIT: why = "not enough keys"; break;
	case XS_DEAD_STRIP_EXIT: why = "dead strip"; break;
	case XS_DEBUGGER_EXIT: why = "debugger"; break;
	case XS_FATAL_CHECK_EXIT: why = "fatal check"; break;
	case XS_UNHANDLED_EXCEPTION_EXIT: why = "unhandled exception"; break;
	case XS_UNHANDLED_REJECTION_EXIT: why = "unhandled rejection"; break;
	case XS_TOO_MUCH_COMPUTATION_EXIT: why = "too much computation"; break;
	default: why = "unknown"; break;
	}
	if ((status == XS_UNHANDLED_EXCEPTION_EXIT) || (status == XS_UNHANDLED_REJECTION_EXIT)) {
		/* The reason is a value in mxException; converting it may run JS (toString), so guard it. */
		xsTry {
			printf("xs-error %s: %s\n", why, xsToString(xsException));
		}
		xsCatch {
			printf("xs-error %s\n", why);
		}
	}
	else
		printf("xs-error abort: %s\n", why);
	fflush(stdout);
	c_exit(1);
}

static void xsrun_print(txMachine* the)
{
	txInteger c = xsToInteger(xsArgc), i;
	for (i = 0; i < c; i++) {
		if (i)
			fputc(' ', stdout);
		fputs(xsToString(xsArg(i)), stdout);
	}
	fputc('\n', stdout);
}

static void xsrun_gc(txMachine* the)
{
	xsCollectGarbage();
}

static void xsrun_gcCount(txMachine* the)
{
	xsResult = xsInteger(the->garbageCollectionCount);
}

static void xsrun_slots(txMachine* the)
{
	xsResult = xsInteger(the->currentHeapCount);
}

static void xsrun_chunkBytes(txMachine* the)
{
	xsResult = xsInteger(the->currentChunksSize);
}

static void xsrun_peakSlots(txMachine* the)
{
	xsResult = xsInteger(the->peakHeapCount);
}

static void xsrun_peakChunkBytes(txMachine* the)
{
	xsResult = xsInteger(the->peakChunksSize);
}

static void xsrun_maxSlots(txMachine* the)
{
	xsResult = xsInteger(the->maximumHeapCount);
}

static void xsrun_maxChunkBytes(txMachine* the)
{
	xsResult = xsInteger(the->maximumChunksSize);
}

static void xsrun_define(txMachine* the, txSlot* target, txString name, txCallback callback, txInteger length)
{
	xsVar(1) = xsNewHostFunction(callback, length);
	xsDefine(*target, xsID(name), xsVar(1), xsDontEnum);
}

/* Uses xsVar(0) and xsVar(1) of the host frame opened in main. */
static void xsrun_install(txMachine* the)
{
	xsVar(0) = xsNewHostFunction(xsrun_print, 1);
	xsDefine(xsGlobal, xsID("print"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewObject();
	xsrun_define(the, &xsVar(0), "gc", xsrun_gc, 0);
	xsrun_define(the, &xsVar(0), "gcCount", xsrun_gcCount, 0);
	xsrun_define(the, &xsVar(0), "slots", xsrun_slots, 0);
	xsrun_define(the, &xsVar(0), "chunkBytes", xsrun_chunkBytes, 0);
	xsrun_define(the, &xsVar(0), "peakSlots", xsrun_peakSlots, 0);
	xsrun_define(the, &xsVar(0), "peakChunkBytes", xsrun_peakChunkBytes, 0);
	xsrun_define(the, &xsVar(0), "maxSlots", xsrun_maxSlots, 0);
	xsrun_define(the, &xsVar(0), "maxChunkBytes", xsrun_maxChunkBytes, 0);
	xsDefine(xsGlobal, xsID("xsrun"), xsVar(0), xsDontEnum);
}

/* Like xsnap's fxLoadScript, without source maps. */
static txScript* xsrun_load(txMachine* the, txString path)
{
	txParser _parser;
	txParser* parser = &_parser;
	txParserJump jump;
	FILE* volatile file = NULL;
	txScript* volatile script = NULL;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->firstJump = &jump;
	file = fopen(path, "r");
	if (c_setjmp(jump.jmp_buf) == 0) {
		mxParserThrowElse(file);
		parser->path = fxNewParserSymbol(parser, path);
		fxParserTree(parser, file, (txGetter)fgetc, mxProgramFlag, NULL);
		fclose(file);
		file = NULL;
		fxParserHoist(parser);
		fxParserBind(parser);
		script = fxParserCode(parser);
	}
	if (file)
		fclose(file);
	if (the->peakParserSize < parser->total)
		the->peakParserSize = parser->total;
	fxTerminateParser(parser);
	return script;
}

static void xsrun_run(txMachine* the, txString path)
{
	txSlot* realm = mxProgram.value.reference->next->value.module.realm;
	txScript* script = xsrun_load(the, path);
	if (!script)
		xsSyntaxError("cannot parse %s", path);
	mxModuleInstanceInternal(mxProgram.value.reference)->value.module.id = fxID(the, path);
	fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
	mxPullSlot(mxResult);
}

int main(int argc, char* argv[])
{
	txMachine* machine;
	volatile int status = 0;
	char path[PATH_MAX];
	if ((argc == 2) && !strcmp(argv[1], "-v")) {
		printf("XS %d.%d.%d mxInstrument\n", XS_MAJOR_VERSION, XS_MINOR_VERSION, XS_PATCH_VERSION);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: xsrun [-v] script.js\n");
		return 2;
	}
	if (!realpath(argv[1], path)) {
		fprintf(stderr, "xsrun: cannot find %s\n", argv[1]);
		return 2;
	}
#ifdef XSRUN_MODDABLE
	fxInitializeSharedCluster(NULL);
#else
	fxInitializeSharedCluster();
#endif
	machine = xsCreateMachine(&gxCreation, "xsrun", NULL);
	if (!machine) {
		fprintf(stderr, "xsrun: cannot create machine\n");
		return 2;
	}
	xsBeginHost(machine);
	{
		xsVars(2);
		xsTry {
			xsrun_install(the);
			xsrun_run(the, path);
			while (the->promiseJobs) {
				the->promiseJobs = 0;
				fxRunPromiseJobs(the);
				fxEndJob(the);
			}
			/* Rejections nobody handled by the end fail the run (fxAbort). */
			fxCheckUnhandledRejections(the, 1);
		}
		xsCatch {
			/* Report on stdout so the line interleaves with the script's own output. */
			xsStringValue message = xsToString(xsException);
			printf("xs-error uncaught: %s\n", message);
			if (xsTypeOf(xsException) == xsReferenceType) {
				xsVar(0) = xsGet(xsException, xsID("stack"));
				if (xsTypeOf(xsVar(0)) == xsStringType)
					printf("%s\n", xsToString(xsVar(0)));
			}
			status = 1;
		}
	}
	xsEndHost(machine);
	fflush(stdout);
	xsDeleteMachine(machine);
#ifdef XSRUN_MODDABLE
	fxTerminateSharedCluster(NULL);
#else
	fxTerminateSharedCluster();
#endif
	return status;
}
