/* beacon-message-list.h: BeaconMessageList, one conversation's messages as a GListModel
 * of BeaconMessage, oldest first: history pages, live messages and our pending ones. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-message.h"

G_BEGIN_DECLS

#define BEACON_TYPE_MESSAGE_LIST (beacon_message_list_get_type ())

G_DECLARE_FINAL_TYPE (BeaconMessageList, beacon_message_list, BEACON, MESSAGE_LIST, GObject)

BeaconMessageList *beacon_message_list_new (const char *conversation_id, const char *self_user_id);

const char *beacon_message_list_get_conversation_id (BeaconMessageList *self);
const char *beacon_message_list_get_self_user_id (BeaconMessageList *self);

void beacon_message_list_prepend_page (BeaconMessageList *self, JsonArray *messages, guint limit);
const char *beacon_message_list_get_oldest_id (BeaconMessageList *self);
gboolean    beacon_message_list_get_has_more (BeaconMessageList *self);
gboolean    beacon_message_list_get_history_loaded (BeaconMessageList *self);

BeaconMessage *beacon_message_list_add (BeaconMessageList *self, JsonObject *message);
BeaconMessage *beacon_message_list_add_pending (BeaconMessageList *self, const char *content);
BeaconMessage *beacon_message_list_confirm (BeaconMessageList *self,
                                            const char        *client_id,
                                            JsonObject        *message,
                                            gboolean           delivered);
void           beacon_message_list_fail (BeaconMessageList *self, const char *client_id);
void           beacon_message_list_mark_read_up_to (BeaconMessageList *self, const char *up_to);

BeaconMessage *beacon_message_list_lookup (BeaconMessageList *self, const char *id);
BeaconMessage *beacon_message_list_lookup_client_id (BeaconMessageList *self,
                                                     const char        *client_id);
gboolean    beacon_message_list_find (BeaconMessageList *self, const char *id, guint *out_position);
const char *beacon_message_list_get_last_incoming_id (BeaconMessageList *self);

G_END_DECLS
