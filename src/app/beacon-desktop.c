/* beacon-desktop.c: BeaconDesktop: wires the tray, the notifier and the idle monitor to
 * the session and the GSettings, and writes the autostart entry (or asks the portal). */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "beacon-desktop.h"
#include "beacon-idle-monitor.h"
#include "beacon-notifier.h"

#define MAX_TRAY_CHATS 5

struct _BeaconDesktop
{
  GObject parent_instance;

  GtkApplication    *app; /* not owned: it owns us */
  GSettings         *settings;
  BeaconSession     *session;
  BeaconTray        *tray;
  GMenu             *tray_chats;
  BeaconNotifier    *notifier;
  BeaconIdleMonitor *idle;
  char              *visible_conversation;
  char              *writers;   /* who wrote the unread chats, or NULL: none unread */
  gboolean           auto_away; /* away because idle, not by choice */
  gboolean           held;      /* the window is hidden, the app held */
};

G_DEFINE_FINAL_TYPE (BeaconDesktop, beacon_desktop, G_TYPE_OBJECT)

static void set_status (BeaconDesktop *self, const char *status);

static GtkWindow *
main_window (BeaconDesktop *self)
{
  for (GList *l = gtk_application_get_windows (self->app); l != NULL; l = l->next)
    if (gtk_window_get_transient_for (l->data) == NULL)
      return l->data;
  return NULL;
}

void
beacon_desktop_hide_window (BeaconDesktop *self, GtkWindow *window)
{
  g_return_if_fail (BEACON_IS_DESKTOP (self));

  if (window != NULL)
    gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  if (!self->held)
    {
      g_application_hold (G_APPLICATION (self->app));
      self->held = TRUE;
    }
}

void
beacon_desktop_window_shown (BeaconDesktop *self)
{
  g_return_if_fail (BEACON_IS_DESKTOP (self));

  if (self->held)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self->app));
    }
}

gboolean
beacon_desktop_get_hide_on_close (BeaconDesktop *self)
{
  g_return_val_if_fail (BEACON_IS_DESKTOP (self), FALSE);

  return beacon_tray_get_visible (self->tray) ||
         g_settings_get_boolean (self->settings, "run-in-background");
}

BeaconTray *
beacon_desktop_get_tray (BeaconDesktop *self)
{
  g_return_val_if_fail (BEACON_IS_DESKTOP (self), NULL);
  return self->tray;
}

/* The tray icon's click and its first menu item: hide a window in front, else show it. */
static void
toggle (BeaconDesktop *self)
{
  GtkWindow *window = main_window (self);

  if (window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) &&
      gtk_window_is_active (window))
    beacon_desktop_hide_window (self, window);
  else
    g_application_activate (G_APPLICATION (self->app));
}

static void
toggle_window (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  toggle (user_data);
}

static void
change_status (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  BeaconDesktop *self = user_data;

  /* A choice by hand: auto-away does not undo it. */
  self->auto_away = FALSE;
  g_settings_set_string (self->settings, "own-status", g_variant_get_string (value, NULL));
  set_status (self, g_variant_get_string (value, NULL));
}

static const GActionEntry actions[] = {
  { .name = "toggle-window", .activate = toggle_window },
  { .name = "status", .parameter_type = "s", .state = "'online'", .change_state = change_status },
};

static void
on_status_set (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!beacon_session_set_status_finish (BEACON_SESSION (source), result, &error))
    g_warning ("Could not change the status: %s", error->message);
}

static void
set_status (BeaconDesktop *self, const char *status)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), "status");

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (status));
  if (self->session == NULL || beacon_session_get_user_id (self->session) == NULL)
    return;
  beacon_session_set_status_async (self->session, status,
                                   beacon_session_get_custom_message (self->session), NULL,
                                   on_status_set, NULL);
}

/* The icon and the tooltip follow the session: own status (or offline), whether anything
 * is unread, who is online, who wrote. */
static void
update_tray (BeaconDesktop *self)
{
  const char      *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *body = NULL;
  guint            online = 0;

  if (self->session != NULL &&
      beacon_session_get_state (self->session) == BEACON_SESSION_STATE_ONLINE)
    status = beacon_session_get_own_status (self->session);
  icon = g_strdup_printf (APP_ID "-%s-symbolic", status != NULL ? status : "offline");
  beacon_tray_set_icon_name (self->tray, icon);
  beacon_tray_set_attention (self->tray, self->writers != NULL);

  if (self->session != NULL)
    online = beacon_session_get_online_count (self->session);
  body = g_strdup_printf (ngettext ("%u contact online", "%u contacts online", online), online);
  if (self->writers != NULL)
    {
      g_autofree char *line = g_strdup_printf (_ ("New messages from %s"), self->writers);
      g_autofree char *both = g_strdup_printf ("%s\n%s", body, line);

      g_free (body);
      body = g_steal_pointer (&both);
    }
  beacon_tray_set_tooltip_title (self->tray, _ ("Beacon"));
  beacon_tray_set_tooltip_body (self->tray, body);
}

