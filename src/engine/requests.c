/*
 * requests.c - the request workflow: submit (the gate plus the inventory
 * checks), hold, approve, reject, and the re-check that releases held
 * requests.  Every decision is recorded with its audit event in one
 * transaction.  Submission does its CPU work (parsing, the policy,
 * signing) before it takes the write lock and decides under it; see
 * "submit" below for how and why that is safe.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../policy/policy_eval.h"
#include "../x509/csr.h"

static const char *const submit_roles[] = {"requester", "pki-admin"};

void
cw_outcome_cleanup(cw_outcome *o)
{
	if (o == NULL)
		return;
	json_decref(o->violations);
	json_decref(o->exceptions);
	memset(o, 0, sizeof(*o));
}

typedef struct exc_ctx {
	const char *rule;
	int64_t id;
} exc_ctx;

static bool
find_exc(const cw_exception *x, void *arg)
{
	exc_ctx *c = arg;

	if (strcmp(x->rule, c->rule) == 0) {
		c->id = x->id;
		return false;
	}
	return true;
}

/*
 * Everything that decides whether a request may be issued, apart from
 * approvals and owner freshness: the policy gate, the service, key reuse,
 * renewal rules, then exceptions in force for (template, service), which
 * waive the violations they name.  *v receives what remains; exc_ids the
 * exceptions used.  gate, when not NULL, holds the policy's findings
 * computed before (they depend on the CSR and the template only); NULL
 * evaluates the policy here.
 */
static cw_rc
evaluate(cw_engine *e, const cw_template *t, const char *service,
    const cw_csr *csr, const char *renew_of, const cw_violations *gate,
    cw_violations *v, json_t *exc_ids, cw_service *svc, bool *svc_found,
    cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_violations all;
	cw_cert_rec old;
	char serial[48], hex[65];
	bool found;
	size_t i;
	exc_ctx ctx;

	cw_violations_init(&all);
	memset(&old, 0, sizeof(old));
	if (gate != NULL)
		cw_violations_extend(&all, gate);
	else
		CW_TRY(cw_policy_eval(t, csr, &all, err));
	CW_TRY(cw_store_service_get(e->store, service, svc, svc_found, err));
	if (!*svc_found)
		cw_violations_add(&all, "service.unknown", "service '%s' is not "
		    "in the inventory; a pki-admin adds it with 'certward "
		    "service add'", service);
	else if (svc->retired)
		cw_violations_add(&all, "service.retired", "service '%s' is "
		    "retired and takes no new certificates", service);
	if (!t->key_reuse_allow) {
		CW_TRY(cw_store_cert_key_known(e->store, csr->key.spki_sha256,
		    serial, &found, err));
		cw_hex(csr->key.spki_sha256, 32, hex);
		if (found)
			cw_violations_add(&all, "key.reuse", "this public key "
			    "(SPKI SHA-256 %s) is already in the inventory in "
			    "certificate %s; template '%s' requires a new key",
			    hex, serial, t->name);
	}
	if (renew_of != NULL && renew_of[0] != '\0') {
		CW_TRY(cw_store_cert_get(e->store, renew_of, &old, &found, err));
		if (!found)
			cw_violations_add(&all, "renewal.unknown", "--renew %s: "
			    "no such certificate in the inventory", renew_of);
		else if (strcmp(old.service, service) != 0)
			cw_violations_add(&all, "renewal.service", "--renew %s: "
			    "that certificate belongs to service '%s'", renew_of,
			    old.service);
		else if (strcmp(old.status, "valid") != 0)
			cw_violations_add(&all, "renewal.status", "--renew %s: "
			    "that certificate is %s", renew_of, old.status);
		else if (memcmp(old.spki_sha256, csr->key.spki_sha256, 32) ==
		    0 && t->key_reuse_allow)
			/* with key_reuse deny, key.reuse is already reported */
			cw_violations_add(&all, "key.reuse", "a renewal must "
			    "carry a new key; this CSR has the key of %s",
			    renew_of);
	}
	for (i = 0; i < all.n; i++) {
		ctx.rule = all.items[i].rule;
		ctx.id = 0;
		if (*svc_found && cw_rule_waivable(ctx.rule))
			CW_TRY(cw_store_exception_each(e->store, t->name,
			    service, cw_engine_now(e), find_exc, &ctx, err));
		if (ctx.id != 0) {
			json_array_append_new(exc_ids, json_integer(ctx.id));
			continue;
		}
		cw_violations_add(v, all.items[i].rule, "%s",
		    all.items[i].msg);
	}
	v->truncated |= all.truncated;
	v->oom |= all.oom;
out:
	cw_cert_rec_cleanup(&old);
	cw_violations_cleanup(&all);
	return rc;
}

