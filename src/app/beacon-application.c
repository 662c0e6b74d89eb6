/* beacon-application.c: BeaconApplication: single instance, app-wide actions (about,
 * quit) and their accelerators, and the main window. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-application.h"
#include "beacon-window.h"

struct _BeaconApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (BeaconApplication, beacon_application, ADW_TYPE_APPLICATION)

BeaconApplication *
beacon_application_new (void)
{
  return g_object_new (BEACON_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/org/beaconim/Beacon",
                       NULL);
}

static void
beacon_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (beacon_window_new (BEACON_APPLICATION (app)));
  gtk_window_present (window);
}

static void
beacon_application_about (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication    *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Beacon developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app), "application-name", _ ("Beacon"),
                         "application-icon", APP_ID, "version", PACKAGE_VERSION, "developers",
                         developers, "copyright", "© 2026 The Beacon developers", "license-type",
                         GTK_LICENSE_GPL_3_0, "comments", _ ("See at a glance who is around"),
                         NULL);
}

static void
beacon_application_quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = beacon_application_about },
  { .name = "quit", .activate = beacon_application_quit },
};

static void
beacon_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (beacon_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
beacon_application_class_init (BeaconApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = beacon_application_activate;
  app_class->startup = beacon_application_startup;
}

static void
beacon_application_init (BeaconApplication *self)
{
}
