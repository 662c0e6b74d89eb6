/* beacon-api.h: BeaconApi, the client of beacon-server's REST API (PROTOCOL.md 6) over
 * libsoup: one _async/_finish pair per route, errors in the BEACON_API_ERROR domain. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-api-error.h"
#include "beacon-presence-record.h"

G_BEGIN_DECLS

/* A user as the REST API describes one; every field but id may be NULL. */
typedef struct
{
  char *id;
  char *name;
  char *email;
  char *role;
  char *status;         /* GET /api/me only: the status the user chose */
  char *custom_message; /* GET /api/me only */
} BeaconApiUser;

#define BEACON_TYPE_API_USER (beacon_api_user_get_type ())
GType          beacon_api_user_get_type (void);
BeaconApiUser *beacon_api_user_copy (const BeaconApiUser *user);
void           beacon_api_user_free (BeaconApiUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BeaconApiUser, beacon_api_user_free)

#define BEACON_TYPE_API (beacon_api_get_type ())

G_DECLARE_FINAL_TYPE (BeaconApi, beacon_api, BEACON, API, GObject)

/* The seconds a request may take before it fails with BEACON_API_ERROR_TIMEOUT. */
#define BEACON_API_DEFAULT_TIMEOUT 15

BeaconApi  *beacon_api_new (const char *base_url);
const char *beacon_api_get_base_url (BeaconApi *self);
const char *beacon_api_get_token (BeaconApi *self);
void        beacon_api_set_token (BeaconApi *self, const char *token);
const char *beacon_api_get_user_id (BeaconApi *self);
void        beacon_api_set_user_id (BeaconApi *self, const char *user_id);
gboolean    beacon_api_get_allow_insecure (BeaconApi *self);
void        beacon_api_set_allow_insecure (BeaconApi *self, gboolean allow_insecure);
guint       beacon_api_get_timeout (BeaconApi *self);
void        beacon_api_set_timeout (BeaconApi *self, guint seconds);

/* POST /api/auth/login. On success the token and the user id become the object's. */
void  beacon_api_login_async (BeaconApi          *self,
                              const char         *email,
                              const char         *password,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
char *beacon_api_login_finish (BeaconApi      *self,
                               GAsyncResult   *result,
                               BeaconApiUser **out_user,
                               GError        **error);

/* GET /api/me: the user, with the status and custom message they chose. */
void           beacon_api_get_me_async (BeaconApi          *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
BeaconApiUser *beacon_api_get_me_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* GET /api/friends: a GPtrArray of BeaconApiUser. */
void       beacon_api_get_friends_async (BeaconApi          *self,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
GPtrArray *beacon_api_get_friends_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* GET /api/friends/online-status, parsed by beacon_presence_parse_hydration(). */
void     beacon_api_get_online_status_async (BeaconApi          *self,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean beacon_api_get_online_status_finish (BeaconApi    *self,
                                              GAsyncResult *result,
                                              GHashTable  **out_online,
                                              GPtrArray   **out_records,
                                              GError      **error);

/* GET /api/users/presence/:userId */
void beacon_api_get_presence_async (BeaconApi          *self,
                                    const char         *user_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
BeaconPresenceRecord *
beacon_api_get_presence_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* PATCH /api/users/presence/status; custom_message may be NULL (cleared). */
void beacon_api_set_status_async (BeaconApi          *self,
                                  const char         *status,
                                  const char         *custom_message,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
BeaconPresenceRecord *
beacon_api_set_status_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* GET / PATCH /api/users/presence/settings. show_last_seen: "everyone", "contacts" or
 * "nobody". */
void     beacon_api_get_settings_async (BeaconApi          *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
void     beacon_api_set_settings_async (BeaconApi          *self,
                                        gboolean            show_online_status,
                                        const char         *show_last_seen,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean beacon_api_settings_finish (BeaconApi    *self,
                                     GAsyncResult *result,
                                     gboolean     *out_show_online_status,
                                     char        **out_show_last_seen,
                                     GError      **error);

/* GET /api/providers (no sign-in). Each filter may be NULL; limit and offset < 0 leave
 * the server's default. Returns the array of provider objects and the total. */
void       beacon_api_list_providers_async (BeaconApi          *self,
                                            const char         *online_status,
                                            const char         *active_within,
                                            const char         *last_seen,
                                            const char         *q,
                                            int                 limit,
                                            int                 offset,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
JsonArray *beacon_api_list_providers_finish (BeaconApi    *self,
                                             GAsyncResult *result,
                                             guint        *out_total,
                                             GError      **error);

/* GET /api/conversations: an array of conversation objects. */
void beacon_api_list_conversations_async (BeaconApi          *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
JsonArray *
beacon_api_list_conversations_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* POST /api/conversations: the conversation with partner_id, created if new. */
void beacon_api_open_conversation_async (BeaconApi          *self,
                                         const char         *partner_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
JsonObject *
beacon_api_open_conversation_finish (BeaconApi *self, GAsyncResult *result, GError **error);

/* GET /api/conversations/:id/messages, oldest first; before_id may be NULL, limit < 0
 * leaves the server's default. */
void       beacon_api_list_messages_async (BeaconApi          *self,
                                           const char         *conversation_id,
                                           const char         *before_id,
                                           int                 limit,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
JsonArray *beacon_api_list_messages_finish (BeaconApi *self, GAsyncResult *result, GError **error);

G_END_DECLS
