/*
 * unpack/engine.c: the recursive unpacker as an explicit work queue.
 *
 * How it works. The image becomes the first node of a queue. Worker threads (both cores)
 * take nodes off the queue; processing a node is one pass over its bytes that feeds, chunk
 * by chunk, the SHA-256, the byte histogram (entropy), the signature scanner (carving), the
 * analysers' visitor and, when asked, the file written beneath the output directory. Then
 * the node is opened: the signature hits are tried in offset order, each format's probe()
 * checks the header, extract() streams members back through vouch_member_*(), and each
 * member becomes a new node on the queue, one level deeper. Nesting therefore costs queue
 * entries, never stack frames, and the depth is a counter on the node. The parts of a node
 * that no format claimed are reported as padding or as unrecognised data with its entropy.
 *
 * Why this shape. Decompressing a container (one thread) and hashing/typing/writing its
 * members (the other) overlap naturally, so both cores work even on a single squashfs; the
 * analysers to come see each file's bytes once, as they stream, without re-reading a tree
 * from disk; and a hostile image can only grow the queue, which the file-count, byte and
 * time limits bound. Rejected: recursion (stack depth under attacker control), extracting to
 * disk and walking the tree (twice the I/O, and unsafe names would become host paths).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "unpack/engine.h"

#define CHUNK (256u * 1024u)
#define HEAD_MAX (16u * 1024u)
#define MAX_THREADS 16u
#define RATIO_FLOOR (1ULL << 20) /* a stream may always produce 1 MiB, whatever its ratio */

typedef struct node {
	struct node *next;
	vouch_src src;
	char *path;
	char *disk; /* path beneath the output directory, NULL when not writing */
	char *link;
	const vouch_fmt *forced;
	vouch_ftype ftype;
	uint32_t mode, uid, gid;
	int64_t mtime;
	uint32_t depth;
	bool has_mode, is_root, has_data;
	bool reserved; /* disk names a file already created (in container order): reopen it */
	bool on_disk;  /* ... and already holds the bytes (the member spilled into it) */
	/* a pass-only node: hash/type/write this file while another worker opens it */
	bool pass_only;
	const char *container_hint; /* format that other worker opens it with (static) */
} node;

typedef struct worker {
	vouch_scan *s;
	pthread_t th;
	vouch_sha256 *sha;
	vouch_magic_db *magic;
	uint8_t *buf;
} worker;

struct vouch_scan {
	vouch_scan_opts opts;
	vouch_visitor vis;
	bool has_vis;

	pthread_mutex_t mu; /* queue */
	pthread_cond_t cv;
	pthread_cond_t dcv; /* signalled when the queue is finished */
	node *qhead, *qtail;
	unsigned busy;
	bool done;

	pthread_mutex_t rmu; /* report */
	vouch_arena *arena;
	vouch_file *files;
	size_t nfiles, capfiles;
	vouch_region *regions;
	size_t nregions, capregions;
	vouch_event *events;
	size_t nevents, capevents;
	vouch_report report;

	atomic_uint_fast64_t out_bytes, done_bytes, nfiles_seen, spool_mem;
	/* back-pressure: a producer whose members would overflow the memory spool waits for
	 * the other workers to drain the queue, as long as one worker stays free to do so */
	pthread_cond_t spcv;
	unsigned nthreads, nblocked;
	atomic_bool stop, limit_hit, truncated, unsafe, time_reported;
	double t0, deadline;
	uint64_t root_size;
	vouch_blob *root_blob; /* borrowed while the queue runs: the progress measure */
	vouch_sink *sink;
	const char *tmpdir;
	vouch_errinfo err;
	bool ran;
};

struct vouch_job {
	vouch_scan *s;
	worker *w;
	node *parent;
	vouch_src src;
	const vouch_fmt *fmt;
	uint64_t base; /* offset of src within the parent node */
	char *prefix, *prefix_disk;
	uint32_t depth;
	vouch_arena *arena;
	uint64_t consumed, out_bytes;
	bool consumed_set, abs_reported;
	struct link_rec *links; /* symlinks yielded so far, for loop detection */
	size_t nlinks, caplinks;
	/*
	 * A speculative job opens a carved candidate (a signature found inside a file, not at
	 * its start). Until it yields something, its errors are held back: if it then fails
	 * having yielded nothing, the candidate was a false positive (a constant that happens to
	 * look like a zstd magic inside a binary) and is dropped silently.
	 */
	bool speculative;
	uint64_t yielded;
	struct pend_rec *pend;
	size_t npend, cappend;
};

struct pend_rec {
	char *node, *msg;
	uint64_t off;
	int code;
};

/* A symlink inside one container: its path and target relative to the container root. */
struct link_rec {
	char *path;
	char *target;
};

struct vouch_member {
	vouch_job *j;
	char *path, *disk, *link;
	vouch_meta meta;
	vouch_spool sp;
	bool reserved; /* disk is the name reserved on disk (member_reserve) */
};

/* ---- small helpers ----------------------------------------------------------------- */

const char *
vouch_ftype_str(vouch_ftype t)
{
	static const char *const names[] = {"file", "dir", "symlink", "hardlink",
					    "chardev", "blockdev", "fifo", "socket"};
	return (unsigned)t < VOUCH_ARRAY_LEN(names) ? names[t] : "unknown";
}

const char *
vouch_region_kind_str(vouch_region_kind k)
{
	static const char *const names[] = {"opened", "identified", "padding", "unrecognised"};
	return (unsigned)k < VOUCH_ARRAY_LEN(names) ? names[k] : "unknown";
}

static char *
xasprintf(const char *fmt, ...) VOUCH_PRINTF(1, 2);

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0) {
		p = NULL;
	}
	va_end(ap);
	return p;
}

static void node_free(node *n);

/* Free a processed node and wake a producer waiting for spool memory. */
static void
node_release(vouch_scan *s, node *n)
{
	node_free(n);
	pthread_mutex_lock(&s->mu);
	if (s->nblocked > 0) {
		pthread_cond_broadcast(&s->spcv);
	}
	pthread_mutex_unlock(&s->mu);
}

static void
node_free(node *n)
{
	if (n == NULL) {
		return;
	}
	vouch_blob_unref(n->src.blob);
	free(n->path);
	free(n->disk);
	free(n->link);
	free(n);
}

static void
queue_push(vouch_scan *s, node *n)
{
	pthread_mutex_lock(&s->mu);
	n->next = NULL;
	if (s->qtail != NULL) {
		s->qtail->next = n;
	} else {
		s->qhead = n;
	}
	s->qtail = n;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* ---- report ------------------------------------------------------------------------ */

static bool
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap) {
		return true;
	}
	size_t ncap = *cap ? *cap * 2 : 256;
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL) {
		return false;
	}
	*arr = p;
	*cap = ncap;
	return true;
}

static const char *
adup(vouch_scan *s, const char *p)
{
	return p ? vouch_arena_strndup(s->arena, p, strlen(p)) : NULL;
}

static void
scan_event(vouch_scan *s, const char *nodepath, const char *format, uint64_t off, int code,
	   const char *msg)
{
	if (code == VOUCH_E_LIMIT) {
		atomic_store(&s->limit_hit, true);
	} else if (code == VOUCH_E_UNSAFE) {
		atomic_store(&s->unsafe, true);
	} else {
		atomic_store(&s->truncated, true);
	}
	pthread_mutex_lock(&s->rmu);
	if (grow((void **)&s->events, &s->capevents, s->nevents, sizeof(vouch_event))) {
		vouch_event *e = &s->events[s->nevents];
		e->node = adup(s, nodepath);
		e->format = adup(s, format);
		e->offset = off;
		e->code = code;
		e->message = adup(s, msg);
		if (e->node != NULL && e->message != NULL) {
			s->nevents++;
		}
	}
	pthread_mutex_unlock(&s->rmu);
	if (s->opts.log != NULL) {
		char line[512];
		snprintf(line, sizeof(line), "%s @0x%llx: %s", format ? format : "-",
			 (unsigned long long)off, msg);
		s->opts.log(s->opts.log_ud, 1, line);
	}
}

