/* SPDX-License-Identifier: MIT */
/* fd.c: the failure detectors of replicore/fd.h: a heartbeat timeout that backs off after each false suspicion, and phi accrual over a window of gaps. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/fd.h>

#include "protocols/fd/fd.h"

/*
 * The design. A detector is a table of peers, each with the time of its
 * last arrival. Nothing is decided when time passes, only when the owner
 * asks: a peer is suspected at t exactly when t has reached its deadline,
 * so the answer depends on the arrival times and t alone, never on when
 * or how often the owner asked. A suspicion therefore needs no state of
 * its own: rc_fd_heard sees that its arrival came at or after the
 * deadline and counts a retraction, and rc_fd_stats counts the peers past
 * their deadline as suspicions in force.
 *
 * Heartbeat kind (Chandra and Toueg, JACM 1996, section 9.1): deadline =
 * last + timeout, and a retraction multiplies the peer's timeout by the
 * backoff. Invariant: the timeout never shrinks, so once it exceeds the
 * longest gap between arrivals that the network can still produce (under
 * partial synchrony such a bound exists after some time) no live peer is
 * suspected again; a crashed peer's arrivals stop, and it is suspected
 * from last + timeout on, for good.
 *
 * Accrual kind (Hayashibara et al., SRDS 2004): the last `window` gaps
 * between arrivals, their mean mu and standard deviation sigma (floored
 * at min_std_ns, so that a run of equal gaps does not make the slightest
 * lateness look impossible), recomputed on each arrival (O(window), no
 * running sums to drift); phi(t) = -log10(1 - F(t - last)), F the normal
 * distribution function with mean mu and deviation sigma. phi grows
 * monotonically with t - last, so the deadline, the least t with phi(t)
 * >= threshold, is found by bisection and agrees with rc_fd_suspects by
 * construction. 1 - F is computed as erfc(x) / 2 with x = (t - last -
 * mu) / (sigma sqrt 2); for x > 25, where erfc nears the smallest double,
 * as its asymptotic series exp(-x^2) / (x sqrt pi) (1 - 1/(2x^2) +
 * 3/(4x^4)), in logarithms, whose relative error there is below 1e-8.
 *
 * The broken variant (sticky: set by _rc_fd_make_sticky, or in every
 * detector of a copy built with RC_FD_BROKEN_STICKY) never retracts: a
 * peer once past its deadline stays suspected whatever arrives after,
 * which a check of eventual accuracy must catch.
 */

#define SQRT_PI 1.7724538509055160273
#define SQRT_2 1.4142135623730950488

struct peer {
	uint64_t last;	  /* ns of the last arrival (or the creation) */
	uint64_t timeout; /* heartbeat kind */
	double mu, sigma; /* accrual kind, of the window */
	unsigned n, head; /* gaps held, the oldest's index */
	bool stuck;	  /* sticky: suspected for good */
};

