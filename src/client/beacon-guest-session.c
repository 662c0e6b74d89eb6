/* beacon-guest-session.c: BeaconGuestSession: one BeaconApi for the searches, one
 * BeaconSocket on /presence (no auth) for the online lists, both feeding one store. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "beacon-guest-session.h"

#define GUEST_NAMESPACE "/presence"

struct _BeaconGuestSession
{
  GObject parent_instance;

  char             *server_url;
  BeaconClock      *clock;
  BeaconApi        *api;
  BeaconSocket     *socket;
  BeaconGuestStore *store;

  BeaconSocketState state;
  guint             next_retry_in;
  char             *error_message;
  guint             total;

  /* The filters of the last search, for the pages after the first. */
  char *q;
  char *online_status;
  char *active_within;
  guint serial; /* of the last request: an answer to an earlier one is dropped */
};

G_DEFINE_FINAL_TYPE (BeaconGuestSession, beacon_guest_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_CLOCK,
  PROP_STORE,
  PROP_STATE,
  PROP_NEXT_RETRY_IN,
  PROP_ERROR_MESSAGE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  guint    serial;
  gboolean replace;
} Request;

static void
set_state (BeaconGuestSession *self, BeaconSocketState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error_message (BeaconGuestSession *self, const char *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_total (BeaconGuestSession *self, guint total)
{
  if (self->total == total)
    return;
  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static void
on_event (BeaconSocket       *socket,
          const char         *nsp,
          const char         *name,
          JsonArray          *args,
          BeaconGuestSession *self)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GDateTime) timestamp = NULL;

  if (g_strcmp0 (nsp, GUEST_NAMESPACE) != 0 ||
      (g_strcmp0 (name, "presence:connected") != 0 && g_strcmp0 (name, "presence:update") != 0))
    return;
  if (json_array_get_length (args) < 1)
    {
      g_warning ("%s without a payload", name);
      return;
    }
  ids = beacon_guest_parse_online_list (json_array_get_element (args, 0), &timestamp, &error);
  if (ids == NULL)
    {
      g_warning ("Ignoring %s: %s", name, error->message);
      return;
    }
  beacon_guest_store_set_online_ids (self->store, ids, timestamp);
  /* Online once the flags are live, not merely when the namespace answered. */
  set_state (self, BEACON_SOCKET_STATE_CONNECTED);
}

static void
on_socket_state (BeaconSocket *socket, GParamSpec *pspec, BeaconGuestSession *self)
{
  BeaconSocketState state = beacon_socket_get_state (socket);

  if (state == BEACON_SOCKET_STATE_CONNECTED)
    {
      /* Until the first list comes. */
      if (self->state != BEACON_SOCKET_STATE_CONNECTED)
        set_state (self, BEACON_SOCKET_STATE_CONNECTING);
      return;
    }
  beacon_guest_store_forget_online_ids (self->store);
  set_state (self, state);
}

static void
on_next_retry_in (BeaconSocket *socket, GParamSpec *pspec, BeaconGuestSession *self)
{
  guint next_retry_in = beacon_socket_get_next_retry_in (socket);

  if (self->next_retry_in == next_retry_in)
    return;
  self->next_retry_in = next_retry_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_IN]);
}

static void
on_connect_error (BeaconSocket *socket, const char *nsp, JsonNode *data, BeaconGuestSession *self)
{
  if (g_strcmp0 (nsp, GUEST_NAMESPACE) == 0)
    set_error_message (self, _ ("The server refused the list of who is online."));
}

static void
beacon_guest_session_constructed (GObject *object)
{
  BeaconGuestSession *self = BEACON_GUEST_SESSION (object);

  G_OBJECT_CLASS (beacon_guest_session_parent_class)->constructed (object);

  g_return_if_fail (self->server_url != NULL);
  if (self->clock == NULL)
    self->clock = g_object_ref (beacon_clock_get_default ());
  self->api = beacon_api_new (self->server_url);
  self->socket = beacon_socket_new (self->server_url);
  beacon_socket_set_clock (self->socket, self->clock);
  self->store = beacon_guest_store_new (self->clock);
  g_signal_connect (self->socket, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->socket, "notify::state", G_CALLBACK (on_socket_state), self);
  g_signal_connect (self->socket, "notify::next-retry-in", G_CALLBACK (on_next_retry_in), self);
  g_signal_connect (self->socket, "connect-error", G_CALLBACK (on_connect_error), self);
}