static void
scan_region(vouch_scan *s, const char *nodepath, uint64_t off, uint64_t len, vouch_region_kind k,
	    const char *format, double entropy)
{
	pthread_mutex_lock(&s->rmu);
	if (grow((void **)&s->regions, &s->capregions, s->nregions, sizeof(vouch_region))) {
		vouch_region *r = &s->regions[s->nregions];
		r->node = adup(s, nodepath);
		r->format = adup(s, format);
		r->offset = off;
		r->length = len;
		r->kind = k;
		r->entropy = entropy;
		if (r->node != NULL) {
			s->nregions++;
		}
	}
	pthread_mutex_unlock(&s->rmu);
}

static void
scan_file(vouch_scan *s, const vouch_file *f)
{
	pthread_mutex_lock(&s->rmu);
	if (grow((void **)&s->files, &s->capfiles, s->nfiles, sizeof(vouch_file))) {
		vouch_file *d = &s->files[s->nfiles];
		*d = *f;
		d->path = adup(s, f->path);
		d->link = adup(s, f->link);
		d->type = adup(s, f->type);
		d->container = adup(s, f->container);
		if (d->path != NULL) {
			s->nfiles++;
		}
	}
	pthread_mutex_unlock(&s->rmu);
}

static int
limit_event(vouch_scan *s, const char *nodepath, uint64_t off, const char *what)
{
	scan_event(s, nodepath, NULL, off, VOUCH_E_LIMIT, what);
	return VOUCH_E_LIMIT;
}

/* ---- the job API, for format handlers ---------------------------------------------- */

static bool grow(void **arr, size_t *cap, size_t n, size_t elem);

/* An error met by a job: to the report, or held back while the job is speculative. */
static void
job_event(vouch_job *j, const char *nodepath, uint64_t off, int code, const char *msg)
{
	if (j->speculative && j->yielded == 0 && code != VOUCH_E_LIMIT &&
	    grow((void **)&j->pend, &j->cappend, j->npend, sizeof(*j->pend))) {
		struct pend_rec *p = &j->pend[j->npend];
		p->node = strdup(nodepath);
		p->msg = strdup(msg);
		p->off = off;
		p->code = code;
		if (p->node != NULL && p->msg != NULL) {
			j->npend++;
			return;
		}
		free(p->node);
		free(p->msg);
	}
	scan_event(j->s, nodepath, j->fmt->name, off, code, msg);
}

/* Report (flush) or drop the events a speculative job held back. */
static void
job_settle(vouch_job *j, bool report)
{
	for (size_t i = 0; i < j->npend; i++) {
		if (report) {
			scan_event(j->s, j->pend[i].node, j->fmt->name, j->pend[i].off,
				   j->pend[i].code, j->pend[i].msg);
		}
		free(j->pend[i].node);
		free(j->pend[i].msg);
	}
	free(j->pend);
	j->pend = NULL;
	j->npend = j->cappend = 0;
}

void
vouch_job_error(vouch_job *j, int code, uint64_t offset, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_event(j, j->parent->path, j->base + offset, code, msg);
}

void
vouch_job_region(vouch_job *j, uint64_t off, uint64_t len, vouch_region_kind kind,
		 const char *format)
{
	scan_region(j->s, j->parent->path, j->base + off, len, kind, format, -1.0);
}

void
vouch_job_set_consumed(vouch_job *j, uint64_t n)
{
	j->consumed = VOUCH_MIN(n, j->src.len);
	j->consumed_set = true;
}

const vouch_limits *
vouch_job_limits(const vouch_job *j)
{
	return &j->s->opts.limits;
}

unsigned
vouch_job_threads(const vouch_job *j)
{
	return j->s->nthreads;
}

vouch_arena *
vouch_job_arena(vouch_job *j)
{
	return j->arena;
}

int
vouch_job_check(vouch_job *j)
{
	vouch_scan *s = j->s;

	if (atomic_load(&s->stop)) {
		return VOUCH_E_LIMIT;
	}
	if (vouch_now() > s->deadline) {
		atomic_store(&s->stop, true);
		if (!atomic_exchange(&s->time_reported, true)) {
			limit_event(s, j->parent->path, j->base, "time limit (max_seconds) reached");
		}
		return VOUCH_E_LIMIT;
	}
	return VOUCH_OK;
}

/*
 * Turn a container's member name into a relative path of safe components: empty and "."
 * components go, a leading '/' goes (recorded once per container), ".." or a NUL byte
 * rejects the member (VOUCH_E_UNSAFE, recorded). *out is malloc'd; "" for the root itself.
 */
static int
sanitize(vouch_job *j, const char *name, size_t len, char **out)
{
	char *o = malloc(len + 1);
	size_t k = 0;

	if (o == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (len > 0 && name[0] == '/' && !j->abs_reported) {
		j->abs_reported = true;
		vouch_job_error(j, VOUCH_E_UNSAFE, 0,
				"absolute member names made relative to the container");
	}
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && name[e] != '/') {
			e++;
		}
		size_t cl = e - i;
		if (cl == 0 || (cl == 1 && name[i] == '.')) {
			i = e + 1;
			continue;
		}
		if ((cl == 2 && name[i] == '.' && name[i + 1] == '.') ||
		    memchr(name + i, '\0', cl) != NULL) {
			char esc[256];
			vouch_escape(esc, sizeof(esc), name, len);
			vouch_job_error(j, VOUCH_E_UNSAFE, 0,
					"member name '%s' has a '..' or NUL component: not extracted",
					esc);
			free(o);
			return VOUCH_E_UNSAFE;
		}
		if (k > 0) {
			o[k++] = '/';
		}
		memcpy(o + k, name + i, cl);
		k += cl;
		i = e + 1;
	}
	o[k] = '\0';
	*out = o;
	return VOUCH_OK;
}

static int
count_file(vouch_job *j)
{
	uint64_t n = atomic_fetch_add(&j->s->nfiles_seen, 1) + 1;

	if (n > j->s->opts.limits.max_files) {
		atomic_store(&j->s->stop, true);
		if (n == j->s->opts.limits.max_files + 1) {
			limit_event(j->s, j->parent->path, j->base, "file count limit (max_files) reached");
		}
		return VOUCH_E_LIMIT;
	}
	return vouch_job_check(j);
}