static bool
owner_stale(const cw_engine *e, const cw_template *t, const cw_service *svc)
{
	return t->owner_required && t->owner_max_age > 0 &&
	    cw_engine_now(e) - svc->verified_at > t->owner_max_age;
}

static void
fill_outcome(const cw_request *r, const cw_violations *v, json_t *exc,
    cw_outcome *o)
{
	cw_outcome_cleanup(o);
	o->id = r->id;
	snprintf(o->state, sizeof(o->state), "%s", r->state);
	snprintf(o->serial, sizeof(o->serial), "%s", r->serial);
	snprintf(o->reason, sizeof(o->reason), "%s", r->reason);
	o->violations = v != NULL ? cw_violations_json(v) : json_loads(
	    r->violations, 0, NULL);
	if (o->violations == NULL)
		o->violations = json_array();
	o->exceptions = exc != NULL ? json_incref(exc) : json_array();
}

static cw_rc
set_json_text(char **dst, const json_t *j, cw_err *err)
{
	free(*dst);
	*dst = cw_json_canonical(j);
	return *dst != NULL ? CW_OK : cw_err_set(err, CW_ERR_NOMEM,
	    "out of memory");
}

/* --- submit ---------------------------------------------------------------- */

/*
 * How a submission is split around the write lock (docs/performance.md,
 * "Two processes on one data directory").  Everything SQLite serialises
 * between processes is what runs between BEGIN IMMEDIATE and COMMIT, so
 * the CPU work is done before:
 *
 *   prepare(), no lock held: parse the CSR and verify its signature,
 *   evaluate the template's policy (pure: the CSR and the template only),
 *   then predict the verdict with the same judge() as below over plain
 *   reads of the inventory; when the prediction is "issue", build, lint
 *   and sign the certificate (cw_engine_issue_sign).
 *
 *   submit_one(), inside the write transaction: judge() again, over the
 *   policy findings from before, re-reading everything that lives in the
 *   database: the service (unknown, retired, owner attestation), key
 *   reuse against the whole inventory, the renewed certificate, the
 *   exceptions in force.  This verdict alone decides and is recorded; the
 *   prediction only saved work.
 *
 * Why this is safe.  The certificate's bytes depend only on the CSR, the
 * template, the configuration, the issuing CA and the clock; nothing in
 * the database changes them, so a certificate signed before the lock is
 * the one that would have been signed under it (its validity starts the
 * few milliseconds earlier that the wait for the lock took).  Whether to
 * issue does depend on the database, and that is decided under the lock:
 * BEGIN IMMEDIATE admits one writer at a time and the transaction reads
 * every commit of other processes and this group's own earlier inserts,
 * so a key submitted twice concurrently, by two processes or twice in one
 * group, is issued once and the other request is rejected with key.reuse.
 * The pre-signed certificate is stored only if the verdict under the lock
 * is "issue" and its serial is still unused (cw_engine_issue_store);
 * otherwise it is wiped and freed (cw_issued_discard), never stored,
 * returned or logged, and the request is recorded with the verdict made
 * under the lock (signed there when that verdict is "issue" and nothing
 * usable was signed before).  Nothing is written before the lock: a crash
 * loses at most certificates that only ever existed in memory, and the
 * request, its certificate and their audit events still commit together.
 */

/* One submission between prepare() and the commit. */
typedef struct prepared {
	const cw_template *t;
	cw_csr *csr;
	cw_violations gate; /* the policy's findings */
	cw_issued cert;     /* signed before the lock, or not ready */
} prepared;

static void
prepared_cleanup(prepared *p)
{
	cw_csr_free(p->csr);
	cw_violations_cleanup(&p->gate);
	cw_issued_discard(&p->cert);
	memset(p, 0, sizeof(*p));
	cw_violations_init(&p->gate);
}

/*
 * The verdict on a new submission, the one place that decides it: sets
 * r->state (rejected, held, pending, or approved = issue now) and
 * r->reason; *v and exc as evaluate() leaves them.
 */
