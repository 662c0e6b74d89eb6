/* beacon-conversation-store.h: BeaconConversationStore, the signed-in user's
 * conversations as a GListModel of BeaconConversation, newest activity first, fed by
 * the REST answers and the socket's message events. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-conversation.h"

G_BEGIN_DECLS

#define BEACON_TYPE_CONVERSATION_STORE (beacon_conversation_store_get_type ())

G_DECLARE_FINAL_TYPE (
    BeaconConversationStore, beacon_conversation_store, BEACON, CONVERSATION_STORE, GObject)

BeaconConversationStore *beacon_conversation_store_new (const char *self_user_id);

const char *beacon_conversation_store_get_self_user_id (BeaconConversationStore *self);
void beacon_conversation_store_set_self_user_id (BeaconConversationStore *self, const char *id);

void beacon_conversation_store_load (BeaconConversationStore *self, JsonArray *conversations);
BeaconConversation *beacon_conversation_store_add (BeaconConversationStore *self,
                                                   JsonObject              *conversation);
BeaconConversation *beacon_conversation_store_lookup (BeaconConversationStore *self,
                                                      const char              *id);
BeaconConversation *beacon_conversation_store_lookup_partner (BeaconConversationStore *self,
                                                              const char              *partner_id);

BeaconMessage *beacon_conversation_store_apply_new_message (BeaconConversationStore *self,
                                                            JsonObject              *payload);
BeaconMessage *beacon_conversation_store_apply_message_sent (BeaconConversationStore *self,
                                                             JsonObject              *payload);
void           beacon_conversation_store_apply_message_read (BeaconConversationStore *self,
                                                             JsonObject              *payload);

void        beacon_conversation_store_set_read (BeaconConversationStore *self,
                                                const char              *conversation_id);
void        beacon_conversation_store_set_focused (BeaconConversationStore *self,
                                                   const char              *conversation_id);
const char *beacon_conversation_store_get_focused (BeaconConversationStore *self);
guint       beacon_conversation_store_get_total_unread (BeaconConversationStore *self);
void        beacon_conversation_store_clear (BeaconConversationStore *self);

G_END_DECLS