/* Build "<prefix>/<rel>" for the inventory and "<prefix_disk>/<rel>" for the disk. */
static int
member_paths(vouch_job *j, const char *rel, char **path, char **disk)
{
	*path = rel[0] ? xasprintf("%s/%s", j->prefix, rel) : xasprintf("%s", j->prefix);
	*disk = NULL;
	if (*path == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (strlen(*path) > j->s->opts.limits.max_path) {
		free(*path);
		*path = NULL;
		/* this member is skipped (recorded); its siblings still come out */
		char esc[160];
		vouch_escape(esc, sizeof(esc), rel, VOUCH_MIN(strlen(rel), (size_t)120));
		char msg[256];
		snprintf(msg, sizeof(msg), "path length limit (max_path): member '%s...' skipped", esc);
		limit_event(j->s, j->parent->path, j->base, msg);
		return VOUCH_E_UNSAFE;
	}
	if (j->prefix_disk != NULL) {
		*disk = rel[0] ? xasprintf("%s/%s", j->prefix_disk, rel)
			       : xasprintf("%s", j->prefix_disk);
		if (*disk == NULL) {
			free(*path);
			*path = NULL;
			return VOUCH_E_NOMEM;
		}
	}
	return VOUCH_OK;
}

static int member_spill_open(void *ud);

int
vouch_member_begin(vouch_job *j, const char *name, size_t name_len, const vouch_meta *meta,
		   vouch_member **out)
{
	vouch_member *m;
	char *rel = NULL;
	int rc;

	*out = NULL;
	if ((rc = count_file(j)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = sanitize(j, name, name_len, &rel)) != VOUCH_OK) {
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK /* skipped, recorded */ : rc;
	}
	if (rel[0] == '\0') {
		free(rel);
		rel = strdup("unnamed");
		if (rel == NULL) {
			return VOUCH_E_NOMEM;
		}
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		free(rel);
		return VOUCH_E_NOMEM;
	}
	m->j = j;
	rc = member_paths(j, rel, &m->path, &m->disk);
	free(rel);
	if (rc != VOUCH_OK) {
		free(m);
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK /* skipped, recorded */ : rc;
	}
	m->meta = *meta;
	m->meta.ftype = VOUCH_FT_REG;
	m->meta.link = NULL;
	/* producers wait at max_memory_spool (spool_wait); the one worker that may not wait
	 * can run on to twice that before its members spill to temporary files */
	vouch_spool_init(&m->sp, &j->s->spool_mem, 2 * j->s->opts.limits.max_memory_spool,
			 j->s->tmpdir);
	if (m->disk != NULL && j->s->sink != NULL) {
		m->sp.spill_open = member_spill_open;
		m->sp.spill_ud = m;
	}
	*out = m;
	return VOUCH_OK;
}

static void
member_free(vouch_member *m)
{
	if (m == NULL) {
		return;
	}
	vouch_spool_discard(&m->sp);
	free(m->path);
	free(m->disk);
	free(m->link);
	free(m);
}

/*
 * Wait (bounded) until the memory spool has room for `need` more bytes, but only while at
 * least one other worker is not waiting here too, so that someone drains the queue: with
 * every worker producing, the spool spills to a temporary file instead (no deadlock).
 */
static void
spool_wait(vouch_scan *s, uint64_t need)
{
	const uint64_t budget = s->opts.limits.max_memory_spool;

	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < 200 && atomic_load(&s->spool_mem) + need > budget &&
			s->nblocked + 1 < s->nthreads && !atomic_load(&s->stop);
	     i++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		s->nblocked++;
		pthread_cond_timedwait(&s->spcv, &s->mu, &ts);
		s->nblocked--;
	}
	pthread_mutex_unlock(&s->mu);
}

int
vouch_member_write(vouch_member *m, const void *p, size_t n)
{
	vouch_job *j;
	vouch_scan *s;
	const vouch_limits *l;
	uint64_t total, ratio_cap;

	if (m == NULL) {
		return VOUCH_OK; /* a member skipped as unsafe: its bytes are dropped */
	}
	j = m->j;
	s = j->s;
	l = &s->opts.limits;
	if (m->sp.len + n > l->max_member_bytes) {
		return limit_event(s, m->path, 0, "member size limit (max_member_bytes) reached");
	}
	total = atomic_fetch_add(&s->out_bytes, n) + n;
	if (total > l->max_output_bytes) {
		atomic_store(&s->stop, true);
		return limit_event(s, j->parent->path, j->base,
				   "total output limit (max_output_bytes) reached");
	}
	j->out_bytes += n;
	if (!vouch_mul_u64(j->src.len, l->max_ratio, &ratio_cap)) {
		ratio_cap = UINT64_MAX;
	}
	if (j->out_bytes > VOUCH_MAX(ratio_cap, RATIO_FLOOR)) {
		return limit_event(s, j->parent->path, j->base,
				   "expansion ratio limit (max_ratio) reached: a decompression bomb?");
	}
	if ((j->out_bytes & 0xFFFFF) < n && vouch_job_check(j) != VOUCH_OK) {
		return VOUCH_E_LIMIT;
	}
	uint64_t grow_by = vouch_spool_growth(&m->sp, n);
	if (grow_by > 0 && atomic_load(&s->spool_mem) + grow_by > l->max_memory_spool) {
		spool_wait(s, grow_by);
	}
	return vouch_spool_write(&m->sp, p, n) == VOUCH_OK
		       ? VOUCH_OK
		       : limit_event(s, m->path, 0, "cannot spool member data (temporary space?)");
}

/*
 * Take the member's name on disk now (its file created empty), so that names are taken in
 * the order the container lists its members, not when a worker gets to them. m->disk
 * becomes the name it got ("name~N" on a clash), or NULL when none could be created.
 */
static void
member_reserve(vouch_member *m)
{
	vouch_scan *s = m->j->s;
	char note[256] = "", *got = NULL;
	int rc;

	if (m->reserved || m->disk == NULL || s->sink == NULL) {
		return;
	}
	rc = vouch_sink_reserve(s->sink, m->disk, m->meta.has_mode ? m->meta.mode : 0644, note,
				sizeof(note), &got);
	if (note[0]) {
		scan_event(s, m->path, NULL, 0, VOUCH_E_UNSAFE, note);
	} else if (rc != VOUCH_OK) {
		scan_event(s, m->path, NULL, 0, VOUCH_E_UNSAFE, "could not create the file on disk");
	}
	free(m->disk);
	m->disk = got;
	m->reserved = true;
}

/*
 * A member too large for memory spills into its own output file when extracting to disk
 * (the pass then reads it from there and has nothing left to write), instead of into a
 * temporary file that would be written, read back and written again.
 */
static int
member_spill_open(void *ud)
{
	vouch_member *m = ud;

	member_reserve(m);
	return m->disk != NULL ? vouch_sink_reopen(m->j->s->sink, m->disk, true) : -1;
}

static int
member_queue(vouch_member *m)
{
	vouch_job *j = m->j;
	node *n = calloc(1, sizeof(*n));
	vouch_blob *b = NULL;
	int rc;

	if (n == NULL) {
		member_free(m);
		return VOUCH_E_NOMEM;
	}
	rc = vouch_spool_finish(&m->sp, &b);
	if (rc != VOUCH_OK) {
		free(n);
		member_free(m);
		return rc;
	}
	n->src.blob = b;
	n->src.off = 0;
	n->src.len = vouch_blob_size(b);
	member_reserve(m);
	n->reserved = m->disk != NULL && j->s->sink != NULL;
	n->on_disk = n->reserved && m->sp.spilled_out;
	n->path = m->path;
	n->disk = m->disk; /* NULL when it could not be created: nothing written */
	m->path = m->disk = NULL;
	n->ftype = VOUCH_FT_REG;
	n->mode = m->meta.mode;
	n->uid = m->meta.uid;
	n->gid = m->meta.gid;
	n->mtime = m->meta.mtime;
	n->has_mode = m->meta.has_mode;
	n->depth = j->depth;
	n->has_data = true;
	member_free(m);
	j->yielded++;
	queue_push(j->s, n);
	return VOUCH_OK;
}

int
vouch_member_end(vouch_member *m)
{
	return m ? member_queue(m) : VOUCH_OK;
}

