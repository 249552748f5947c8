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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack/engine.h"

struct vouch_sink {
	int dirfd;
};

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
	*out = s;
	return VOUCH_OK;
}

void
vouch_sink_close(vouch_sink *s)
{
	if (s != NULL) {
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
	int fd = dup(s->dirfd);
	char *p = buf;

	if (fd < 0) {
		return VOUCH_E_IO;
	}
	for (;;) {
		char *slash = strchr(p, '/');
		if (slash == NULL) {
			*last = p;
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
 * With excl false, open the existing file rel for writing instead (vouch_sink_reopen).
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
	if (!excl) {
		fd = openat(dfd, last, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
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
vouch_sink_reopen(vouch_sink *s, const char *rel)
{
	unsigned none;

	return sink_open_file(s, rel, 0, &none, false);
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
