/* test-tray.c: BeaconTray against a real status-notifier-watcher with a host registered
 * from a second connection: registration, properties, menu, signals, watcher restarts. */

#include "config.h"

#include <signal.h>

#include "beacon-tray.h"
#include "desktop-test.h"

#define WATCHER_NAME  "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH  "/StatusNotifierWatcher"
#define WATCHER_IFACE "org.kde.StatusNotifierWatcher"
#define HOST_NAME     "org.kde.StatusNotifierHost-test"
#define ITEM_PATH     "/StatusNotifierItem"
#define ITEM_IFACE    "org.kde.StatusNotifierItem"
#define MENU_IFACE    "com.canonical.dbusmenu"

typedef struct
{
  GApplication    *app;
  GMenu           *menu;
  BeaconTray      *tray;
  GDBusConnection *host;
  GSubprocess     *watcher;
  const char      *item_name; /* the app's unique name */
  guint            host_name;
  guint            toggled;
  guint            activated;
} Fixture;

static void
on_toggle_window (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Fixture *f = user_data;

  f->toggled++;
}

static void
on_activate (BeaconTray *tray, gpointer user_data)
{
  Fixture *f = user_data;

  f->activated++;
}

static gboolean
name_has_owner (GDBusConnection *bus, const char *name)
{
  g_autoptr (GVariant) reply = NULL;
  gboolean             owned;

  reply = desktop_test_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
                             "(b)", NULL);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

typedef struct
{
  GDBusConnection *bus;
  const char      *name;
  gboolean         owned;
} NameWait;

static gboolean
name_as_wanted (gpointer data)
{
  NameWait *wait = data;

  return name_has_owner (wait->bus, wait->name) == wait->owned;
}

/* Whether the watcher's object answers (it owns its name a moment before). */
static gboolean
watcher_answers (gpointer data)
{
  Fixture             *f = data;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;

  reply = desktop_test_call (f->host, WATCHER_NAME, WATCHER_PATH, "org.freedesktop.DBus.Properties",
                             "Get", g_variant_new ("(ss)", WATCHER_IFACE, "ProtocolVersion"), "(v)",
                             &error);
  return reply != NULL;
}

static void
start_watcher (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  NameWait           wait = { f->host, WATCHER_NAME, TRUE };

  g_assert_null (f->watcher);
  f->watcher =
      g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                        &error, "status-notifier-watcher", NULL);
  g_assert_no_error (error);
  test_wait_until (name_as_wanted, &wait);
  test_wait_until (watcher_answers, f);
}

static void
stop_watcher (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  NameWait           wait = { f->host, WATCHER_NAME, FALSE };

  if (f->watcher == NULL)
    return;
  g_subprocess_send_signal (f->watcher, SIGTERM);
  g_subprocess_wait (f->watcher, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->watcher);
  test_wait_until (name_as_wanted, &wait);
}

static void
register_host (Fixture *f)
{
  g_variant_unref (desktop_test_call (f->host, WATCHER_NAME, WATCHER_PATH, WATCHER_IFACE,
                                      "RegisterStatusNotifierHost",
                                      g_variant_new ("(s)", HOST_NAME), "()", NULL));
}