int
vouch_member_abort(vouch_member *m, int code, uint64_t offset, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (m == NULL) {
		return VOUCH_OK;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_event(m->j, m->path, offset, code, msg);
	if (m->sp.len == 0) {
		member_free(m); /* nothing came out: nothing to keep (the error says why) */
		return VOUCH_OK;
	}
	return member_queue(m);
}

/*
 * A hard link's target names another member of the same container: normalise it the way
 * sanitize() writes names (no leading '/', no empty or "." components), in place, so that
 * "./usr/sbin/dropbear" matches the member "usr/sbin/dropbear". ".." is left as it is (the
 * caller has recorded it as unsafe; hard links are never created on disk).
 */
static void
norm_hardlink(char *t)
{
	size_t k = 0, i = 0, n = strlen(t);

	while (i < n) {
		size_t e = i;
		while (e < n && t[e] != '/') {
			e++;
		}
		size_t cl = e - i;
		if (!(cl == 0 || (cl == 1 && t[i] == '.'))) {
			if (k > 0) {
				t[k++] = '/';
			}
			memmove(t + k, t + i, cl);
			k += cl;
		}
		i = e + 1;
	}
	t[k] = '\0';
}

/* Record an unsafe link: "<what> 'name' -> 'target' <why>", both escaped. */
static void
link_event(vouch_job *j, const char *what, const char *name, const char *target,
	   const char *why)
{
	char esc[256], lesc[256];

	vouch_escape(esc, sizeof(esc), name, strlen(name));
	vouch_escape(lesc, sizeof(lesc), target, strlen(target));
	vouch_job_error(j, VOUCH_E_UNSAFE, 0, "%s '%s' -> '%s' %s", what, esc, lesc, why);
}

/* Whether a '/'-separated path has a ".." component. */
static bool
has_dotdot(const char *t)
{
	for (const char *c = t; *c != '\0';) {
		const char *e = strchr(c, '/');
		size_t cl = e != NULL ? (size_t)(e - c) : strlen(c);
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			return true;
		}
		c += cl + (e != NULL);
	}
	return false;
}

int
vouch_job_entry(vouch_job *j, const char *name, size_t name_len, const vouch_meta *meta)
{
	char *rel = NULL, *path = NULL, *disk = NULL;
	vouch_file f;
	int rc;

	if ((rc = count_file(j)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = sanitize(j, name, name_len, &rel)) != VOUCH_OK) {
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK : rc;
	}
	if (rel[0] == '\0' && meta->ftype == VOUCH_FT_DIR) {
		free(rel); /* the container's root directory itself */
		return VOUCH_OK;
	}
	rc = member_paths(j, rel[0] ? rel : "unnamed", &path, &disk);
	if (rc != VOUCH_OK) {
		free(rel);
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK /* skipped, recorded */ : rc;
	}
	memset(&f, 0, sizeof(f));
	f.path = path;
	f.ftype = meta->ftype;
	f.mode = meta->mode;
	f.uid = meta->uid;
	f.gid = meta->gid;
	f.mtime = meta->mtime;
	f.has_mode = meta->has_mode;
	f.depth = j->depth;
	f.entropy = -1.0;
	char *link = NULL;
	if (meta->link != NULL) {
		link = vouch_arena_strndup(j->arena, meta->link, meta->link_len);
		if (meta->ftype == VOUCH_FT_HARDLINK && link != NULL) {
			if (link[0] == '/' || has_dotdot(link)) {
				link_event(j, "hard link", rel, link,
					   "names a path outside its container: recorded, never "
					   "created");
			}
			norm_hardlink(link); /* a member path: written like the names are */
		}
		f.link = link;
	}
	if (j->s->has_vis && j->s->vis.file_begin != NULL) {
		void *st = NULL;
		if (j->s->vis.file_begin(j->s->vis.ud, &f, &st) == VOUCH_OK && j->s->vis.file_end) {
			j->s->vis.file_end(j->s->vis.ud, st, &f);
		}
	}
	scan_file(j->s, &f);
	j->yielded++;
	if (meta->ftype == VOUCH_FT_SYMLINK && link != NULL &&
	    grow((void **)&j->links, &j->caplinks, j->nlinks, sizeof(*j->links))) {
		char *lp = vouch_arena_strndup(j->arena, rel, strlen(rel));
		if (lp != NULL) {
			j->links[j->nlinks].path = lp;
			j->links[j->nlinks].target = link;
			j->nlinks++;
		}
	}
	if (disk != NULL && j->s->sink != NULL) {
		if (meta->ftype == VOUCH_FT_DIR) {
			if (vouch_sink_mkdir(j->s->sink, disk) != VOUCH_OK) {
				vouch_job_error(j, VOUCH_E_UNSAFE, 0,
						"could not create directory for %s", "a member");
			}
		} else if (meta->ftype == VOUCH_FT_SYMLINK && link != NULL) {
			rc = vouch_sink_symlink(j->s->sink, j->prefix_disk, disk, link);
			if (rc == VOUCH_E_UNSAFE) {
				link_event(j, "symlink", rel, link,
					   "points outside its container: not created on disk");
			}
		}
		/* devices, FIFOs, sockets and hard links are recorded, never created */
	}
	free(rel);
	free(path);
	free(disk);
	return VOUCH_OK;
}

int
vouch_job_subregion(vouch_job *j, const char *name, uint64_t off, uint64_t len,
		    const vouch_fmt *fmt)
{
	char *rel = NULL;
	node *n;
	int rc;

	if ((rc = count_file(j)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = sanitize(j, name, strlen(name), &rel)) != VOUCH_OK) {
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK : rc;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		free(rel);
		return VOUCH_E_NOMEM;
	}
	if (vouch_src_slice(&j->src, off, len, &n->src) != VOUCH_OK) {
		free(rel);
		free(n);
		vouch_job_error(j, VOUCH_E_MALFORMED, off, "sub-region of %llu bytes runs past the end",
				(unsigned long long)len);
		return VOUCH_OK;
	}
	rc = member_paths(j, rel[0] ? rel : "unnamed", &n->path, &n->disk);
	free(rel);
	if (rc != VOUCH_OK) {
		free(n);
		return rc == VOUCH_E_UNSAFE ? VOUCH_OK /* skipped, recorded */ : rc;
	}
	vouch_blob_ref(n->src.blob);
	n->forced = fmt;
	n->ftype = VOUCH_FT_REG;
	n->depth = j->depth;
	n->has_data = true;
	j->yielded++;
	queue_push(j->s, n);
	return VOUCH_OK;
}

/* ---- symlink chains ---------------------------------------------------------------- */

static int
cmp_link(const void *a, const void *b)
{
	return strcmp(((const struct link_rec *)a)->path, ((const struct link_rec *)b)->path);
}

static const struct link_rec *
find_link(vouch_job *j, const char *path)
{
	struct link_rec key = {(char *)(uintptr_t)path, NULL};
	return bsearch(&key, j->links, j->nlinks, sizeof(*j->links), cmp_link);
}

/*
 * Resolve one symlink lexically inside its container, following links met on the way (a
 * link to a directory that holds the next link, ...), at most limits.max_symlink_hops
 * times. vouch never follows links on the host; this only tells the report which links
 * loop or run too long, as a hostile image may plant them to trap naive tools.
 * Returns true when the chain ends (inside or outside the container), false on a loop.
 */
static bool
resolve_chain(vouch_job *j, const struct link_rec *start)
{
	size_t cap = 4096;
	char *cur = malloc(cap), *rest = malloc(cap);
	uint64_t hops = 0;
	bool ok = true;

	if (cur == NULL || rest == NULL) {
		goto out;
	}
	/* cur = directory of the link; rest = its target */
	const char *slash = strrchr(start->path, '/');
	size_t dl = slash ? (size_t)(slash - start->path) : 0;
	if (dl >= cap || strlen(start->target) >= cap) {
		goto out;
	}
	memcpy(cur, start->path, dl);
	cur[dl] = '\0';
	snprintf(rest, cap, "%s", start->target);
	for (;;) {
		if (rest[0] == '/') {
			cur[0] = '\0';
		}
		/* walk the components of rest onto cur */
		char *p = rest, *next = NULL;
		bool jumped = false;
		while (*p != '\0') {
			while (*p == '/') {
				p++;
			}
			if (*p == '\0') {
				break;
			}
			char *e = strchr(p, '/');
			size_t cl = e ? (size_t)(e - p) : strlen(p);
			next = e ? e : p + cl;
			if (cl == 1 && p[0] == '.') {
				p = next;
				continue;
			}
			if (cl == 2 && p[0] == '.' && p[1] == '.') {
				char *s2 = strrchr(cur, '/');
				if (s2 != NULL) {
					*s2 = '\0';
				} else {
					cur[0] = '\0';
				}
				p = next;
				continue;
			}
			size_t l = strlen(cur);
			if (l + cl + 2 >= cap) {
				goto out; /* longer than any path we track: give up quietly */
			}
			if (l > 0) {
				cur[l++] = '/';
			}
			memcpy(cur + l, p, cl);
			cur[l + cl] = '\0';
			const struct link_rec *hit = find_link(j, cur);
			if (hit != NULL) {
				if (++hops > j->s->opts.limits.max_symlink_hops) {
					ok = false;
					goto out;
				}
				/* replace: the link's directory, then its target, then what was left */
				char *tail = strdup(next);
				if (tail == NULL) {
					goto out;
				}
				char *s2 = strrchr(cur, '/');
				if (s2 != NULL) {
					*s2 = '\0';
				} else {
					cur[0] = '\0';
				}
				int n = snprintf(rest, cap, "%s%s", hit->target, tail);
				free(tail);
				if (n < 0 || (size_t)n >= cap) {
					goto out;
				}
				jumped = true;
				break;
			}
			p = next;
		}
		if (!jumped) {
			break;
		}
	}
out:
	free(cur);
	free(rest);
	return ok;
}

