/* beacon-application.c: BeaconApplication: single instance, the session with the server,
 * app-wide actions (about, preferences, open-chat, quit) and their accelerators. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-application.h"
#include "beacon-desktop.h"
#include "beacon-preferences-window.h"
#include "beacon-window.h"

struct _BeaconApplication
{
  AdwApplication parent_instance;

  GSettings     *settings;
  BeaconClock   *clock;
  BeaconSession *session;
  BeaconDesktop *desktop;

  /* From the command line, for this run only (the demo uses them). */
  char *server_override;
  char *sign_in_email;
};

G_DEFINE_FINAL_TYPE (BeaconApplication, beacon_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

BeaconApplication *
beacon_application_new (void)
{
  return g_object_new (BEACON_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/org/beaconim/Beacon",
                       NULL);
}

BeaconClock *
beacon_application_get_clock (BeaconApplication *self)
{
  g_return_val_if_fail (BEACON_IS_APPLICATION (self), NULL);
  return self->clock;
}

BeaconSession *
beacon_application_get_session (BeaconApplication *self)
{
  g_return_val_if_fail (BEACON_IS_APPLICATION (self), NULL);
  return self->session;
}

BeaconSession *
beacon_application_use_server (BeaconApplication *self, const char *url)
{
  GtkWindow *window;

  g_return_val_if_fail (BEACON_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  if (self->session != NULL && g_strcmp0 (beacon_session_get_server_url (self->session), url) == 0)
    return self->session;

  if (self->session != NULL)
    beacon_session_stop (self->session);
  g_set_object (&self->session, NULL);
  self->session = beacon_session_new (url, self->clock);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (BEACON_IS_WINDOW (window))
    beacon_window_set_session (BEACON_WINDOW (window), self->session);
  if (self->desktop != NULL)
    beacon_desktop_set_session (self->desktop, self->session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  return self->session;
}

BeaconDesktop *
beacon_application_get_desktop (BeaconApplication *self)
{
  g_return_val_if_fail (BEACON_IS_APPLICATION (self), NULL);
  return self->desktop;
}

void
beacon_application_set_visible_conversation (BeaconApplication *self, const char *conversation_id)
{
  g_return_if_fail (BEACON_IS_APPLICATION (self));

  if (self->desktop != NULL)
    beacon_desktop_set_visible_conversation (self->desktop, conversation_id);
}

/* Closing the window only hides it while the app has a reason to stay: a tray icon, or
 * "run in background". */
static gboolean
on_close_request (GtkWindow *window, BeaconApplication *self)
{
  if (self->desktop == NULL || !beacon_desktop_get_hide_on_close (self->desktop))
    return FALSE;
  beacon_desktop_hide_window (self->desktop, window);
  return TRUE;
}

static void
on_window_visible (GtkWindow *window, GParamSpec *pspec, BeaconApplication *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (window)) && self->desktop != NULL)
    beacon_desktop_window_shown (self->desktop);
}

static BeaconWindow *
ensure_window (BeaconApplication *self)
{
  GList     *windows = gtk_application_get_windows (GTK_APPLICATION (self));
  GtkWindow *window = NULL;

  for (GList *l = windows; l != NULL && window == NULL; l = l->next)
    if (BEACON_IS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    {
      window = GTK_WINDOW (beacon_window_new (self));
      g_signal_connect (window, "close-request", G_CALLBACK (on_close_request), self);
      g_signal_connect (window, "notify::visible", G_CALLBACK (on_window_visible), self);
    }
  return BEACON_WINDOW (window);
}

gboolean
beacon_application_get_server_overridden (BeaconApplication *self)
{
  g_return_val_if_fail (BEACON_IS_APPLICATION (self), FALSE);
  return self->server_override != NULL;
}

gboolean
beacon_application_take_sign_in (BeaconApplication *self, char **email, char **password)
{
  const char *secret = g_getenv ("BEACON_PASSWORD");

  g_return_val_if_fail (BEACON_IS_APPLICATION (self), FALSE);

  if (self->sign_in_email == NULL || secret == NULL)
    return FALSE;
  *email = g_steal_pointer (&self->sign_in_email);
  *password = g_strdup (secret);
  return TRUE;
}

static int
beacon_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  BeaconApplication *self = BEACON_APPLICATION (app);
  const char        *value;

  if (g_variant_dict_lookup (options, "server", "&s", &value))
    {
      g_autoptr (GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                          g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_printerr (_ ("Not a server address: %s (use http:// or https://)\n"), value);
          return 2;
        }
      g_free (self->server_override);
      self->server_override = g_strdup (value);
    }
  if (g_variant_dict_lookup (options, "email", "&s", &value))
    {
      g_free (self->sign_in_email);
      self->sign_in_email = g_strdup (value);
    }
  return -1;
}

static void
beacon_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_window (BEACON_APPLICATION (app))));
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
beacon_application_preferences (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BeaconApplication *self = user_data;
  GtkWindow         *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget         *preferences = beacon_preferences_window_new (self->session);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

/* From a notification: raise the window on that chat. */
static void
beacon_application_open_chat (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BeaconApplication *self = user_data;
  BeaconWindow      *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  if (!beacon_window_open_chat (window, g_variant_get_string (parameter, NULL)))
    g_debug ("No chat to open for %s", g_variant_get_string (parameter, NULL));
}

static void
beacon_application_quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BeaconApplication *self = user_data;

  if (self->session != NULL)
    beacon_session_stop (self->session);
  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = beacon_application_about },
  { .name = "preferences", .activate = beacon_application_preferences },
  { .name = "open-chat", .activate = beacon_application_open_chat, .parameter_type = "s" },
  { .name = "quit", .activate = beacon_application_quit },
};

