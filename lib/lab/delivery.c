/*
 * lab/delivery.c: `vouch delivery submit`: a vendor's delivery checked against its
 * manifest and stored content-addressed.
 *
 * The manifest (vouch-delivery.json, docs/delivery.md) names vendor, product, version and
 * the artefacts, each with a role and an expected SHA-256. Every artefact is streamed once
 * into a temporary file of the blob store while it is hashed; it becomes a blob only when
 * the whole delivery checks out, so a failed submission leaves nothing behind. Every problem
 * is collected (the vendor fixes them all in one round), each with a kind a program can act
 * on. A delivery's id is the SHA-256 of its normalised manifest (vendor, product, version
 * and the sorted (path, role, sha256) triples): submitting the same delivery twice, from a
 * directory or a tarball, gives the same id and stores nothing new.
 *
 * Artefact paths are relative, without "." / ".." / empty components; in a directory they
 * are opened one component at a time beneath the delivery directory with O_NOFOLLOW, so
 * neither a symlink nor a crafted path reaches outside it. A tarball is read with
 * libarchive, members streamed (never extracted to the file system), at most
 * LAB_TAR_MEMBERS_MAX of them; its manifest may sit at the top or in one top directory.
 *
 * Rejected: trusting the manifest's digests (recomputed, always), accepting unlisted
 * tarball members silently (they are listed in the receipt as "ignored", at most 100,
 * instead of being stored). A directory is not listed: only the manifest's paths are
 * opened there, so its other files are never read.
 */
#include <archive.h>
#include <stdarg.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store.h"
#include "vouch/attest.h"

static const char *const roles[] = {"firmware", "source", "build-recipe", "sbom", "document"};

typedef struct art {
	const char *path; /* borrowed from the manifest JSON */
	const char *role;
	const char *want; /* expected hex */
	char got[65];     /* computed hex, "" when not read */
	char *tmp;        /* temporary file in blobs/tmp */
	uint64_t size;
	bool seen;
} art;

typedef struct sub {
	vouch_lab *lab;
	json_t *problems;
	art *arts;
	size_t narts;
	char *sig_tmp;     /* the vendor signature file's bytes, when named */
	char *sig_text;
	const char *sig_path;
	json_t *ignored;
	uint64_t spooled;  /* bytes stored so far, against LAB_DELIVERY_MAX */
} sub;

static void
problem(sub *s, const char *artefact, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
problem(sub *s, const char *artefact, const char *kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *o = json_object();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(o, "artefact", artefact ? json_string(artefact) : json_null());
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "problem", json_string(msg));
	json_array_append_new(s->problems, o);
}

static bool
is_hex64(const char *h)
{
	return h != NULL && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

/* A manifest path: relative, printable, no empty, "." or ".." component. */
static bool
safe_rel(const char *p)
{
	size_t n = strlen(p);
	if (n == 0 || n > LAB_NAME_MAX || p[0] == '/') {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\') {
			return false;
		}
	}
	const char *c = p;
	while (*c) {
		size_t k = strcspn(c, "/");
		if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.')) {
			return false;
		}
		c += k;
		if (*c == '/') {
			c++;
			if (*c == '\0') {
				return false;
			}
		}
	}
	return true;
}

static bool
str_field(sub *s, json_t *m, const char *key, const char **out)
{
	json_t *v = json_object_get(m, key);
	*out = json_string_value(v);
	if (*out == NULL || (*out)[0] == '\0' || strlen(*out) > LAB_FIELD_MAX) {
		problem(s, NULL, "manifest", "\"%s\" must be a non-empty string of at most %d bytes",
			key, LAB_FIELD_MAX);
		return false;
	}
	return true;
}