static void
beacon_guest_session_dispose (GObject *object)
{
  BeaconGuestSession *self = BEACON_GUEST_SESSION (object);

  if (self->socket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->socket, self);
      beacon_socket_disconnect (self->socket);
      g_clear_object (&self->socket);
    }
  g_clear_object (&self->api);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_guest_session_parent_class)->dispose (object);
}

static void
beacon_guest_session_finalize (GObject *object)
{
  BeaconGuestSession *self = BEACON_GUEST_SESSION (object);

  g_free (self->server_url);
  g_free (self->error_message);
  g_free (self->q);
  g_free (self->online_status);
  g_free (self->active_within);

  G_OBJECT_CLASS (beacon_guest_session_parent_class)->finalize (object);
}

static void
beacon_guest_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconGuestSession *self = BEACON_GUEST_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_NEXT_RETRY_IN: g_value_set_uint (value, self->next_retry_in); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_TOTAL: g_value_set_uint (value, self->total); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_guest_session_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BeaconGuestSession *self = BEACON_GUEST_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL: self->server_url = g_value_dup_string (value); break;
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_guest_session_class_init (BeaconGuestSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = beacon_guest_session_constructed;
  object_class->dispose = beacon_guest_session_dispose;
  object_class->finalize = beacon_guest_session_finalize;
  object_class->get_property = beacon_guest_session_get_property;
  object_class->set_property = beacon_guest_session_set_property;

  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK, construct);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, BEACON_TYPE_GUEST_STORE, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, BEACON_TYPE_SOCKET_STATE,
                                              BEACON_SOCKET_STATE_DISCONNECTED, ro);
  properties[PROP_NEXT_RETRY_IN] =
      g_param_spec_uint ("next-retry-in", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_guest_session_init (BeaconGuestSession *self)
{
  self->state = BEACON_SOCKET_STATE_DISCONNECTED;
}

/**
 * beacon_guest_session_new:
 * @server_url: the server's base URL ("https://beacon.example.org")
 * @clock: (nullable): the clock the providers' labels follow; %NULL for
 *   beacon_clock_get_default()
 *
 * Returns: (transfer full): a session that does nothing until started or asked to
 *   search
 */
BeaconGuestSession *
beacon_guest_session_new (const char *server_url, BeaconClock *clock)
{
  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_GUEST_SESSION, "server-url", server_url, "clock", clock, NULL);
}

const char *
beacon_guest_session_get_server_url (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), NULL);
  return self->server_url;
}

/**
 * beacon_guest_session_get_store:
 * @self: a session
 *
 * Returns: (transfer none): the providers found, with their online flags; it lives as
 *   long as the session
 */
BeaconGuestStore *
beacon_guest_session_get_store (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), NULL);
  return self->store;
}

/**
 * beacon_guest_session_get_api:
 * @self: a session
 *
 * Returns: (transfer none): its REST client
 */
BeaconApi *
beacon_guest_session_get_api (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), NULL);
  return self->api;
}

/**
 * beacon_guest_session_get_socket:
 * @self: a session
 *
 * Returns: (transfer none): its Socket.IO connection
 */
BeaconSocket *
beacon_guest_session_get_socket (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), NULL);
  return self->socket;
}

/**
 * beacon_guest_session_get_state:
 * @self: a session
 *
 * Returns: %BEACON_SOCKET_STATE_CONNECTED once the online list is live;
 *   %BEACON_SOCKET_STATE_CONNECTING before, %BEACON_SOCKET_STATE_RECONNECTING when the
 *   connection was lost (next attempt in "next-retry-in" seconds),
 *   %BEACON_SOCKET_STATE_DISCONNECTED when stopped
 */
BeaconSocketState
beacon_guest_session_get_state (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), BEACON_SOCKET_STATE_DISCONNECTED);
  return self->state;
}

guint
beacon_guest_session_get_next_retry_in (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), 0);
  return self->next_retry_in;
}

/**
 * beacon_guest_session_get_error_message:
 * @self: a session
 *
 * Returns: (nullable): the last failure, in words for a banner; %NULL after a search
 *   that worked
 */
