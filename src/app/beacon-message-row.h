/* beacon-message-row.h: BeaconMessageRow, one message of a chat: an optional day heading,
 * the bubble with the text, and the time with the delivery mark of our own messages. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-message.h"

G_BEGIN_DECLS

#define BEACON_TYPE_MESSAGE_ROW (beacon_message_row_get_type ())

G_DECLARE_FINAL_TYPE (BeaconMessageRow, beacon_message_row, BEACON, MESSAGE_ROW, GtkWidget)

GtkWidget     *beacon_message_row_new (void);
BeaconMessage *beacon_message_row_get_message (BeaconMessageRow *self);
/* previous: the message shown above (nullable): a heading is shown when the day changes. */
void beacon_message_row_set_message (BeaconMessageRow *self,
                                     BeaconMessage    *message,
                                     BeaconMessage    *previous);
/* The mark's words ("Sent", "Read", …), empty for messages from the other side. */
const char *beacon_message_row_get_mark (BeaconMessageRow *self);

G_END_DECLS
