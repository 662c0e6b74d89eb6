/* beacon-message.h: BeaconMessage, one chat message as the signed-in user sees it: who
 * wrote it, when, and how far it got (pending, sent, delivered, read or failed). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Where a message stands. An incoming message is DELIVERED, or READ once read. */
typedef enum
{
  BEACON_MESSAGE_PENDING,   /* ours, sent, not yet confirmed by the server */
  BEACON_MESSAGE_SENT,      /* stored by the server */
  BEACON_MESSAGE_DELIVERED, /* the receiver had a device online */
  BEACON_MESSAGE_READ,      /* the receiver read it */
  BEACON_MESSAGE_FAILED,    /* ours, never confirmed */
} BeaconMessageState;

#define BEACON_MESSAGE_ERROR (beacon_message_error_quark ())

typedef enum
{
  BEACON_MESSAGE_ERROR_INVALID, /* a message or conversation that is not what PROTOCOL.md says */
} BeaconMessageError;

#define BEACON_TYPE_MESSAGE_STATE (beacon_message_state_get_type ())
#define BEACON_TYPE_MESSAGE       (beacon_message_get_type ())

GType  beacon_message_state_get_type (void);
GQuark beacon_message_error_quark (void);

G_DECLARE_FINAL_TYPE (BeaconMessage, beacon_message, BEACON, MESSAGE, GObject)

BeaconMessage *
beacon_message_new_from_json (JsonObject *message, const char *self_user_id, GError **error);

const char        *beacon_message_get_id (BeaconMessage *self);
const char        *beacon_message_get_client_id (BeaconMessage *self);
const char        *beacon_message_get_conversation_id (BeaconMessage *self);
const char        *beacon_message_get_sender_id (BeaconMessage *self);
const char        *beacon_message_get_content (BeaconMessage *self);
GDateTime         *beacon_message_get_created_at (BeaconMessage *self);
GDateTime         *beacon_message_get_read_at (BeaconMessage *self);
BeaconMessageState beacon_message_get_state (BeaconMessage *self);
gboolean           beacon_message_get_outgoing (BeaconMessage *self);

/* For BeaconMessageList and BeaconConversationStore. */
char *beacon_message_parse_id_member (JsonObject *object, const char *member, GError **error);
BeaconMessage *beacon_message_new_pending (const char *conversation_id,
                                           const char *self_user_id,
                                           const char *content);
void           beacon_message_merge (BeaconMessage *self, BeaconMessage *from);
void           beacon_message_adopt_client_id (BeaconMessage *self, const char *client_id);
void           beacon_message_advance (BeaconMessage *self, BeaconMessageState state);
void           beacon_message_fail (BeaconMessage *self);

G_END_DECLS
