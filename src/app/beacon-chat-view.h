/* beacon-chat-view.h: BeaconChatView, the conversation with one contact: a header with
 * their name, badge and last seen, the paged history, and the message composer. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_CHAT_VIEW (beacon_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (BeaconChatView, beacon_chat_view, BEACON, CHAT_VIEW, GtkWidget)

GtkWidget *beacon_chat_view_new (void);
void       beacon_chat_view_set_session (BeaconChatView *self, BeaconSession *session);
/* Shows the chat with contact (nullable: none); the conversation is opened on the server
 * when it does not exist yet. */
void                beacon_chat_view_set_contact (BeaconChatView *self, BeaconContact *contact);
BeaconContact      *beacon_chat_view_get_contact (BeaconChatView *self);
BeaconConversation *beacon_chat_view_get_conversation (BeaconChatView *self);
/* TRUE while the person is looking at it (the window is active and the chat shown): new
 * messages are marked read as they come. */
void beacon_chat_view_set_seen (BeaconChatView *self, gboolean seen);
/* The header's back button, for a folded (one pane) window. */
void beacon_chat_view_set_show_back (BeaconChatView *self, gboolean show_back);
void beacon_chat_view_focus_composer (BeaconChatView *self);
/* Sends text as if typed and sent (for keyboard-less callers such as tests). */
void beacon_chat_view_send (BeaconChatView *self, const char *text);

G_END_DECLS
