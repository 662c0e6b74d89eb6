/* beacon-api.c: BeaconApi, the REST client of beacon-server over a SoupSession: builds the
 * requests, maps every failure into BEACON_API_ERROR and checks each answer's shape. */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "beacon-api.h"
#include "beacon-json.h"

struct _BeaconApi
{
  GObject      parent_instance;
  SoupSession *session;
  char        *base_url;
  char        *token;
  char        *user_id;
  gboolean     allow_insecure;
};

G_DEFINE_FINAL_TYPE (BeaconApi, beacon_api, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  PROP_USER_ID,
  PROP_ALLOW_INSECURE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_BOXED_TYPE (BeaconApiUser, beacon_api_user, beacon_api_user_copy, beacon_api_user_free)

BeaconApiUser *
beacon_api_user_copy (const BeaconApiUser *user)
{
  BeaconApiUser *copy = g_new0 (BeaconApiUser, 1);

  copy->id = g_strdup (user->id);
  copy->name = g_strdup (user->name);
  copy->email = g_strdup (user->email);
  copy->role = g_strdup (user->role);
  copy->status = g_strdup (user->status);
  copy->custom_message = g_strdup (user->custom_message);
  return copy;
}

void
beacon_api_user_free (BeaconApiUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->name);
  g_free (user->email);
  g_free (user->role);
  g_free (user->status);
  g_free (user->custom_message);
  g_free (user);
}

/* ---- reading answers ---- */

static void
set_unexpected (GError **error, const char *what)
{
  g_set_error (error, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE, "unexpected answer: %s",
               what);
}

/* A string member, or an integer one as its decimal string (PROTOCOL.md 9); NULL when
 * absent, null or of another type. */
static char *
dup_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static BeaconApiUser *
user_from_json (JsonNode *node, GError **error)
{
  g_autoptr (BeaconApiUser) user = NULL;
  JsonObject               *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_unexpected (error, "a user is not an object");
      return NULL;
    }
  object = json_node_get_object (node);
  user = g_new0 (BeaconApiUser, 1);
  user->id = dup_string_member (object, "id");
  if (user->id == NULL || *user->id == '\0')
    {
      set_unexpected (error, "a user without an id");
      return NULL;
    }
  user->name = dup_string_member (object, "name");
  user->email = dup_string_member (object, "email");
  user->role = dup_string_member (object, "role");
  user->status = dup_string_member (object, "status");
  user->custom_message = dup_string_member (object, "custom_message");
  return g_steal_pointer (&user);
}

/* body.data.<member> when body has a "data" object, else body.<member>. */
static JsonNode *
data_member (JsonNode *body, const char *member)
{
  JsonObject *object;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  object = json_node_get_object (body);
  if (json_object_has_member (object, "data") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "data")))
    object = json_object_get_object_member (object, "data");
  return json_object_get_member (object, member);
}

/* An array answer, given bare or as data.<member> (some backends wrap them). */
static JsonArray *
array_answer (JsonNode *body, const char *member, GError **error)
{
  JsonNode *node = body;

  if (node != NULL && !JSON_NODE_HOLDS_ARRAY (node))
    node = data_member (body, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      set_unexpected (error, "not a list");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (node), i)))
      {
        set_unexpected (error, "a list entry is not an object");
        return NULL;
      }
  return json_array_ref (json_node_get_array (node));
}

/* ---- the request machinery ---- */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
check_base_url (BeaconApi *self, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  const char      *scheme;

  if (self->base_url != NULL)
    uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK,
                   "“%s” is not a server address", self->base_url ? self->base_url : "");
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK,
                   "“%s” is not an http:// or https:// address", self->base_url);
      return FALSE;
    }
  if (self->allow_insecure || host_is_loopback (g_uri_get_host (uri)))
    return TRUE;
  g_set_error (error, BEACON_API_ERROR, BEACON_API_ERROR_INSECURE,
               "refusing plain http:// to %s (not loopback, allow-insecure not set)",
               g_uri_get_host (uri));
  return FALSE;
}