static void
check_links(vouch_job *j)
{
	if (j->nlinks == 0) {
		return;
	}
	qsort(j->links, j->nlinks, sizeof(*j->links), cmp_link);
	for (size_t i = 0; i < j->nlinks; i++) {
		if (!resolve_chain(j, &j->links[i])) {
			char esc[256];
			vouch_escape(esc, sizeof(esc), j->links[i].path, strlen(j->links[i].path));
			vouch_job_error(j, VOUCH_E_MALFORMED, 0,
					"symlink '%s' loops or its chain is longer than "
					"max_symlink_hops",
					esc);
		}
	}
}

/* ---- opening a node ---------------------------------------------------------------- */

typedef struct claim {
	uint64_t off, len;
	const char *fmt;
	vouch_region_kind kind;
} claim;

/* Run one format over [off, end) of node n. Returns VOUCH_OK when the format accepted it,
 * with *consumed = bytes it occupied. A probe that fails returns its error silently. */
static int
try_format(worker *w, node *n, const vouch_fmt *fmt, uint64_t off, bool forced,
	   uint64_t *consumed)
{
	vouch_scan *s = w->s;
	vouch_job j;
	uint64_t len = VOUCH_LEN_UNKNOWN;
	int rc;

	memset(&j, 0, sizeof(j));
	j.s = s;
	j.w = w;
	j.parent = n;
	j.fmt = fmt;
	j.base = off;
	j.depth = n->depth + 1;
	j.speculative = !forced && off != 0;
	if (vouch_src_slice(&n->src, off, n->src.len - off, &j.src) != VOUCH_OK) {
		return VOUCH_E_INTERNAL;
	}
	rc = vouch_arena_new(&j.arena, 256ULL << 20);
	if (rc != VOUCH_OK) {
		return rc;
	}
	rc = fmt->probe ? fmt->probe(&j, &j.src, &len) : VOUCH_OK;
	if (rc != VOUCH_OK) {
		if (forced) {
			vouch_job_error(&j, rc, 0, "not a valid %s: %s", fmt->name, vouch_err_str(rc));
		}
		goto out;
	}
	if (len != VOUCH_LEN_UNKNOWN && len <= j.src.len) {
		j.src.len = len;
	}
	if (fmt->leaf || fmt->extract == NULL) {
		*consumed = len != VOUCH_LEN_UNKNOWN ? j.src.len : n->src.len - off;
		goto out;
	}
	if (n->depth + 1 > s->opts.limits.max_depth) {
		limit_event(s, n->path, off, "nesting depth limit (max_depth) reached: not opened");
		*consumed = j.src.len;
		rc = VOUCH_OK;
		goto out;
	}
	j.prefix = off ? xasprintf("%s/%s@0x%llx", n->path, fmt->name, (unsigned long long)off)
		       : xasprintf("%s/%s", n->path, fmt->name);
	if (n->disk != NULL) {
		j.prefix_disk = off ? xasprintf("%s.extracted/%s@0x%llx", n->disk, fmt->name,
						(unsigned long long)off)
				    : xasprintf("%s.extracted/%s", n->disk, fmt->name);
	}
	if (j.prefix == NULL || (n->disk != NULL && j.prefix_disk == NULL)) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	rc = fmt->extract(&j, &j.src);
	check_links(&j);
	if (rc != VOUCH_E_LIMIT && j.speculative && j.yielded == 0 &&
	    (rc != VOUCH_OK || j.npend > 0)) {
		job_settle(&j, false); /* a false-positive signature: not this format after all */
		goto out;
	}
	job_settle(&j, true);
	if (rc != VOUCH_OK && rc != VOUCH_E_LIMIT) {
		vouch_job_error(&j, rc, j.consumed_set ? j.consumed : 0, "%s: %s", fmt->name,
				vouch_err_str(rc));
	}
	*consumed = j.consumed_set ? j.consumed : j.src.len;
	if (*consumed == 0) {
		*consumed = 1;
	}
	rc = VOUCH_OK; /* accepted, even if extraction stopped part-way (recorded) */
out:
	job_settle(&j, true);
	free(j.links);
	free(j.prefix);
	free(j.prefix_disk);
	vouch_arena_free(j.arena);
	return rc;
}

/*
 * Report a gap (bytes no format claimed) as regions: runs of one padding byte (0x00 or 0xFF)
 * of at least PAD_MIN bytes become padding regions; everything between them becomes an
 * unrecognised region with its own entropy. One streaming read, bounded memory.
 */
#define PAD_MIN 16

typedef struct gapper {
	vouch_scan *s;
	const char *node;
	uint64_t hist[256];
	uint64_t seg_start, seg_len; /* current unrecognised segment */
	uint64_t run_start, run_len; /* pending run of run_byte */
	int run_byte;                /* -1: none */
} gapper;

static void
gap_flush_segment(gapper *g)
{
	if (g->seg_len > 0) {
		scan_region(g->s, g->node, g->seg_start, g->seg_len, VOUCH_REGION_UNKNOWN, NULL,
			    vouch_entropy(g->hist, g->seg_len));
	}
	memset(g->hist, 0, sizeof(g->hist));
	g->seg_len = 0;
}

static void
gap_end_run(gapper *g)
{
	if (g->run_byte < 0) {
		return;
	}
	if (g->run_len >= PAD_MIN) {
		gap_flush_segment(g);
		scan_region(g->s, g->node, g->run_start, g->run_len, VOUCH_REGION_PADDING, NULL,
			    0.0);
		g->seg_start = g->run_start + g->run_len;
	} else {
		if (g->seg_len == 0) {
			g->seg_start = g->run_start;
		}
		g->hist[g->run_byte] += g->run_len;
		g->seg_len += g->run_len;
	}
	g->run_byte = -1;
	g->run_len = 0;
}

static void
report_gap(worker *w, node *n, uint64_t off, uint64_t len)
{
	gapper g;
	uint64_t done = 0;

	memset(&g, 0, sizeof(g));
	g.s = w->s;
	g.node = n->path;
	g.run_byte = -1;
	g.seg_start = off;
	while (done < len) {
		size_t got = 0;
		size_t want = (size_t)VOUCH_MIN((uint64_t)CHUNK, len - done);
		if (vouch_src_pass(&n->src, off + done, w->buf, want, &got) != VOUCH_OK ||
		    got == 0) {
			break;
		}
		for (size_t i = 0; i < got; i++) {
			uint8_t b = w->buf[i];
			uint64_t pos = off + done + i;
			if (g.run_byte >= 0 && b == g.run_byte) {
				g.run_len++;
				continue;
			}
			gap_end_run(&g);
			if (b == 0x00 || b == 0xFF) {
				g.run_byte = b;
				g.run_start = pos;
				g.run_len = 1;
				continue;
			}
			if (g.seg_len == 0) {
				g.seg_start = pos;
			}
			g.hist[b]++;
			g.seg_len++;
		}
		done += got;
	}
	gap_end_run(&g);
	gap_flush_segment(&g);
}