/* Whether the watcher lists the app's item. */
static gboolean
item_registered (Fixture *f)
{
  g_autoptr (GVariant) items = desktop_test_get_property (
      f->host, WATCHER_NAME, WATCHER_PATH, WATCHER_IFACE, "RegisteredStatusNotifierItems");
  g_autofree const char **names = g_variant_get_strv (items, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      /* "NAME" or "NAME/PATH", depending on the watcher */
      gsize len = strlen (f->item_name);

      if (strncmp (names[i], f->item_name, len) == 0 &&
          (names[i][len] == '\0' || names[i][len] == '/'))
        return TRUE;
    }
  return FALSE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const GActionEntry entries[] = {
    { .name = "toggle-window", .activate = on_toggle_window },
    { .name = "status", .parameter_type = "s", .state = "'online'" },
    { .name = "quit" },
  };
  g_autoptr (GMenu)  window = g_menu_new ();
  g_autoptr (GMenu)  status = g_menu_new ();
  g_autoptr (GMenu)  quit = g_menu_new ();
  g_autoptr (GError) error = NULL;

  f->app = g_application_new ("org.beaconim.Beacon.TestTray", G_APPLICATION_NON_UNIQUE);
  g_action_map_add_action_entries (G_ACTION_MAP (f->app), entries, G_N_ELEMENTS (entries), f);
  g_application_register (f->app, NULL, &error);
  g_assert_no_error (error);
  f->item_name = g_dbus_connection_get_unique_name (g_application_get_dbus_connection (f->app));

  f->menu = g_menu_new ();
  g_menu_append (window, "Show Beacon", "app.toggle-window");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (window));
  g_menu_append (status, "Online", "app.status::online");
  g_menu_append (status, "Away", "app.status::away");
  g_menu_append (status, "Busy", "app.status::busy");
  g_menu_append (status, "Invisible", "app.status::invisible");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (status));
  g_menu_append (quit, "Quit", "app.quit");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (quit));

  f->host = desktop_test_bus_new ();
  f->host_name = g_bus_own_name_on_connection (f->host, HOST_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                               NULL, NULL, NULL, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->tray);
  stop_watcher (f);
  g_bus_unown_name (f->host_name);
  g_dbus_connection_close_sync (f->host, NULL, NULL);
  g_clear_object (&f->host);
  g_clear_object (&f->menu);
  g_clear_object (&f->app);
}

static void
new_tray (Fixture *f)
{
  f->tray = beacon_tray_new (f->app, G_MENU_MODEL (f->menu));
  g_signal_connect (f->tray, "activate", G_CALLBACK (on_activate), f);
}

/* Iterates until nothing is pending, then once more after a round trip to the watcher, so
 * that the tray has heard what the watcher had to say. */
static void
settle (Fixture *f)
{
  g_autoptr (GVariant) items = NULL;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (f->watcher != NULL)
    items = desktop_test_get_property (f->host, WATCHER_NAME, WATCHER_PATH, WATCHER_IFACE,
                                       "RegisteredStatusNotifierItems");
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_no_watcher (Fixture *f, gconstpointer data)
{
  new_tray (f);
  settle (f);
  g_assert_false (beacon_tray_get_visible (f->tray));

  /* A watcher without a host: still nowhere to show the icon. */
  start_watcher (f);
  settle (f);
  g_assert_false (beacon_tray_get_visible (f->tray));
  g_assert_false (item_registered (f));

  /* The host arrives: the tray hears of it and registers. */
  register_host (f);
  desktop_test_wait_boolean (f->tray, "visible", TRUE);
  g_assert_true (item_registered (f));
}

static void
assert_string_property (Fixture *f, const char *name, const char *expected)
{
  g_autoptr (GVariant) value =
      desktop_test_get_property (f->host, f->item_name, ITEM_PATH, ITEM_IFACE, name);

  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, expected);
}

/* The id of the menu item with this label, from the menu's layout. */
static int
menu_item_id (Fixture *f, const char *menu_path, const char *label)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) children = NULL;

  reply = desktop_test_call (f->host, f->item_name, menu_path, MENU_IFACE, "GetLayout",
                             g_variant_new_parsed ("(0, -1, @as [])"), "(u(ia{sv}av))", NULL);
  g_variant_get (reply, "(u(ia{sv}@av))", NULL, NULL, NULL, &children);
  for (gsize i = 0; i < g_variant_n_children (children); i++)
    {
      g_autoptr (GVariant) boxed = g_variant_get_child_value (children, i);
      g_autoptr (GVariant) node = g_variant_get_variant (boxed);
      g_autoptr (GVariant) props = g_variant_get_child_value (node, 1);
      const char          *item_label = NULL;
      int                  id;

      g_variant_get_child (node, 0, "i", &id);
      if (g_variant_lookup (props, "label", "&s", &item_label) && g_str_equal (item_label, label))
        return id;
    }
  g_assert_not_reached ();
}

