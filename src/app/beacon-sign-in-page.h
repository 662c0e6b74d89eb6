/* beacon-sign-in-page.h: BeaconSignInPage, the sign-in form: server address, email and
 * password, a busy button and an inline error; the window does the signing in. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BEACON_TYPE_SIGN_IN_PAGE (beacon_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (BeaconSignInPage, beacon_sign_in_page, BEACON, SIGN_IN_PAGE, GtkWidget)

GtkWidget  *beacon_sign_in_page_new (void);
const char *beacon_sign_in_page_get_server_url (BeaconSignInPage *self);
void        beacon_sign_in_page_set_server_url (BeaconSignInPage *self, const char *url);
const char *beacon_sign_in_page_get_email (BeaconSignInPage *self);
void        beacon_sign_in_page_set_email (BeaconSignInPage *self, const char *email);
const char *beacon_sign_in_page_get_password (BeaconSignInPage *self);
void        beacon_sign_in_page_set_password (BeaconSignInPage *self, const char *password);
/* While busy the form is insensitive and the button shows a spinner. */
void beacon_sign_in_page_set_busy (BeaconSignInPage *self, gboolean busy);
/* message: nullable; shown under the form, announced to screen readers. */
void        beacon_sign_in_page_set_error (BeaconSignInPage *self, const char *message);
const char *beacon_sign_in_page_get_error (BeaconSignInPage *self);
/* Clears the password and the error, and focuses the first empty field. */
void beacon_sign_in_page_reset (BeaconSignInPage *self);

G_END_DECLS