/* The five most recent unread chats, in the menu and named in the tooltip: redone when the
 * conversations change, not at every presence change. */
static void
update_chats (BeaconDesktop *self)
{
  BeaconConversationStore *conversations = NULL;
  GString                 *writers = g_string_new (NULL);
  guint                    shown = 0, n = 0;

  if (self->session != NULL)
    conversations = beacon_session_get_conversations (self->session);
  if (conversations != NULL)
    n = g_list_model_get_n_items (G_LIST_MODEL (conversations));
  g_menu_remove_all (self->tray_chats);
  for (guint i = 0; i < n && shown < MAX_TRAY_CHATS; i++)
    {
      g_autoptr (BeaconConversation) conversation =
          g_list_model_get_item (G_LIST_MODEL (conversations), i);
      guint                 count = beacon_conversation_get_unread_count (conversation);
      const char           *name = beacon_conversation_get_partner_name (conversation);
      g_autofree char      *label = NULL;
      g_autoptr (GMenuItem) item = NULL;

      if (count == 0)
        continue;
      if (name == NULL)
        name = beacon_conversation_get_partner_id (conversation);
      shown++;
      label = g_strdup_printf ("%s (%u)", name, count);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (
          item, "app.open-chat", g_variant_new_string (beacon_conversation_get_id (conversation)));
      g_menu_append_item (self->tray_chats, item);
      g_string_append_printf (writers, "%s%s", writers->len > 0 ? ", " : "", name);
    }
  g_free (self->writers);
  self->writers = g_string_free (writers, writers->len == 0);
  update_tray (self);
}

static void
on_own_status (BeaconDesktop *self)
{
  const char *status = beacon_session_get_own_status (self->session);
  GAction    *action = g_action_map_lookup_action (G_ACTION_MAP (self->app), "status");

  if (status != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_string (status));
  update_tray (self);
}

/* Away after N idle minutes or a locked screen; back on return, unless chosen by hand. */
static void
on_idle (BeaconDesktop *self)
{
  const char *status;

  if (self->session == NULL)
    return;
  status = beacon_session_get_own_status (self->session);
  if (beacon_idle_monitor_get_idle (self->idle))
    {
      if (g_strcmp0 (status, "online") == 0)
        {
          g_debug ("Idle: setting the status to away");
          set_status (self, "away");
          self->auto_away = TRUE;
        }
    }
  else if (self->auto_away)
    {
      self->auto_away = FALSE;
      if (g_strcmp0 (status, "away") == 0)
        {
          g_debug ("Back: setting the status to online");
          set_status (self, "online");
        }
    }
}

void
beacon_desktop_set_visible_conversation (BeaconDesktop *self, const char *conversation_id)
{
  g_return_if_fail (BEACON_IS_DESKTOP (self));

  g_free (self->visible_conversation);
  self->visible_conversation = g_strdup (conversation_id);
  if (self->notifier != NULL)
    beacon_notifier_set_visible_conversation (self->notifier, conversation_id);
}

static void
watch_conversations (BeaconDesktop *self, BeaconConversationStore *store)
{
  g_signal_connect_object (store, "notify::total-unread", G_CALLBACK (update_chats), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "items-changed", G_CALLBACK (update_chats), self,
                           G_CONNECT_SWAPPED);
}

void
beacon_desktop_set_session (BeaconDesktop *self, BeaconSession *session)
{
  g_return_if_fail (BEACON_IS_DESKTOP (self));

  if (self->session == session)
    return;
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (beacon_session_get_conversations (self->session), self);
    }
  g_clear_object (&self->notifier);
  g_set_object (&self->session, session);
  self->auto_away = FALSE;
  if (session != NULL)
    {
      self->notifier = beacon_notifier_new (G_APPLICATION (self->app), self->settings, session);
      beacon_notifier_set_visible_conversation (self->notifier, self->visible_conversation);
      g_signal_connect_swapped (session, "notify::state", G_CALLBACK (update_tray), self);
      g_signal_connect_swapped (session, "notify::online-count", G_CALLBACK (update_tray), self);
      g_signal_connect_swapped (session, "notify::own-status", G_CALLBACK (on_own_status), self);
      watch_conversations (self, beacon_session_get_conversations (session));
    }
  update_chats (self);
}