const char *
beacon_guest_session_get_error_message (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), NULL);
  return self->error_message;
}

/**
 * beacon_guest_session_get_total:
 * @self: a session
 *
 * Returns: how many providers the last search matched, on all its pages
 */
guint
beacon_guest_session_get_total (BeaconGuestSession *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_SESSION (self), 0);
  return self->total;
}

/**
 * beacon_guest_session_start:
 * @self: a session
 *
 * Connects to /presence (no sign-in), reconnecting as BeaconSocket does until
 * beacon_guest_session_stop().
 */
void
beacon_guest_session_start (BeaconGuestSession *self)
{
  g_return_if_fail (BEACON_IS_GUEST_SESSION (self));

  beacon_socket_join (self->socket, GUEST_NAMESPACE, NULL);
  beacon_socket_connect (self->socket);
}

void
beacon_guest_session_stop (BeaconGuestSession *self)
{
  g_return_if_fail (BEACON_IS_GUEST_SESSION (self));

  beacon_socket_disconnect (self->socket);
}

static void
on_page (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)     task = user_data;
  BeaconGuestSession   *self = g_task_get_source_object (task);
  Request              *request = g_task_get_task_data (task);
  g_autoptr (GError)    error = NULL;
  g_autoptr (JsonArray) providers = NULL;
  guint                 total = 0;

  providers = beacon_api_list_providers_finish (self->api, result, &total, &error);
  if (request->serial != self->serial)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "A later search replaced this one");
      return;
    }
  if (providers == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error_message (self, beacon_api_error_sentence (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  beacon_guest_store_load (self->store, providers, request->replace);
  set_total (self, total);
  set_error_message (self, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
request_page (BeaconGuestSession *self,
              gboolean            replace,
              gpointer            source_tag,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  GTask   *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);
  guint    offset = replace ? 0 : g_list_model_get_n_items (G_LIST_MODEL (self->store));

  g_task_set_source_tag (task, source_tag);
  request->serial = ++self->serial;
  request->replace = replace;
  g_task_set_task_data (task, request, g_free);
  beacon_api_list_providers_async (self->api, self->online_status, self->active_within, NULL,
                                   self->q, -1, replace ? -1 : (int) MIN (offset, G_MAXINT),
                                   cancellable, on_page, task);
}

/**
 * beacon_guest_session_search_async:
 * @self: a session
 * @q: (nullable): words to find in names and headlines
 * @online_status: (nullable): "online" or "offline" to list only those
 * @active_within: (nullable): a duration ("30m", "24h", "7d"): only those online or
 *   active that recently
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the store holds the answer's first page
 * @user_data: for @callback
 *
 * Searches GET /api/providers and replaces the store's providers with the answer's
 * first page (see beacon_guest_store_load()). A later search or page request makes
 * this one fail with %G_IO_ERROR_CANCELLED without touching the store. A failure sets
 * "error-message"; a success clears it.
 */
void
beacon_guest_session_search_async (BeaconGuestSession *self,
                                   const char         *q,
                                   const char         *online_status,
                                   const char         *active_within,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_GUEST_SESSION (self));

  g_free (self->q);
  self->q = g_strdup (q);
  g_free (self->online_status);
  self->online_status = g_strdup (online_status);
  g_free (self->active_within);
  self->active_within = g_strdup (active_within);
  request_page (self, TRUE, beacon_guest_session_search_async, cancellable, callback, user_data);
}

gboolean
beacon_guest_session_search_finish (BeaconGuestSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, beacon_guest_session_search_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * beacon_guest_session_load_more_async:
 * @self: a session
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the page is in the store
 * @user_data: for @callback
 *
 * Appends the next page of the last search (with its filters), or finishes at once
 * when the store holds all of them.
 */
void
beacon_guest_session_load_more_async (BeaconGuestSession *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_GUEST_SESSION (self));

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) >= self->total)
    {
      g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, beacon_guest_session_load_more_async);
      g_task_return_boolean (task, TRUE);
      return;
    }
  request_page (self, FALSE, beacon_guest_session_load_more_async, cancellable, callback,
                user_data);
}

gboolean
beacon_guest_session_load_more_finish (BeaconGuestSession *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, beacon_guest_session_load_more_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