static void
beacon_application_startup (GApplication *app)
{
  BeaconApplication *self = BEACON_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autofree char   *url = NULL;

  G_APPLICATION_CLASS (beacon_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);

  self->settings = g_settings_new (APP_ID);
  self->clock = g_object_ref (beacon_clock_get_default ());
  url = self->server_override != NULL ? g_strdup (self->server_override)
                                      : g_settings_get_string (self->settings, "server-url");
  self->session = beacon_session_new (url, self->clock);
  self->desktop = beacon_desktop_new (GTK_APPLICATION (self), self->settings);
  beacon_desktop_set_session (self->desktop, self->session);

  /* Started at login (--gapplication-service): connected in the background, no window. */
  if (g_application_get_flags (app) & G_APPLICATION_IS_SERVICE)
    {
      beacon_desktop_hide_window (self->desktop, NULL);
      beacon_session_resume_async (self->session, NULL, NULL, NULL);
    }
}

static void
beacon_application_shutdown (GApplication *app)
{
  BeaconApplication *self = BEACON_APPLICATION (app);

  if (self->session != NULL)
    beacon_session_stop (self->session);
  g_clear_object (&self->desktop);

  G_APPLICATION_CLASS (beacon_application_parent_class)->shutdown (app);
}

static void
beacon_application_dispose (GObject *object)
{
  BeaconApplication *self = BEACON_APPLICATION (object);

  g_clear_object (&self->session);
  g_clear_object (&self->clock);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_override, g_free);
  g_clear_pointer (&self->sign_in_email, g_free);

  G_OBJECT_CLASS (beacon_application_parent_class)->dispose (object);
}

static void
beacon_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconApplication *self = BEACON_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_application_class_init (BeaconApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = beacon_application_dispose;
  object_class->get_property = beacon_application_get_property;
  app_class->activate = beacon_application_activate;
  app_class->startup = beacon_application_startup;
  app_class->shutdown = beacon_application_shutdown;
  app_class->handle_local_options = beacon_application_handle_local_options;

  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, BEACON_TYPE_SESSION,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static const GOptionEntry options[] = {
  { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Use this server this time (the preference stays as it is)"), N_ ("URL") },
  { "email", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Sign in as this user when no account is stored; the password comes from the "
        "BEACON_PASSWORD environment variable"),
    N_ ("EMAIL") },
  { NULL },
};

static void
beacon_application_init (BeaconApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}