/* Check the manifest's shape; fill s->arts. */
static void
check_manifest(sub *s, json_t *m, const char **vendor, const char **product,
	       const char **version)
{
	static const char *const top[] = {"manifest_version", "vendor", "product", "version",
					  "artefacts", "signature", "description"};
	static const char *const akeys[] = {"path", "role", "sha256", "description"};
	const char *k;
	json_t *v, *arts;
	size_t i;

	if (!json_is_object(m)) {
		problem(s, NULL, "manifest", "the manifest is not a JSON object");
		return;
	}
	json_object_foreach(m, k, v) {
		bool known = false;
		for (size_t j = 0; j < sizeof(top) / sizeof(top[0]); j++) {
			known |= strcmp(k, top[j]) == 0;
		}
		if (!known) {
			problem(s, NULL, "manifest", "unknown key \"%.100s\" (known: manifest_version, "
				"vendor, product, version, artefacts, signature, description)", k);
		}
	}
	v = json_object_get(m, "manifest_version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		problem(s, NULL, "manifest", "\"manifest_version\" must be 1");
	}
	str_field(s, m, "vendor", vendor);
	str_field(s, m, "product", product);
	str_field(s, m, "version", version);
	v = json_object_get(m, "signature");
	if (v != NULL) {
		s->sig_path = json_string_value(v);
		if (s->sig_path == NULL || !safe_rel(s->sig_path)) {
			problem(s, NULL, "path", "\"signature\" must be a relative path to the "
				"vendor's DSSE envelope inside the delivery");
			s->sig_path = NULL;
		}
	}
	arts = json_object_get(m, "artefacts");
	if (!json_is_array(arts) || json_array_size(arts) == 0) {
		problem(s, NULL, "manifest", "\"artefacts\" must be a non-empty array");
		return;
	}
	if (json_array_size(arts) > LAB_ARTEFACTS_MAX) {
		problem(s, NULL, "manifest", "more than %d artefacts", LAB_ARTEFACTS_MAX);
		return;
	}
	s->arts = calloc(json_array_size(arts), sizeof(*s->arts));
	if (s->arts == NULL) { /* a problem, so that nothing is stored for a half-read manifest */
		problem(s, NULL, "manifest", "out of memory reading the artefact list");
		return;
	}
	bool firmware = false;
	json_array_foreach(arts, i, v) {
		art *a = &s->arts[s->narts];
		char label[32];
		const char *ak;
		json_t *av;

		snprintf(label, sizeof(label), "artefacts[%zu]", i);
		if (!json_is_object(v)) {
			problem(s, label, "manifest", "not an object with path, role and sha256");
			continue;
		}
		json_object_foreach(v, ak, av) {
			bool known = false;
			for (size_t j = 0; j < sizeof(akeys) / sizeof(akeys[0]); j++) {
				known |= strcmp(ak, akeys[j]) == 0;
			}
			if (!known) {
				problem(s, label, "manifest", "unknown key \"%.100s\" (known: path, "
					"role, sha256, description)", ak);
			}
		}
		a->path = json_string_value(json_object_get(v, "path"));
		a->role = json_string_value(json_object_get(v, "role"));
		a->want = json_string_value(json_object_get(v, "sha256"));
		if (a->path == NULL || !safe_rel(a->path)) {
			problem(s, a->path ? a->path : label, "path",
				"the path must be relative, without '.', '..' or empty components");
			continue;
		}
		bool rok = false;
		for (size_t j = 0; a->role != NULL && j < sizeof(roles) / sizeof(roles[0]); j++) {
			rok |= strcmp(a->role, roles[j]) == 0;
		}
		if (!rok) {
			problem(s, a->path, "role", "unknown role \"%.60s\" (firmware, source, "
				"build-recipe, sbom or document)", a->role ? a->role : "(none)");
			continue;
		}
		if (!is_hex64(a->want)) {
			problem(s, a->path, "manifest", "\"sha256\" must be 64 lowercase hex digits");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < s->narts; j++) {
			dup |= strcmp(s->arts[j].path, a->path) == 0;
		}
		if (dup) {
			problem(s, a->path, "duplicate", "listed twice in the manifest");
			continue;
		}
		firmware |= strcmp(a->role, "firmware") == 0;
		s->narts++;
	}
	if (!firmware && s->narts > 0) {
		problem(s, NULL, "role", "no artefact has the role \"firmware\": nothing to evaluate");
	}
}