static void
test_item (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) menu = NULL;
  g_autoptr (GVariant) tooltip = NULL;
  g_autoptr (GVariant) is_menu = NULL;
  g_autoptr (GVariant) state = NULL;
  g_autoptr (GVariant) toggle = NULL;
  const char          *menu_path;
  int                  away;

  start_watcher (f);
  register_host (f);
  new_tray (f);
  beacon_tray_set_icon_name (f->tray, "org.beaconim.Beacon-online-symbolic");
  beacon_tray_set_tooltip_title (f->tray, "Beacon");
  beacon_tray_set_tooltip_body (f->tray, "3 contacts online");
  desktop_test_wait_boolean (f->tray, "visible", TRUE);
  g_assert_true (item_registered (f));

  assert_string_property (f, "Category", "Communications");
  assert_string_property (f, "Id", "org.beaconim.Beacon.TestTray");
  assert_string_property (f, "Status", "Active");
  assert_string_property (f, "IconName", "org.beaconim.Beacon-online-symbolic");
  assert_string_property (f, "AttentionIconName", "org.beaconim.Beacon-attention-symbolic");
  is_menu = desktop_test_get_property (f->host, f->item_name, ITEM_PATH, ITEM_IFACE, "ItemIsMenu");
  g_assert_false (g_variant_get_boolean (is_menu));
  tooltip = desktop_test_get_property (f->host, f->item_name, ITEM_PATH, ITEM_IFACE, "ToolTip");
  {
    const char *title, *body;

    g_variant_get (tooltip, "(&s@a(iiay)&s&s)", NULL, NULL, &title, &body);
    g_assert_cmpstr (title, ==, "Beacon");
    g_assert_cmpstr (body, ==, "3 contacts online");
  }

  /* The menu, and a status chosen from it. */
  menu = desktop_test_get_property (f->host, f->item_name, ITEM_PATH, ITEM_IFACE, "Menu");
  g_assert_true (g_variant_is_of_type (menu, G_VARIANT_TYPE_OBJECT_PATH));
  menu_path = g_variant_get_string (menu, NULL);
  away = menu_item_id (f, menu_path, "Away");
  g_variant_unref (desktop_test_call (f->host, f->item_name, menu_path, MENU_IFACE, "Event",
                                      g_variant_new_parsed ("(%i, 'clicked', <0>, uint32 0)", away),
                                      "()", NULL));
  state = g_action_group_get_action_state (G_ACTION_GROUP (f->app), "status");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "away");
  {
    g_autoptr (GVariant) reply = NULL;

    reply = desktop_test_call (f->host, f->item_name, menu_path, MENU_IFACE, "GetProperty",
                               g_variant_new ("(is)", away, "toggle-state"), "(v)", NULL);
    g_variant_get (reply, "(v)", &toggle);
    g_assert_cmpint (g_variant_get_int32 (toggle), ==, 1);
  }

  /* A click on the icon. */
  g_variant_unref (desktop_test_call (f->host, f->item_name, ITEM_PATH, ITEM_IFACE, "Activate",
                                      g_variant_new ("(ii)", 0, 0), "()", NULL));
  g_assert_cmpuint (f->activated, ==, 1);
  g_variant_unref (desktop_test_call (f->host, f->item_name, ITEM_PATH, ITEM_IFACE,
                                      "SecondaryActivate", g_variant_new ("(ii)", 0, 0), "()",
                                      NULL));
  g_assert_cmpuint (f->activated, ==, 1);
  g_assert_cmpuint (f->toggled, ==, 0);
}

