/* beacon-cli.c: the parts of beacon-cli every command uses: the server's address, the
 * token, exit codes with their messages, and the lines printed for contacts and providers. */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "beacon-cli.h"
#include "beacon-json.h"
#include "beacon-presence-record.h"

#define FALLBACK_SERVER_URL "http://127.0.0.1:8080"

/**
 * beacon_cli_default_server_url:
 *
 * The app's GSettings key `server-url` when its schema is installed, else
 * http://127.0.0.1:8080. A missing schema is no error (g_settings_new() would abort).
 *
 * Returns: (transfer full): the URL
 */
char *
beacon_cli_default_server_url (void)
{
  GSettingsSchemaSource      *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettings)       settings = NULL;
  g_autofree char            *url = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "server-url"))
    return g_strdup (FALLBACK_SERVER_URL);
  settings = g_settings_new_full (schema, NULL, NULL);
  url = g_settings_get_string (settings, "server-url");
  if (url == NULL || *url == '\0')
    return g_strdup (FALLBACK_SERVER_URL);
  return g_steal_pointer (&url);
}

/* Ends the run with this code; the first call wins. */
void
beacon_cli_finish (BeaconCli *cli, BeaconCliExit code)
{
  if (cli->finished)
    return;
  cli->finished = TRUE;
  cli->exit_code = code;
  g_main_loop_quit (cli->loop);
}

static void say_va (const char *format, va_list args) G_GNUC_PRINTF (1, 0);

static void
say_va (const char *format, va_list args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_printerr ("beacon-cli: %s\n", message);
}

/* A message on stderr, after the program's name. */
static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  say_va (format, args);
  va_end (args);
}

/* Says why, and ends the run with @code (unless it has ended already). */
void
beacon_cli_fail (BeaconCli *cli, BeaconCliExit code, const char *format, ...)
{
  va_list args;

  if (cli->finished)
    return;
  va_start (args, format);
  say_va (format, args);
  va_end (args);
  beacon_cli_finish (cli, code);
}

/* Why the server refused, and how to sign in again. */
static void
say_sign_in_again (const char *reason)
{
  /* Translators: %s is a reason, such as "Your session has expired. Please sign in again." */
  say (_ ("%s Sign in with “beacon-cli login”."), reason);
}

static gboolean
is_token_error (const GError *error)
{
  return error->domain == BEACON_API_ERROR && (error->code == BEACON_API_ERROR_TOKEN_MISSING ||
                                               error->code == BEACON_API_ERROR_TOKEN_INVALID ||
                                               error->code == BEACON_API_ERROR_TOKEN_EXPIRED ||
                                               error->code == BEACON_API_ERROR_USER_NOT_FOUND);
}

static void
on_account_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli         *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (!beacon_account_clear_finish (BEACON_ACCOUNT (source), result, &error))
    say ("%s", error->message);
  beacon_cli_finish (cli, BEACON_CLI_EXIT_UNAUTHORIZED);
}

/**
 * beacon_cli_fail_with_error:
 * @cli: the run
 * @error: what went wrong
 *
 * Says it on stderr and ends the run with the fitting exit code: 4 when the server
 * cannot be reached (or is no Beacon server), 3 when the server refuses the token or
 * the password (a refused token from the keyring leaves the keyring), 1 otherwise.
 */
void
beacon_cli_fail_with_error (BeaconCli *cli, const GError *error)
{
  const char *sentence =
      error->domain == BEACON_API_ERROR ? beacon_api_error_sentence (error) : error->message;

  if (error->domain == BEACON_API_ERROR &&
      (error->code == BEACON_API_ERROR_NETWORK || error->code == BEACON_API_ERROR_TIMEOUT ||
       error->code == BEACON_API_ERROR_UNPARSEABLE))
    beacon_cli_fail (cli, BEACON_CLI_EXIT_UNREACHABLE, "%s: %s", cli->server_url, sentence);
  else if (is_token_error (error))
    {
      if (cli->finished)
        return;
      say_sign_in_again (sentence);
      if (cli->account != NULL)
        beacon_account_clear_async (cli->account, NULL, on_account_cleared, cli);
      else
        beacon_cli_finish (cli, BEACON_CLI_EXIT_UNAUTHORIZED);
    }
  else if (g_error_matches (error, BEACON_API_ERROR, BEACON_API_ERROR_INVALID_CREDENTIALS))
    beacon_cli_fail (cli, BEACON_CLI_EXIT_UNAUTHORIZED, "%s", sentence);
  else
    beacon_cli_fail (cli, BEACON_CLI_EXIT_FAILURE, "%s", sentence);
}