/* Stream fd (or an archive's current member) into a temporary blob, hashing it; at most
 * `max` bytes, and at most LAB_DELIVERY_MAX for the whole delivery (VOUCH_E_LIMIT). */
static int
spool(sub *s, int fd, struct archive *ar, uint64_t max, char **tmp_out, char hex[65],
      uint64_t *size)
{
	vouch_sha256 *h = NULL;
	char *tmp = NULL;
	uint8_t buf[1 << 16], d[32];
	int out = -1, rc;
	uint64_t total = 0;

	if ((rc = lab_tmp_open(s->lab, &tmp, &out)) != VOUCH_OK) {
		return rc;
	}
	if (vouch_sha256_new(&h) != VOUCH_OK) {
		rc = lab_fail(s->lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = ar ? archive_read_data(ar, buf, sizeof(buf)) : read(fd, buf, sizeof(buf));
		if (r < 0 && ar == NULL && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = lab_fail(s->lab, ar ? VOUCH_E_MALFORMED : VOUCH_E_IO, "read: %s",
				      ar ? archive_error_string(ar) : strerror(errno));
			goto out;
		}
		if (r == 0) {
			break;
		}
		total += (uint64_t)r;
		s->spooled += (uint64_t)r;
		if (total > max || s->spooled > LAB_DELIVERY_MAX) {
			rc = lab_fail(s->lab, VOUCH_E_LIMIT, "larger than the lab accepts (%llu bytes "
				      "for this file, %llu GiB for a delivery)", (unsigned long long)max,
				      (unsigned long long)(LAB_DELIVERY_MAX >> 30));
			goto out;
		}
		vouch_sha256_update(h, buf, (size_t)r);
		if (vouch_write_all(out, buf, (size_t)r) != VOUCH_OK) {
			rc = lab_fail(s->lab, VOUCH_E_IO, "blob store: %s", strerror(errno));
			goto out;
		}
	}
	if (fsync(out) != 0) {
		rc = lab_fail(s->lab, VOUCH_E_IO, "blob store: %s", strerror(errno));
		goto out;
	}
	vouch_sha256_final(h, d);
	lab_hex(d, 32, hex);
	*size = total;
	*tmp_out = tmp;
	tmp = NULL;
	rc = VOUCH_OK;
out:
	if (out >= 0) {
		close(out);
	}
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	vouch_sha256_free(h);
	return rc;
}

/* Open dir/rel beneath dir, one component at a time, following no symlink. */
static int
open_beneath(int dirfd, const char *rel, int *err)
{
	char part[LAB_NAME_MAX + 1];
	int cur = dup(dirfd);
	const char *c = rel;

	while (cur >= 0) {
		size_t k = strcspn(c, "/");
		if (k > LAB_NAME_MAX) {
			close(cur);
			*err = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, c, k);
		part[k] = '\0';
		c += k;
		bool last = *c == '\0';
		/* the last part non-blocking: opening a FIFO a vendor left there must not wait
		 * for a writer; a regular file is switched back to blocking reads */
		int fl = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? O_NONBLOCK | O_NOCTTY : O_DIRECTORY);
		int next = openat(cur, part, fl);
		*err = errno;
		close(cur);
		if (next >= 0 && last) {
			struct stat st;
			if (fstat(next, &st) == 0 && S_ISREG(st.st_mode)) {
				fcntl(next, F_SETFL, fcntl(next, F_GETFL) & ~O_NONBLOCK);
			}
		}
		if (next < 0 || last) {
			return next;
		}
		cur = next;
		c++;
	}
	*err = errno;
	return -1;
}

