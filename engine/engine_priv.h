/* Private to the engine's own files: the engine and its event queue, shared by engine.c
 * (runs, kernel removals) and engine_kbuild.c (the kernel build on a thread of its own).
 * The public API is engine/engine.h. */
#ifndef KTSTR_ENGINE_PRIV_H
#define KTSTR_ENGINE_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

#define MAX_RUNS 16
#define MAX_RM 4 /* kernel removals waiting at once */

struct ev_node { struct engine_event ev; struct ev_node *next; };

struct engine {
	pthread_mutex_t lock;
	struct ev_node *head, *tail;
	size_t queued;
	int efd;
	struct run_slot *slots[MAX_RUNS];
	struct rm_job *rm[MAX_RM];  /* kernel removals going; guarded by rm_mu (engine.c) */
	struct kb_job *kb;          /* the kernel build going; guarded by kb_mu (engine_kbuild.c) */
};

/* Queues n (filled by the caller) and wakes the consumer; false (n not queued) when a
 * droppable event meets a full queue. */
bool engine_enqueue(struct engine *e, struct ev_node *n, bool droppable);

/* engine_free's part of a kernel build: sets its cancel flag (make is killed), waits a few
 * seconds for the thread to end, else cuts it loose (it ends without an event). */
void engine_kbuild_stop(struct engine *e);

#endif
