/*
 * cli.h - the subcommands of redirect-map and its exit codes.
 */

#ifndef CLI_H
#define CLI_H

#include "lrmap.h"

#define REDIRECT_MAP_VERSION  "0.1.0"

#define EXIT_OK          0
#define EXIT_INVALID     1      /* validation errors; lookup: not found;
                                   diff: the maps differ */
#define EXIT_USAGE       2
#define EXIT_IO          3      /* I/O error, unreadable or damaged map */

/* Each takes argv with argv[0] = the subcommand's name. */
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* "Try 'redirect-map CMD --help'." on stderr, after a usage error. */
void try_help(const char *cmd);

/*
 * Parses argv for --help alone (which prints help on stdout and exits
 * 0); stops at the first operand.  Returns its index, or -1 after an
 * unknown option (reported by getopt).
 */
int parse_help_only(int argc, char **argv, const char *help);

#endif /* CLI_H */