static void
read_dir_artefacts(sub *s, int dirfd)
{
	for (size_t i = 0; i < s->narts; i++) {
		art *a = &s->arts[i];
		int e = 0, fd = open_beneath(dirfd, a->path, &e);
		struct stat st;

		if (fd < 0) {
			problem(s, a->path, e == ENOENT ? "missing" : "path", "%s",
				e == ENOENT ? "listed in the manifest but not in the delivery"
				: e == ELOOP ? "a symbolic link: deliveries hold regular files only"
					     : strerror(e));
			continue;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			problem(s, a->path, "path", "not a regular file");
			close(fd);
			continue;
		}
		if (spool(s, fd, NULL, LAB_ARTEFACT_MAX, &a->tmp, a->got, &a->size) != VOUCH_OK) {
			problem(s, a->path, "missing", "%s", s->lab->err.msg);
		}
		a->seen = true;
		close(fd);
	}
	if (s->sig_path != NULL) {
		int e = 0, fd = open_beneath(dirfd, s->sig_path, &e);
		char hex[65];
		uint64_t n;
		if (fd < 0 || spool(s, fd, NULL, LAB_MANIFEST_MAX, &s->sig_tmp, hex, &n) != VOUCH_OK) {
			problem(s, s->sig_path, "signature", "the vendor signature file named by the "
				"manifest cannot be read");
		}
		if (fd >= 0) {
			close(fd);
		}
	}
}

/* The manifest's directory inside the tarball: "" or "top/". */
static const char *
member_rel(const char *name, const char *prefix)
{
	while (name[0] == '.' && name[1] == '/') {
		name += 2;
	}
	size_t n = strlen(prefix);
	return strncmp(name, prefix, n) == 0 ? name + n : NULL;
}

static int
read_file_all(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		return VOUCH_E_IO;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		return VOUCH_E_NOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		return VOUCH_E_LIMIT;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return VOUCH_OK;
}

static struct archive *
tar_open(const char *path)
{
	struct archive *ar = archive_read_new();
	if (ar == NULL) {
		return NULL;
	}
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);
	/* the documented compressions only: filter_all would also run external programs
	 * (lrzip, grzip, lzop) on a vendor's file */
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_xz(ar);
	archive_read_support_filter_bzip2(ar);
	archive_read_support_filter_zstd(ar);
	if (archive_read_open_filename(ar, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(ar);
		return NULL;
	}
	return ar;
}

