/* beacon-session.h: BeaconSession, one signed-in session end to end: sign-in or resume,
 * hydration, live presence, heartbeat, reconnection, chat focus and the user's own status. */
#pragma once

#include <gio/gio.h>

#include "beacon-api.h"
#include "beacon-clock.h"
#include "beacon-conversation-store.h"
#include "beacon-presence-store.h"
#include "beacon-socket.h"

G_BEGIN_DECLS

typedef enum
{
  BEACON_SESSION_STATE_SIGNED_OUT,   /* no account: show the welcome / sign-in page */
  BEACON_SESSION_STATE_SIGNING_IN,   /* login or resume in progress */
  BEACON_SESSION_STATE_CONNECTING,   /* socket connecting and/or hydrating (first time) */
  BEACON_SESSION_STATE_ONLINE,       /* connected, hydrated, live */
  BEACON_SESSION_STATE_RECONNECTING, /* lost; next attempt in next-retry-in seconds */
  BEACON_SESSION_STATE_OFFLINE,      /* GNetworkMonitor says no network */
  BEACON_SESSION_STATE_UNAUTHORIZED, /* token rejected: sign in again */
} BeaconSessionState;

#define BEACON_TYPE_SESSION_STATE (beacon_session_state_get_type ())
GType beacon_session_state_get_type (void);

#define BEACON_TYPE_SESSION (beacon_session_get_type ())

G_DECLARE_FINAL_TYPE (BeaconSession, beacon_session, BEACON, SESSION, GObject)

BeaconSession *beacon_session_new (const char *server_url, BeaconClock *clock);

const char              *beacon_session_get_server_url (BeaconSession *self);
BeaconSessionState       beacon_session_get_state (BeaconSession *self);
guint                    beacon_session_get_next_retry_in (BeaconSession *self);
const char              *beacon_session_get_user_id (BeaconSession *self);
const char              *beacon_session_get_user_name (BeaconSession *self);
const char              *beacon_session_get_user_email (BeaconSession *self);
const char              *beacon_session_get_own_status (BeaconSession *self);
const char              *beacon_session_get_custom_message (BeaconSession *self);
const char              *beacon_session_get_error_message (BeaconSession *self);
guint                    beacon_session_get_online_count (BeaconSession *self);
BeaconPresenceStore     *beacon_session_get_contacts (BeaconSession *self);
BeaconApi               *beacon_session_get_api (BeaconSession *self);
BeaconSocket            *beacon_session_get_socket (BeaconSession *self);
BeaconConversationStore *beacon_session_get_conversations (BeaconSession *self);

void     beacon_session_sign_in_async (BeaconSession      *self,
                                       const char         *email,
                                       const char         *password,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean beacon_session_sign_in_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void     beacon_session_resume_async (BeaconSession      *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean beacon_session_resume_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_start_with_token (BeaconSession *self, const char *token);

void     beacon_session_sign_out_async (BeaconSession      *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean beacon_session_sign_out_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_stop (BeaconSession *self);
void beacon_session_retry_now (BeaconSession *self);

void        beacon_session_chat_focus (BeaconSession *self, const char *partner_id);
void        beacon_session_chat_blur (BeaconSession *self);
const char *beacon_session_get_focused_partner (BeaconSession *self);

void beacon_session_set_status_async (BeaconSession      *self,
                                      const char         *status,
                                      const char         *message,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean
beacon_session_set_status_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_send_message_async (BeaconSession      *self,
                                        BeaconConversation *conversation,
                                        const char         *text,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean
beacon_session_send_message_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_open_conversation_async (BeaconSession      *self,
                                             const char         *partner_id,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
BeaconConversation *
beacon_session_open_conversation_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_load_older_async (BeaconSession      *self,
                                      BeaconConversation *conversation,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean
beacon_session_load_older_finish (BeaconSession *self, GAsyncResult *result, GError **error);

void beacon_session_mark_read (BeaconSession *self, BeaconConversation *conversation);

G_END_DECLS