static GError *
map_transport_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    mapped = g_error_new (BEACON_API_ERROR, BEACON_API_ERROR_TIMEOUT, "no answer in time: %s",
                          error->message);
  else
    mapped = g_error_new (BEACON_API_ERROR, BEACON_API_ERROR_NETWORK, "cannot reach the server: %s",
                          error->message);
  return mapped;
}

static void
on_send_and_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)    task = user_data;
  SoupMessage         *msg = g_task_get_task_data (task);
  g_autoptr (GError)   error = NULL;
  g_autoptr (GBytes)   bytes = NULL;
  g_autoptr (JsonNode) body = NULL;
  guint                status;
  gsize                size = 0;
  const char          *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, map_transport_error (error));
      return;
    }
  status = soup_message_get_status (msg);
  data = g_bytes_get_data (bytes, &size);
  if (size > 0)
    body = beacon_json_parse (data, size, NULL);

  if (body == NULL)
    {
      /* A proxy in front of a server that is down answers with its own page. */
      if (status == 502 || status == 503 || status == 504)
        g_task_return_new_error (task, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK,
                                 "the server is unavailable (HTTP %u)", status);
      else
        {
          const char *type =
              soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);

          g_task_return_new_error (task, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE,
                                   "not a Beacon server: the answer (HTTP %u, %s) is not JSON",
                                   status, type != NULL ? type : "no content type");
        }
      return;
    }

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) json_node_unref);
      return;
    }

  {
    JsonNode        *error_node = NULL;
    g_autofree char *code = NULL;
    g_autofree char *message = NULL;

    if (JSON_NODE_HOLDS_OBJECT (body))
      error_node = json_object_get_member (json_node_get_object (body), "error");
    if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
      {
        code = dup_string_member (json_node_get_object (error_node), "code");
        message = dup_string_member (json_node_get_object (error_node), "message");
      }
    else if (error_node != NULL && JSON_NODE_HOLDS_VALUE (error_node) &&
             json_node_get_value_type (error_node) == G_TYPE_STRING)
      message = g_strdup (json_node_get_string (error_node));

    g_task_return_new_error (task, BEACON_API_ERROR,
                             beacon_api_error_from_server_code (code, status), "%s",
                             message ? message
                             : code  ? code
                                     : soup_status_get_phrase (status));
  }
}

/* Sends a request for task (whose source tag is the public function); the task returns
 * the answer's JsonNode. body is consumed. */
