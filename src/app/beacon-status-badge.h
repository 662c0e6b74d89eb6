/* beacon-status-badge.h: BeaconStatusBadge, the small presence badge: a colour and a shape
 * per state (PROTOCOL.md section 3), with an accessible label, never colour alone. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-contact.h"

G_BEGIN_DECLS

#define BEACON_TYPE_STATUS_BADGE (beacon_status_badge_get_type ())

G_DECLARE_FINAL_TYPE (BeaconStatusBadge, beacon_status_badge, BEACON, STATUS_BADGE, GtkWidget)

GtkWidget   *beacon_status_badge_new (void);
BeaconBadge  beacon_status_badge_get_badge (BeaconStatusBadge *self);
void         beacon_status_badge_set_badge (BeaconStatusBadge *self, BeaconBadge badge);
BeaconStatus beacon_status_badge_get_status (BeaconStatusBadge *self);
void         beacon_status_badge_set_status (BeaconStatusBadge *self, BeaconStatus status);
int          beacon_status_badge_get_size (BeaconStatusBadge *self);
void         beacon_status_badge_set_size (BeaconStatusBadge *self, int size);
const char  *beacon_status_badge_get_label (BeaconStatusBadge *self);

G_END_DECLS
