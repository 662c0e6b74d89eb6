/* beacon-preferences-window.c: BeaconPreferencesWindow: rows bound to GSettings keys; a
 * new server address takes effect at once (signed out of the old one). */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-application.h"
#include "beacon-preferences-window.h"

struct _BeaconPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings     *settings;
  BeaconSession *session;

  AdwEntryRow   *server_row;
  GtkSwitch     *notify_online_switch;
  GtkSwitch     *favourites_only_switch;
  GtkSwitch     *notify_messages_switch;
  GtkSwitch     *background_switch;
  GtkSwitch     *autostart_switch;
  GtkSpinButton *away_spin;
  AdwActionRow  *account_row;
  GtkWidget     *account_group;
};

G_DEFINE_FINAL_TYPE (BeaconPreferencesWindow,
                     beacon_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

GtkWidget *
beacon_preferences_window_new (BeaconSession *session)
{
  BeaconPreferencesWindow *self = g_object_new (BEACON_TYPE_PREFERENCES_WINDOW, NULL);
  const char              *name;
  const char              *email;

  if (session != NULL && beacon_session_get_user_id (session) != NULL)
    {
      self->session = g_object_ref (session);
      name = beacon_session_get_user_name (session);
      email = beacon_session_get_user_email (session);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row),
                                     name != NULL ? name : beacon_session_get_user_id (session));
      adw_action_row_set_subtitle (self->account_row, email != NULL ? email : "");
    }
  else
    gtk_widget_set_visible (self->account_group, FALSE);
  return GTK_WIDGET (self);
}

static void
on_server_apply (BeaconPreferencesWindow *self)
{
  g_autofree char *url =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  GApplication *app = g_application_get_default ();

  if (*url == '\0')
    return;
  g_settings_set_string (self->settings, "server-url", url);
  if (BEACON_IS_APPLICATION (app))
    beacon_application_use_server (BEACON_APPLICATION (app), url);
}

static void
on_sign_out (BeaconPreferencesWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.sign-out", NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static void
beacon_preferences_window_dispose (GObject *object)
{
  BeaconPreferencesWindow *self = BEACON_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (beacon_preferences_window_parent_class)->dispose (object);
}

static void
beacon_preferences_window_class_init (BeaconPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (
      widget_class, "/org/beaconim/Beacon/ui/beacon-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow,
                                        notify_online_switch);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow,
                                        favourites_only_switch);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow,
                                        notify_messages_switch);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, away_spin);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, BeaconPreferencesWindow, account_group);
  gtk_widget_class_bind_template_callback (widget_class, on_server_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_out);
}

static void
beacon_preferences_window_init (BeaconPreferencesWindow *self)
{
  g_autofree char *url = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  g_settings_bind (self->settings, "notify-online", self->notify_online_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-online-favourites-only", self->favourites_only_switch,
                   "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-online", self->favourites_only_switch, "sensitive",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "notify-messages", self->notify_messages_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background", self->background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-at-login", self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-away-minutes", self->away_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
}