/* First pass over a tarball: find and read the manifest. */
static int
tar_manifest(sub *s, const char *path, char **text, size_t *len, char prefix[LAB_NAME_MAX + 2])
{
	struct archive *ar = tar_open(path);
	struct archive_entry *e;
	size_t members = 0;
	int rc = VOUCH_E_NOTFOUND;

	if (ar == NULL) {
		return lab_fail(s->lab, VOUCH_E_IO, "%s: not a directory or a tarball vouch can read",
				path);
	}
	/* the whole tarball is read: a second candidate is refused, not skipped (tar -x keeps
	 * the last copy of a name, so the lab and the vendor's own tools would disagree) */
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK && ++members <= LAB_TAR_MEMBERS_MAX) {
		const char *name = archive_entry_pathname(e), *rel = name ? member_rel(name, "") : NULL;
		if (rel == NULL || archive_entry_filetype(e) != AE_IFREG) {
			continue;
		}
		const char *slash = strchr(rel, '/');
		bool top = strcmp(rel, VOUCH_LAB_MANIFEST) == 0;
		bool one = slash != NULL && strcmp(slash + 1, VOUCH_LAB_MANIFEST) == 0 &&
			   (size_t)(slash - rel) <= LAB_NAME_MAX;
		if (!top && !one) {
			continue;
		}
		if (rc == VOUCH_OK) {
			free(*text);
			*text = NULL;
			rc = lab_fail(s->lab, VOUCH_E_MALFORMED, "%s: more than one %s (the second is "
				      "%.200s): a delivery has one manifest", path, VOUCH_LAB_MANIFEST, rel);
			break;
		}
		int64_t sz = archive_entry_size(e);
		if (sz < 0 || (uint64_t)sz > LAB_MANIFEST_MAX) {
			rc = lab_fail(s->lab, VOUCH_E_LIMIT, "%s: the manifest is over %u bytes", path,
				      LAB_MANIFEST_MAX);
			break;
		}
		*text = malloc((size_t)sz + 1);
		if (*text == NULL) {
			rc = VOUCH_E_NOMEM;
			break;
		}
		ssize_t r = archive_read_data(ar, *text, (size_t)sz);
		if (r != sz) {
			free(*text);
			*text = NULL;
			rc = lab_fail(s->lab, VOUCH_E_MALFORMED, "%s: the manifest is truncated", path);
			break;
		}
		(*text)[sz] = '\0';
		*len = (size_t)sz;
		if (one) {
			snprintf(prefix, LAB_NAME_MAX + 2, "%.*s/", (int)(slash - rel), rel);
		} else {
			prefix[0] = '\0';
		}
		rc = VOUCH_OK;
	}
	archive_read_free(ar);
	if (rc == VOUCH_E_NOTFOUND) {
		rc = lab_fail(s->lab, VOUCH_E_MALFORMED,
			      "%s: no %s at the top of the tarball or in one top directory", path,
			      VOUCH_LAB_MANIFEST);
	}
	return rc;
}

/* Second pass: stream the listed members. */
static void
read_tar_artefacts(sub *s, const char *path, const char *prefix)
{
	struct archive *ar = tar_open(path);
	struct archive_entry *e;
	size_t members = 0;

	if (ar == NULL) {
		problem(s, NULL, "manifest", "the tarball cannot be read again");
		return;
	}
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		if (++members > LAB_TAR_MEMBERS_MAX) {
			problem(s, NULL, "manifest", "more than %d members in the tarball",
				LAB_TAR_MEMBERS_MAX);
			break;
		}
		const char *name = archive_entry_pathname(e), *rel = name ? member_rel(name, prefix) : NULL;
		if (rel == NULL || rel[0] == '\0' || archive_entry_filetype(e) == AE_IFDIR) {
			continue;
		}
		bool listed = false;
		for (size_t i = 0; i < s->narts; i++) {
			art *a = &s->arts[i];
			if (strcmp(a->path, rel) != 0) {
				continue;
			}
			listed = true;
			if (a->seen) {
				problem(s, a->path, "duplicate", "the tarball holds this path twice");
				break;
			}
			a->seen = true;
			if (archive_entry_filetype(e) != AE_IFREG) {
				problem(s, a->path, "path", "not a regular file in the tarball");
				break;
			}
			if (spool(s, -1, ar, LAB_ARTEFACT_MAX, &a->tmp, a->got, &a->size) != VOUCH_OK) {
				problem(s, a->path, "missing", "%s", s->lab->err.msg);
			}
			break;
		}
		if (!listed && s->sig_path != NULL && strcmp(rel, s->sig_path) == 0) {
			char hex[65];
			uint64_t n;
			if (s->sig_tmp != NULL) {
				problem(s, s->sig_path, "duplicate", "the tarball holds this path twice");
				listed = true;
			} else {
				listed = spool(s, -1, ar, LAB_MANIFEST_MAX, &s->sig_tmp, hex, &n) ==
					 VOUCH_OK;
			}
		}
		if (!listed && strcmp(rel, VOUCH_LAB_MANIFEST) != 0 &&
		    json_array_size(s->ignored) < 100) {
			json_array_append_new(s->ignored, json_string(rel));
		}
	}
	archive_read_free(ar);
	for (size_t i = 0; i < s->narts; i++) {
		if (!s->arts[i].seen) {
			problem(s, s->arts[i].path, "missing",
				"listed in the manifest but not in the tarball");
		}
	}
	if (s->sig_path != NULL && s->sig_tmp == NULL) {
		problem(s, s->sig_path, "signature",
			"the vendor signature file named by the manifest is not in the tarball");
	}
}

