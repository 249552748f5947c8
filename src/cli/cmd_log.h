/*
 * cli/cmd_log.h: the `log` subcommand (cmd_log.c), for main.c's table.
 */
#ifndef VOUCH_CMD_LOG_H
#define VOUCH_CMD_LOG_H

#include <stdio.h>

int cmd_log(int argc, char **argv);
void help_log(FILE *out);

#endif
