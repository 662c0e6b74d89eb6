/* beacon-contact.h: BeaconContact, one user as the signed-in user sees them: name, role,
 * presence, "last seen", unread count, and the badge and status line derived from them. */
#pragma once

#include <gio/gio.h>

#include "beacon-clock.h"
#include "beacon-presence-record.h"

G_BEGIN_DECLS

/* The resolved presence of PROTOCOL.md section 3 (the same values as
 * BeaconPresenceStatus). */
typedef enum
{
  BEACON_STATUS_OFFLINE,
  BEACON_STATUS_ONLINE,
  BEACON_STATUS_AWAY,
  BEACON_STATUS_BUSY,
} BeaconStatus;

/* The badge's colour (PROTOCOL.md section 3): green for online and chatting with me,
 * yellow for online, away and busy, gray for offline. The icon's shape also tells away
 * and busy apart; that comes from the status. */
typedef enum
{
  BEACON_BADGE_GRAY,
  BEACON_BADGE_YELLOW,
  BEACON_BADGE_GREEN,
} BeaconBadge;

#define BEACON_TYPE_STATUS  (beacon_status_get_type ())
#define BEACON_TYPE_BADGE   (beacon_badge_get_type ())
#define BEACON_TYPE_CONTACT (beacon_contact_get_type ())

GType beacon_status_get_type (void);
GType beacon_badge_get_type (void);

G_DECLARE_FINAL_TYPE (BeaconContact, beacon_contact, BEACON, CONTACT, GObject)

BeaconContact *beacon_contact_new (const char *id, BeaconClock *clock);

const char  *beacon_contact_get_id (BeaconContact *self);
const char  *beacon_contact_get_name (BeaconContact *self);
void         beacon_contact_set_name (BeaconContact *self, const char *name);
const char  *beacon_contact_get_role (BeaconContact *self);
void         beacon_contact_set_role (BeaconContact *self, const char *role);
BeaconStatus beacon_contact_get_status (BeaconContact *self);
gboolean     beacon_contact_get_chatting_with_me (BeaconContact *self);
GDateTime   *beacon_contact_get_last_seen (BeaconContact *self);
GDateTime   *beacon_contact_get_last_active (BeaconContact *self);
const char  *beacon_contact_get_custom_message (BeaconContact *self);
guint        beacon_contact_get_unread_count (BeaconContact *self);
void         beacon_contact_set_unread_count (BeaconContact *self, guint unread_count);
gint64       beacon_contact_get_version (BeaconContact *self);
BeaconBadge  beacon_contact_get_badge (BeaconContact *self);
const char  *beacon_contact_get_status_label (BeaconContact *self);
BeaconClock *beacon_contact_get_clock (BeaconContact *self);

gboolean beacon_contact_apply (BeaconContact *self, const BeaconPresenceRecord *record);

G_END_DECLS
