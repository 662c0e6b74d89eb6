/* beacon-contact-row.h: BeaconContactRow, one row of the contact list: avatar with the
 * presence badge, name, status line and unread count, bound to a BeaconContact. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-contact.h"

G_BEGIN_DECLS

#define BEACON_TYPE_CONTACT_ROW (beacon_contact_row_get_type ())

G_DECLARE_FINAL_TYPE (BeaconContactRow, beacon_contact_row, BEACON, CONTACT_ROW, GtkWidget)

GtkWidget     *beacon_contact_row_new (void);
BeaconContact *beacon_contact_row_get_contact (BeaconContactRow *self);
void           beacon_contact_row_set_contact (BeaconContactRow *self, BeaconContact *contact);

G_END_DECLS
