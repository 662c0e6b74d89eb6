/* bs-admin.h: "beacon-server admin": the command line that manages beacon-server's database
 * (users, passwords, friendships, JSON import) without a running server. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv[0] is "admin"; the rest as in: beacon-server admin --db PATH COMMAND [ARGS].
 * Commands: user-add --email E --name N --role R [--id ID] [--headline H]
 * [--password-file F], user-list, user-passwd --email E [--password-file F],
 * friend-add EMAIL EMAIL, friend-remove EMAIL EMAIL, import FILE.json. Without
 * --password-file the password is one line of standard input (not echoed on a terminal).
 * --db may also come from the environment variable BEACON_DB.
 * Prints one line saying what it did (user-list: a table) and returns 0; on bad input or a
 * database error prints "beacon-server admin: MESSAGE" to stderr and returns 1; on a usage
 * error prints the usage to stderr and returns 2. Never prints a password or a hash. */
int bs_admin_main (int argc, char **argv);

G_END_DECLS