/* Feed [from, end) of the node to the carver (a second read, only for what follows a
 * container found at offset 0: usually padding or a few trailing bytes). */
static void
carve_rest(worker *w, node *n, vouch_carver *cv, uint64_t from)
{
	uint64_t off = from;

	cv->pos = from;
	cv->tail_len = 0;
	while (off < n->src.len && !cv->overflow) {
		size_t got = 0;
		if (vouch_src_pass(&n->src, off, w->buf, CHUNK, &got) != VOUCH_OK || got == 0) {
			break;
		}
		vouch_carver_feed(cv, w->buf, got);
		off += got;
	}
}

static void
add_claim(claim **claims, size_t *n, size_t *cap, uint64_t off, uint64_t len, const vouch_fmt *f)
{
	if (grow((void **)claims, cap, *n, sizeof(**claims))) {
		(*claims)[(*n)++] = (claim){off, len, f->name,
					    f->leaf ? VOUCH_REGION_IDENTIFIED : VOUCH_REGION_OPENED};
	}
}

/*
 * Open node n: fmt0 (a forced format, or one whose probe accepted offset 0 before the pass)
 * first, then every carved signature hit past what is already claimed; then account for
 * every byte. When fmt0 was known before the pass, the pass did not carve: only the bytes
 * after fmt0's region are scanned now.
 */
static void
open_node(worker *w, node *n, const vouch_fmt *fmt0, vouch_carver *cv, const char **container,
	  bool blob_like)
{
	vouch_scan *s = w->s;
	claim *claims = NULL;
	size_t nclaims = 0, capclaims = 0;
	uint64_t end = 0, consumed;

	if (fmt0 != NULL) {
		if (try_format(w, n, fmt0, 0, n->forced != NULL, &consumed) == VOUCH_OK) {
			add_claim(&claims, &nclaims, &capclaims, 0, consumed, fmt0);
			end = consumed;
		}
		if (end < n->src.len && !atomic_load(&s->stop)) {
			carve_rest(w, n, cv, end);
		}
	}
	vouch_carver_sort(cv);
	for (size_t i = 0; i < cv->nhits && !atomic_load(&s->stop); i++) {
		const vouch_hit *h = &cv->hits[i];
		if (h->start < end || h->start >= n->src.len) {
			continue;
		}
		if (h->fmt->whole_only && h->start != 0) {
			continue;
		}
		if (try_format(w, n, h->fmt, h->start, false, &consumed) != VOUCH_OK) {
			continue;
		}
		add_claim(&claims, &nclaims, &capclaims, h->start, consumed, h->fmt);
		end = h->start + consumed;
	}
	if (cv->overflow) {
		limit_event(s, n->path, cv->pos,
			    "carving candidate limit (max_carve_candidates) reached");
	}
	if (nclaims > 0 && claims[0].off == 0 && claims[0].kind == VOUCH_REGION_OPENED) {
		*container = claims[0].fmt;
	}
	/* account for every byte: claims, and the gaps between them */
	if (nclaims > 0 || blob_like) {
		uint64_t pos = 0;
		for (size_t i = 0; i <= nclaims; i++) {
			uint64_t gend = i < nclaims ? claims[i].off : n->src.len;
			if (gend > pos) {
				report_gap(w, n, pos, gend - pos);
			}
			if (i < nclaims) {
				scan_region(s, n->path, claims[i].off, claims[i].len, claims[i].kind,
					    claims[i].fmt, -1.0);
				pos = claims[i].off + claims[i].len;
			}
		}
	}
	free(claims);
}

/* Before the pass: which format, if any, opens this node at offset 0? Probing reads only
 * headers. Returns NULL when none does (then the pass carves). */
static const vouch_fmt *
identify_start(worker *w, node *n)
{
	const vouch_fmt *cand[16];
	size_t got = 0, nc;

	if (n->forced != NULL) {
		return n->forced;
	}
	/* 40 KiB: far enough for signatures that sit deep in a header (ISO 9660 at 0x8001) */
	if (vouch_src_pass(&n->src, 0, w->buf, 40u * 1024u, &got) != VOUCH_OK || got == 0) {
		return NULL;
	}
	nc = vouch_carve_at_start(w->buf, got, cand, VOUCH_ARRAY_LEN(cand));
	for (size_t i = 0; i < nc; i++) {
		vouch_job j;
		uint64_t len = VOUCH_LEN_UNKNOWN;
		int rc;

		if (cand[i]->probe == NULL) {
			return cand[i];
		}
		memset(&j, 0, sizeof(j));
		j.s = w->s;
		j.w = w;
		j.parent = n;
		j.fmt = cand[i];
		j.depth = n->depth + 1;
		j.src = n->src;
		j.speculative = true; /* a probe records nothing: drop anything it tries to */
		if (vouch_arena_new(&j.arena, 64ULL << 20) != VOUCH_OK) {
			return NULL;
		}
		rc = cand[i]->probe(&j, &j.src, &len);
		job_settle(&j, false);
		vouch_arena_free(j.arena);
		if (rc == VOUCH_OK) {
			return cand[i];
		}
	}
	return NULL;
}

/* ---- processing a node ------------------------------------------------------------- */

/* Byte counts; four interleaved tables avoid the store-to-load stalls of one. */
static void
histogram(uint64_t hist[256], const uint8_t *p, size_t n)
{
	uint32_t h[4][256];
	size_t i = 0;

	memset(h, 0, sizeof(h));
	for (; i + 4 <= n; i += 4) {
		h[0][p[i]]++;
		h[1][p[i + 1]]++;
		h[2][p[i + 2]]++;
		h[3][p[i + 3]]++;
	}
	for (; i < n; i++) {
		h[0][p[i]]++;
	}
	for (int b = 0; b < 256; b++) {
		hist[b] += (uint64_t)h[0][b] + h[1][b] + h[2][b] + h[3][b];
	}
}

static void process_pass(worker *w, node *n, const vouch_fmt *fmt0);

/* Large containers: their pass runs on another worker while this one opens them. */
#define PARALLEL_PASS_MIN (4ULL << 20)

static node *
node_clone_for_pass(const node *n, const vouch_fmt *fmt0)
{
	node *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return NULL;
	}
	*c = *n;
	c->next = NULL;
	c->path = strdup(n->path);
	c->disk = n->disk ? strdup(n->disk) : NULL;
	c->link = n->link ? strdup(n->link) : NULL;
	if (c->path == NULL || (n->disk && c->disk == NULL) || (n->link && c->link == NULL)) {
		free(c->path);
		free(c->disk);
		free(c->link);
		free(c);
		return NULL;
	}
	vouch_blob_ref(c->src.blob);
	c->pass_only = true;
	c->container_hint = fmt0->name;
	return c;
}

static void
process_node(worker *w, node *n)
{
	vouch_scan *s = w->s;
	const vouch_fmt *fmt0 = n->pass_only ? NULL : identify_start(w, n);

	if (fmt0 != NULL && n->src.len >= PARALLEL_PASS_MIN && s->nthreads > 1) {
		node *p = node_clone_for_pass(n, fmt0);
		if (p != NULL) {
			vouch_carver cv;
			const char *container = NULL;
			queue_push(s, p);
			vouch_carver_init(&cv, (size_t)s->opts.limits.max_carve_candidates);
			open_node(w, n, fmt0, &cv, &container, true);
			vouch_carver_fini(&cv);
			return;
		}
	}
	process_pass(w, n, fmt0);
}

