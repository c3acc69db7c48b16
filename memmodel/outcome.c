/* SPDX-License-Identifier: MIT */
/* outcome.c: the model registry, outcome sets, and the text and Graphviz of executions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmodel/enum.h"

static const struct rc_model *const models[] = {
	&_rc_model_sc,	&_rc_model_tso, &_rc_model_rc11,
	&_rc_model_c11, &_rc_model_ra,	&_rc_model_sra,
};

#define NMODELS (sizeof(models) / sizeof(models[0]))

size_t rc_model_count(void)
{
	return NMODELS;
}

const rc_model_t *rc_model_at(size_t i)
{
	return i < NMODELS ? models[i] : NULL;
}

const rc_model_t *rc_model_find(const char *name)
{
	for (size_t i = 0; i < NMODELS; i++)
		if (strcmp(models[i]->name, name) == 0 ||
		    (models[i]->herd_name &&
		     strcmp(models[i]->herd_name, name) == 0))
			return models[i];
	return NULL;
}

const rc_model_t *rc_model_herd_compat(const rc_model_t *m)
{
	return m->herd ? m->herd : m;
}

const char *rc_model_name(const rc_model_t *m)
{
	return m->name;
}

const char *rc_model_herd_name(const rc_model_t *m)
{
	return m->herd_name;
}

const char *rc_model_summary(const rc_model_t *m)
{
	return m->summary;
}

int rc_model_applies(const rc_model_t *m, const rc_litmus_t *t)
{
	return (m->archs >> t->arch) & 1;
}

void rc_model_names_for(const rc_litmus_t *t, char *buf, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < rc_model_count(); i++) {
		const rc_model_t *m = rc_model_at(i);

		if (rc_model_applies(m, t) && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? ", " : "",
						rc_model_name(m));
	}
}

const char *rc_observation_name(enum rc_observation ob)
{
	return ob == RC_OBS_ALWAYS	? "Always"
	       : ob == RC_OBS_SOMETIMES ? "Sometimes"
					: "Never";
}

const char *rc_outcomes_check(const rc_outcomes_t *o)
{
	return o->undef ? "Undef" : o->ok ? "Ok" : "No";
}

/* ---- state sets ---- */

int _rc_statemap_init(struct statemap *m, size_t nobs)
{
	memset(m, 0, sizeof(*m));
	m->nobs = nobs;
	m->tabcap = 64;
	m->tab = calloc(m->tabcap, sizeof(size_t));
	return m->tab ? 0 : -RC_ENOMEM;
}

void _rc_statemap_free(struct statemap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->st[i].vals);
		free(m->st[i].why);
	}
	free(m->st);
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

static size_t hash_vals(const int64_t *v, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint64_t)v[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	return (size_t)h;
}

struct rc_state *_rc_statemap_get(struct statemap *m, const int64_t *vals,
				  int *fresh)
{
	size_t h = hash_vals(vals, m->nobs), mask = m->tabcap - 1, i;
	struct rc_state *s;

	*fresh = 0;
	for (i = h & mask; m->tab[i]; i = (i + 1) & mask) {
		s = &m->st[m->tab[i] - 1];
		if (memcmp(s->vals, vals, m->nobs * sizeof(int64_t)) == 0)
			return s;
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? 2 * m->cap : 16;
		struct rc_state *ns = realloc(m->st, nc * sizeof(*ns));

		if (!ns)
			return NULL;
		m->st = ns;
		m->cap = nc;
	}
	s = &m->st[m->n];
	memset(s, 0, sizeof(*s));
	s->vals = malloc((m->nobs + 1) * sizeof(int64_t));
	if (!s->vals)
		return NULL;
	memcpy(s->vals, vals, m->nobs * sizeof(int64_t));
	m->n++;
	m->tab[i] = m->n;
	*fresh = 1;
	if (2 * m->n > m->tabcap) {
		size_t nc = 2 * m->tabcap;
		size_t *nt = calloc(nc, sizeof(size_t));

		if (!nt) {
			m->n--;
			free(s->vals);
			m->tab[i] = 0;
			return NULL;
		}
		for (size_t k = 0; k < m->n; k++) {
			size_t j = hash_vals(m->st[k].vals, m->nobs) & (nc - 1);

			while (nt[j])
				j = (j + 1) & (nc - 1);
			nt[j] = k + 1;
		}
		free(m->tab);
		m->tab = nt;
		m->tabcap = nc;
	}
	return s;
}

/* ---- outcomes ---- */

/* A state's text, the key it is sorted on, and where it is. */
struct state_key {
	char *text;
	size_t idx;
};

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct state_key *)a)->text,
		      ((const struct state_key *)b)->text);
}

/* Appends text to buf (of size n) at *len, as snprintf would count it. */
static void put(char *buf, size_t n, size_t *len, const char *text, size_t l)
{
	if (*len < n) {
		size_t room = n - *len - 1;

		memcpy(buf + *len, text, l < room ? l : room);
		buf[*len + (l < room ? l : room)] = '\0';
	}
	*len += l;
}

