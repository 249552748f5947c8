/*
 * cli/cmd_attest.h: the `attest`, `key` and `note` subcommands (cmd_attest.c), for main.c's table.
 */
#ifndef VOUCH_CLI_CMD_ATTEST_H
#define VOUCH_CLI_CMD_ATTEST_H

#include <stdio.h>

int cmd_attest(int argc, char **argv);
int cmd_key(int argc, char **argv);
void help_attest(FILE *out);
void help_key(FILE *out);
int cmd_note(int argc, char **argv);
void help_note(FILE *out);

#endif
