/*
 * unpack/sink.c: writing what was extracted beneath an output directory, safely.
 *
 * Member names never become host paths by string joining (binwalk's CVE-2022-4510 came from
 * that). Every path here is already a list of sanitized components (no "", ".", ".."); it is
 * walked one component at a time from a directory fd with openat(O_NOFOLLOW | O_DIRECTORY),
 * directories are created with mkdirat, files with O_CREAT | O_EXCL | O_NOFOLLOW, so a
 * symlink planted by an earlier member can never redirect a later write. Symlinks are kept as
 * data: created only when their target, read inside the container's own root, stays inside
 * it (absolute targets are re-rooted there); device nodes and FIFOs are never created;
 * setuid/setgid/sticky bits are never set on disk.
 * Rejected: openat2(RESOLVE_BENEATH) alone (not in every sandbox's seccomp policy; the
 * component walk gives the same guarantee with plain openat).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack/engine.h"

/*
 * Directory fds already walked to, by their relative path: members of one container arrive
 * directory by directory, so almost every create finds its parent here and costs one openat
 * instead of one per path component (14,000 files of a 1 GiB image: 214,000 openat calls
 * without it). A cached fd stays right: nothing in the output tree is ever renamed or
 * removed, and a symlink can never replace a directory that exists.
 */
#define DIR_CACHE 16

struct dir_ent {
	char *path; /* NULL: empty slot */
	size_t len;
	int fd;
	uint64_t used;
};

struct vouch_sink {
	int dirfd;
	pthread_mutex_t mu; /* the cache */
	struct dir_ent dc[DIR_CACHE];
	uint64_t clock;
};

/* A dup of the cached fd of directory p[0..n), or -1. */
static int
cache_get(vouch_sink *s, const char *p, size_t n)
{
	int fd = -1;

	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < DIR_CACHE; i++) {
		struct dir_ent *e = &s->dc[i];
		if (e->path != NULL && e->len == n && memcmp(e->path, p, n) == 0) {
			e->used = ++s->clock;
			fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return fd;
}

/* Remember directory p[0..n) as fd (a dup is kept; the least recently used goes). */
static void
cache_put(vouch_sink *s, const char *p, size_t n, int fd)
{
	char *copy = malloc(n + 1);
	int keep = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (copy == NULL || keep < 0) {
		free(copy);
		if (keep >= 0) {
			close(keep);
		}
		return;
	}
	memcpy(copy, p, n);
	copy[n] = '\0';
	pthread_mutex_lock(&s->mu);
	struct dir_ent *v = &s->dc[0];
	for (size_t i = 0; i < DIR_CACHE; i++) {
		if (s->dc[i].path == NULL || s->dc[i].used < v->used) {
			v = &s->dc[i];
			if (v->path == NULL) {
				break;
			}
		}
	}
	if (v->path != NULL) {
		free(v->path);
		close(v->fd);
	}
	*v = (struct dir_ent){copy, n, keep, ++s->clock};
	pthread_mutex_unlock(&s->mu);
}

int
vouch_sink_open(vouch_sink **out, const char *dir, vouch_errinfo *err)
{
	vouch_sink *s;
	int fd;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		return vouch_errf(err, VOUCH_E_IO, 0, "cannot create %s: %s", dir, strerror(errno));
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return vouch_errf(err, VOUCH_E_IO, 0, "cannot open %s: %s", dir, strerror(errno));
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(fd);
		return VOUCH_E_NOMEM;
	}
	s->dirfd = fd;
	pthread_mutex_init(&s->mu, NULL);
	*out = s;
	return VOUCH_OK;
}

void
vouch_sink_close(vouch_sink *s)
{
	if (s != NULL) {
		for (size_t i = 0; i < DIR_CACHE; i++) {
			if (s->dc[i].path != NULL) {
				free(s->dc[i].path);
				close(s->dc[i].fd);
			}
		}
		pthread_mutex_destroy(&s->mu);
		close(s->dirfd);
		free(s);
	}
}

/*
 * Open (creating as needed) the directory holding the last component of rel. Returns an fd
 * and points *last at the last component inside `buf` (a writable copy of rel).
 */
static int
walk_parent(vouch_sink *s, char *buf, char **last)
{
	char *end = strrchr(buf, '/'), *p = buf;
	size_t plen = end != NULL ? (size_t)(end - buf) : 0;
	int fd;

	if (end != NULL && (fd = cache_get(s, buf, plen)) >= 0) {
		*last = end + 1;
		return fd;
	}
	fd = fcntl(s->dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		return VOUCH_E_IO;
	}
	for (;;) {
		char *slash = strchr(p, '/');
		if (slash == NULL) {
			*last = p;
			if (plen > 0) {
				for (size_t i = 0; i < plen; i++) {
					buf[i] = buf[i] == '\0' ? '/' : buf[i]; /* the walk cut it */
				}
				cache_put(s, buf, plen, fd);
			}
			return fd;
		}
		*slash = '\0';
		if (p[0] == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			close(fd);
			return VOUCH_E_UNSAFE;
		}
		int nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT) {
			if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
				close(fd);
				return VOUCH_E_IO;
			}
			nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		close(fd);
		if (nfd < 0) {
			/* ELOOP/ENOTDIR: a symlink or a file stands where a directory should */
			return errno == ELOOP || errno == ENOTDIR ? VOUCH_E_UNSAFE : VOUCH_E_IO;
		}
		fd = nfd;
		p = slash + 1;
	}
}

/*
 * Create rel's file; on a clash "name~N" (N < 1000, the first free one): *suffix = N.
 * With excl false, open the existing file rel for writing instead (vouch_sink_reopen), and
 * for reading too when mode is 1.
 */
