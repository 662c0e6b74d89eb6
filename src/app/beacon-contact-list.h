/* beacon-contact-list.h: BeaconContactList, the contact list: a sorted, filtered list view
 * over the presence store, with search and an "online only" filter. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-presence-store.h"

G_BEGIN_DECLS

#define BEACON_TYPE_CONTACT_LIST (beacon_contact_list_get_type ())

G_DECLARE_FINAL_TYPE (BeaconContactList, beacon_contact_list, BEACON, CONTACT_LIST, GtkWidget)

GtkWidget           *beacon_contact_list_new (void);
BeaconPresenceStore *beacon_contact_list_get_store (BeaconContactList *self);
void     beacon_contact_list_set_store (BeaconContactList *self, BeaconPresenceStore *store);
gboolean beacon_contact_list_get_online_only (BeaconContactList *self);
void     beacon_contact_list_set_online_only (BeaconContactList *self, gboolean online_only);
/* Opens the search bar and focuses its entry (Ctrl+F, Ctrl+K). */
void beacon_contact_list_start_search (BeaconContactList *self);
/* Selects the row of this contact, if shown (without activating it). */
void beacon_contact_list_select (BeaconContactList *self, const char *contact_id);
/* The contact whose row is selected (the open chat's), or NULL. */
BeaconContact *beacon_contact_list_get_selected (BeaconContactList *self);
/* The shown (sorted, filtered) contacts, for tests and keyboard navigation. */
GListModel *beacon_contact_list_get_shown (BeaconContactList *self);

G_END_DECLS
