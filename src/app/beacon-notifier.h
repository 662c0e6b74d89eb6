/* beacon-notifier.h: BeaconNotifier, the desktop notifications of Beacon: contacts coming
 * online (rate-limited, grouped) and new messages, withdrawn once read. */
#pragma once

#include <gio/gio.h>

#include "beacon-contact.h"
#include "beacon-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_NOTIFIER (beacon_notifier_get_type ())

G_DECLARE_FINAL_TYPE (BeaconNotifier, beacon_notifier, BEACON, NOTIFIER, GObject)

BeaconNotifier *
beacon_notifier_new (GApplication *app, GSettings *settings, BeaconSession *session);

void beacon_notifier_set_visible_conversation (BeaconNotifier *self, const char *conversation_id);
const char *beacon_notifier_get_visible_conversation (BeaconNotifier *self);

/* What the session's signals call; for a caller without a session too. */
void beacon_notifier_contact_online (BeaconNotifier *self, BeaconContact *contact);
void beacon_notifier_message (BeaconNotifier *self,
                              const char     *conversation_id,
                              const char     *sender_name,
                              const char     *text);
void beacon_notifier_conversation_read (BeaconNotifier *self, const char *conversation_id);

G_END_DECLS