static void
process_pass(worker *w, node *n, const vouch_fmt *fmt0)
{
	vouch_scan *s = w->s;
	vouch_file f;
	vouch_carver cv;
	uint64_t hist[256] = {0};
	uint8_t head[HEAD_MAX];
	size_t headlen = 0;
	void *vst = NULL;
	int fd = -1;
	const char *container = NULL;
	bool vis = s->has_vis;

	memset(&f, 0, sizeof(f));
	f.path = n->path;
	f.link = n->link;
	f.ftype = n->ftype;
	f.size = n->src.len;
	f.mode = n->mode;
	f.uid = n->uid;
	f.gid = n->gid;
	f.mtime = n->mtime;
	f.has_mode = n->has_mode;
	f.depth = n->depth;
	f.entropy = -1.0;
	vouch_carver_init(&cv, (size_t)s->opts.limits.max_carve_candidates);

	if (vis && s->vis.file_begin != NULL &&
	    s->vis.file_begin(s->vis.ud, &f, &vst) != VOUCH_OK) {
		vis = false;
	}
	bool carve = fmt0 == NULL && !n->pass_only;
	/* (a member that spilled into its output file is already written: n->on_disk) */
	if (s->sink != NULL && n->disk != NULL && !n->is_root && !n->on_disk) {
		char note[256] = "";
		fd = n->reserved ? vouch_sink_reopen(s->sink, n->disk, false)
				 : vouch_sink_create(s->sink, n->disk, n->has_mode ? n->mode : 0644,
						     note, sizeof(note));
		if (fd < 0) {
			scan_event(s, n->path, NULL, 0, VOUCH_E_UNSAFE,
				   note[0] ? note : "could not create the file on disk");
		} else if (note[0]) {
			scan_event(s, n->path, NULL, 0, VOUCH_E_UNSAFE, note);
		}
	}
	uint64_t off = 0;
	bool ioerr = false;
	while (off < n->src.len) {
		size_t got = 0;
		if (vouch_src_pass(&n->src, off, w->buf, CHUNK, &got) != VOUCH_OK || got == 0) {
			ioerr = true;
			break;
		}
		vouch_sha256_update(w->sha, w->buf, got);
		histogram(hist, w->buf, got);
		if (carve) {
			vouch_carver_feed(&cv, w->buf, got);
		}
		if (headlen < HEAD_MAX) {
			size_t c = VOUCH_MIN(got, (size_t)(HEAD_MAX - headlen));
			memcpy(head + headlen, w->buf, c);
			headlen += c;
		}
		if (vis && s->vis.file_data != NULL) {
			s->vis.file_data(s->vis.ud, vst, w->buf, got, off);
		}
		if (fd >= 0) {
			size_t done = 0;
			while (done < got) {
				ssize_t wr = write(fd, w->buf + done, got - done);
				if (wr < 0 && errno == EINTR) {
					continue;
				}
				if (wr <= 0) {
					scan_event(s, n->path, NULL, off, VOUCH_E_IO,
						   "write to the output directory failed");
					close(fd);
					fd = -1;
					break;
				}
				done += (size_t)wr;
			}
		}
		off += got;
		atomic_fetch_add(&s->done_bytes, got);
	}
	if (fd >= 0) {
		close(fd);
	}
	if (ioerr) {
		scan_event(s, n->path, NULL, off, VOUCH_E_IO, "read failed");
	}
	f.has_sha256 = vouch_sha256_final(w->sha, f.sha256) == VOUCH_OK;
	f.entropy = vouch_entropy(hist, off);
	f.has_elf = vouch_elf_ident(head, headlen, &f.elf);
	char elfdesc[96];
	if (f.has_elf) {
		/* most files of a firmware image are ELF: describe them from the header already
		 * parsed instead of libmagic's ~70 us per file */
		static const char *const etypes[] = {"none", "relocatable", "executable",
						     "shared object or PIE executable", "core file"};
		snprintf(elfdesc, sizeof(elfdesc), "ELF %d-bit %s %s, %s",
			 f.elf.cls == 2 ? 64 : 32, f.elf.endian == 2 ? "MSB" : "LSB",
			 f.elf.type < VOUCH_ARRAY_LEN(etypes) ? etypes[f.elf.type] : "other",
			 vouch_elf_machine_str(f.elf.machine));
		f.type = elfdesc;
	} else if (!s->opts.no_magic && w->magic != NULL) {
		f.type = vouch_magic_db_describe(w->magic, head, headlen);
	}
	bool blob_like = n->is_root || f.type == NULL || strcmp(f.type, "data") == 0;
	if (n->pass_only) {
		container = n->container_hint;
	} else if (!atomic_load(&s->stop)) {
		open_node(w, n, fmt0, &cv, &container, blob_like);
	}
	f.container = container;
	if (vis && s->vis.file_end != NULL) {
		s->vis.file_end(s->vis.ud, vst, &f);
	}
	scan_file(s, &f);
	vouch_carver_fini(&cv);
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	vouch_scan *s = w->s;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->qhead == NULL && s->busy > 0) {
			pthread_cond_wait(&s->cv, &s->mu);
		}
		node *n = s->qhead;
		if (n == NULL) {
			s->done = true;
			pthread_cond_broadcast(&s->cv);
			pthread_cond_signal(&s->dcv);
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		s->qhead = n->next;
		if (s->qhead == NULL) {
			s->qtail = NULL;
		}
		s->busy++;
		pthread_mutex_unlock(&s->mu);

		if (!atomic_load(&s->stop)) {
			process_node(w, n);
		}
		node_release(s, n);

		pthread_mutex_lock(&s->mu);
		s->busy--;
		if (s->busy == 0 && s->qhead == NULL) {
			pthread_cond_broadcast(&s->cv);
		}
		pthread_mutex_unlock(&s->mu);
	}
}

/* ---- public API -------------------------------------------------------------------- */

void
vouch_scan_opts_default(vouch_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	vouch_limits_default(&o->limits);
}

int
vouch_scan_new(vouch_scan **out, const vouch_scan_opts *opts)
{
	vouch_scan *s;

	if (out == NULL || opts == NULL) {
		return VOUCH_E_USAGE;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	s->opts = *opts;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->dcv, NULL);
	pthread_cond_init(&s->spcv, NULL);
	pthread_mutex_init(&s->rmu, NULL);
	if (vouch_arena_new(&s->arena, 8ULL << 30) != VOUCH_OK) {
		vouch_scan_free(s);
		return VOUCH_E_NOMEM;
	}
	s->tmpdir = getenv("TMPDIR");
	if (s->tmpdir == NULL || s->tmpdir[0] == '\0') {
		s->tmpdir = "/tmp";
	}
	*out = s;
	return VOUCH_OK;
}

void
vouch_scan_free(vouch_scan *s)
{
	if (s == NULL) {
		return;
	}
	while (s->qhead != NULL) {
		node *n = s->qhead;
		s->qhead = n->next;
		node_free(n);
	}
	vouch_sink_close(s->sink);
	free(s->files);
	free(s->regions);
	free(s->events);
	vouch_arena_free(s->arena);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->dcv);
	pthread_cond_destroy(&s->spcv);
	pthread_mutex_destroy(&s->rmu);
	free(s);
}

void
vouch_scan_set_visitor(vouch_scan *s, const vouch_visitor *v)
{
	s->vis = *v;
	s->has_vis = true;
}

const char *
vouch_scan_errmsg(const vouch_scan *s)
{
	return s->err.msg;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const vouch_file *)a)->path, ((const vouch_file *)b)->path);
}

static int
cmp_region(const void *a, const void *b)
{
	const vouch_region *x = a, *y = b;
	int c = strcmp(x->node, y->node);
	return c ? c : (x->offset > y->offset) - (x->offset < y->offset);
}