static int
sink_open_file(vouch_sink *s, const char *rel, uint32_t mode, unsigned *suffix, bool excl)
{
	char *buf = strdup(rel), *last = NULL;
	int dfd, fd = -1;

	*suffix = 0;
	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	dfd = walk_parent(s, buf, &last);
	if (dfd < 0) {
		free(buf);
		return dfd;
	}
	if (!excl) { /* mode 1: for reading too */
		fd = openat(dfd, last, (mode == 1 ? O_RDWR : O_WRONLY) | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		free(buf);
		return fd >= 0 ? fd : VOUCH_E_IO;
	}
	mode = (mode & 0777) | 0600; /* never setuid/setgid/sticky; always readable by us */
	fd = openat(dfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	for (unsigned i = 1; fd < 0 && errno == EEXIST && i < 1000; i++) {
		char alt[512];
		snprintf(alt, sizeof(alt), "%.480s~%u", last, i);
		fd = openat(dfd, alt, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0) {
			*suffix = i;
		}
	}
	close(dfd);
	free(buf);
	return fd >= 0 ? fd : VOUCH_E_IO;
}

static void
create_note(int rc, unsigned suffix, char *note, size_t notecap)
{
	if (rc == VOUCH_E_UNSAFE) {
		snprintf(note, notecap, "a parent directory is a symlink or file: not written");
	} else if (rc >= 0 && suffix > 0) {
		snprintf(note, notecap, "duplicate name: written as '~%u'", suffix);
	}
}

int
vouch_sink_create(vouch_sink *s, const char *rel, uint32_t mode, char *note, size_t notecap)
{
	unsigned suffix;
	int fd = sink_open_file(s, rel, mode, &suffix, true);

	create_note(fd, suffix, note, notecap);
	return fd;
}

int
vouch_sink_reserve(vouch_sink *s, const char *rel, uint32_t mode, char *note, size_t notecap,
		   char **out)
{
	unsigned suffix;
	int fd = sink_open_file(s, rel, mode, &suffix, true);

	*out = NULL;
	create_note(fd, suffix, note, notecap);
	if (fd < 0) {
		return fd;
	}
	close(fd);
	size_t n = strlen(rel) + 8;
	*out = malloc(n);
	if (*out == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (suffix > 0) {
		snprintf(*out, n, "%s~%u", rel, suffix);
	} else {
		memcpy(*out, rel, n - 7);
	}
	return VOUCH_OK;
}

int
vouch_sink_reopen(vouch_sink *s, const char *rel, bool rw)
{
	unsigned none;

	return sink_open_file(s, rel, rw ? 1u : 0u, &none, false);
}

int
vouch_sink_mkdir(vouch_sink *s, const char *rel)
{
	char *buf = strdup(rel), *last = NULL;
	int dfd, rc = VOUCH_OK;

	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	dfd = walk_parent(s, buf, &last);
	if (dfd < 0) {
		free(buf);
		return dfd;
	}
	if (mkdirat(dfd, last, 0755) != 0 && errno != EEXIST) {
		rc = VOUCH_E_IO;
	}
	close(dfd);
	free(buf);
	return rc;
}

/* Number of components of a '/'-separated path. */
static size_t
depth_of(const char *p)
{
	size_t n = *p ? 1 : 0;

	for (; *p; p++) {
		n += *p == '/';
	}
	return n;
}

int
vouch_sink_symlink(vouch_sink *s, const char *root, const char *rel, const char *target)
{
	size_t rootlen = strlen(root);
	char *stack = NULL, *t = NULL, *out = NULL, *buf = NULL, *last = NULL;
	size_t sl = 0, reldepth;
	int rc = VOUCH_E_UNSAFE, dfd;

	if (strncmp(rel, root, rootlen) != 0 || rel[rootlen] != '/') {
		return VOUCH_E_INTERNAL;
	}
	const char *inner = rel + rootlen + 1; /* the link's path inside the container */
	reldepth = depth_of(inner) - 1;        /* directories between root and the link */
	stack = malloc(strlen(inner) + strlen(target) + 2);
	t = strdup(target);
	if (stack == NULL || t == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	/* resolve lexically: start in the link's directory, or at the root for absolute */
	if (target[0] != '/') {
		const char *slash = strrchr(inner, '/');
		if (slash != NULL) {
			sl = (size_t)(slash - inner);
			memcpy(stack, inner, sl);
		}
	}
	stack[sl] = '\0';
	for (char *save = NULL, *c = strtok_r(t, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0) {
			continue;
		}
		if (strcmp(c, "..") == 0) {
			if (sl == 0) {
				goto out; /* climbs above the container's root */
			}
			char *slash = strrchr(stack, '/');
			sl = slash ? (size_t)(slash - stack) : 0;
			stack[sl] = '\0';
			continue;
		}
		if (sl > 0) {
			stack[sl++] = '/';
		}
		memcpy(stack + sl, c, strlen(c));
		sl += strlen(c);
		stack[sl] = '\0';
	}
	/* relative link from the link's directory to stack (inside root) */
	out = malloc(reldepth * 3 + sl + 2);
	if (out == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	size_t ol = 0;
	for (size_t i = 0; i < reldepth; i++) {
		memcpy(out + ol, "../", 3);
		ol += 3;
	}
	if (sl > 0) {
		memcpy(out + ol, stack, sl);
		ol += sl;
	} else {
		out[ol++] = '.';
	}
	out[ol] = '\0';
	buf = strdup(rel);
	if (buf == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	dfd = walk_parent(s, buf, &last);
	if (dfd < 0) {
		rc = dfd;
		goto out;
	}
	rc = symlinkat(out, dfd, last) == 0 || errno == EEXIST ? VOUCH_OK : VOUCH_E_IO;
	close(dfd);
out:
	free(stack);
	free(t);
	free(out);
	free(buf);
	return rc;
}
