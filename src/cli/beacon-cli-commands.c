/* beacon-cli-commands.c: the one-shot commands of beacon-cli: login (into the keyring),
 * who (over REST), status (over REST) and send (over a signed-in session). */

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "beacon-cli.h"
#include "beacon-presence-store.h"

/* login */

/* One line of stdin without its line end, or NULL at its end. */
static char *
read_line (void)
{
  g_autofree char *line = NULL;
  size_t           size = 0;
  ssize_t          len = getline (&line, &size, stdin);

  if (len < 0)
    return NULL;
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  return g_steal_pointer (&line);
}

/* The terminal's settings while the echo is off, for the signal handler below. */
static struct termios saved_termios;

/* Ctrl+C at the password prompt: the echo back on, then the default action. */
static void
restore_echo_and_reraise (int signum)
{
  tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Asks on the terminal, or reads a line from a pipe (scripts); the password without echo. */
static char *
prompt (const char *question, gboolean secret)
{
  struct termios quiet;
  gboolean       echo_off = FALSE;
  char          *answer;

  if (isatty (STDIN_FILENO))
    {
      g_printerr ("%s ", question);
      if (secret && tcgetattr (STDIN_FILENO, &saved_termios) == 0)
        {
          quiet = saved_termios;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          signal (SIGINT, restore_echo_and_reraise);
          signal (SIGTERM, restore_echo_and_reraise);
          echo_off = tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0;
        }
    }
  answer = read_line ();
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
      g_printerr ("\n");
    }
  if (secret)
    {
      signal (SIGINT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
    }
  return answer;
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli         *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!beacon_session_sign_in_finish (BEACON_SESSION (source), result, &error))
    {
      beacon_cli_fail_with_error (cli, error);
      return;
    }
  /* Signed in and stored: no need to stay connected. */
  beacon_session_stop (cli->session);
  g_print (_ ("Signed in to %s as %s.\n"), cli->server_url,
           beacon_session_get_user_email (cli->session));
  beacon_cli_finish (cli, BEACON_CLI_EXIT_OK);
}

/**
 * beacon_cli_login:
 * @cli: the run; args: [EMAIL]
 *
 * Signs in with an email and a password and keeps the token in the keyring. Both are
 * asked on a terminal (the password without echo); from a pipe, the password is the
 * first line of stdin and the email must be given.
 */
void
beacon_cli_login (BeaconCli *cli)
{
  g_autofree char *email = g_strdup (cli->args[0]);
  g_autofree char *password = NULL;

  if (email == NULL && isatty (STDIN_FILENO))
    email = prompt (_ ("Email:"), FALSE);
  if (email == NULL || *email == '\0')
    {
      beacon_cli_fail (cli, BEACON_CLI_EXIT_USAGE, "%s", _ ("Give the email to sign in with."));
      return;
    }
  password = prompt (_ ("Password:"), TRUE);
  if (password == NULL || *password == '\0')
    {
      beacon_cli_fail (cli, BEACON_CLI_EXIT_USAGE, "%s", _ ("No password given."));
      return;
    }
  cli->session = beacon_session_new (cli->server_url, NULL);
  beacon_session_sign_in_async (cli->session, email, password, NULL, on_signed_in, cli);
}

/* who */

typedef struct
{
  BeaconCli  *cli;
  guint       pending;
  GError     *error;
  GPtrArray  *friends; /* BeaconApiUser */
  GHashTable *online;
  GPtrArray  *records;
} Who;

static void
who_free (Who *who)
{
  g_clear_error (&who->error);
  g_clear_pointer (&who->friends, g_ptr_array_unref);
  g_clear_pointer (&who->online, g_hash_table_unref);
  g_clear_pointer (&who->records, g_ptr_array_unref);
  g_free (who);
}

/* Online, away and busy first, then by name. */
static int
compare_contacts (gconstpointer a, gconstpointer b)
{
  BeaconContact *ca = *(BeaconContact **) a;
  BeaconContact *cb = *(BeaconContact **) b;
  gboolean       online_a = beacon_contact_get_status (ca) != BEACON_STATUS_OFFLINE;
  gboolean       online_b = beacon_contact_get_status (cb) != BEACON_STATUS_OFFLINE;
  const char    *name_a = beacon_contact_get_name (ca);
  const char    *name_b = beacon_contact_get_name (cb);

  if (online_a != online_b)
    return online_a ? -1 : 1;
  return g_utf8_collate (name_a ? name_a : beacon_contact_get_id (ca),
                         name_b ? name_b : beacon_contact_get_id (cb));
}

static void
who_print (Who *who)
{
  g_autoptr (BeaconPresenceStore) store = beacon_presence_store_new (NULL);
  g_autoptr (GPtrArray)           infos =
      g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_contact_info_free);
  g_autoptr (GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < who->friends->len; i++)
    {
      BeaconApiUser *user = g_ptr_array_index (who->friends, i);

      g_ptr_array_add (infos, beacon_contact_info_new (user->id, user->name, user->role));
    }
  beacon_presence_store_begin_hydration (store);
  beacon_presence_store_set_names (store, infos);
  beacon_presence_store_finish_hydration (store, who->records, who->online);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    g_ptr_array_add (contacts, g_list_model_get_item (G_LIST_MODEL (store), i));
  g_ptr_array_sort (contacts, compare_contacts);
  for (guint i = 0; i < contacts->len; i++)
    {
      BeaconContact   *contact = g_ptr_array_index (contacts, i);
      g_autofree char *json = beacon_cli_contact_json (contact);
      g_autofree char *text = beacon_cli_contact_text (contact);

      beacon_cli_print_item (who->cli, json, text);
    }
  beacon_cli_finish (who->cli, BEACON_CLI_EXIT_OK);
}

