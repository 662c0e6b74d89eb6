/* beacon-sign-in-page.c: BeaconSignInPage: the form's template, its checks before
 * submitting (every field filled in), and the "submit" signal. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-sign-in-page.h"

struct _BeaconSignInPage
{
  GtkWidget parent_instance;

  AdwEntryRow         *server_row;
  AdwEntryRow         *email_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *error_label;
  GtkButton           *sign_in_button;
  GtkStack            *button_stack;
  GtkWidget           *form;
};

G_DEFINE_FINAL_TYPE (BeaconSignInPage, beacon_sign_in_page, GTK_TYPE_WIDGET)

enum
{
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
beacon_sign_in_page_new (void)
{
  return g_object_new (BEACON_TYPE_SIGN_IN_PAGE, NULL);
}

static const char *
row_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
on_submit (BeaconSignInPage *self)
{
  if (!gtk_widget_get_sensitive (self->form))
    return;
  if (*row_text (self->server_row) == '\0')
    {
      beacon_sign_in_page_set_error (self, _ ("Enter the address of your Beacon server."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (*row_text (self->email_row) == '\0')
    {
      beacon_sign_in_page_set_error (self, _ ("Enter your email address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
      return;
    }
  if (*row_text (self->password_row) == '\0')
    {
      beacon_sign_in_page_set_error (self, _ ("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  beacon_sign_in_page_set_error (self, NULL);
  g_signal_emit (self, signals[SUBMIT], 0);
}

const char *
beacon_sign_in_page_get_server_url (BeaconSignInPage *self)
{
  g_return_val_if_fail (BEACON_IS_SIGN_IN_PAGE (self), NULL);
  return row_text (self->server_row);
}

void
beacon_sign_in_page_set_server_url (BeaconSignInPage *self, const char *url)
{
  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url != NULL ? url : "");
}

const char *
beacon_sign_in_page_get_email (BeaconSignInPage *self)
{
  g_return_val_if_fail (BEACON_IS_SIGN_IN_PAGE (self), NULL);
  return row_text (self->email_row);
}

void
beacon_sign_in_page_set_email (BeaconSignInPage *self, const char *email)
{
  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), email != NULL ? email : "");
}

const char *
beacon_sign_in_page_get_password (BeaconSignInPage *self)
{
  g_return_val_if_fail (BEACON_IS_SIGN_IN_PAGE (self), NULL);
  return row_text (self->password_row);
}

void
beacon_sign_in_page_set_password (BeaconSignInPage *self, const char *password)
{
  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

void
beacon_sign_in_page_set_busy (BeaconSignInPage *self, gboolean busy)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));

  /* A focused entry that turns insensitive keeps blinking unfocused: let go first. */
  if (busy && root != NULL)
    gtk_root_set_focus (root, NULL);
  gtk_widget_set_sensitive (self->form, !busy);
  gtk_stack_set_visible_child_name (self->button_stack, busy ? "busy" : "label");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->sign_in_button), GTK_ACCESSIBLE_STATE_BUSY,
                               busy, -1);
}

void
beacon_sign_in_page_set_error (BeaconSignInPage *self, const char *message)
{
  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));

  if (message != NULL && gtk_widget_get_sensitive (self->form))
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->sign_in_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->sign_in_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

const char *
beacon_sign_in_page_get_error (BeaconSignInPage *self)
{
  g_return_val_if_fail (BEACON_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

void
beacon_sign_in_page_reset (BeaconSignInPage *self)
{
  g_return_if_fail (BEACON_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  beacon_sign_in_page_set_error (self, NULL);
  beacon_sign_in_page_set_busy (self, FALSE);
  if (*row_text (self->server_row) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
  else if (*row_text (self->email_row) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
beacon_sign_in_page_dispose (GObject *object)
{
  beacon_widget_dispose_template (GTK_WIDGET (object), BEACON_TYPE_SIGN_IN_PAGE);
  G_OBJECT_CLASS (beacon_sign_in_page_parent_class)->dispose (object);
}

static void
beacon_sign_in_page_class_init (BeaconSignInPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_sign_in_page_dispose;

  /**
   * BeaconSignInPage::submit:
   * @self: the page
   *
   * Every field is filled in and the person asked to sign in.
   */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconSignInPage, form);
  gtk_widget_class_bind_template_callback (widget_class, on_submit);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
beacon_sign_in_page_init (BeaconSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