int rc_state_str(const rc_outcomes_t *o, const struct rc_state *s, char *buf,
		 size_t n)
{
	size_t len = 0;

	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < o->nobs; i++) {
		char num[24], *p = num + sizeof num;
		int64_t v = s->vals[i];
		uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

		/* formatted by hand: snprintf made states a run's bulk */
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			*--p = '-';
		if (i)
			put(buf, n, &len, "; ", 2);
		put(buf, n, &len, o->obs_names[i], strlen(o->obs_names[i]));
		put(buf, n, &len, "=", 1);
		put(buf, n, &len, p, (size_t)(num + sizeof num - p));
	}
	return (int)len;
}

/*
 * Sorts the states by their text, each formatted once (formatting in the
 * comparison made the sort the bulk of the run on tests with thousands of
 * states). Returns -RC_ENOMEM when out of memory, the states unsorted.
 */
static int sort_states(rc_outcomes_t *o, struct rc_state *s, size_t n)
{
	struct state_key *k;
	struct rc_state *tmp;
	int rc = 0;

	if (n < 2)
		return 0;
	k = calloc(n, sizeof(*k));
	tmp = malloc(n * sizeof(*tmp));
	if (!k || !tmp) {
		rc = -RC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int len = rc_state_str(o, &s[i], NULL, 0);

		k[i].idx = i;
		k[i].text = malloc((size_t)len + 1);
		if (!k[i].text) {
			rc = -RC_ENOMEM;
			goto out;
		}
		rc_state_str(o, &s[i], k[i].text, (size_t)len + 1);
	}
	qsort(k, n, sizeof(*k), key_cmp);
	for (size_t i = 0; i < n; i++)
		tmp[i] = s[k[i].idx];
	memcpy(s, tmp, n * sizeof(*s));
out:
	if (k)
		for (size_t i = 0; i < n; i++)
			free(k[i].text);
	free(k);
	free(tmp);
	return rc;
}

int _rc_outcomes_make(const rc_litmus_t *t, const struct rc_model *m,
		      const struct rc_lvar *obs, size_t nobs,
		      struct statemap *allowed, struct statemap *forbidden,
		      uint64_t positive, uint64_t negative, int undef,
		      uint64_t candidates, char *dot, rc_outcomes_t **out)
{
	rc_outcomes_t *o = calloc(1, sizeof(*o));
	size_t nf = 0;

	*out = NULL;
	if (!o) {
		free(dot);
		return -RC_ENOMEM;
	}
	o->model = m;
	o->test = t;
	o->nobs = nobs;
	o->obs = calloc(nobs + 1, sizeof(*o->obs));
	o->obs_names = calloc(nobs + 1, sizeof(char *));
	o->dot = dot;
	if (!o->obs || !o->obs_names)
		goto oom;
	for (size_t i = 0; i < nobs; i++) {
		char buf[300];

		o->obs[i] = obs[i];
		rc_litmus_var_name(t, obs[i], buf, sizeof buf);
		o->obs_names[i] = strdup(buf);
		if (!o->obs_names[i])
			goto oom;
	}
	/* take the states out of the maps */
	o->states = allowed->st;
	o->nstates = allowed->n;
	allowed->st = NULL;
	allowed->n = allowed->cap = 0;
	o->forbidden = forbidden->st;
	for (size_t i = 0; i < forbidden->n; i++) {
		struct rc_state *s = &forbidden->st[i];
		int fresh = 0;
		bool is_allowed = false;

		for (size_t k = 0; k < o->nstates && !is_allowed; k++)
			if (memcmp(o->states[k].vals, s->vals,
				   nobs * sizeof(int64_t)) == 0)
				is_allowed = true;
		(void)fresh;
		if (is_allowed) {
			free(s->vals);
			free(s->why);
		} else {
			o->forbidden[nf++] = *s;
		}
	}
	o->nforbidden = nf;
	forbidden->st = NULL;
	forbidden->n = forbidden->cap = 0;
	if (sort_states(o, o->states, o->nstates) < 0 ||
	    sort_states(o, o->forbidden, o->nforbidden) < 0)
		goto oom;
	o->positive = positive;
	o->negative = negative;
	o->candidates = candidates;
	o->undef = undef;
	o->observation = positive == 0	 ? RC_OBS_NEVER
			 : negative == 0 ? RC_OBS_ALWAYS
					 : RC_OBS_SOMETIMES;
	switch (t->quant) {
	case RC_LQ_EXISTS:
		o->ok = positive > 0;
		break;
	case RC_LQ_NOT_EXISTS:
		o->ok = positive == 0;
		break;
	case RC_LQ_FORALL:
		o->ok = negative == 0;
		break;
	}
	*out = o;
	return 0;
oom:
	rc_outcomes_free(o);
	return -RC_ENOMEM;
}

void rc_outcomes_free(rc_outcomes_t *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nstates; i++) {
		free(o->states[i].vals);
		free(o->states[i].why);
	}
	for (size_t i = 0; i < o->nforbidden; i++) {
		free(o->forbidden[i].vals);
		free(o->forbidden[i].why);
	}
	if (o->obs_names)
		for (size_t i = 0; i < o->nobs; i++)
			free(o->obs_names[i]);
	free(o->obs_names);
	free(o->obs);
	free(o->states);
	free(o->forbidden);
	free(o->dot);
	free(o);
}