/* Start at login: the Background portal inside Flatpak, an XDG autostart entry outside. */
static void
on_background_requested (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    g_warning ("The background portal refused: %s", error->message);
}

static void
request_background (BeaconDesktop *self, gboolean autostart)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self->app));
  GVariantBuilder  options;
  const char      *commandline[] = { "beacon", "--gapplication-service", NULL };

  if (bus == NULL)
    return;
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_ ("Beacon keeps you reachable in the background")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (autostart));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background", "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), NULL, G_DBUS_CALL_FLAGS_NONE,
                          -1, NULL, on_background_requested, NULL);
}

char *
beacon_desktop_autostart_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static void
write_autostart (gboolean autostart)
{
  g_autofree char   *path = beacon_desktop_autostart_path ();
  g_autofree char   *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;
  g_autofree char   *entry = NULL;

  if (!autostart)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("Could not remove %s: %s", path, g_strerror (errno));
      return;
    }
  entry = g_strdup_printf ("[Desktop Entry]\n"
                           "Type=Application\n"
                           "Name=Beacon\n"
                           "Comment=%s\n"
                           "Exec=%s/beacon --gapplication-service\n"
                           "Icon=" APP_ID "\n"
                           "NoDisplay=true\n"
                           "X-GNOME-Autostart-enabled=true\n",
                           _ ("See at a glance who is around"), BINDIR);
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_file_set_contents (path, entry, -1, &error))
    g_warning ("Could not write %s: %s", path, error != NULL ? error->message : g_strerror (errno));
}

static void
on_start_at_login (BeaconDesktop *self)
{
  gboolean autostart = g_settings_get_boolean (self->settings, "start-at-login");

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    request_background (self, autostart);
  else
    write_autostart (autostart);
}

static void
beacon_desktop_dispose (GObject *object)
{
  BeaconDesktop *self = BEACON_DESKTOP (object);

  beacon_desktop_set_session (self, NULL);
  g_clear_object (&self->idle);
  g_clear_object (&self->tray);
  g_clear_object (&self->tray_chats);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->visible_conversation, g_free);
  g_clear_pointer (&self->writers, g_free);

  G_OBJECT_CLASS (beacon_desktop_parent_class)->dispose (object);
}

static void
beacon_desktop_class_init (BeaconDesktopClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = beacon_desktop_dispose;
}

static void
beacon_desktop_init (BeaconDesktop *self)
{
}

static GMenuModel *
tray_menu (BeaconDesktop *self)
{
  GMenu            *menu = g_menu_new ();
  g_autoptr (GMenu) window = g_menu_new ();
  g_autoptr (GMenu) status = g_menu_new ();
  g_autoptr (GMenu) quit = g_menu_new ();

  g_menu_append (window, _ ("Show or Hide Beacon"), "app.toggle-window");
  g_menu_append (status, _ ("Online"), "app.status::online");
  g_menu_append (status, _ ("Away"), "app.status::away");
  g_menu_append (status, _ ("Busy"), "app.status::busy");
  g_menu_append (status, _ ("Invisible"), "app.status::invisible");
  g_menu_append (quit, _ ("Quit"), "app.quit");
  self->tray_chats = g_menu_new ();
  g_menu_append_section (menu, NULL, G_MENU_MODEL (window));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (status));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (self->tray_chats));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (quit));
  return G_MENU_MODEL (menu);
}

BeaconDesktop *
beacon_desktop_new (GtkApplication *app, GSettings *settings)
{
  BeaconDesktop         *self = g_object_new (BEACON_TYPE_DESKTOP, NULL);
  GDBusConnection       *bus = g_application_get_dbus_connection (G_APPLICATION (app));
  g_autoptr (GMenuModel) menu = NULL;

  self->app = app;
  self->settings = g_object_ref (settings);
  g_action_map_add_action_entries (G_ACTION_MAP (app), actions, G_N_ELEMENTS (actions), self);

  menu = tray_menu (self);
  self->tray = beacon_tray_new (G_APPLICATION (app), menu);
  g_signal_connect_object (self->tray, "activate", G_CALLBACK (toggle), self, G_CONNECT_SWAPPED);

  if (bus != NULL)
    {
      self->idle = beacon_idle_monitor_new (bus);
      g_settings_bind (settings, "auto-away-minutes", self->idle, "idle-minutes",
                       G_SETTINGS_BIND_GET);
      g_signal_connect_swapped (self->idle, "notify::idle", G_CALLBACK (on_idle), self);
    }
  g_signal_connect_object (settings, "changed::start-at-login", G_CALLBACK (on_start_at_login),
                           self, G_CONNECT_SWAPPED);
  update_tray (self);
  return self;
}