static void
who_step_done (Who *who)
{
  if (--who->pending > 0)
    return;
  if (who->error != NULL)
    beacon_cli_fail_with_error (who->cli, who->error);
  else
    who_print (who);
  who_free (who);
}

static void
on_friends (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Who               *who = user_data;
  g_autoptr (GError) error = NULL;

  who->friends = beacon_api_get_friends_finish (BEACON_API (source), result, &error);
  if (who->friends == NULL && who->error == NULL)
    who->error = g_steal_pointer (&error);
  who_step_done (who);
}

static void
on_online_status (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Who               *who = user_data;
  g_autoptr (GError) error = NULL;

  if (!beacon_api_get_online_status_finish (BEACON_API (source), result, &who->online,
                                            &who->records, &error) &&
      who->error == NULL)
    who->error = g_steal_pointer (&error);
  who_step_done (who);
}

static void
who_ready (BeaconCli *cli)
{
  Who *who = g_new0 (Who, 1);

  who->cli = cli;
  who->pending = 2;
  beacon_api_get_friends_async (cli->api, NULL, on_friends, who);
  beacon_api_get_online_status_async (cli->api, NULL, on_online_status, who);
}

/**
 * beacon_cli_who:
 * @cli: the run
 *
 * Prints every contact, those online first, with their status line ("Active", "Away:
 * At lunch", "Last seen 5 minutes ago"), or one JSON object a contact with --json.
 */
void
beacon_cli_who (BeaconCli *cli)
{
  beacon_cli_start_api (cli, who_ready);
}

/* status */

static void
on_status_set (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli                       *cli = user_data;
  g_autoptr (GError)               error = NULL;
  g_autoptr (BeaconPresenceRecord) record =
      beacon_api_set_status_finish (BEACON_API (source), result, &error);

  if (record == NULL)
    {
      beacon_cli_fail_with_error (cli, error);
      return;
    }
  if (cli->args[1] != NULL && *cli->args[1] != '\0')
    /* Translators: %s is online, away, busy or invisible, then the user's message. */
    g_print (_ ("Your status is now %s: %s\n"), cli->args[0], cli->args[1]);
  else
    /* Translators: %s is online, away, busy or invisible. */
    g_print (_ ("Your status is now %s.\n"), cli->args[0]);
  beacon_cli_finish (cli, BEACON_CLI_EXIT_OK);
}

static void
status_ready (BeaconCli *cli)
{
  const char *message = cli->args[1] != NULL && *cli->args[1] != '\0' ? cli->args[1] : NULL;

  beacon_api_set_status_async (cli->api, cli->args[0], message, NULL, on_status_set, cli);
}

/**
 * beacon_cli_status:
 * @cli: the run; args: STATUS [MESSAGE], checked by the caller
 *
 * Sets the status the user chose, and its message (none when not given), over the REST
 * API: friends see it on every device the user has online.
 */
void
beacon_cli_status (BeaconCli *cli)
{
  beacon_cli_start_api (cli, status_ready);
}

/* send */

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli         *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!beacon_session_send_message_finish (BEACON_SESSION (source), result, &error))
    {
      beacon_cli_fail_with_error (cli, error);
      return;
    }
  beacon_cli_finish (cli, BEACON_CLI_EXIT_OK);
}

static void
on_conversation (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli                     *cli = user_data;
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconConversation) conversation =
      beacon_session_open_conversation_finish (BEACON_SESSION (source), result, &error);

  if (conversation == NULL)
    {
      if (g_error_matches (error, BEACON_API_ERROR, BEACON_API_ERROR_NOT_FOUND) ||
          g_error_matches (error, BEACON_API_ERROR, BEACON_API_ERROR_BAD_REQUEST))
        /* Translators: %s is the user id given to send to. */
        beacon_cli_fail (cli, BEACON_CLI_EXIT_FAILURE, _ ("You cannot write to “%s”."),
                         cli->args[0]);
      else
        beacon_cli_fail_with_error (cli, error);
      return;
    }
  beacon_session_send_message_async (cli->session, conversation, cli->args[1], NULL, on_sent, cli);
}

static void
send_online (BeaconCli *cli)
{
  beacon_session_open_conversation_async (cli->session, cli->args[0], NULL, on_conversation, cli);
}

/**
 * beacon_cli_send:
 * @cli: the run; args: ID TEXT, checked by the caller
 *
 * Sends TEXT to the user ID (opening the conversation if new) and finishes once the
 * server has stored it.
 */
void
beacon_cli_send (BeaconCli *cli)
{
  beacon_cli_start_session (cli, send_online);
}
