/* bs-hub.h: the presence hub of beacon-server: users, contacts (adjacency lists), devices,
 * the presence model of PROTOCOL.md 3, the "/" and "/presence" namespaces, and messages. */
#pragma once

#include <json-glib/json-glib.h>
#include <uv.h>

#include "bs-sio.h"
#include "bs-store.h"

G_BEGIN_DECLS

#define BS_HUB_ERROR (bs_hub_error_quark ())

/* Codes match the wire: the REST layer sends them as error codes. */
typedef enum
{
  BS_HUB_ERROR_BAD_REQUEST,
  BS_HUB_ERROR_NOT_FOUND,
  BS_HUB_ERROR_FORBIDDEN,
  BS_HUB_ERROR_INTERNAL,
} BsHubError;

typedef struct _BsHub BsHub;

typedef struct
{
  const guint8 *jwt_key;
  gsize         jwt_key_len;
  guint         heartbeat_timeout_ms; /* 60000 */
  guint         guest_coalesce_ms;    /* 1000 */
} BsHubConfig;

GQuark      bs_hub_error_quark (void);
const char *bs_hub_error_code (const GError *error);

/* Loads users, presence, friendships and conversations from the store and registers the
 * namespaces on sio. */
BsHub *
bs_hub_new (uv_loop_t *loop, BsStore *store, BsSio *sio, const BsHubConfig *config, GError **error);
/* Writes every pending presence change to the store (at least once a second, and on exit). */
gboolean bs_hub_flush (BsHub *hub, GError **error);
/* The same, off the loop thread: bs_hub_flush_take (loop thread) snapshots what is due, or
 * returns NULL when nothing is; bs_hub_flush_write writes the snapshot with @writer, another
 * connection to the database, from any thread; bs_hub_flush_done (loop thread) marks what
 * was not written due again, and frees the snapshot. */
typedef struct _BsHubFlush BsHubFlush;
BsHubFlush                *bs_hub_flush_take (BsHub *hub);
gboolean                   bs_hub_flush_write (BsHubFlush *flush, BsStore *writer, GError **error);
void                       bs_hub_flush_done (BsHub *hub, BsHubFlush *flush);
void                       bs_hub_free (BsHub *hub);

/* Checks a bearer token: the user id, or NULL with *wire_code set to token_missing,
 * token_invalid, token_expired or user_not_found. */
char *bs_hub_authenticate (BsHub *hub, const char *token, const char **wire_code);
/* A signed token for the user (30 days). */
char *bs_hub_issue_token (BsHub *hub, const char *user_id);

gboolean bs_hub_user_exists (BsHub *hub, const char *user_id);
/* REST answers, built from the hub's state (transfer full). */
JsonNode *bs_hub_me_json (BsHub *hub, const char *user_id);
JsonNode *bs_hub_friends_json (BsHub *hub, const char *user_id);
JsonNode *bs_hub_online_status_json (BsHub *hub, const char *viewer_id);
/* NULL with BS_HUB_ERROR_NOT_FOUND where the viewer may not see the user. */
JsonNode *
bs_hub_presence_json (BsHub *hub, const char *user_id, const char *viewer_id, GError **error);
JsonNode           *
bs_hub_set_status (BsHub      *hub,
                             const char *user_id,
                             JsonNode   *payload, /* "away" or {"status","message"|"custom_message"} */
                             GError    **error);
JsonNode *bs_hub_settings_json (BsHub *hub, const char *user_id);
JsonNode *bs_hub_set_settings (BsHub *hub, const char *user_id, JsonNode *payload, GError **error);
JsonNode *bs_hub_providers_json (BsHub      *hub,
                                 const char *online_status,    /* "online" | "offline" | NULL */
                                 gint64      active_within_ms, /* -1: no filter */
                                 gint64      last_seen_within_ms,
                                 const char *query,
                                 guint       limit,
                                 guint       offset);
/* Conversations through REST: the partners become contacts. */
JsonNode *bs_hub_conversations_json (BsHub *hub, const char *user_id, GError **error);
JsonNode *
bs_hub_open_conversation (BsHub *hub, const char *user_id, const char *partner_id, GError **error);
JsonNode *bs_hub_messages_json (BsHub      *hub,
                                const char *user_id,
                                const char *conversation_id,
                                const char *before_id,
                                guint       limit,
                                GError    **error);

/* A user's public name and role for REST answers (NULL when unknown). */
const char *bs_hub_user_name (BsHub *hub, const char *user_id);

G_END_DECLS
