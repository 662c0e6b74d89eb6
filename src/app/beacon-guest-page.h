/* beacon-guest-page.h: BeaconGuestPage, browsing freelancers without an account: search,
 * "online now" and "active today" filters, live green and gray badges. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-guest-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_GUEST_PAGE (beacon_guest_page_get_type ())

G_DECLARE_FINAL_TYPE (BeaconGuestPage, beacon_guest_page, BEACON, GUEST_PAGE, GtkWidget)

GtkWidget *beacon_guest_page_new (void);
/* Connects to the server at url (a new guest session when the address changed). */
void beacon_guest_page_start (BeaconGuestPage *self, const char *url, BeaconClock *clock);
void beacon_guest_page_stop (BeaconGuestPage *self);
BeaconGuestSession *beacon_guest_page_get_session (BeaconGuestPage *self);
/* The providers shown (after the filters), for tests. */
GListModel *beacon_guest_page_get_shown (BeaconGuestPage *self);

G_END_DECLS
