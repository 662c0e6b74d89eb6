/* main.c: the entry point of beacon-cli: options, the command and its arguments checked,
 * then the command run on a main loop until it says how it ended. */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <string.h>

#include "beacon-cli.h"

/* The longest status message and message content (PROTOCOL.md 3 and 4), in characters. */
#define MAX_STATUS_MESSAGE 100
#define MAX_CONTENT        4000

typedef struct
{
  const char *name;
  guint       min_args;
  guint       max_args;
  void (*run) (BeaconCli *cli);
} Command;

static const Command commands[] = {
  { "login", 0, 1, beacon_cli_login },   { "watch", 0, 0, beacon_cli_watch },
  { "status", 1, 2, beacon_cli_status }, { "who", 0, 0, beacon_cli_who },
  { "send", 2, 2, beacon_cli_send },
};

static const char *const statuses[] = { "online", "away", "busy", "invisible" };

static gboolean
on_signal (gpointer user_data)
{
  beacon_cli_finish (user_data, BEACON_CLI_EXIT_OK);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (const char *message)
{
  g_printerr ("beacon-cli: %s\n", message);
  g_printerr ("%s\n", _ ("Try “beacon-cli --help”."));
  return BEACON_CLI_EXIT_USAGE;
}

/* What the options and arguments of @command must be, beyond their number; NULL when
 * they are right. */
static char *
check_arguments (const Command *command, BeaconCli *cli)
{
  if (cli->guest && strcmp (command->name, "watch") != 0)
    return g_strdup (_ ("--guest goes with watch only."));
  if (cli->json && strcmp (command->name, "watch") != 0 && strcmp (command->name, "who") != 0)
    return g_strdup (_ ("--json goes with watch and who only."));
  if (strcmp (command->name, "status") == 0)
    {
      if (!g_strv_contains (statuses, cli->args[0]))
        /* Translators: %s is what was given instead of a status. */
        return g_strdup_printf (_ ("“%s” is no status: use online, away, busy or invisible."),
                                cli->args[0]);
      if (cli->args[1] != NULL && g_utf8_strlen (cli->args[1], -1) > MAX_STATUS_MESSAGE)
        return g_strdup_printf (_ ("A status message has at most %d characters."),
                                MAX_STATUS_MESSAGE);
    }
  if (strcmp (command->name, "send") == 0)
    {
      g_autofree char *content = g_strstrip (g_strdup (cli->args[1]));

      if (*content == '\0' || g_utf8_strlen (content, -1) > MAX_CONTENT)
        return g_strdup_printf (_ ("A message has 1 to %d characters."), MAX_CONTENT);
    }
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *server = NULL;
  g_autofree char           *token = NULL;
  g_auto (GStrv) rest = NULL;
  g_autofree char   *error_text = NULL;
  g_autofree char   *summary = NULL;
  g_autofree char   *description = NULL;
  gboolean           json = FALSE;
  gboolean           guest = FALSE;
  const Command     *command = NULL;
  BeaconCli          cli = { 0 };
  guint              n_args;
  guint              sigint, sigterm;
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &server,
      N_ ("The server’s address (default: the app’s setting, or http://127.0.0.1:8080)"), "URL" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &token,
      N_ ("Use this token rather than the keyring’s (also BEACON_TOKEN)"), "TOKEN" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, N_ ("One JSON object a line (watch, who)"), NULL },
    { "guest", 'g', 0, G_OPTION_ARG_NONE, &guest,
      N_ ("Watch the freelancers without signing in (watch)"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_ ("COMMAND [ARGUMENT…]"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  summary = g_strjoin (
      "\n", _ ("Beacon from a terminal: who is around, your status, messages."), "",
      _ ("Commands:"), _ ("  login [EMAIL]            Sign in and keep the token in the keyring"),
      _ ("  watch [--guest] [--json] Print the contacts (or freelancers), then each change"),
      _ ("  who [--json]             Print the contacts, those online first"),
      _ ("  status STATUS [MESSAGE]  Set your status: online, away, busy or invisible"),
      _ ("  send ID TEXT             Send a message to the user ID"), NULL);
  g_option_context_set_summary (context, summary);
  description =
      g_strjoin ("\n", _ ("The password is read from stdin when it is not a terminal."), "",
                 _ ("Exit status:"), _ ("  0  done"), _ ("  1  failed"), _ ("  2  wrong usage"),
                 _ ("  3  not signed in, or the server refused the token or password"),
                 _ ("  4  the server cannot be reached"), NULL);
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (rest == NULL || rest[0] == NULL)
    return usage_error (_ ("No command given."));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (rest[0], commands[i].name) == 0)
      command = &commands[i];
  if (command == NULL)
    {
      /* Translators: %s is what was given as the command. */
      error_text = g_strdup_printf (_ ("Unknown command “%s”."), rest[0]);
      return usage_error (error_text);
    }
  n_args = g_strv_length (rest) - 1;
  if (n_args < command->min_args || n_args > command->max_args)
    {
      /* Translators: %s is a command, such as "send". */
      error_text = g_strdup_printf (_ ("Wrong number of arguments for %s."), command->name);
      return usage_error (error_text);
    }

  cli.args = rest + 1;
  cli.json = json;
  cli.guest = guest;
  if ((error_text = check_arguments (command, &cli)) != NULL)
    return usage_error (error_text);
  cli.server_url = server ? g_strdup (server) : beacon_cli_default_server_url ();
  if (token == NULL && g_getenv ("BEACON_TOKEN") != NULL && *g_getenv ("BEACON_TOKEN") != '\0')
    token = g_strdup (g_getenv ("BEACON_TOKEN"));
  cli.token = g_steal_pointer (&token);
  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.printed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  command->run (&cli);
  /* Only now: a login's password prompt stays interruptible by the default handler. */
  sigint = g_unix_signal_add (SIGINT, on_signal, &cli);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &cli);
  if (!cli.finished)
    g_main_loop_run (cli.loop);

  if (cli.session != NULL)
    beacon_session_stop (cli.session);
  if (cli.guest_session != NULL)
    beacon_guest_session_stop (cli.guest_session);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&cli.session);
  g_clear_object (&cli.guest_session);
  g_clear_object (&cli.api);
  g_clear_object (&cli.account);
  g_hash_table_unref (cli.printed);
  g_main_loop_unref (cli.loop);
  g_free (cli.server_url);
  g_free (cli.token);
  return cli.exit_code;
}