struct rc_fd {
	struct rc_fd_opts o;
	unsigned npeers;
	bool sticky;
	uint64_t heard, retractions;
	struct peer *p;
	double *gap; /* npeers * window, accrual kind */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* mu and sigma of peer i's window. */
static void fit(struct rc_fd *fd, unsigned i)
{
	struct peer *p = &fd->p[i];
	const double *g = fd->gap + (size_t)i * fd->o.window;
	double sum = 0, var = 0;

	for (unsigned k = 0; k < p->n; k++)
		sum += g[k];
	p->mu = sum / p->n;
	for (unsigned k = 0; k < p->n; k++)
		var += (g[k] - p->mu) * (g[k] - p->mu);
	p->sigma = sqrt(var / p->n);
	if (p->sigma < (double)fd->o.min_std_ns)
		p->sigma = (double)fd->o.min_std_ns;
}

int rc_fd_create(rc_fd_t **out, unsigned npeers, uint64_t now_ns,
		 const struct rc_fd_opts *opts, rc_err_t *err)
{
	const struct rc_fd_opts *o = opts;
	struct rc_fd *fd;

	*out = NULL;
	if (npeers < 1 || npeers > 65536)
		return rc_err_set(err, RC_EINVAL, "fd", 0, 0,
				  "npeers must be 1..65536, not %u", npeers);
	if (o->kind != RC_FD_HEARTBEAT && o->kind != RC_FD_ACCRUAL)
		return rc_err_set(err, RC_EINVAL, "fd", 0, 0,
				  "kind must be RC_FD_HEARTBEAT or "
				  "RC_FD_ACCRUAL");
	if (o->interval_ns == 0)
		return rc_err_set(err, RC_EINVAL, "fd", 0, 0,
				  "interval_ns must be above 0");
	if (o->kind == RC_FD_HEARTBEAT &&
	    (o->timeout_ns == 0 || !(o->backoff >= 1 && o->backoff < 1e6)))
		return rc_err_set(err, RC_EINVAL, "fd", 0, 0,
				  "timeout_ns must be above 0 and backoff "
				  "1..1e6");
	if (o->kind == RC_FD_ACCRUAL &&
	    (o->window < 1 || o->window > 65536 || o->min_std_ns == 0 ||
	     !(o->threshold > 0 && o->threshold < 1e6)))
		return rc_err_set(err, RC_EINVAL, "fd", 0, 0,
				  "window must be 1..65536, min_std_ns above "
				  "0 and threshold in (0, 1e6)");
	if ((fd = calloc(1, sizeof(*fd))) == NULL ||
	    (fd->p = calloc(npeers, sizeof(*fd->p))) == NULL ||
	    (o->kind == RC_FD_ACCRUAL &&
	     (fd->gap = calloc((size_t)npeers * o->window, sizeof(*fd->gap))) ==
		     NULL)) {
		rc_fd_destroy(fd);
		return rc_err_set(err, RC_ENOMEM, "fd", 0, 0, "out of memory");
	}
	fd->o = *o;
	fd->npeers = npeers;
#ifdef RC_FD_BROKEN_STICKY
	fd->sticky = true;
#endif
	for (unsigned i = 0; i < npeers; i++)
		rc_fd_reset(fd, i, now_ns, o->timeout_ns);
	*out = fd;
	return 0;
}

void rc_fd_reset(rc_fd_t *fd, unsigned peer, uint64_t now_ns,
		 uint64_t timeout_ns)
{
	struct peer *p;

	assert(peer < fd->npeers);
	p = &fd->p[peer];
	p->last = now_ns;
	p->timeout = timeout_ns;
	p->stuck = false;
	if (fd->o.kind == RC_FD_ACCRUAL) {
		/* one expected gap until the first arrivals */
		fd->gap[(size_t)peer * fd->o.window] =
			(double)fd->o.interval_ns;
		p->n = 1;
		p->head = 0;
		fit(fd, peer);
	}
}

uint64_t rc_fd_last(const rc_fd_t *fd, unsigned peer)
{
	assert(peer < fd->npeers);
	return fd->p[peer].last;
}

void rc_fd_destroy(rc_fd_t *fd)
{
	if (fd == NULL)
		return;
	free(fd->gap);
	free(fd->p);
	free(fd);
}

void _rc_fd_make_sticky(rc_fd_t *fd)
{
	fd->sticky = true;
}

/* log10 of erfc(x) / 2, the chance that the gap is longer still. */
static double log10_later(double x)
{
	double x2;

	if (x <= 25)
		return log10(0.5 * erfc(x));
	x2 = x * x;
	return (-x2 - log(x * SQRT_PI) +
		log(1 - 1 / (2 * x2) + 3 / (4 * x2 * x2)) - log(2.0)) /
	       log(10.0);
}

double rc_fd_phi(const rc_fd_t *fd, unsigned peer, uint64_t now_ns)
{
	const struct peer *p;
	double t;

	assert(peer < fd->npeers);
	p = &fd->p[peer];
	t = now_ns > p->last ? (double)(now_ns - p->last) : 0;
	if (fd->o.kind == RC_FD_HEARTBEAT)
		return p->timeout ? t / (double)p->timeout : INFINITY;
	return -log10_later((t - p->mu) / (p->sigma * SQRT_2));
}

/* Whether peer p is past its deadline at now (stuck aside). */
static bool late(const rc_fd_t *fd, unsigned i, uint64_t now)
{
	const struct peer *p = &fd->p[i];

	if (fd->o.kind == RC_FD_HEARTBEAT)
		return now >= sat_add(p->last, p->timeout);
	return rc_fd_phi(fd, i, now) >= fd->o.threshold;
}

bool rc_fd_suspects(const rc_fd_t *fd, unsigned peer, uint64_t now_ns)
{
	assert(peer < fd->npeers);
	return fd->p[peer].stuck || late(fd, peer, now_ns);
}

uint64_t rc_fd_deadline(const rc_fd_t *fd, unsigned peer)
{
	const struct peer *p;
	uint64_t lo, hi, step;

	assert(peer < fd->npeers);
	p = &fd->p[peer];
	if (p->stuck)
		return p->last;
	if (fd->o.kind == RC_FD_HEARTBEAT)
		return sat_add(p->last, p->timeout);
	if (late(fd, peer, p->last))
		return p->last;
	/* late(hi) by doubling the step, then the least late t in
	 * (lo, hi] by bisection: at most 64 + 64 evaluations */
	lo = p->last;
	step = (uint64_t)(p->mu + p->sigma) + 1;
	for (;;) {
		hi = sat_add(p->last, step);
		if (late(fd, peer, hi))
			break;
		if (hi == UINT64_MAX)
			return UINT64_MAX;
		lo = hi;
		step = step > UINT64_MAX / 2 ? UINT64_MAX : 2 * step;
	}
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (late(fd, peer, mid))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

bool rc_fd_heard(rc_fd_t *fd, unsigned peer, uint64_t now_ns)
{
	struct peer *p;
	bool was = false;

	assert(peer < fd->npeers);
	p = &fd->p[peer];
	if (now_ns < p->last)
		now_ns = p->last; /* a clock that went back: no gap */
	fd->heard++;
	/* a timeout of 0 is the owner's suspicion (rc_fd_reset), not ours */
	if (!p->stuck && late(fd, peer, now_ns) &&
	    (fd->o.kind != RC_FD_HEARTBEAT || p->timeout > 0)) {
		if (fd->sticky) {
			p->stuck = true;
		} else {
			was = true;
			fd->retractions++;
			if (fd->o.kind == RC_FD_HEARTBEAT) {
				double t = (double)p->timeout * fd->o.backoff;

				p->timeout = t >= 0x1p62 ? UINT64_C(1) << 62
							 : (uint64_t)t;
			}
		}
	}
	if (fd->o.kind == RC_FD_ACCRUAL) {
		double *g = fd->gap + (size_t)peer * fd->o.window;
		double d = (double)(now_ns - p->last);

		if (p->n < fd->o.window) {
			g[(p->head + p->n) % fd->o.window] = d;
			p->n++;
		} else {
			g[p->head] = d;
			p->head = (p->head + 1) % fd->o.window;
		}
		fit(fd, peer);
	}
	p->last = now_ns;
	return was;
}

uint64_t rc_fd_timeout(const rc_fd_t *fd, unsigned peer)
{
	assert(peer < fd->npeers);
	return fd->o.kind == RC_FD_HEARTBEAT ? fd->p[peer].timeout : 0;
}

void rc_fd_stats(const rc_fd_t *fd, uint64_t now_ns, struct rc_fd_stats *st)
{
	st->heard = fd->heard;
	st->retractions = fd->retractions;
	st->suspicions = fd->retractions;
	for (unsigned i = 0; i < fd->npeers; i++)
		if (rc_fd_suspects(fd, i, now_ns))
			st->suspicions++;
}