static cw_rc
judge(cw_engine *e, const cw_submit *s, const prepared *p, cw_request *r,
    cw_violations *v, json_t *exc, cw_err *err)
{
	cw_rc rc = CW_OK;
	const cw_template *t = p->t;
	cw_service svc;
	bool svc_found;

	memset(&svc, 0, sizeof(svc));
	CW_TRY(evaluate(e, t, s->service, p->csr, s->renew_serial, &p->gate,
	    v, exc, &svc, &svc_found, err));
	r->reason[0] = '\0';
	if (cw_violations_any(v)) {
		snprintf(r->state, sizeof(r->state), "rejected");
		snprintf(r->reason, sizeof(r->reason), "%zu violation%s", v->n,
		    v->n == 1 ? "" : "s");
	} else if (owner_stale(e, t, &svc)) {
		/* fail safe: never issued automatically on a stale owner */
		snprintf(r->state, sizeof(r->state), "held");
		snprintf(r->reason, sizeof(r->reason), "the ownership of "
		    "service '%s' was last attested %lld s ago; template '%s' "
		    "requires it within %lld s: run 'certward service verify "
		    "%s'", svc.name, (long long)(cw_engine_now(e) -
		    svc.verified_at), t->name, (long long)t->owner_max_age,
		    svc.name);
	} else if (t->approvals_required > 0) {
		snprintf(r->state, sizeof(r->state), "pending");
		snprintf(r->reason, sizeof(r->reason), "awaiting %d approval%s",
		    t->approvals_required, t->approvals_required == 1 ? "" :
		    "s");
	} else {
		snprintf(r->state, sizeof(r->state), "approved");
	}
out:
	return rc;
}

/* Before the lock: parse, the policy, the predicted verdict and, when it
 * says issue, the signed certificate.  *p must be empty. */
static cw_rc
prepare(cw_engine *e, const cw_submit *s, prepared *p, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_request r;
	cw_violations v;
	json_t *exc = NULL;

	memset(&r, 0, sizeof(r));
	cw_violations_init(&v);
	p->t = cw_policy_get0_template(e->policy, s->template_name);
	CW_ENSURE(p->t != NULL, CW_ERR_NOT_FOUND, "the policy has no "
	    "template '%s'", s->template_name);
	CW_TRY(cw_csr_parse(s->csr, s->csr_len, &p->csr, err));
	CW_TRY(cw_policy_eval(p->t, p->csr, &p->gate, err));
	exc = json_array();
	CW_ENSURE_MEM(exc);
	CW_TRY(judge(e, s, p, &r, &v, exc, err));
	if (strcmp(r.state, "approved") == 0)
		CW_TRY(cw_engine_issue_sign(e, p->t, p->csr, &p->cert, err));
out:
	json_decref(exc);
	cw_violations_cleanup(&v);
	return rc;
}

/* Inside the caller's transaction: decides one prepared submission,
 * records it and, when it is to be issued, the certificate. */
static cw_rc
submit_one(cw_engine *e, const cw_actor *a, const cw_submit *s, prepared *p,
    cw_outcome *out, cw_err *err)
{
	cw_rc rc = CW_OK;
	const cw_template *t = p->t;
	cw_violations v;
	cw_request r;
	json_t *exc = NULL, *vj = NULL, *det = NULL;
	char obj[64], hex[65];

	cw_violations_init(&v);
	memset(&r, 0, sizeof(r));
	exc = json_array();
	CW_ENSURE_MEM(exc);
	CW_TRY(judge(e, s, p, &r, &v, exc, err));

	snprintf(r.template_name, sizeof(r.template_name), "%s", t->name);
	snprintf(r.service, sizeof(r.service), "%s", s->service);
	r.csr = p->csr->der;
	r.csr_len = p->csr->der_len;
	snprintf(r.requester, sizeof(r.requester), "%s", a->name);
	snprintf(r.origin, sizeof(r.origin), "%s", a->origin);
	snprintf(r.channel, sizeof(r.channel), "%s", a->channel);
	snprintf(r.renew_of, sizeof(r.renew_of), "%s", s->renew_serial ?
	    s->renew_serial : "");
	r.created_at = r.updated_at = cw_engine_now(e);
	vj = cw_violations_json(&v);
	CW_ENSURE_MEM(vj);
	CW_TRY(set_json_text(&r.violations, vj, err));
	CW_TRY(set_json_text(&r.exceptions, exc, err));
	CW_TRY(cw_store_request_insert(e->store, &r, err));

	cw_hex(p->csr->key.spki_sha256, 32, hex);
	det = json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:s}", "template",
	    t->name, "service", s->service, "state", r.state, "violations", vj,
	    "exceptions", exc, "spki_sha256", hex, "key_type",
	    cw_key_type_name(p->csr->key.type));
	CW_ENSURE_MEM(det);
	if (r.renew_of[0])
		json_object_set_new(det, "renew_of", json_string(r.renew_of));
	if (strcmp(r.state, "held") == 0)
		json_object_set_new(det, "reason", json_string(r.reason));
	snprintf(obj, sizeof(obj), "request:%lld", (long long)r.id);
	CW_TRY(cw_engine_audit(e, a, "request.submit", obj, det, err));
	if (strcmp(r.state, "approved") == 0)
		CW_TRY(cw_engine_issue_store(e, a, &r, t, p->csr, NULL,
		    &p->cert, err));
	fill_outcome(&r, &v, exc, out);
