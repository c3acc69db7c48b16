/* SPDX-License-Identifier: MIT */
/* parked.h: whether a thread of the test sleeps in the kernel on a futex, from /proc. */
#ifndef RC_TESTS_PARKED_H
#define RC_TESTS_PARKED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads /proc/self/task/<tid>/<what> into buf; false if it cannot. */
static inline bool parked_read(long tid, const char *what, char *buf, size_t n)
{
	char path[64];
	FILE *f;
	bool r;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/%s", tid, what);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	r = fgets(buf, (int)n, f) != NULL;
	fclose(f);
	return r;
}

/* Thread tid's scheduler state ('S': asleep), or '?'. */
static inline char parked_state(long tid)
{
	char buf[512], *p;

	if (!parked_read(tid, "stat", buf, sizeof(buf)) ||
	    (p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return '?';
	return p[2];
}

struct parked_probe {
	int fd[2];
	_Atomic long tid;
};

static void *parked_probe_main(void *arg)
{
	struct parked_probe *pr = arg;
	char c;

	/* relaxed: polled, no data with it */
	atomic_store_explicit(&pr->tid, syscall(SYS_gettid),
			      memory_order_relaxed);
	(void)!read(pr->fd[0], &c, 1);
	return NULL;
}

/*
 * Whether this kernel names wait channels: a thread blocked in a read of
 * a pipe shows one other than "0" (hidden kernels show "0" always).
 * Decided once.
 */
static inline bool parked_wchan_known(void)
{
	static int known = -1;
	struct parked_probe pr;
	pthread_t th;
	char buf[128] = "0";
	long tid;

	if (known >= 0)
		return known;
	known = 0;
	if (pipe(pr.fd) != 0)
		return false;
	atomic_init(&pr.tid, 0);
	pthread_create(&th, NULL, parked_probe_main, &pr);
	/* relaxed: as above */
	while ((tid = atomic_load_explicit(&pr.tid, memory_order_relaxed)) == 0)
		usleep(100);
	for (int i = 0; i < 2000 && !known; i++) {
		if (parked_state(tid) == 'S' &&
		    parked_read(tid, "wchan", buf, sizeof(buf)) &&
		    strcmp(buf, "0") != 0)
			known = 1;
		else
			usleep(100);
	}
	(void)!write(pr.fd[1], "x", 1);
	pthread_join(th, NULL);
	close(pr.fd[0]);
	close(pr.fd[1]);
	return known;
}

/*
 * Whether thread tid sleeps in the kernel on a futex (parked): its state
 * is 'S' and, where the kernel names wait channels, its channel is a
 * futex call (a nap shows a sleep call, a running thread "0").
 */
static inline bool thread_parked(long tid)
{
	char buf[128];

	if (parked_state(tid) != 'S')
		return false;
	if (!parked_wchan_known())
		return true;
	return parked_read(tid, "wchan", buf, sizeof(buf)) &&
	       strstr(buf, "futex") != NULL;
}

#endif /* RC_TESTS_PARKED_H */