static void
api_send (BeaconApi *self, GTask *task, const char *method, const char *path, JsonNode *body)
{
  g_autoptr (GTask)       owned = task;
  g_autoptr (JsonNode)    owned_body = body;
  g_autoptr (GError)      error = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char        *url = NULL;
  gsize                   len;

  if (!check_base_url (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    len--;
  url = g_strdup_printf ("%.*s%s", (int) len, self->base_url, path);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, BEACON_API_ERROR, BEACON_API_ERROR_NETWORK,
                               "“%s” is not a valid address", url);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  if (self->token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
    }
  if (owned_body != NULL)
    {
      char              *text = beacon_json_to_string (owned_body);
      g_autoptr (GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_send_and_read,
                                    g_steal_pointer (&owned));
}

static GTask *
api_task (BeaconApi          *self,
          gpointer            source_tag,
          GCancellable       *cancellable,
          GAsyncReadyCallback callback,
          gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

static JsonNode *
api_propagate (BeaconApi *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (BEACON_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonNode *
object_body (const char *first_member, ...)
{
  g_autoptr (JsonObject) object = json_object_new ();
  JsonNode              *node = json_node_new (JSON_NODE_OBJECT);
  const char            *member;
  va_list                args;

  va_start (args, first_member);
  for (member = first_member; member != NULL; member = va_arg (args, const char *))
    json_object_set_member (object, member, va_arg (args, JsonNode *));
  va_end (args);
  json_node_set_object (node, object);
  return node;
}

static JsonNode *
string_node (const char *value)
{
  JsonNode *node = json_node_new (value ? JSON_NODE_VALUE : JSON_NODE_NULL);

  if (value != NULL)
    json_node_set_string (node, value);
  return node;
}

/* ---- routes ---- */

void
beacon_api_login_async (BeaconApi          *self,
                        const char         *email,
                        const char         *password,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (email != NULL && password != NULL);

  api_send (self, api_task (self, beacon_api_login_async, cancellable, callback, user_data), "POST",
            "/api/auth/login",
            object_body ("email", string_node (email), "password", string_node (password), NULL));
}

char *
beacon_api_login_finish (BeaconApi      *self,
                         GAsyncResult   *result,
                         BeaconApiUser **out_user,
                         GError        **error)
{
  g_autoptr (JsonNode)      body = api_propagate (self, result, beacon_api_login_async, error);
  g_autoptr (BeaconApiUser) user = NULL;
  g_autofree char          *token = NULL;

  if (body == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (body))
    token = dup_string_member (json_node_get_object (body), "token");
  if (token == NULL || *token == '\0')
    {
      set_unexpected (error, "no token in the login answer");
      return NULL;
    }
  user = user_from_json (json_object_get_member (json_node_get_object (body), "user"), error);
  if (user == NULL)
    return NULL;
  beacon_api_set_token (self, token);
  beacon_api_set_user_id (self, user->id);
  if (out_user != NULL)
    *out_user = g_steal_pointer (&user);
  return g_steal_pointer (&token);
}

void
beacon_api_get_me_async (BeaconApi          *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));

  api_send (self, api_task (self, beacon_api_get_me_async, cancellable, callback, user_data), "GET",
            "/api/me", NULL);
}

BeaconApiUser *
beacon_api_get_me_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body = api_propagate (self, result, beacon_api_get_me_async, error);
  BeaconApiUser       *user;

  if (body == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (body) && json_object_has_member (json_node_get_object (body), "user"))
    user = user_from_json (json_object_get_member (json_node_get_object (body), "user"), error);
  else
    user = user_from_json (body, error);
  if (user != NULL)
    beacon_api_set_user_id (self, user->id);
  return user;
}

void
beacon_api_get_friends_async (BeaconApi          *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));

  api_send (self, api_task (self, beacon_api_get_friends_async, cancellable, callback, user_data),
            "GET", "/api/friends", NULL);
}

GPtrArray *
beacon_api_get_friends_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode)  body = api_propagate (self, result, beacon_api_get_friends_async, error);
  g_autoptr (JsonArray) array = NULL;
  g_autoptr (GPtrArray) friends = NULL;

  if (body == NULL)
    return NULL;
  array = array_answer (body, "friends", error);
  if (array == NULL)
    return NULL;
  friends = g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_api_user_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      BeaconApiUser *user = user_from_json (json_array_get_element (array, i), error);

      if (user == NULL)
        return NULL;
      g_ptr_array_add (friends, user);
    }
  return g_steal_pointer (&friends);
}

void
beacon_api_get_online_status_async (BeaconApi          *self,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));

  api_send (self,
            api_task (self, beacon_api_get_online_status_async, cancellable, callback, user_data),
            "GET", "/api/friends/online-status", NULL);
}

gboolean
beacon_api_get_online_status_finish (BeaconApi    *self,
                                     GAsyncResult *result,
                                     GHashTable  **out_online,
                                     GPtrArray   **out_records,
                                     GError      **error)
{
  g_autoptr (JsonNode) body =
      api_propagate (self, result, beacon_api_get_online_status_async, error);
  g_autoptr (GError) parse_error = NULL;

  if (body == NULL)
    return FALSE;
  if (!beacon_presence_parse_hydration (body, self->user_id, out_online, out_records, &parse_error))
    {
      set_unexpected (error, parse_error->message);
      return FALSE;
    }
  return TRUE;
}