out:
	/* a certificate signed for a verdict that did not hold is wiped */
	cw_issued_discard(&p->cert);
	r.csr = NULL; /* borrowed from p->csr */
	cw_request_cleanup(&r);
	json_decref(exc);
	json_decref(vj);
	json_decref(det);
	cw_violations_cleanup(&v);
	return rc;
}

/*
 * Submits n requests, committing them in transactions of up to `group`
 * (0 = 1): each group is prepared without the lock, then decided and
 * written in one write transaction (see above).  A failure rolls back the
 * group it happened in and clears its outcomes (they name records that
 * were never committed); earlier groups stay committed with theirs.
 */
cw_rc
cw_request_submit_many(cw_engine *e, const cw_actor *a, const cw_submit *s,
    size_t n, size_t group, cw_outcome *out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	prepared *prep = NULL;
	size_t i = 0, j, k = 0, n_prep = 0;
	bool open = false;

	if (group == 0)
		group = 1;
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, submit_roles, 2, "submit requests",
	    err));
	n_prep = group < n ? group : n;
	if (n_prep > 0) {
		prep = calloc(n_prep, sizeof(*prep));
		CW_ENSURE_MEM(prep);
	}
	for (j = 0; j < n_prep; j++)
		cw_violations_init(&prep[j].gate);
	for (i = 0; i < n; i += k) {
		k = n - i < group ? n - i : group;
		for (j = 0; j < k; j++)
			CW_TRY(prepare(e, &s[i + j], &prep[j], err));
		CW_TRY(cw_store_begin(e->store, err));
		open = true;
		for (j = 0; j < k; j++)
			CW_TRY(submit_one(e, a, &s[i + j], &prep[j], &out[i + j],
			    err));
		CW_TRY(cw_store_commit(e->store, err));
		open = false;
		for (j = 0; j < k; j++)
			prepared_cleanup(&prep[j]);
	}
out:
	if (open)
		cw_store_rollback(e->store);
	if (rc != CW_OK)
		for (j = 0; j < k; j++)
			cw_outcome_cleanup(&out[i + j]);
	for (j = 0; j < n_prep; j++)
		prepared_cleanup(&prep[j]);
	free(prep);
	return rc;
}

cw_rc
cw_request_submit(cw_engine *e, const cw_actor *a, const cw_submit *s,
    cw_outcome *out, cw_err *err)
{
	return cw_request_submit_many(e, a, s, 1, 1, out, err);
}

/* One submission prepared for a later batch: its own copies of the
 * actor's and the submission's strings (the caller's are gone by the
 * commit); csr is NULL, it lives parsed in p. */
struct cw_submit_prep {
	cw_actor a;
	cw_submit s;
	char *strs[6];
	prepared p;
};

void
cw_submit_prep_free(cw_submit_prep *x)
{
	size_t i;

	if (x == NULL)
		return;
	prepared_cleanup(&x->p);
	for (i = 0; i < sizeof(x->strs) / sizeof(x->strs[0]); i++)
		free(x->strs[i]);
	free(x);
}

/* A copy of src in x->strs[i] (NULL stays NULL). */
static cw_rc
prep_strdup(cw_submit_prep *x, size_t i, const char *src, const char **dst,
    cw_err *err)
{
	cw_rc rc = CW_OK;

	*dst = NULL;
	if (src == NULL)
		goto out;
	x->strs[i] = strdup(src);
	CW_ENSURE_MEM(x->strs[i]);
	*dst = x->strs[i];
out:
	return rc;
}

