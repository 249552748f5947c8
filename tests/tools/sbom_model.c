/*
 * tests/tools/sbom_model.c: the hand-built model of sbom_model.h. Digests of files are
 * computed here from the contents named in the header (through lib/crypto), so a test can
 * recompute them with coreutils and compare.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sbom_model.h"

static const char *const busybox_alias[] = {"busybox:busybox"};
static const char *const hostile_alias[] = {"evil vendor:prod\xff", "ok:alias"};

static char *
fill(size_t n, char c)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memset(s, c, n);
		s[n] = '\0';
	}
	return s;
}

static void
digests(vouch_sbom_file *f, const char *bytes)
{
	vouch_sha256_oneshot(bytes, strlen(bytes), f->sha256);
	vouch_sha1_oneshot(bytes, strlen(bytes), f->sha1);
	f->size = strlen(bytes);
}

int
test_model_build(test_model *m, int hostile)
{
	vouch_component *c = m->comp;
	vouch_evidence *e = m->ev;
	vouch_sbom_file *f = m->file;
	vouch_sbom_dep *d = m->dep;
	size_t nc = 0, nf = 0, nd = 0;

	memset(m, 0, sizeof(*m));
	if (hostile) {
		m->big_name = fill(MODEL_BIG, 'N');
		m->big_version = fill(MODEL_BIG, '7');
		m->big_text = fill(MODEL_BIG, 'T');
		if (m->big_name == NULL || m->big_version == NULL || m->big_text == NULL) {
			test_model_free(m);
			return -1;
		}
	}
	m->s.name = hostile ? "router\xff\x1b[0m.bin" : "router.bin";
	vouch_sha256_oneshot("router image", 12, m->s.sha256);
	m->s.size = 12;
	m->s.created = 1700000000; /* 2023-11-14T22:13:20Z */
	m->s.tool_version = "0.1.0";

	e[0] = (vouch_evidence){"opkg-status", "router.bin/squashfs/usr/lib/opkg/status", 1234,
				"Version: 3.0.11-1", "Version"};
	e[1] = (vouch_evidence){"elf-soname", "router.bin/squashfs/usr/lib/libssl.so.3", 4096,
				"OpenSSL 3.0.11 19 Sep 2023", NULL};
	e[2] = (vouch_evidence){"fingerprint", "router.bin/squashfs/bin/busybox", 70000,
				"BusyBox v1.36.1 (2023-10-01 12:00:00 UTC)", "busybox-banner"};
	e[3] = (vouch_evidence){"kernel-banner", "router.bin/uimage/payload/lzma/data", UINT64_MAX,
				"Linux version 5.10.176 (builder@host)", NULL};
	c[nc++] = (vouch_component){"comp-openssl-3.0.11", "openssl", "3.0.11", "OpenSSL Project",
				    "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*", NULL, 0,
				    "pkg:generic/openssl@3.0.11", VOUCH_COMP_LIBRARY, 1.0, &e[0], 2};
	c[nc++] = (vouch_component){"comp-busybox-1.36.1", "busybox", "1.36.1", NULL,
				    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", busybox_alias, 1,
				    "pkg:generic/busybox@1.36.1", VOUCH_COMP_APPLICATION, 0.8, &e[2], 1};
	c[nc++] = (vouch_component){"comp-linux-5.10.176", "linux", "5.10.176", "Linux",
				    "cpe:2.3:o:linux:linux_kernel:5.10.176:*:*:*:*:*:*:*", NULL, 0,
				    "pkg:generic/linux@5.10.176", VOUCH_COMP_OS, 0.9, &e[3], 1};
	c[nc++] = (vouch_component){"comp-u-boot", "u-boot", "2023.01", "DENX",
				    "cpe:2.3:a:denx:u-boot:2023.01:*:*:*:*:*:*:*", NULL, 0,
				    "pkg:generic/u-boot@2023.01", VOUCH_COMP_FIRMWARE, 0.7, NULL, 0};
	/* the same bom-ref twice (an identifier bug or a hostile package database) */
	c[nc++] = (vouch_component){"comp-zlib", "zlib", "1.3", NULL,
				    "cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*", NULL, 0,
				    "pkg:generic/zlib@1.3", VOUCH_COMP_LIBRARY, 1.0, NULL, 0};
	c[nc++] = (vouch_component){"comp-zlib", "zlib", "1.2.13", NULL,
				    "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", NULL, 0,
				    "pkg:generic/zlib@1.2.13", VOUCH_COMP_LIBRARY, 1.0, NULL, 0};
	if (hostile) {
		e[4] = (vouch_evidence){"ipk-control", "router.bin/squashfs/\xff\xfe/ctl\x1b[2J",
					0, "Package: \"evil\"\x01\x7f\xc3\x28", "Package\n"};
		e[5] = (vouch_evidence){"fingerprint", "router.bin/big", 5, m->big_text, NULL};
		/* invalid UTF-8, quotes, control characters, a CPE with an escaped colon */
		c[nc++] = (vouch_component){"comp \"evil\"\xff/<x>", "ev\"il\xff\xfe\x01\nname",
					    "1.0\x80-rc\t1", "Evil \"Corp\"\x1b[31m\xc0\xaf",
					    "cpe:2.3:a:evil\\:corp:evil\\\\name:1.0:*:*:*:*:*:*:*",
					    hostile_alias, 2, "pkg:generic/ev%22il@1.0\x80",
					    VOUCH_COMP_APPLICATION, 1.5, &e[4], 1};
		/* 100 KB name and version, and 100 KB of matched text */
		c[nc++] = (vouch_component){"comp-big", m->big_name, m->big_version, NULL, NULL,
					    NULL, 0, "pkg:generic/big@1", VOUCH_COMP_LIBRARY, -3,
					    &e[5], 1};
		/* no bom-ref, no version, nothing but a name; and an empty name */
		c[nc++] = (vouch_component){NULL, "mystery", NULL, NULL, NULL, NULL, 0, NULL,
					    VOUCH_COMP_LIBRARY, 0.25, NULL, 0};
		c[nc++] = (vouch_component){"", "", NULL, NULL, NULL, NULL, 0, NULL,
					    VOUCH_COMP_LIBRARY, 0.0, NULL, 0};
	}
	f[nf] = (vouch_sbom_file){"file-1", "router.bin/squashfs/bin/busybox", 0, {0}, {0},
				  "comp-busybox-1.36.1"};
	digests(&f[nf++], MODEL_BUSYBOX_BYTES);
	f[nf] = (vouch_sbom_file){"file-2", "router.bin/squashfs/usr/lib/libssl.so.3", 0, {0}, {0},
				  "comp-openssl-3.0.11"};
	digests(&f[nf++], MODEL_LIBSSL_BYTES);
	f[nf] = (vouch_sbom_file){"file-3", "router.bin/squashfs/usr/lib/libcrypto.so.3", 0, {0},
				  {0}, "comp-openssl-3.0.11"};
	digests(&f[nf++], "libcrypto.so.3\n");
	if (hostile) {
		f[nf] = (vouch_sbom_file){"file-4", "router.bin/squashfs/\xff\x1b[31mev il\\\"file",
					  0, {0}, {0}, "no-such-component"};
		digests(&f[nf++], "evil\n");
		f[nf] = (vouch_sbom_file){"file-1", "router.bin/squashfs/dup-ref", 0, {0}, {0}, NULL};
		digests(&f[nf++], "dup\n");
	}
	d[nd++] = (vouch_sbom_dep){"file-1", "file-2", "DT_NEEDED libssl.so.3"};
	d[nd++] = (vouch_sbom_dep){"file-2", "file-3", "DT_NEEDED libcrypto.so.3"};
	d[nd++] = (vouch_sbom_dep){"comp-busybox-1.36.1", "comp-openssl-3.0.11",
				   "DT_NEEDED libssl.so.3"};
	d[nd++] = (vouch_sbom_dep){"file-1", "file-2", "DT_NEEDED libssl.so.3"}; /* duplicate */
	d[nd++] = (vouch_sbom_dep){"file-1", "nowhere", "DT_NEEDED libmissing.so"};
	d[nd++] = (vouch_sbom_dep){"file-3", "file-3", "self"};
	d[nd++] = (vouch_sbom_dep){"comp-openssl-3.0.11", "file-2", "contains"};
	m->s.components = c;
	m->s.ncomponents = nc;
	m->s.files = f;
	m->s.nfiles = nf;
	m->s.deps = d;
	m->s.ndeps = nd;
	return 0;
}

void
test_model_free(test_model *m)
{
	free(m->big_name);
	free(m->big_version);
	free(m->big_text);
	m->big_name = m->big_version = m->big_text = NULL;
}
