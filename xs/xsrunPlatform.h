/*
 * Platform header for xsrun (our test runner), selected with
 * -DINCLUDE_XSPLATFORM -DXSPLATFORM=\"xsrunPlatform.h\".
 * Modelled on xsnap's xsnapPlatform.h, minus sockets, timers, workers and
 * snapshots: the runner only parses and runs one script synchronously.
 */
#ifndef __XSRUN_PLATFORM__
#define __XSRUN_PLATFORM__

#if defined(__GNUC__) && (defined(__i386__) || defined(__x86_64__) || defined(__aarch64__) || defined(__arm__))
	#undef mxLittleEndian
	#define mxLittleEndian 1
	#if defined(__linux__)
		#undef mxLinux
		#define mxLinux 1
	#else
		#undef mxMacOSX
		#define mxMacOSX 1
	#endif
	#define mxExport extern
	#define mxImport extern
	#define XS_FUNCTION_NORETURN __attribute__((noreturn))
#else
	#error xsrun supports GCC/Clang on little-endian Linux or macOS only
#endif

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#define mxUseGCCAtomics 1
#define mxUsePOSIXThreads 1

/* promiseJobs: set by fxQueuePromiseJobs (ours, in xsrun.c), drained after the script.
   waiter*: used by xsAtomics.c with POSIX threads. */
#define mxMachinePlatform \
	int promiseJobs; \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink;

/* Everything else comes from xsPlatforms.c's defaults (malloc-backed chunks and slots, default
   parser). fxQueuePromiseJobs and fxAbort are ours, in xsrun.c. */
#define mxUseDefaultMachinePlatform 1
#define mxUseDefaultBuildKeys 1
#define mxUseDefaultChunkAllocation 1
#define mxUseDefaultSlotAllocation 1
#define mxUseDefaultFindModule 1
#define mxUseDefaultLoadModule 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1

#endif /* __XSRUN_PLATFORM__ */