/* A line on stdout, flushed at once: a script or a status bar reads it as it comes. */
void
beacon_cli_print (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
fail_not_signed_in (BeaconCli *cli)
{
  beacon_cli_fail (cli, BEACON_CLI_EXIT_UNAUTHORIZED,
                   _ ("Not signed in to %s. Sign in with “beacon-cli login”."), cli->server_url);
}

static void
fail_keyring (BeaconCli *cli, const GError *error)
{
  /* Translators: %s says why the keyring (the Secret Service) cannot be read. */
  beacon_cli_fail (cli, BEACON_CLI_EXIT_FAILURE,
                   _ ("Cannot read the keyring: %s. Give a token with --token or BEACON_TOKEN."),
                   error->message);
}

/* Signed-in sessions */

static void
on_session_state (BeaconSession *session, GParamSpec *pspec, BeaconCli *cli)
{
  switch (beacon_session_get_state (session))
    {
    case BEACON_SESSION_STATE_ONLINE:
      if (!cli->was_online)
        {
          cli->was_online = TRUE;
          cli->next (cli);
        }
      else
        g_printerr ("%s\n", _ ("Connected again."));
      break;

    case BEACON_SESSION_STATE_UNAUTHORIZED:
      /* The session has already taken a token from the keyring out of it. */
      if (!cli->finished)
        say_sign_in_again (beacon_session_get_error_message (session));
      beacon_cli_finish (cli, BEACON_CLI_EXIT_UNAUTHORIZED);
      break;

    case BEACON_SESSION_STATE_RECONNECTING:
    case BEACON_SESSION_STATE_OFFLINE:
      if (cli->was_online)
        g_printerr ("%s\n", _ ("Connection lost; reconnecting…"));
      break;

    case BEACON_SESSION_STATE_SIGNED_OUT:
    case BEACON_SESSION_STATE_SIGNING_IN:
    case BEACON_SESSION_STATE_CONNECTING:
    default: break;
    }
}

/* The first connection failing is an answer for a one-shot command: no retry loop. */
static void
on_socket_state (BeaconSocket *socket, GParamSpec *pspec, BeaconCli *cli)
{
  if (!cli->was_online && beacon_socket_get_state (socket) == BEACON_SOCKET_STATE_RECONNECTING)
    beacon_cli_fail (cli, BEACON_CLI_EXIT_UNREACHABLE, "%s: %s", cli->server_url,
                     _ ("Cannot reach the server."));
}

static void
on_resumed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli         *cli = user_data;
  g_autoptr (GError) error = NULL;

  if (beacon_session_resume_finish (BEACON_SESSION (source), result, &error))
    return;
  if (error != NULL)
    fail_keyring (cli, error);
  else
    fail_not_signed_in (cli);
}

/**
 * beacon_cli_start_session:
 * @cli: the run
 * @on_online: called once, when the session is first online
 *
 * Starts a BeaconSession with the given token, or else with the keyring's; ends the run
 * with exit code 3 when there is none or the server refuses it, and 4 when the first
 * connection fails.
 */
void
beacon_cli_start_session (BeaconCli *cli, BeaconCliFunc on_online)
{
  cli->next = on_online;
  cli->session = beacon_session_new (cli->server_url, NULL);
  g_signal_connect (cli->session, "notify::state", G_CALLBACK (on_session_state), cli);
  g_signal_connect (beacon_session_get_socket (cli->session), "notify::state",
                    G_CALLBACK (on_socket_state), cli);
  if (cli->token != NULL)
    beacon_session_start_with_token (cli->session, cli->token);
  else
    beacon_session_resume_async (cli->session, NULL, on_resumed, cli);
}

/* REST only */

static void
on_account (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconCli         *cli = user_data;
  g_autoptr (GError) error = NULL;

  cli->account = beacon_account_lookup_finish (result, &error);
  if (error != NULL)
    fail_keyring (cli, error);
  else if (cli->account == NULL)
    fail_not_signed_in (cli);
  else
    {
      beacon_api_set_token (cli->api, beacon_account_get_token (cli->account));
      cli->next (cli);
    }
}

