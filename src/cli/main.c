/*
 * cli/main.c: the `vouch` command and its git-style subcommands.
 *
 * One table lists every subcommand with its one-line summary, its runner and its help, so
 * `vouch help` and `vouch CMD --help` cannot drift from what exists.
 */
#include <string.h>

#include "cli.h"
#include "cmd_attest.h"
#include "cmd_log.h"
#include "cmd_report.h"
#include "vouch/vouch.h"

static int cmd_formats(int argc, char **argv);
static int cmd_limits(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static void
help_formats(FILE *out)
{
	fputs("usage: vouch formats\n\nList the container formats the unpacker opens.\n", out);
}

static void
help_limits(FILE *out)
{
	fputs("usage: vouch limits\n\nList the safety limits with their defaults, hard maxima and\n"
	      "reasons. Change one for a run with --limit NAME=VALUE.\n",
	      out);
}

static void
help_version(FILE *out)
{
	fputs("usage: vouch version\n", out);
}

static void
help_help(FILE *out)
{
	fputs("usage: vouch help [COMMAND]\n", out);
}

static const cli_cmd cmds[] = {
	{"unpack", "extract a firmware image recursively beneath a directory", cmd_unpack,
	 help_unpack},
	{"inventory", "list every file, region and error of an image", cmd_inventory,
	 help_inventory},
	{"sbom", "identify the components inside an image (CycloneDX, SPDX)", cmd_sbom,
	 help_sbom},
	{"scan", "find backdoor indicators: endpoints, secrets, hardening, YARA (SARIF)",
	 cmd_scan, help_scan},
	{"vulns", "known vulnerabilities of an image's components (or of a stored SBOM)",
	 cmd_vulns, help_vulns},
	{"elf", "ELF facts and binary hardening (PIE, NX, RELRO, canary, FORTIFY)", cmd_elf,
	 help_elf},
	{"attest", "sign or verify an in-toto attestation (DSSE, Ed25519)", cmd_attest,
	 help_attest},
	{"key", "generate a signing key or print its verifier key", cmd_key, help_key},
	{"note", "sign or verify a C2SP signed note (e.g. a checkpoint)", cmd_note, help_note},
	{"log", "the transparency log: append, checkpoint, prove, tiles, witness, verify",
	 cmd_log, help_log},
	{"vulndb", "the offline vulnerability database: import feeds, say what it covers",
	 cmd_vulndb, help_vulndb},
	{"lab", "the evaluation lab: create it, print its public keys", cmd_lab, help_lab},
	{"delivery", "submit a vendor's delivery to the lab; list and show deliveries",
	 cmd_delivery, help_delivery},
	{"evaluate", "evaluate a delivery: analysis, policy verdict, signed and logged",
	 cmd_evaluate, help_evaluate},
	{"recheck", "re-match approved releases against the current vulnerability data",
	 cmd_recheck, help_recheck},
	{"revoke", "revoke the lab's approval of a delivery (logged)", cmd_revoke, help_revoke},
	{"bundle", "the offline proof bundle an operator receives with the firmware", cmd_bundle,
	 help_bundle},
	{"verify", "at the operator: check a firmware file against a bundle, offline",
	 cmd_verify, help_verify},
	{"policy", "the lab's policy: check it, or apply it to a scan report for a verdict",
	 cmd_policy, help_policy},
	{"report", "the evaluation report for people: one self-contained HTML page",
	 cmd_report, help_report},
	{"equiv", "binary equivalence: delivered image or tree vs the lab's rebuild", cmd_equiv,
	 help_equiv},
	{"diff", "what release B changed against A: files, components, CVEs, indicators",
	 cmd_diff, help_diff},
	{"formats", "list the formats the unpacker opens", cmd_formats, help_formats},
	{"limits", "list the safety limits and their defaults", cmd_limits, help_limits},
	{"version", "print the version", cmd_version, help_version},
	{"help", "help on a command", cmd_help, help_help},
};

static void
usage(FILE *out)
{
	fputs("usage: vouch COMMAND [ARGS]\n\n"
	      "vouch: trusted delivery of network equipment software.\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		fprintf(out, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	}
	fputs("\n'vouch COMMAND --help' or 'man vouch' for more.\n", out);
}

static const cli_cmd *
find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].name, name) == 0) {
			return &cmds[i];
		}
	}
	return NULL;
}

static int
cmd_help(int argc, char **argv)
{
	const cli_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find(argv[1]);
	if (c == NULL) {
		cli_err("no command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	c->help(stdout);
	return EXIT_OK;
}

static int
cmd_formats(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		help_formats(stderr);
		return EXIT_USAGE;
	}
	for (const char *const *f = vouch_formats(); *f != NULL; f++) {
		puts(*f);
	}
	return EXIT_OK;
}

static int
cmd_limits(int argc, char **argv)
{
	const char *name, *why;
	uint64_t def, max;

	(void)argv;
	if (argc > 1) {
		help_limits(stderr);
		return EXIT_USAGE;
	}
	printf("%-22s %20s %20s  %s\n", "NAME", "DEFAULT", "MAXIMUM", "WHY");
	for (unsigned i = 0; vouch_limits_describe(i, &name, &def, &max, &why) == 0; i++) {
		printf("%-22s %20llu %20llu  %s\n", name, (unsigned long long)def,
		       (unsigned long long)max, why);
	}
	return EXIT_OK;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("vouch %s\n", vouch_version());
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	const cli_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		return cmd_version(0, NULL);
	}
	c = find(argv[1]);
	if (c == NULL) {
		cli_err("no command '%s' (see 'vouch help')", argv[1]);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			break;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			c->help(stdout);
			return EXIT_OK;
		}
	}
	return c->run(argc - 1, argv + 1);
}
