/* bs-hub-private.h: what the presence hub's files share: the in-memory model (users,
 * devices, the hub) and the helpers the model, messages and REST answers all use. */
#pragma once

#include <uv.h>

#include "bs-hub.h"
#include "bs-log.h"

G_BEGIN_DECLS

#define TOKEN_LIFETIME_S   (30 * 24 * 3600)
#define MAX_CUSTOM_MESSAGE 100
#define MAX_CONTENT        4000
#define MAX_GET_PRESENCE   500
#define MAX_ID_LENGTH      64
/* Versions persisted with a delay of up to a second: on start every version jumps by this,
 * so they keep growing even when a crash lost the last second of bumps. */
#define VERSION_RESTART_MARGIN 1000

typedef enum
{
  CHOSEN_ONLINE,
  CHOSEN_AWAY,
  CHOSEN_BUSY,
  CHOSEN_INVISIBLE,
} Chosen;

typedef enum
{
  LAST_SEEN_EVERYONE,
  LAST_SEEN_CONTACTS,
  LAST_SEEN_NOBODY,
} LastSeenPolicy;

typedef struct _User   User;
typedef struct _Device Device;

struct _User
{
  char          *id;
  char          *name;
  char          *email;
  char          *role;
  char          *headline;
  GPtrArray     *contacts; /* of User *, sorted by address: the adjacency list */
  GPtrArray     *devices;  /* of Device * */
  Chosen         chosen;
  char          *custom_message;
  gint64         last_seen;   /* ms, -1 when never */
  gint64         last_active; /* ms, -1 when unknown */
  gboolean       show_online;
  LastSeenPolicy show_last_seen;
  gint64         version;
  gboolean       dirty; /* presence row to be saved */
};

struct _Device
{
  BsHub       *hub;
  User        *user;
  BsSioSocket *socket;
  User        *chatting_with;
  GHashTable  *rooms; /* conversation ids joined */
  uv_timer_t  *heartbeat_timer;
};

struct _BsHub
{
  uv_loop_t  *loop;
  BsStore    *store;
  BsSio      *sio;
  BsHubConfig config;
  guint8     *jwt_key;
  GHashTable *users;              /* id -> User */
  GHashTable *guests;             /* set of BsSioSocket on /presence */
  GHashTable *online_freelancers; /* set of User */
  uv_timer_t *guest_timer;
  guint64     guest_sent_at;
  char       *guest_last_list;
  GHashTable *dirty;            /* set of User with a row to save */
  BsLogLimit  storage_warnings; /* a full disk fails every write: not a warning each */
};

extern const char *const bs_hub_chosen_names[4];
extern const char *const bs_hub_last_seen_names[3];

gint64      bs_hub_now_ms (void);
gboolean    bs_hub_user_connected (User *user);
gboolean    bs_hub_user_visible (User *user);
gboolean    bs_hub_user_hidden (User *user);
gboolean    bs_hub_user_chatting_with (User *user, User *viewer);
gboolean    bs_hub_is_contact (User *a, User *b);
gboolean    bs_hub_may_see_last_seen (User *user, User *viewer);
JsonNode   *bs_hub_record_json (User *user, User *viewer);
void        bs_hub_mark_dirty (BsHub *hub, User *user);
void        bs_hub_bump (BsHub *hub, User *user);
void        bs_hub_emit_to_user (User *user, const char *event, JsonNode *arg, Device *except);
void        bs_hub_publish_to_contacts (BsHub *hub, User *user);
void        bs_hub_publish_to_viewer (BsHub *hub, User *user, User *viewer);
void        bs_hub_send_to_own_devices (User *user, Device *except);
gboolean    bs_hub_is_freelancer (User *user);
void        bs_hub_visibility_changed (BsHub *hub, User *user);
const char *bs_hub_string_member (JsonObject *object, const char *name);
char       *bs_hub_id_from_node (JsonNode *node);
User       *bs_hub_user_from_node (BsHub *hub, JsonNode *node);
JsonNode   *bs_hub_ok_json (void);
gboolean    bs_hub_parse_status (JsonNode *payload, Chosen *chosen, char **message, GError **error);
void
bs_hub_apply_status (BsHub *hub, User *user, Chosen chosen, char *message, Device *from_device);
JsonNode       *bs_hub_message_json (const BsMessage *message);
BsConversation *bs_hub_conversation_for (
    BsHub *hub, User *user, const char *conversation_id, User **partner, GError **error);
char *bs_hub_conversation_id_from (JsonNode *payload);
void  bs_hub_link_contacts (BsHub *hub, const char *a, const char *b);
void  bs_hub_handle_send_message (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id);
void  bs_hub_handle_mark_read (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id);

G_END_DECLS