/**
 * beacon_cli_start_api:
 * @cli: the run
 * @on_ready: called once @cli's BeaconApi has a token
 *
 * For the commands that need only the REST API: they connect no device, so that a
 * status bar asking every minute does not make the user come and go for their friends.
 */
void
beacon_cli_start_api (BeaconCli *cli, BeaconCliFunc on_ready)
{
  cli->next = on_ready;
  cli->api = beacon_api_new (cli->server_url);
  if (cli->token != NULL)
    {
      beacon_api_set_token (cli->api, cli->token);
      on_ready (cli);
      return;
    }
  beacon_account_lookup_async (cli->server_url, NULL, on_account, cli);
}

/* Lines */

static void
add_timestamp (JsonBuilder *builder, const char *name, GDateTime *when)
{
  json_builder_set_member_name (builder, name);
  if (when == NULL)
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *text = beacon_presence_format_timestamp (
          g_date_time_to_unix (when) * 1000 + g_date_time_get_microsecond (when) / 1000);

      json_builder_add_string_value (builder, text);
    }
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return beacon_json_to_string (root);
}

/**
 * beacon_cli_contact_json:
 * @contact: a contact
 *
 * Returns: (transfer full): `{"id","name","status","custom_message","chatting_with_me",
 *   "last_seen"}` on one line; what changes with the time alone is left out
 */
char *
beacon_cli_contact_json (BeaconContact *contact)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", beacon_contact_get_id (contact));
  add_string (builder, "name", beacon_contact_get_name (contact));
  add_string (builder, "status",
              beacon_presence_status_to_string (
                  (BeaconPresenceStatus) beacon_contact_get_status (contact)));
  add_string (builder, "custom_message", beacon_contact_get_custom_message (contact));
  json_builder_set_member_name (builder, "chatting_with_me");
  json_builder_add_boolean_value (builder, beacon_contact_get_chatting_with_me (contact));
  add_timestamp (builder, "last_seen", beacon_contact_get_last_seen (contact));
  return builder_to_string (builder);
}

char *
beacon_cli_contact_text (BeaconContact *contact)
{
  const char *name = beacon_contact_get_name (contact);

  /* Translators: a line of beacon-cli's output: a name, an id and a status line, as in
   * "Ben (b): Last seen 5 minutes ago". */
  return g_strdup_printf (_ ("%s (%s): %s"), name ? name : beacon_contact_get_id (contact),
                          beacon_contact_get_id (contact),
                          beacon_contact_get_status_label (contact));
}

/**
 * beacon_cli_provider_json:
 * @provider: a provider
 *
 * Returns: (transfer full): `{"id","name","headline","online","last_seen"}` on one line
 */
char *
beacon_cli_provider_json (BeaconProvider *provider)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", beacon_provider_get_id (provider));
  add_string (builder, "name", beacon_provider_get_name (provider));
  add_string (builder, "headline", beacon_provider_get_headline (provider));
  json_builder_set_member_name (builder, "online");
  json_builder_add_boolean_value (builder, beacon_provider_get_online (provider));
  add_timestamp (builder, "last_seen", beacon_provider_get_last_seen (provider));
  return builder_to_string (builder);
}

char *
beacon_cli_provider_text (BeaconProvider *provider)
{
  const char *name = beacon_provider_get_name (provider);

  return g_strdup_printf (_ ("%s (%s): %s"), name ? name : beacon_provider_get_id (provider),
                          beacon_provider_get_id (provider),
                          beacon_provider_get_last_seen_label (provider));
}

/* The JSON with --json, the text otherwise. */
void
beacon_cli_print_item (BeaconCli *cli, const char *json, const char *text)
{
  beacon_cli_print (cli->json ? json : text);
}

/**
 * beacon_cli_print_changed:
 * @cli: the run
 * @id: whose line it is
 * @json: (transfer full): the line's JSON
 * @text: (transfer full): the line's text
 *
 * Prints the item unless its JSON is the one printed last for @id: one line per real
 * change, none when only the time went by.
 */
void
beacon_cli_print_changed (BeaconCli *cli, const char *id, char *json, char *text)
{
  g_autofree char *owned_text = text;

  if (g_strcmp0 (g_hash_table_lookup (cli->printed, id), json) == 0)
    {
      g_free (json);
      return;
    }
  beacon_cli_print_item (cli, json, owned_text);
  g_hash_table_insert (cli->printed, g_strdup (id), json);
}