static BeaconPresenceRecord *
record_answer (BeaconApi *self, JsonNode *body, GError **error)
{
  g_autoptr (GError)    parse_error = NULL;
  JsonNode             *node = body;
  BeaconPresenceRecord *record;

  /* Some backends wrap the record in "data" (or "presence"). */
  if (JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonObject *object = json_node_get_object (body);

      if (json_object_has_member (object, "data"))
        node = json_object_get_member (object, "data");
      else if (json_object_has_member (object, "presence"))
        node = json_object_get_member (object, "presence");
    }
  record = beacon_presence_record_parse (node, self->user_id, &parse_error);
  if (record == NULL)
    set_unexpected (error, parse_error->message);
  return record;
}

void
beacon_api_get_presence_async (BeaconApi          *self,
                               const char         *user_id,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (user_id != NULL);

  escaped = g_uri_escape_string (user_id, NULL, FALSE);
  path = g_strconcat ("/api/users/presence/", escaped, NULL);
  api_send (self, api_task (self, beacon_api_get_presence_async, cancellable, callback, user_data),
            "GET", path, NULL);
}

BeaconPresenceRecord *
beacon_api_get_presence_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body = api_propagate (self, result, beacon_api_get_presence_async, error);

  return body ? record_answer (self, body, error) : NULL;
}

void
beacon_api_set_status_async (BeaconApi          *self,
                             const char         *status,
                             const char         *custom_message,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (status != NULL);

  api_send (self, api_task (self, beacon_api_set_status_async, cancellable, callback, user_data),
            "PATCH", "/api/users/presence/status",
            object_body ("status", string_node (status), "custom_message",
                         string_node (custom_message), NULL));
}

BeaconPresenceRecord *
beacon_api_set_status_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body = api_propagate (self, result, beacon_api_set_status_async, error);

  return body ? record_answer (self, body, error) : NULL;
}

void
beacon_api_get_settings_async (BeaconApi          *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));

  /* Both settings routes share one tag, and so one _finish. */
  api_send (self, api_task (self, beacon_api_settings_finish, cancellable, callback, user_data),
            "GET", "/api/users/presence/settings", NULL);
}

void
beacon_api_set_settings_async (BeaconApi          *self,
                               gboolean            show_online_status,
                               const char         *show_last_seen,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  JsonNode *online;

  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (show_last_seen != NULL);

  online = json_node_new (JSON_NODE_VALUE);
  json_node_set_boolean (online, show_online_status);
  api_send (self, api_task (self, beacon_api_settings_finish, cancellable, callback, user_data),
            "PATCH", "/api/users/presence/settings",
            object_body ("show_online_status", online, "show_last_seen",
                         string_node (show_last_seen), NULL));
}

gboolean
beacon_api_settings_finish (BeaconApi    *self,
                            GAsyncResult *result,
                            gboolean     *out_show_online_status,
                            char        **out_show_last_seen,
                            GError      **error)
{
  g_autoptr (JsonNode) body = api_propagate (self, result, beacon_api_settings_finish, error);
  JsonNode            *online;
  g_autofree char     *last_seen = NULL;

  if (body == NULL)
    return FALSE;
  online = data_member (body, "show_online_status");
  if (JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonNode *node = data_member (body, "show_last_seen");

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_STRING)
        last_seen = g_strdup (json_node_get_string (node));
      else if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
               json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        last_seen = g_strdup (json_node_get_boolean (node) ? "everyone" : "nobody");
    }
  if (online == NULL || !JSON_NODE_HOLDS_VALUE (online) ||
      json_node_get_value_type (online) != G_TYPE_BOOLEAN || last_seen == NULL)
    {
      set_unexpected (error, "settings without show_online_status or show_last_seen");
      return FALSE;
    }
  if (out_show_online_status != NULL)
    *out_show_online_status = json_node_get_boolean (online);
  if (out_show_last_seen != NULL)
    *out_show_last_seen = g_steal_pointer (&last_seen);
  return TRUE;
}

static void
append_query (GString *path, const char *name, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (path, "%c%s=%s", strchr (path->str, '?') ? '&' : '?', name, escaped);
}