/* The vendor's envelope must verify with their key and name every artefact's digest. */
static const char *
check_signature(sub *s, const char *vendor_vkey)
{
	char *text = NULL, *stmt = NULL, why[256] = "";
	size_t len = 0;
	const char *res = "none";

	if (s->sig_path == NULL) {
		if (vendor_vkey != NULL) {
			problem(s, VOUCH_LAB_MANIFEST, "signature", "the vendor's key was given "
				"(--vendor-key) but the manifest names no signature");
			return "invalid";
		}
		return res;
	}
	if (s->sig_tmp == NULL || read_file_all(s->sig_tmp, LAB_MANIFEST_MAX, &text, &len) != VOUCH_OK) {
		if (vendor_vkey != NULL) {
			problem(s, s->sig_path, "signature", "the vendor signature cannot be read (at "
				"most %u bytes)", (unsigned)LAB_MANIFEST_MAX);
			return "invalid";
		}
		return "unreadable";
	}
	if (vendor_vkey == NULL) {
		res = "unverified";
		goto out;
	}
	if (vouch_attest_open(text, len, vendor_vkey, &stmt, why, sizeof(why)) != VOUCH_OK) {
		problem(s, s->sig_path, "signature", "the vendor signature does not verify with the "
			"given key: %s", why);
		res = "invalid";
		goto out;
	}
	json_t *st = json_loads(stmt, 0, NULL), *subj = json_object_get(st, "subject"), *x;
	for (size_t i = 0; i < s->narts; i++) {
		bool found = false;
		size_t k;
		json_array_foreach(subj, k, x) {
			const char *d = json_string_value(json_object_get(json_object_get(x, "digest"),
									  "sha256"));
			found |= d != NULL && strcmp(d, s->arts[i].want) == 0;
		}
		if (!found) {
			problem(s, s->arts[i].path, "signature",
				"the vendor's signed statement does not name this artefact's digest");
			res = "invalid";
		}
	}
	json_decref(st);
	if (strcmp(res, "invalid") != 0) {
		res = "verified";
	}
out:
	free(text);
	free(stmt);
	return res;
}

static json_t *
normalised(const char *vendor, const char *product, const char *version, const art *arts,
	   size_t n)
{
	json_t *o = json_object(), *list = json_array();
	/* sorted by path: the order of the manifest does not make another delivery */
	size_t *ord = calloc(n + 1, sizeof(*ord));
	for (size_t i = 0; i < n && ord; i++) {
		size_t j = i;
		while (j > 0 && strcmp(arts[ord[j - 1]].path, arts[i].path) > 0) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	for (size_t i = 0; i < n && ord; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "path", json_string(arts[ord[i]].path));
		json_object_set_new(a, "role", json_string(arts[ord[i]].role));
		json_object_set_new(a, "sha256", json_string(arts[ord[i]].want));
		json_array_append_new(list, a);
	}
	free(ord);
	json_object_set_new(o, "vendor", json_string(vendor));
	json_object_set_new(o, "product", json_string(product));
	json_object_set_new(o, "version", json_string(version));
	json_object_set_new(o, "artefacts", list);
	return o;
}