/*
 * Checks the actor and prepares one submission without the lock (see
 * above), for cw_request_commit_batch().  Fails as cw_request_submit()
 * would before its transaction; *out is owned by the caller.
 */
cw_rc
cw_request_prepare(cw_engine *e, const cw_actor *a, const cw_submit *s,
    cw_submit_prep **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_submit_prep *x = NULL;

	*out = NULL;
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_require_role(&actor, submit_roles, 2, "submit requests",
	    err));
	x = calloc(1, sizeof(*x));
	CW_ENSURE_MEM(x);
	cw_violations_init(&x->p.gate);
	CW_TRY(prep_strdup(x, 0, a->name, &x->a.name, err));
	CW_TRY(prep_strdup(x, 1, a->origin, &x->a.origin, err));
	CW_TRY(prep_strdup(x, 2, a->channel, &x->a.channel, err));
	CW_TRY(prep_strdup(x, 3, s->template_name, &x->s.template_name, err));
	CW_TRY(prep_strdup(x, 4, s->service, &x->s.service, err));
	CW_TRY(prep_strdup(x, 5, s->renew_serial, &x->s.renew_serial, err));
	CW_TRY(prepare(e, s, &x->p, err));
	*out = x;
	x = NULL;
out:
	cw_submit_prep_free(x);
	return rc;
}

/* Decides and writes x[from..to) in one write transaction: CW_OK when it
 * committed, with out[] filled; otherwise rolled back, out[]
 * of that range cleared and the first failure in *err. */
static cw_rc
commit_range(cw_engine *e, cw_submit_prep **x, size_t from, size_t to,
    cw_outcome *out, cw_err *err)
{
	cw_rc rc = CW_OK;
	size_t i;
	bool open = false;

	CW_TRY(cw_store_begin(e->store, err));
	open = true;
	for (i = from; i < to; i++)
		CW_TRY(submit_one(e, &x[i]->a, &x[i]->s, &x[i]->p, &out[i],
		    err));
	CW_TRY(cw_store_commit(e->store, err));
	open = false;
out:
	if (open)
		cw_store_rollback(e->store);
	if (rc != CW_OK)
		for (i = from; i < to; i++)
			cw_outcome_cleanup(&out[i]);
	return rc;
}

/*
 * Group commit: decides and records n prepared submissions, of any
 * actors, in one write transaction (one durable commit for all).  Each
 * gets its own answer: rcs[i] and errs[i], out[i] when rcs[i] is CW_OK
 * (committed).  Should the shared transaction fail, it is rolled back
 * and each submission is retried alone in its own transaction, so one
 * bad submission costs the others only the retry.  Consumes x[i]'s
 * pre-signed certificate either way (a retry signs under the lock);
 * the caller still frees x[i].
 */
void
cw_request_commit_batch(cw_engine *e, cw_submit_prep **x, size_t n,
    cw_outcome *out, cw_rc *rcs, cw_err *errs)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		cw_err_clear(&errs[i]);
		rcs[i] = CW_OK;
	}
	if (n == 0)
		return;
	rcs[0] = commit_range(e, x, 0, n, out, &errs[0]);
	if (rcs[0] == CW_OK || n == 1)
		return;
	for (i = 0; i < n; i++) {
		cw_err_clear(&errs[i]);
		rcs[i] = commit_range(e, x, i, i + 1, out, &errs[i]);
	}
}

/* --- decisions ------------------------------------------------------------ */

typedef struct count_ctx {
	const char *principal;
	int approvals;
	bool already;
	json_t *list;
} count_ctx;

static bool
count_cb(const cw_approval *ap, void *arg)
{
	count_ctx *c = arg;

	if (strcmp(ap->decision, "approve") == 0)
		c->approvals++;
	if (c->principal != NULL && strcmp(ap->principal, c->principal) == 0)
		c->already = true;
	if (c->list != NULL)
		json_array_append_new(c->list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I}", "principal", ap->principal, "role", ap->role,
		    "decision", ap->decision, "comment", ap->comment, "time",
		    (json_int_t)ap->time));
	return true;
}

/* The roles that may decide on a request of template t. */
static size_t
decider_roles(const cw_template *t, const char **roles, size_t max)
{
	size_t i, n = 0;

	if (t->approvals_required == 0 || t->n_approval_roles == 0) {
		/* only held requests of auto-approved templates get here */
		roles[n++] = "pki-admin";
		return n;
	}
	for (i = 0; i < t->n_approval_roles && n < max; i++)
		roles[n++] = t->approval_roles[i];
	return n;
}

