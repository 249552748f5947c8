/*
 * cli/cmd_report.h: the `report` subcommand (cmd_report.c), for main.c's table.
 */
#ifndef VOUCH_CLI_CMD_REPORT_H
#define VOUCH_CLI_CMD_REPORT_H

#include <stdio.h>

int cmd_report(int argc, char **argv);
void help_report(FILE *out);

#endif
