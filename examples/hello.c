/* SPDX-License-Identifier: MIT */
/* hello.c: two replicas exchange a message stamped with a vector clock. */
/*
 * Build against the installed library:
 *   cc hello.c $(pkg-config --cflags --libs replicore) -o hello
 */
#include <pthread.h>
#include <stdio.h>

#include <replicore/replicore.h>

static rc_chan_t *chan;
static rc_vclock_t *sent;

static void *sender(void *arg)
{
	rc_vclock_t *vc = rc_vclock_create(2);

	(void)arg;
	rc_vclock_tick(vc, 0);
	sent = rc_vclock_dup(vc);
	/* Release: the clock written above is visible to the receiver. */
	rc_chan_send_spsc(chan, sent);
	rc_vclock_destroy(vc);
	return NULL;
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_vclock_t *vc, *m;
	rc_topo_t *topo;
	pthread_t t;
	char buf[64];

	if (rc_topo_open(&topo, NULL, NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		return 1;
	}
	printf("replicore %s: %u NUMA node(s), %u PU(s)\n", RC_CONFIG_VERSION,
	       rc_topo_nnodes(topo), rc_topo_npus(topo));
	if (rc_chan_create(&chan, RC_CHAN_SPSC, 1, &err) < 0) {
		rc_err_print(&err, stderr);
		return 1;
	}
	vc = rc_vclock_create(2);
	pthread_create(&t, NULL, sender, NULL);
	m = rc_chan_recv_spsc(chan); /* acquire: pairs with the send */
	rc_vclock_recv(vc, 1, m);
	pthread_join(t, NULL);
	rc_vclock_format(vc, buf, sizeof(buf));
	printf("received after %s: %s\n", buf,
	       rc_vclock_before(m, vc) ? "send happened before receive"
				       : "clocks are wrong");
	rc_vclock_destroy(m);
	rc_vclock_destroy(vc);
	rc_chan_destroy(chan);
	rc_topo_close(topo);
	return 0;
}