static void
test_signals (Fixture *f, gconstpointer data)
{
  DesktopTestSignal new_icon, new_tooltip, new_status;
  const char       *states[] = { "online", "away", "busy", "invisible", "offline", "busy" };

  start_watcher (f);
  register_host (f);
  new_tray (f);
  desktop_test_wait_boolean (f->tray, "visible", TRUE);
  desktop_test_signal_watch (&new_icon, f->host, f->item_name, ITEM_IFACE, "NewIcon");
  desktop_test_signal_watch (&new_tooltip, f->host, f->item_name, ITEM_IFACE, "NewToolTip");
  desktop_test_signal_watch (&new_status, f->host, f->item_name, ITEM_IFACE, "NewStatus");
  settle (f);

  /* A storm of presence changes: one signal of each kind. */
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *icon = g_strdup_printf ("org.beaconim.Beacon-%s-symbolic", states[i]);
      g_autofree char *body = g_strdup_printf ("%u contacts online", i);

      beacon_tray_set_icon_name (f->tray, icon);
      beacon_tray_set_tooltip_body (f->tray, body);
      beacon_tray_set_attention (f->tray, i % 2 == 1);
    }
  desktop_test_signal_wait (&new_icon, 1);
  desktop_test_signal_wait (&new_tooltip, 1);
  desktop_test_signal_wait (&new_status, 1);
  /* Signals sent before this answer arrive before it. */
  assert_string_property (f, "IconName", "org.beaconim.Beacon-busy-symbolic");
  g_assert_cmpuint (new_icon.count, ==, 1);
  g_assert_cmpuint (new_tooltip.count, ==, 1);
  g_assert_cmpuint (new_status.count, ==, 1);
  {
    const char *status;

    g_variant_get (new_status.last, "(&s)", &status);
    g_assert_cmpstr (status, ==, "NeedsAttention");
  }
  assert_string_property (f, "Status", "NeedsAttention");

  /* Values set back and forth, or to what they are: no signal for them. */
  beacon_tray_set_icon_name (f->tray, "org.beaconim.Beacon-online-symbolic");
  beacon_tray_set_icon_name (f->tray, "org.beaconim.Beacon-busy-symbolic");
  beacon_tray_set_attention (f->tray, FALSE);
  beacon_tray_set_attention (f->tray, TRUE);
  beacon_tray_set_tooltip_body (f->tray, "1 contact online");
  desktop_test_signal_wait (&new_tooltip, 2);
  assert_string_property (f, "IconName", "org.beaconim.Beacon-busy-symbolic");
  g_assert_cmpuint (new_icon.count, ==, 1);
  g_assert_cmpuint (new_status.count, ==, 1);

  desktop_test_signal_clear (&new_icon);
  desktop_test_signal_clear (&new_tooltip);
  desktop_test_signal_clear (&new_status);
}

static void
test_watcher_restart (Fixture *f, gconstpointer data)
{
  start_watcher (f);
  register_host (f);
  new_tray (f);
  desktop_test_wait_boolean (f->tray, "visible", TRUE);

  stop_watcher (f);
  desktop_test_wait_boolean (f->tray, "visible", FALSE);

  /* The new watcher knows no host yet, then gets one: the tray registers with it. */
  start_watcher (f);
  settle (f);
  g_assert_false (beacon_tray_get_visible (f->tray));
  register_host (f);
  desktop_test_wait_boolean (f->tray, "visible", TRUE);
  g_assert_true (item_registered (f));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tray/no-watcher", Fixture, NULL, fixture_set_up, test_no_watcher,
              fixture_tear_down);
  g_test_add ("/tray/item", Fixture, NULL, fixture_set_up, test_item, fixture_tear_down);
  g_test_add ("/tray/signals", Fixture, NULL, fixture_set_up, test_signals, fixture_tear_down);
  g_test_add ("/tray/watcher-restart", Fixture, NULL, fixture_set_up, test_watcher_restart,
              fixture_tear_down);

  return g_test_run ();
}