static cw_rc
decide(cw_engine *e, const cw_actor *a, int64_t id, bool approve,
    const char *comment, cw_outcome *out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_user actor;
	cw_request r;
	const cw_template *t;
	const char *roles[CW_MAX_ROLES];
	size_t n_roles, i;
	cw_approval ap;
	count_ctx cc;
	cw_csr *csr = NULL;
	cw_violations v;
	cw_service svc;
	bool found, svc_found;
	json_t *exc = NULL, *vj = NULL, *det = NULL, *approvers = NULL;
	char obj[64];
	int needed;

	cw_violations_init(&v);
	memset(&r, 0, sizeof(r));
	CW_TRY(cw_store_begin(e->store, err));
	CW_TRY(cw_actor_check(e, a, &actor, err));
	CW_TRY(cw_store_request_get(e->store, id, &r, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown request %lld",
	    (long long)id);
	CW_ENSURE(strcmp(r.state, "pending") == 0 || strcmp(r.state, "held") ==
	    0, CW_ERR_NONCOMPLIANT, "request %lld is %s; only pending or held "
	    "requests take decisions", (long long)id, r.state);
	t = cw_policy_get0_template(e->policy, r.template_name);
	CW_ENSURE(t != NULL, CW_ERR_CONFIG, "request %lld names template '%s', "
	    "which the policy no longer has", (long long)id, r.template_name);
	/* the requester never decides on their own request, on any channel */
	CW_ENSURE(strcmp(r.requester, a->name) != 0, CW_ERR_NONCOMPLIANT,
	    "%s requested %lld and may not %s it: a requester never decides "
	    "on their own request", a->name, (long long)id, approve ?
	    "approve" : "reject");
	n_roles = decider_roles(t, roles, CW_MAX_ROLES);
	CW_TRY(cw_require_role(&actor, roles, n_roles, approve ?
	    "approve this request" : "reject this request", err));
	memset(&cc, 0, sizeof(cc));
	cc.principal = a->name;
	CW_TRY(cw_store_approval_each(e->store, id, count_cb, &cc, err));
	CW_ENSURE(!cc.already, CW_ERR_NONCOMPLIANT, "%s has already decided on "
	    "request %lld; each approver counts once", a->name, (long long)id);
	memset(&ap, 0, sizeof(ap));
	ap.request_id = id;
	snprintf(ap.principal, sizeof(ap.principal), "%s", a->name);
	for (i = 0; i < n_roles; i++)
		if (cw_user_has_role(&actor, roles[i])) {
			snprintf(ap.role, sizeof(ap.role), "%s", roles[i]);
			break;
		}
	snprintf(ap.decision, sizeof(ap.decision), "%s", approve ? "approve" :
	    "reject");
	snprintf(ap.comment, sizeof(ap.comment), "%s", comment ? comment : "");
	ap.time = cw_engine_now(e);
	CW_TRY(cw_store_approval_insert(e->store, &ap, err));
	det = json_pack("{s:s, s:s}", "role", ap.role, "comment", ap.comment);
	snprintf(obj, sizeof(obj), "request:%lld", (long long)id);
	CW_TRY(cw_engine_audit(e, a, approve ? "request.approve" :
	    "request.reject", obj, det, err));
	r.updated_at = ap.time;
	exc = json_loads(r.exceptions, 0, NULL);
	if (exc == NULL)
		exc = json_array();
	if (!approve) {
		snprintf(r.state, sizeof(r.state), "rejected");
		snprintf(r.reason, sizeof(r.reason), "rejected by %s: %.200s",
		    a->name, ap.comment);
		CW_TRY(cw_store_request_update(e->store, &r, err));
		fill_outcome(&r, NULL, exc, out);
		goto commit;
	}
	needed = t->approvals_required > 0 ? t->approvals_required : 1;
	if (cc.approvals + 1 < needed) {
		snprintf(r.reason, sizeof(r.reason), "%d of %d approvals",
		    cc.approvals + 1, needed);
		CW_TRY(cw_store_request_update(e->store, &r, err));
		fill_outcome(&r, NULL, exc, out);
		goto commit;
	}
	/* enough approvals: re-check everything the gate checks now (the
	 * policy, key reuse and exceptions may have changed meanwhile) */
	CW_TRY(cw_csr_parse(r.csr, r.csr_len, &csr, err));
	json_decref(exc);
	exc = json_array();
	CW_ENSURE_MEM(exc);
	CW_TRY(evaluate(e, t, r.service, csr, r.renew_of, NULL, &v, exc, &svc,
	    &svc_found, err));
	CW_TRY(set_json_text(&r.exceptions, exc, err));
	vj = cw_violations_json(&v);
	CW_ENSURE_MEM(vj);
	CW_TRY(set_json_text(&r.violations, vj, err));
	if (cw_violations_any(&v)) {
		snprintf(r.state, sizeof(r.state), "rejected");
		snprintf(r.reason, sizeof(r.reason), "no longer compliant when "
		    "approved");
		CW_TRY(cw_store_request_update(e->store, &r, err));
		fill_outcome(&r, &v, exc, out);
		goto commit;
	}
	approvers = json_array();
	CW_ENSURE_MEM(approvers);
	cc.principal = NULL;
	cc.approvals = 0;
	cc.list = approvers;
	CW_TRY(cw_store_approval_each(e->store, id, count_cb, &cc, err));
	CW_TRY(cw_engine_issue(e, a, &r, t, csr, approvers, err));
	fill_outcome(&r, &v, exc, out);
commit:
	CW_TRY(cw_store_commit(e->store, err));
out:
	if (rc != CW_OK)
		cw_store_rollback(e->store);
	cw_request_cleanup(&r);
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	json_decref(exc);
	json_decref(vj);
	json_decref(det);
	json_decref(approvers);
	return rc;
}

cw_rc
cw_request_approve(cw_engine *e, const cw_actor *a, int64_t id,
    const char *comment, cw_outcome *out, cw_err *err)
{
	return decide(e, a, id, true, comment, out, err);
}

cw_rc
cw_request_reject(cw_engine *e, const cw_actor *a, int64_t id,
    const char *comment, cw_outcome *out, cw_err *err)
{
	if (comment == NULL || comment[0] == '\0')
		return cw_err_set(err, CW_ERR_USAGE, "a rejection needs a "
		    "--comment saying why");
	return decide(e, a, id, false, comment, out, err);
}

/* --- held requests after `service verify` ---------------------------------- */

typedef struct held_ctx {
	int64_t ids[1024];
	size_t n;
} held_ctx;

static bool
held_cb(const cw_request *r, void *arg)
{
	held_ctx *h = arg;

	if (h->n < sizeof(h->ids) / sizeof(h->ids[0]))
		h->ids[h->n++] = r->id;
	return true;
}

/* Inside the caller's transaction: re-check every held request of the
 * service; compliant ones are issued (or go pending for approval). */
cw_rc cw_engine_release_held(cw_engine *e, const cw_actor *a,
    const char *service, int *released, cw_err *err);

cw_rc
cw_engine_release_held(cw_engine *e, const cw_actor *a, const char *service,
    int *released, cw_err *err)
{
	cw_rc rc = CW_OK;
	held_ctx *h = NULL;
	cw_request r;
	const cw_template *t;
	cw_csr *csr = NULL;
	cw_violations v;
	cw_service svc;
	bool found, svc_found;
	json_t *exc = NULL, *vj = NULL, *det = NULL;
	char obj[64];
	size_t i;

	*released = 0;
	memset(&r, 0, sizeof(r));
	cw_violations_init(&v);
	h = calloc(1, sizeof(*h));
	CW_ENSURE_MEM(h);
	CW_TRY(cw_store_request_each(e->store, "held", service, held_cb, h,
	    err));
	for (i = 0; i < h->n; i++) {
		CW_TRY(cw_store_request_get(e->store, h->ids[i], &r, &found,
		    err));
		t = cw_policy_get0_template(e->policy, r.template_name);
		if (!found || t == NULL) {
			cw_request_cleanup(&r);
			continue;
		}
		CW_TRY(cw_csr_parse(r.csr, r.csr_len, &csr, err));
		exc = json_array();
		CW_ENSURE_MEM(exc);
		CW_TRY(evaluate(e, t, r.service, csr, r.renew_of, NULL, &v, exc,
		    &svc, &svc_found, err));
		vj = cw_violations_json(&v);
		CW_ENSURE_MEM(vj);
		CW_TRY(set_json_text(&r.violations, vj, err));
		CW_TRY(set_json_text(&r.exceptions, exc, err));
		r.updated_at = cw_engine_now(e);
		if (cw_violations_any(&v))
			snprintf(r.state, sizeof(r.state), "rejected");
		else if (t->approvals_required > 0)
			snprintf(r.state, sizeof(r.state), "pending");
		else
			snprintf(r.state, sizeof(r.state), "approved");
		snprintf(r.reason, sizeof(r.reason), "re-checked after the "
		    "owner's attestation");
		det = json_pack("{s:s, s:O}", "state", r.state, "violations",
		    vj);
		snprintf(obj, sizeof(obj), "request:%lld", (long long)r.id);
		CW_TRY(cw_engine_audit(e, a, "request.recheck", obj, det, err));
		if (strcmp(r.state, "approved") == 0)
			CW_TRY(cw_engine_issue(e, a, &r, t, csr, NULL, err));
		else
			CW_TRY(cw_store_request_update(e->store, &r, err));
		(*released)++;
		cw_request_cleanup(&r);
		cw_violations_cleanup(&v);
		cw_violations_init(&v);
		cw_csr_free(csr);
		csr = NULL;
		json_decref(exc);
		json_decref(vj);
		json_decref(det);
		exc = vj = det = NULL;
	}
out:
	free(h);
	cw_request_cleanup(&r);
	cw_violations_cleanup(&v);
	cw_csr_free(csr);
	json_decref(exc);
	json_decref(vj);
	json_decref(det);
	return rc;
}

/* --- show ------------------------------------------------------------------- */

cw_rc
cw_request_show(cw_engine *e, int64_t id, json_t **out, cw_err *err)
{
	cw_rc rc = CW_OK;
	cw_request r;
	const cw_template *t;
	count_ctx cc;
	json_t *o = NULL, *roles = NULL;
	bool found;
	size_t i;
	char when[40];
	int needed;

	memset(&r, 0, sizeof(r));
	memset(&cc, 0, sizeof(cc)); /* out: frees cc.list */
	CW_TRY(cw_store_request_get(e->store, id, &r, &found, err));
	CW_ENSURE(found, CW_ERR_NOT_FOUND, "unknown request %lld",
	    (long long)id);
	t = cw_policy_get0_template(e->policy, r.template_name);
	cc.list = json_array();
	CW_ENSURE_MEM(cc.list);
	CW_TRY(cw_store_approval_each(e->store, id, count_cb, &cc, err));
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)r.id, "template", r.template_name, "service",
	    r.service, "requester", r.requester, "origin", r.origin, "channel",
	    r.channel, "state", r.state);
	CW_ENSURE_MEM(o);
	json_object_set_new(o, "violations", json_loads(r.violations, 0, NULL));
	json_object_set_new(o, "exceptions", json_loads(r.exceptions, 0, NULL));
	if (r.serial[0])
		json_object_set_new(o, "serial", json_string(r.serial));
	if (r.renew_of[0])
		json_object_set_new(o, "renew_of", json_string(r.renew_of));
	json_object_set_new(o, "reason", json_string(r.reason));
	json_object_set(o, "approvals", cc.list);
	needed = t == NULL ? 0 : t->approvals_required > 0 ?
	    t->approvals_required : strcmp(r.state, "held") == 0 ? 1 : 0;
	json_object_set_new(o, "approvals_required", json_integer(needed));
	json_object_set_new(o, "approvals_missing", json_integer(
	    strcmp(r.state, "pending") == 0 || strcmp(r.state, "held") == 0 ?
	    (needed > cc.approvals ? needed - cc.approvals : 0) : 0));
	roles = json_array();
	if (t != NULL && (strcmp(r.state, "pending") == 0 ||
	    strcmp(r.state, "held") == 0)) {
		const char *rl[CW_MAX_ROLES];
		size_t n = decider_roles(t, rl, CW_MAX_ROLES);

		for (i = 0; i < n; i++)
			json_array_append_new(roles, json_string(rl[i]));
	}
	json_object_set_new(o, "may_approve", roles);
	cw_time_text(r.created_at, when, sizeof(when));
	json_object_set_new(o, "created_at", json_string(when));
	cw_time_text(r.updated_at, when, sizeof(when));
	json_object_set_new(o, "updated_at", json_string(when));
	*out = o;
	o = NULL;
out:
	json_decref(cc.list);
	json_decref(o);
	cw_request_cleanup(&r);
	return rc;
}