int
vouch_lab_submit(vouch_lab *lab, const char *path, const char *vendor_vkey, char **receipt_out)
{
	sub s = {.lab = lab, .problems = json_array(), .ignored = json_array()};
	json_t *m = NULL, *receipt = json_object(), *norm = NULL;
	char *mtext = NULL, *ntext = NULL, prefix[LAB_NAME_MAX + 2] = "", idhex[65], mhex[65];
	const char *vendor = NULL, *product = NULL, *version = NULL, *sigstate = "none";
	size_t mlen = 0;
	struct stat st;
	int dirfd = -1, rc = VOUCH_OK;
	bool is_dir;

	*receipt_out = NULL;
	if (stat(path, &st) != 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	is_dir = S_ISDIR(st.st_mode);
	if (is_dir) {
		int e = 0, fd;
		dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0) {
			rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		fd = open_beneath(dirfd, VOUCH_LAB_MANIFEST, &e);
		if (fd < 0) {
			rc = lab_fail(lab, VOUCH_E_MALFORMED, "%s: no %s in this directory (%s)", path,
				      VOUCH_LAB_MANIFEST, strerror(e));
			goto out;
		}
		mtext = malloc(LAB_MANIFEST_MAX + 1);
		ssize_t r = mtext ? read(fd, mtext, LAB_MANIFEST_MAX + 1) : -1;
		close(fd);
		if (r < 0 || (size_t)r > LAB_MANIFEST_MAX) {
			rc = lab_fail(lab, r < 0 ? VOUCH_E_IO : VOUCH_E_LIMIT,
				      "%s: the manifest cannot be read or is over %u bytes", path,
				      LAB_MANIFEST_MAX);
			goto out;
		}
		mtext[r] = '\0';
		mlen = (size_t)r;
	} else if ((rc = tar_manifest(&s, path, &mtext, &mlen, prefix)) != VOUCH_OK) {
		goto out;
	}
	json_error_t jerr;
	m = json_loadb(mtext, mlen, JSON_REJECT_DUPLICATES, &jerr);
	if (m == NULL) {
		problem(&s, NULL, "manifest", "not valid JSON: %s (line %d, column %d)", jerr.text,
			jerr.line, jerr.column);
	} else {
		check_manifest(&s, m, &vendor, &product, &version);
	}
	/* the files of every well-formed entry are checked even when others are not, so the
	 * vendor sees every mistake in one round */
	if (m != NULL && s.narts > 0) {
		if (is_dir) {
			read_dir_artefacts(&s, dirfd);
		} else {
			read_tar_artefacts(&s, path, prefix);
		}
		for (size_t i = 0; i < s.narts; i++) {
			art *a = &s.arts[i];
			if (a->got[0] != '\0' && strcmp(a->got, a->want) != 0) {
				problem(&s, a->path, "digest",
					"SHA-256 is %s, the manifest says %s", a->got, a->want);
			}
		}
		if (json_array_size(s.problems) == 0) {
			sigstate = check_signature(&s, vendor_vkey);
		}
	}
	if (json_array_size(s.problems) != 0) {
		bool only_verify = true;
		size_t i;
		json_t *p;
		json_array_foreach(s.problems, i, p) {
			const char *k = json_string_value(json_object_get(p, "kind"));
			only_verify &= strcmp(k, "digest") == 0 || strcmp(k, "signature") == 0;
		}
		rc = lab_fail(lab, only_verify ? VOUCH_E_VERIFY : VOUCH_E_MALFORMED,
			      "%s: %zu problem(s) with the delivery", path,
			      json_array_size(s.problems));
		json_object_set(receipt, "problems", s.problems);
		goto out;
	}
	/* all good: the id, the blobs, the catalog */
	norm = normalised(vendor, product, version, s.arts, s.narts);
	ntext = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	uint8_t d[32];
	if (ntext == NULL || vouch_sha256_oneshot(ntext, strlen(ntext), d) != VOUCH_OK) {
		rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	lab_hex(d, 32, idhex);
	if ((rc = vouch_lab_put(lab, mtext, mlen, mhex)) != VOUCH_OK) {
		goto out;
	}
	for (size_t i = 0; i < s.narts; i++) {
		rc = lab_adopt_tmp(lab, s.arts[i].tmp, s.arts[i].got);
		free(s.arts[i].tmp);
		s.arts[i].tmp = NULL;
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	char sighex[65] = "";
	if (s.sig_tmp != NULL) {
		char *t = NULL;
		size_t tl = 0;
		if (read_file_all(s.sig_tmp, LAB_MANIFEST_MAX, &t, &tl) == VOUCH_OK) {
			rc = vouch_lab_put(lab, t, tl, sighex);
			free(t);
			if (rc != VOUCH_OK) { /* never a catalog row naming a blob that is not there */
				goto out;
			}
		}
	}
	sqlite3_stmt *q = NULL;
	bool fresh = false;
	char when[32];
	lab_iso8601((int64_t)time(NULL), when);
	if (sqlite3_exec(lab->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
		goto out;
	}
	if ((rc = lab_prepare(lab,
			      "INSERT OR IGNORE INTO delivery(id,vendor,product,version,manifest,"
			      "vendor_sig,signature,submitted) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
			      &q)) != VOUCH_OK) {
		sqlite3_exec(lab->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	sqlite3_bind_text(q, 1, idhex, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, vendor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, product, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, mhex, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, sigstate, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, sighex[0] ? sighex : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, when, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	fresh = sqlite3_changes(lab->db) > 0;
	sqlite3_finalize(q);
	q = NULL;
	if (rc == VOUCH_OK && fresh &&
	    (rc = lab_prepare(lab,
			      "INSERT INTO artefact(delivery,name,role,sha256,size) "
			      "VALUES(?1,?2,?3,?4,?5)",
			      &q)) == VOUCH_OK) {
		for (size_t i = 0; i < s.narts && rc == VOUCH_OK; i++) {
			sqlite3_reset(q);
			sqlite3_bind_text(q, 1, idhex, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, s.arts[i].path, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 3, s.arts[i].role, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 4, s.arts[i].got, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 5, (sqlite3_int64)s.arts[i].size);
			if (sqlite3_step(q) != SQLITE_DONE) {
				rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
			}
		}
		sqlite3_finalize(q);
	}
	if (rc == VOUCH_OK && sqlite3_exec(lab->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	if (rc != VOUCH_OK) {
		sqlite3_exec(lab->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	json_object_set_new(receipt, "id", json_string(idhex));
	json_object_set_new(receipt, "new", json_boolean(fresh));
	json_object_set_new(receipt, "vendor", json_string(vendor));
	json_object_set_new(receipt, "product", json_string(product));
	json_object_set_new(receipt, "version", json_string(version));
	json_object_set_new(receipt, "submitted", json_string(when));
	json_object_set_new(receipt, "manifest", json_string(mhex));
	json_object_set_new(receipt, "vendor_signature", json_string(sigstate));
	json_t *list = json_array();
	for (size_t i = 0; i < s.narts; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "name", json_string(s.arts[i].path));
		json_object_set_new(a, "role", json_string(s.arts[i].role));
		json_object_set_new(a, "sha256", json_string(s.arts[i].got));
		json_object_set_new(a, "size", json_integer((json_int_t)s.arts[i].size));
		json_array_append_new(list, a);
	}
	json_object_set_new(receipt, "artefacts", list);
	json_object_set(receipt, "ignored", s.ignored);
out:
	if (receipt != NULL) {
		*receipt_out = json_dumps(receipt, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
							   JSON_ENSURE_ASCII);
	}
	for (size_t i = 0; i < s.narts; i++) {
		if (s.arts[i].tmp != NULL) {
			unlink(s.arts[i].tmp);
			free(s.arts[i].tmp);
		}
	}
	if (s.sig_tmp != NULL) {
		unlink(s.sig_tmp);
		free(s.sig_tmp);
	}
	free(s.arts);
	if (dirfd >= 0) {
		close(dirfd);
	}
	free(mtext);
	free(ntext);
	json_decref(norm);
	json_decref(m);
	json_decref(receipt);
	json_decref(s.problems);
	json_decref(s.ignored);
	return rc;
}