void
beacon_api_list_providers_async (BeaconApi          *self,
                                 const char         *online_status,
                                 const char         *active_within,
                                 const char         *last_seen,
                                 const char         *q,
                                 int                 limit,
                                 int                 offset,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (GString) path = g_string_new ("/api/providers");
  char                number[16];

  g_return_if_fail (BEACON_IS_API (self));

  append_query (path, "online_status", online_status);
  append_query (path, "active_within", active_within);
  append_query (path, "last_seen", last_seen);
  append_query (path, "q", q);
  if (limit >= 0)
    {
      g_snprintf (number, sizeof number, "%d", limit);
      append_query (path, "limit", number);
    }
  if (offset >= 0)
    {
      g_snprintf (number, sizeof number, "%d", offset);
      append_query (path, "offset", number);
    }
  api_send (self,
            api_task (self, beacon_api_list_providers_async, cancellable, callback, user_data),
            "GET", path->str, NULL);
}

JsonArray *
beacon_api_list_providers_finish (BeaconApi    *self,
                                  GAsyncResult *result,
                                  guint        *out_total,
                                  GError      **error)
{
  g_autoptr (JsonNode)  body = api_propagate (self, result, beacon_api_list_providers_async, error);
  g_autoptr (JsonArray) providers = NULL;
  JsonNode             *total;

  if (body == NULL)
    return NULL;
  providers = array_answer (body, "providers", error);
  if (providers == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (providers); i++)
    {
      g_autofree char *id = dup_string_member (json_array_get_object_element (providers, i), "id");

      if (id == NULL)
        {
          set_unexpected (error, "a provider without an id");
          return NULL;
        }
    }
  total = data_member (body, "total");
  if (out_total != NULL)
    *out_total = total != NULL && JSON_NODE_HOLDS_VALUE (total) &&
                         json_node_get_value_type (total) == G_TYPE_INT64
                     ? (guint) CLAMP (json_node_get_int (total), 0, G_MAXUINT)
                     : json_array_get_length (providers);
  return g_steal_pointer (&providers);
}

void
beacon_api_list_conversations_async (BeaconApi          *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));

  api_send (self,
            api_task (self, beacon_api_list_conversations_async, cancellable, callback, user_data),
            "GET", "/api/conversations", NULL);
}

JsonArray *
beacon_api_list_conversations_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body =
      api_propagate (self, result, beacon_api_list_conversations_async, error);

  return body ? array_answer (body, "conversations", error) : NULL;
}

void
beacon_api_open_conversation_async (BeaconApi          *self,
                                    const char         *partner_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (partner_id != NULL);

  api_send (
      self, api_task (self, beacon_api_open_conversation_async, cancellable, callback, user_data),
      "POST", "/api/conversations", object_body ("partner_id", string_node (partner_id), NULL));
}

JsonObject *
beacon_api_open_conversation_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body =
      api_propagate (self, result, beacon_api_open_conversation_async, error);
  JsonNode        *node = body;
  g_autofree char *id = NULL;

  if (body == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (body) && !json_object_has_member (json_node_get_object (body), "id"))
    node = data_member (body, "conversation");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    id = dup_string_member (json_node_get_object (node), "id");
  if (id == NULL)
    {
      set_unexpected (error, "a conversation without an id");
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

void
beacon_api_list_messages_async (BeaconApi          *self,
                                const char         *conversation_id,
                                const char         *before_id,
                                int                 limit,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr (GString) path = g_string_new ("/api/conversations/");
  g_autofree char    *escaped = NULL;
  char                number[16];

  g_return_if_fail (BEACON_IS_API (self));
  g_return_if_fail (conversation_id != NULL);

  escaped = g_uri_escape_string (conversation_id, NULL, FALSE);
  g_string_append_printf (path, "%s/messages", escaped);
  append_query (path, "before", before_id);
  if (limit >= 0)
    {
      g_snprintf (number, sizeof number, "%d", limit);
      append_query (path, "limit", number);
    }
  api_send (self, api_task (self, beacon_api_list_messages_async, cancellable, callback, user_data),
            "GET", path->str, NULL);
}

JsonArray *
beacon_api_list_messages_finish (BeaconApi *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) body = api_propagate (self, result, beacon_api_list_messages_async, error);

  return body ? array_answer (body, "messages", error) : NULL;
}