static int
cmp_event(const void *a, const void *b)
{
	const vouch_event *x = a, *y = b;
	int c = strcmp(x->node, y->node);
	if (c == 0) {
		c = (x->offset > y->offset) - (x->offset < y->offset);
	}
	return c ? c : strcmp(x->message, y->message);
}

static char *
root_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *o;

	b = b ? b + 1 : path;
	if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0) {
		b = "image";
	}
	o = strdup(b);
	return o;
}

/* Prepare the root node from an open blob; takes the blob. */
static int
make_root(vouch_scan *s, vouch_blob *b, uint64_t size, const char *path, const struct stat *st,
	  node **out)
{
	node *root = calloc(1, sizeof(*root));

	if (root == NULL) {
		vouch_blob_unref(b);
		return vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "out of memory");
	}
	root->src = (vouch_src){b, 0, size};
	root->path = root_name(s->opts.root_name != NULL ? s->opts.root_name : path);
	root->disk = s->sink && root->path ? strdup(root->path) : NULL;
	root->ftype = VOUCH_FT_REG;
	if (st != NULL) {
		root->mode = st->st_mode & 07777;
		root->has_mode = true;
		root->uid = st->st_uid;
		root->gid = st->st_gid;
		root->mtime = st->st_mtime;
	}
	root->is_root = true;
	root->has_data = true;
	if (s->opts.force_format != NULL) {
		root->forced = vouch_fmt_by_name(s->opts.force_format);
		if (root->forced == NULL) {
			node_free(root);
			return vouch_errf(&s->err, VOUCH_E_USAGE, 0, "no format called '%s'",
					  s->opts.force_format);
		}
	}
	s->root_size = size;
	if (root->path == NULL || (s->sink && root->disk == NULL)) {
		node_free(root);
		return vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "out of memory");
	}
	*out = root;
	return VOUCH_OK;
}

static int run_queue(vouch_scan *s, node *root);

int
vouch_scan_run(vouch_scan *s, const char *path)
{
	struct stat st;
	node *root = NULL;
	vouch_blob *b = NULL;
	int fd, rc;

	if (s->ran) {
		return vouch_errf(&s->err, VOUCH_E_USAGE, 0, "a scan runs once");
	}
	s->ran = true;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return vouch_errf(&s->err, errno == ENOENT ? VOUCH_E_NOTFOUND : VOUCH_E_IO, 0,
				  "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vouch_errf(&s->err, VOUCH_E_USAGE, 0, "%s is not a regular file", path);
	}
	if (vouch_blob_from_fd(fd, (uint64_t)st.st_size, &b) != VOUCH_OK) {
		close(fd);
		return vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "out of memory");
	}
	rc = make_root(s, b, (uint64_t)st.st_size, path, &st, &root);
	if (rc != VOUCH_OK) {
		return rc;
	}
	return run_queue(s, root);
}

int
vouch_scan_run_buffer(vouch_scan *s, const char *name, const void *p, size_t n)
{
	vouch_blob *b = NULL;
	node *root = NULL;
	uint8_t *copy;
	int rc;

	if (s->ran) {
		return vouch_errf(&s->err, VOUCH_E_USAGE, 0, "a scan runs once");
	}
	s->ran = true;
	copy = malloc(n ? n : 1);
	if (copy == NULL) {
		return vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "out of memory");
	}
	if (n > 0) {
		memcpy(copy, p, n);
	}
	if (vouch_blob_from_mem(copy, n, 0, NULL, &b) != VOUCH_OK) {
		free(copy);
		return vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "out of memory");
	}
	rc = make_root(s, b, n, name, NULL, &root);
	if (rc != VOUCH_OK) {
		return rc;
	}
	return run_queue(s, root);
}

static int
run_queue(vouch_scan *s, node *root)
{
	worker ws[MAX_THREADS];
	unsigned nth = s->opts.threads;
	int rc = VOUCH_OK;

	s->t0 = vouch_now();
	s->deadline = s->t0 + (double)s->opts.limits.max_seconds;
	if (nth == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		nth = c > 0 ? (unsigned)c : 1;
	}
	nth = VOUCH_MIN(nth, MAX_THREADS);
	if (s->opts.extract_dir != NULL &&
	    (rc = vouch_sink_open(&s->sink, s->opts.extract_dir, &s->err)) != VOUCH_OK) {
		node_free(root);
		return rc;
	}
	if (s->sink != NULL && root->disk == NULL) {
		root->disk = strdup(root->path);
		if (root->disk == NULL) {
			node_free(root);
			return VOUCH_E_NOMEM;
		}
	}
	s->root_blob = vouch_blob_ref(root->src.blob);
	queue_push(s, root);

	unsigned started = 0;
	for (unsigned i = 0; i < nth; i++) {
		memset(&ws[i], 0, sizeof(ws[i]));
		ws[i].s = s;
		ws[i].buf = malloc(CHUNK);
		if (ws[i].buf == NULL || vouch_sha256_new(&ws[i].sha) != VOUCH_OK) {
			rc = VOUCH_E_NOMEM;
			break;
		}
		if (!s->opts.no_magic && vouch_magic_db_new(&ws[i].magic) != VOUCH_OK) {
			ws[i].magic = NULL; /* typing degrades to none; hashes still flow */
		}
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			rc = VOUCH_E_NOMEM;
			break;
		}
		started++;
		pthread_mutex_lock(&s->mu);
		s->nthreads = started;
		pthread_mutex_unlock(&s->mu);
	}
	if (started == 0) {
		/* nothing can run: drain the queue here */
		atomic_store(&s->stop, true);
	}
	pthread_mutex_lock(&s->mu);
	while (!s->done && started > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->dcv, &s->mu, &ts);
		if (s->opts.progress != NULL && !s->done) {
			pthread_mutex_unlock(&s->mu);
			uint64_t rd = vouch_blob_nread(s->root_blob);
			s->opts.progress(s->opts.progress_ud, VOUCH_MIN(rd, s->root_size),
					 s->root_size, atomic_load(&s->nfiles_seen));
			pthread_mutex_lock(&s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	vouch_blob_unref(s->root_blob);
	s->root_blob = NULL;
	for (unsigned i = 0; i < nth; i++) {
		if (i < started) {
			pthread_join(ws[i].th, NULL);
		}
		free(ws[i].buf);
		vouch_sha256_free(ws[i].sha);
		vouch_magic_db_free(ws[i].magic);
	}
	if (rc != VOUCH_OK) {
		return vouch_errf(&s->err, rc, 0, "could not start worker threads");
	}

	if (s->nfiles > 0) {
		qsort(s->files, s->nfiles, sizeof(vouch_file), cmp_file);
	}
	if (s->nregions > 0) {
		qsort(s->regions, s->nregions, sizeof(vouch_region), cmp_region);
	}
	if (s->nevents > 0) {
		qsort(s->events, s->nevents, sizeof(vouch_event), cmp_event);
	}
	s->report.files = s->files;
	s->report.nfiles = s->nfiles;
	s->report.regions = s->regions;
	s->report.nregions = s->nregions;
	s->report.errors = s->events;
	s->report.nerrors = s->nevents;
	s->report.bytes_in = s->root_size;
	s->report.bytes_out = atomic_load(&s->out_bytes);
	s->report.seconds = vouch_now() - s->t0;
	s->report.limit_hit = atomic_load(&s->limit_hit);
	s->report.truncated = atomic_load(&s->truncated);
	if (s->report.limit_hit) {
		return VOUCH_E_LIMIT;
	}
	if (atomic_load(&s->unsafe)) {
		return VOUCH_E_UNSAFE;
	}
	return s->report.truncated ? VOUCH_E_MALFORMED : VOUCH_OK;
}

const vouch_report *
vouch_scan_report(const vouch_scan *s)
{
	return &s->report;
}
