/* beacon-cli.h: what the commands of beacon-cli share: the run's options and exit code,
 * sign-in through the keyring or a given token, and one line per contact or provider. */
#pragma once

#include <gio/gio.h>

#include "beacon-account.h"
#include "beacon-api.h"
#include "beacon-contact.h"
#include "beacon-guest-session.h"
#include "beacon-provider.h"
#include "beacon-session.h"

G_BEGIN_DECLS

/* The exit codes, as --help documents them. */
typedef enum
{
  BEACON_CLI_EXIT_OK = 0,
  BEACON_CLI_EXIT_FAILURE = 1,
  BEACON_CLI_EXIT_USAGE = 2,
  BEACON_CLI_EXIT_UNAUTHORIZED = 3, /* not signed in, or the token was refused */
  BEACON_CLI_EXIT_UNREACHABLE = 4,  /* the server cannot be reached */
} BeaconCliExit;

typedef struct _BeaconCli BeaconCli;

/* What a command does once signed in (or online, for a session). */
typedef void (*BeaconCliFunc) (BeaconCli *cli);

struct _BeaconCli
{
  char    *server_url;
  char    *token; /* --token or BEACON_TOKEN; NULL: the keyring's */
  gboolean json;
  gboolean guest;
  char   **args; /* the command's arguments */

  GMainLoop *loop;
  int        exit_code;
  gboolean   finished;

  BeaconSession      *session;
  BeaconGuestSession *guest_session;
  BeaconApi          *api;
  BeaconAccount      *account; /* where the token came from, when from the keyring */
  BeaconCliFunc       next;
  gboolean            was_online;
  GHashTable         *printed;  /* id -> the last line printed for it */
  guint               n_loaded; /* watch --guest: providers loaded so far */
};

char *beacon_cli_default_server_url (void);

void beacon_cli_finish (BeaconCli *cli, BeaconCliExit code);
void beacon_cli_fail (BeaconCli *cli, BeaconCliExit code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);
void beacon_cli_fail_with_error (BeaconCli *cli, const GError *error);
void beacon_cli_print (const char *line);

void beacon_cli_start_session (BeaconCli *cli, BeaconCliFunc on_online);
void beacon_cli_start_api (BeaconCli *cli, BeaconCliFunc on_ready);

char *beacon_cli_contact_json (BeaconContact *contact);
char *beacon_cli_contact_text (BeaconContact *contact);
char *beacon_cli_provider_json (BeaconProvider *provider);
char *beacon_cli_provider_text (BeaconProvider *provider);
void  beacon_cli_print_item (BeaconCli *cli, const char *json, const char *text);
void  beacon_cli_print_changed (BeaconCli *cli, const char *id, char *json, char *text);

void beacon_cli_login (BeaconCli *cli);
void beacon_cli_who (BeaconCli *cli);
void beacon_cli_status (BeaconCli *cli);
void beacon_cli_send (BeaconCli *cli);
void beacon_cli_watch (BeaconCli *cli);

G_END_DECLS