/* ---- the object ---- */

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static gboolean
replace_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

BeaconApi *
beacon_api_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (BEACON_TYPE_API, "base-url", base_url, NULL);
}

const char *
beacon_api_get_base_url (BeaconApi *self)
{
  g_return_val_if_fail (BEACON_IS_API (self), NULL);
  return self->base_url;
}

const char *
beacon_api_get_token (BeaconApi *self)
{
  g_return_val_if_fail (BEACON_IS_API (self), NULL);
  return self->token;
}

void
beacon_api_set_token (BeaconApi *self, const char *token)
{
  g_return_if_fail (BEACON_IS_API (self));
  if (replace_str (&self->token, token))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

const char *
beacon_api_get_user_id (BeaconApi *self)
{
  g_return_val_if_fail (BEACON_IS_API (self), NULL);
  return self->user_id;
}

void
beacon_api_set_user_id (BeaconApi *self, const char *user_id)
{
  g_return_if_fail (BEACON_IS_API (self));
  if (replace_str (&self->user_id, user_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_ID]);
}

gboolean
beacon_api_get_allow_insecure (BeaconApi *self)
{
  g_return_val_if_fail (BEACON_IS_API (self), FALSE);
  return self->allow_insecure;
}

void
beacon_api_set_allow_insecure (BeaconApi *self, gboolean allow_insecure)
{
  g_return_if_fail (BEACON_IS_API (self));
  allow_insecure = !!allow_insecure;
  if (self->allow_insecure == allow_insecure)
    return;
  self->allow_insecure = allow_insecure;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_INSECURE]);
}

guint
beacon_api_get_timeout (BeaconApi *self)
{
  g_return_val_if_fail (BEACON_IS_API (self), 0);
  return soup_session_get_timeout (self->session);
}

void
beacon_api_set_timeout (BeaconApi *self, guint seconds)
{
  g_return_if_fail (BEACON_IS_API (self));
  if (soup_session_get_timeout (self->session) == seconds)
    return;
  soup_session_set_timeout (self->session, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

static void
beacon_api_finalize (GObject *object)
{
  BeaconApi *self = BEACON_API (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->user_id, g_free);

  G_OBJECT_CLASS (beacon_api_parent_class)->finalize (object);
}

static void
beacon_api_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconApi *self = BEACON_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_TOKEN: g_value_set_string (value, self->token); break;
    case PROP_USER_ID: g_value_set_string (value, self->user_id); break;
    case PROP_ALLOW_INSECURE: g_value_set_boolean (value, self->allow_insecure); break;
    case PROP_TIMEOUT: g_value_set_uint (value, beacon_api_get_timeout (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_api_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconApi *self = BEACON_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL: self->base_url = g_value_dup_string (value); break;
    case PROP_TOKEN: beacon_api_set_token (self, g_value_get_string (value)); break;
    case PROP_USER_ID: beacon_api_set_user_id (self, g_value_get_string (value)); break;
    case PROP_ALLOW_INSECURE:
      beacon_api_set_allow_insecure (self, g_value_get_boolean (value));
      break;
    case PROP_TIMEOUT: beacon_api_set_timeout (self, g_value_get_uint (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_api_class_init (BeaconApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = beacon_api_finalize;
  object_class->get_property = beacon_api_get_property;
  object_class->set_property = beacon_api_set_property;

  properties[PROP_BASE_URL] =
      g_param_spec_string ("base-url", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
      g_param_spec_string ("token", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_ID] =
      g_param_spec_string ("user-id", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_INSECURE] =
      g_param_spec_boolean ("allow-insecure", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
      g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, BEACON_API_DEFAULT_TIMEOUT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_api_init (BeaconApi *self)
{
  self->session = soup_session_new_with_options ("timeout", BEACON_API_DEFAULT_TIMEOUT,
                                                 "user-agent", "Beacon ", NULL);
}
