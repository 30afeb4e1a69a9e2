/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "src/engine/engine.h"

#ifndef CW_SOURCE_ROOT
#define CW_SOURCE_ROOT "."
#endif

const char *
cw_test_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", CW_SOURCE_ROOT, rel);
	return buf;
}

char *
cw_test_read(const char *rel, size_t *len)
{
	FILE *f = fopen(cw_test_path(rel), "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", cw_test_path(rel));
		abort();
	}
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

void
cw_test_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *ent;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((ent = readdir(d)) != NULL) {
			if (strcmp(ent->d_name, ".") == 0 ||
			    strcmp(ent->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, ent->d_name);
			cw_test_rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

void
cw_test_add_user(struct cw_engine *e, const char *name, const char *role)
{
	static const cw_actor admin = {"admin", "human", "cli"};
	cw_err err = CW_ERR_INIT;
	const char *roles[1] = {role};

	if (cw_user_add(e, &admin, name, roles, 1, &err) != CW_OK)
		fail_msg("user add %s: %s", name, err.msg);
}

struct cw_engine *
cw_test_engine(char *tmpl, char *datadir, size_t size,
    const char *const *users, const char *service)
{
	static const cw_actor admin = {"admin", "human", "cli"};
	char owner[80], contact[96];
	cw_init_opts o;
	cw_err err = CW_ERR_INIT;
	json_t *sum = NULL;
	cw_engine *e = NULL;
	char name[64];
	const char *eq;
	size_t i;

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return NULL;
	}
	snprintf(datadir, size, "%s/data", tmpl);
	memset(&o, 0, sizeof(o));
	o.data_dir = datadir;
	o.admin = "admin";
	if (cw_engine_init(&o, &sum, &err) != CW_OK) {
		fprintf(stderr, "init: %s\n", err.msg);
		return NULL;
	}
	json_decref(sum);
	if (cw_engine_open(datadir, &e, &err) != CW_OK) {
		fprintf(stderr, "open: %s\n", err.msg);
		return NULL;
	}
	for (i = 0; users != NULL && users[i] != NULL; i++) {
		eq = strchr(users[i], '=');
		if (eq == NULL || (size_t)(eq - users[i]) >= sizeof(name)) {
			fprintf(stderr, "cw_test_engine: bad user %s\n",
			    users[i]);
			cw_engine_close(e);
			return NULL;
		}
		memcpy(name, users[i], (size_t)(eq - users[i]));
		name[eq - users[i]] = '\0';
		cw_test_add_user(e, name, eq + 1);
	}
	if (service != NULL) {
		snprintf(owner, sizeof(owner), "team-%s", service);
		snprintf(contact, sizeof(contact), "%s@example.test", service);
		if (cw_service_add(e, &admin, service, owner, contact, &err) !=
		    CW_OK) {
			fprintf(stderr, "service %s: %s\n", service, err.msg);
			cw_engine_close(e);
			return NULL;
		}
	}
	return e;
}

int
cw_test_engine_done(struct cw_engine **e, const char *tmpdir)
{
	cw_engine_close(*e);
	*e = NULL;
	cw_test_rm_rf(tmpdir);
	return 0;
}
