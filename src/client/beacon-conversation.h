/* beacon-conversation.h: BeaconConversation, a chat with one partner: who, the last
 * message, the unread count, and (made on first use) its BeaconMessageList. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-message-list.h"
#include "beacon-message.h"

G_BEGIN_DECLS

#define BEACON_TYPE_CONVERSATION (beacon_conversation_get_type ())

G_DECLARE_FINAL_TYPE (BeaconConversation, beacon_conversation, BEACON, CONVERSATION, GObject)

const char        *beacon_conversation_get_id (BeaconConversation *self);
const char        *beacon_conversation_get_partner_id (BeaconConversation *self);
const char        *beacon_conversation_get_partner_name (BeaconConversation *self);
const char        *beacon_conversation_get_partner_role (BeaconConversation *self);
const char        *beacon_conversation_get_last_message (BeaconConversation *self);
GDateTime         *beacon_conversation_get_last_activity (BeaconConversation *self);
guint              beacon_conversation_get_unread_count (BeaconConversation *self);
BeaconMessageList *beacon_conversation_get_messages (BeaconConversation *self);
BeaconMessageList *beacon_conversation_peek_messages (BeaconConversation *self);

/* For BeaconConversationStore. */
BeaconConversation *beacon_conversation_new_from_json (JsonObject *conversation,
                                                       const char *self_user_id,
                                                       GError    **error);
BeaconConversation          *
beacon_conversation_new (const char *id, const char *partner_id, const char *self_user_id);
void     beacon_conversation_merge (BeaconConversation *self, BeaconConversation *from);
void     beacon_conversation_set_unread_count (BeaconConversation *self, guint unread_count);
gboolean beacon_conversation_note_message (BeaconConversation *self, BeaconMessage *message);

G_END_DECLS
