/* beacon-window.c: BeaconWindow: the main window, built from its template, remembering
 * its size in GSettings. */

#include "config.h"

#include "beacon-window.h"

struct _BeaconWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (BeaconWindow, beacon_window, ADW_TYPE_APPLICATION_WINDOW)

BeaconWindow *
beacon_window_new (BeaconApplication *app)
{
  return g_object_new (BEACON_TYPE_WINDOW, "application", app, NULL);
}

static void
beacon_window_dispose (GObject *object)
{
  BeaconWindow *self = BEACON_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (beacon_window_parent_class)->dispose (object);
}

static void
beacon_window_class_init (BeaconWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-window.ui");
}

static void
beacon_window_init (BeaconWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}
