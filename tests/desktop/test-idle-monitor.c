/* test-idle-monitor.c: BeaconIdleMonitor against fake desktop services owned by the test
 * on the session bus: Mutter's idle monitor, the freedesktop screen saver, logind. */

#include "config.h"

#include "beacon-idle-monitor.h"
#include "desktop-test.h"

static const char mutter_xml[] =
    "<node><interface name='org.gnome.Mutter.IdleMonitor'>"
    "<method name='GetIdletime'><arg type='t' direction='out'/></method>"
    "<method name='AddIdleWatch'><arg type='t' direction='in'/>"
    "<arg type='u' direction='out'/></method>"
    "<method name='AddUserActiveWatch'><arg type='u' direction='out'/></method>"
    "<method name='RemoveWatch'><arg type='u' direction='in'/></method>"
    "<signal name='WatchFired'><arg type='u'/></signal>"
    "</interface></node>";

static const char screensaver_xml[] =
    "<node><interface name='org.freedesktop.ScreenSaver'>"
    "<method name='GetActive'><arg type='b' direction='out'/></method>"
    "<signal name='ActiveChanged'><arg type='b'/></signal>"
    "</interface></node>";

static const char logind_xml[] =
    "<node><interface name='org.freedesktop.login1.Manager'>"
    "<method name='GetSession'><arg type='s' direction='in'/><arg type='o' direction='out'/>"
    "</method></interface>"
    "<interface name='org.freedesktop.login1.Session'>"
    "<property name='LockedHint' type='b' access='read'/>"
    "</interface></node>";

#define SESSION_PATH "/org/freedesktop/login1/session/_31"

/* A desktop service played by the test, on its own connection. */
typedef struct
{
  GDBusConnection *bus;
  GDBusNodeInfo   *info;
  guint            name_id;
  guint            registrations[2];
  gboolean         acquired;

  /* Mutter: watch id -> interval in ms (0: a user-active watch) */
  GHashTable *watches;
  guint       next_watch;
  char       *client;
  /* ScreenSaver's active, logind's LockedHint */
  gboolean state;
  guint    state_reads;
} Fake;

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  Fake *fake = user_data;

  if (g_str_equal (method_name, "AddIdleWatch") || g_str_equal (method_name, "AddUserActiveWatch"))
    {
      guint64 interval = 0;

      if (g_str_equal (method_name, "AddIdleWatch"))
        g_variant_get (parameters, "(t)", &interval);
      g_free (fake->client);
      fake->client = g_strdup (sender);
      g_hash_table_insert (fake->watches, GUINT_TO_POINTER (++fake->next_watch),
                           g_memdup2 (&interval, sizeof interval));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", fake->next_watch));
    }
  else if (g_str_equal (method_name, "RemoveWatch"))
    {
      guint id;

      g_variant_get (parameters, "(u)", &id);
      g_hash_table_remove (fake->watches, GUINT_TO_POINTER (id));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetIdletime"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(t)", (guint64) 0));
  else if (g_str_equal (method_name, "GetActive"))
    {
      fake->state_reads++;
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", fake->state));
    }
  else if (g_str_equal (method_name, "GetSession"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", SESSION_PATH));
}

static GVariant *
get_property (GDBusConnection *connection,
              const char      *sender,
              const char      *object_path,
              const char      *interface_name,
              const char      *property_name,
              GError         **error,
              gpointer         user_data)
{
  Fake *fake = user_data;

  fake->state_reads++;
  return g_variant_new_boolean (fake->state);
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL };

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Fake *fake = user_data;

  fake->acquired = TRUE;
}

/* Exports the interfaces of xml (the first at path, a second one at path2) and owns name. */
static void
fake_start (Fake *fake, const char *name, const char *xml, const char *path, const char *path2)
{
  g_autoptr (GError) error = NULL;

  fake->bus = desktop_test_bus_new ();
  fake->watches = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  fake->info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  fake->registrations[0] = g_dbus_connection_register_object (
      fake->bus, path, fake->info->interfaces[0], &vtable, fake, NULL, &error);
  g_assert_no_error (error);
  if (path2 != NULL)
    {
      fake->registrations[1] = g_dbus_connection_register_object (
          fake->bus, path2, fake->info->interfaces[1], &vtable, fake, NULL, &error);
      g_assert_no_error (error);
    }
  fake->name_id = g_bus_own_name_on_connection (fake->bus, name, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                on_name_acquired, NULL, fake, NULL);
  desktop_test_wait_flag (&fake->acquired);
}

static void
fake_stop (Fake *fake)
{
  if (fake->bus == NULL)
    return;
  g_clear_handle_id (&fake->name_id, g_bus_unown_name);
  for (guint i = 0; i < G_N_ELEMENTS (fake->registrations); i++)
    if (fake->registrations[i] != 0)
      g_dbus_connection_unregister_object (fake->bus, fake->registrations[i]);
  g_dbus_connection_close_sync (fake->bus, NULL, NULL);
  g_clear_object (&fake->bus);
  g_clear_pointer (&fake->info, g_dbus_node_info_unref);
  g_clear_pointer (&fake->watches, g_hash_table_unref);
  g_clear_pointer (&fake->client, g_free);
}

/* The id of the watch with this interval (0: user-active), or 0. */
static guint
fake_find_watch (Fake *fake, guint64 interval)
{
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, fake->watches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(guint64 *) value == interval)
      return GPOINTER_TO_UINT (key);
  return 0;
}

typedef struct
{
  Fake   *fake;
  guint64 interval;
} WatchWait;

static gboolean
has_watch (gpointer data)
{
  WatchWait *wait = data;

  return fake_find_watch (wait->fake, wait->interval) != 0;
}

static guint
fake_wait_watch (Fake *fake, guint64 interval)
{
  WatchWait wait = { fake, interval };

  test_wait_until (has_watch, &wait);
  return fake_find_watch (fake, interval);
}

/* Mutter sends WatchFired to the owner of the watch; user-active watches fire once. */
static void
fake_fire (Fake *fake, guint id)
{
  g_autoptr (GError) error = NULL;

  g_dbus_connection_emit_signal (fake->bus, fake->client, "/org/gnome/Mutter/IdleMonitor/Core",
                                 "org.gnome.Mutter.IdleMonitor", "WatchFired",
                                 g_variant_new ("(u)", id), &error);
  g_assert_no_error (error);
  if (*(guint64 *) g_hash_table_lookup (fake->watches, GUINT_TO_POINTER (id)) == 0)
    g_hash_table_remove (fake->watches, GUINT_TO_POINTER (id));
}

static gboolean
has_reads (gpointer data)
{
  return ((Fake *) data)->state_reads > 0;
}

static void
test_mutter (void)
{
  Fake                          fake = { 0 };
  g_autoptr (GDBusConnection)   bus = desktop_test_bus_new ();
  g_autoptr (BeaconIdleMonitor) monitor = NULL;
  guint                         idle_watch, active_watch;

  fake_start (&fake, "org.gnome.Mutter.IdleMonitor", mutter_xml,
              "/org/gnome/Mutter/IdleMonitor/Core", NULL);
  monitor = beacon_idle_monitor_new (bus);
  g_assert_cmpuint (beacon_idle_monitor_get_idle_minutes (monitor), ==, 5);
  idle_watch = fake_wait_watch (&fake, 5 * 60 * 1000);
  g_assert_false (beacon_idle_monitor_get_idle (monitor));

  /* Five minutes without input, then back. */
  fake_fire (&fake, idle_watch);
  desktop_test_wait_boolean (monitor, "idle", TRUE);
  active_watch = fake_wait_watch (&fake, 0);
  fake_fire (&fake, active_watch);
  desktop_test_wait_boolean (monitor, "idle", FALSE);

  /* Again: the idle watch stays, a new user-active watch is added. */
  fake_fire (&fake, idle_watch);
  desktop_test_wait_boolean (monitor, "idle", TRUE);
  fake_fire (&fake, fake_wait_watch (&fake, 0));
  desktop_test_wait_boolean (monitor, "idle", FALSE);

  /* Another delay replaces the watch. */
  beacon_idle_monitor_set_idle_minutes (monitor, 10);
  idle_watch = fake_wait_watch (&fake, 10 * 60 * 1000);
  g_assert_cmpuint (fake_find_watch (&fake, 5 * 60 * 1000), ==, 0);
  g_assert_cmpuint (g_hash_table_size (fake.watches), ==, 1);
  fake_fire (&fake, idle_watch);
  desktop_test_wait_boolean (monitor, "idle", TRUE);

  /* The idle monitor goes away: nobody can say the user is idle. */
  fake_stop (&fake);
  desktop_test_wait_boolean (monitor, "idle", FALSE);
}

static gboolean
has_no_watch (gpointer data)
{
  return g_hash_table_size (((Fake *) data)->watches) == 0;
}

static void
test_mutter_off (void)
{
  Fake                          fake = { 0 };
  g_autoptr (GDBusConnection)   bus = desktop_test_bus_new ();
  g_autoptr (BeaconIdleMonitor) monitor = NULL;

  fake_start (&fake, "org.gnome.Mutter.IdleMonitor", mutter_xml,
              "/org/gnome/Mutter/IdleMonitor/Core", NULL);
  monitor = beacon_idle_monitor_new (bus);
  fake_wait_watch (&fake, 5 * 60 * 1000);

  /* 0 minutes: no watch at all; and one again when auto-away comes back. */
  beacon_idle_monitor_set_idle_minutes (monitor, 0);
  test_wait_until (has_no_watch, &fake);
  beacon_idle_monitor_set_idle_minutes (monitor, 3);
  fake_wait_watch (&fake, 3 * 60 * 1000);
  g_assert_false (beacon_idle_monitor_get_idle (monitor));
  fake_stop (&fake);
}

static void
test_screensaver (void)
{
  Fake                          fake = { 0 };
  g_autoptr (GDBusConnection)   bus = desktop_test_bus_new ();
  g_autoptr (BeaconIdleMonitor) monitor = NULL;
  g_autoptr (GError)            error = NULL;

  fake_start (&fake, "org.freedesktop.ScreenSaver", screensaver_xml, "/org/freedesktop/ScreenSaver",
              NULL);
  fake.state = TRUE;
  monitor = beacon_idle_monitor_new (bus);
  /* Already locked when the monitor starts. */
  desktop_test_wait_boolean (monitor, "idle", TRUE);

  fake.state = FALSE;
  g_dbus_connection_emit_signal (fake.bus, NULL, "/org/freedesktop/ScreenSaver",
                                 "org.freedesktop.ScreenSaver", "ActiveChanged",
                                 g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);
  desktop_test_wait_boolean (monitor, "idle", FALSE);

  fake.state = TRUE;
  g_dbus_connection_emit_signal (fake.bus, NULL, "/org/freedesktop/ScreenSaver",
                                 "org.freedesktop.ScreenSaver", "ActiveChanged",
                                 g_variant_new ("(b)", TRUE), &error);
  g_assert_no_error (error);
  desktop_test_wait_boolean (monitor, "idle", TRUE);

  fake_stop (&fake);
  desktop_test_wait_boolean (monitor, "idle", FALSE);
}

static void
emit_locked_hint (Fake *fake, gboolean locked)
{
  g_autoptr (GError) error = NULL;

  fake->state = locked;
  g_dbus_connection_emit_signal (
      fake->bus, NULL, SESSION_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged",
      g_variant_new_parsed ("('org.freedesktop.login1.Session', {'LockedHint': <%b>}, @as [])",
                            locked),
      &error);
  g_assert_no_error (error);
}

/* The test points DBUS_SYSTEM_BUS_ADDRESS at its session bus, where it plays logind. */
static void
test_logind (void)
{
  Fake                          fake = { 0 };
  g_autoptr (GDBusConnection)   bus = desktop_test_bus_new ();
  g_autoptr (BeaconIdleMonitor) monitor = NULL;

  fake_start (&fake, "org.freedesktop.login1", logind_xml, "/org/freedesktop/login1", SESSION_PATH);
  monitor = beacon_idle_monitor_new (bus);
  test_wait_until (has_reads, &fake);
  g_assert_false (beacon_idle_monitor_get_idle (monitor));

  emit_locked_hint (&fake, TRUE);
  desktop_test_wait_boolean (monitor, "idle", TRUE);
  emit_locked_hint (&fake, FALSE);
  desktop_test_wait_boolean (monitor, "idle", FALSE);

  /* With auto-away off, a lock is not "idle" either. */
  emit_locked_hint (&fake, TRUE);
  desktop_test_wait_boolean (monitor, "idle", TRUE);
  beacon_idle_monitor_set_idle_minutes (monitor, 0);
  g_assert_false (beacon_idle_monitor_get_idle (monitor));
  beacon_idle_monitor_set_idle_minutes (monitor, 5);
  g_assert_true (beacon_idle_monitor_get_idle (monitor));

  fake_stop (&fake);
}

static void
test_nothing (void)
{
  g_autoptr (GDBusConnection)   bus = desktop_test_bus_new ();
  g_autoptr (BeaconIdleMonitor) monitor = beacon_idle_monitor_new (bus);

  /* No service answers: never idle, and nothing logged above debug (a warning would fail
   * the test). A round trip lets the name look-ups finish. */
  g_variant_unref (desktop_test_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, "(s)", NULL));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (beacon_idle_monitor_get_idle (monitor));
}

int
main (int argc, char *argv[])
{
  const char *session_bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  /* logind is looked for on the system bus: make that the test's own bus (before any
   * thread starts). */
  if (session_bus != NULL)
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", session_bus, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/idle-monitor/nothing", test_nothing);
  g_test_add_func ("/idle-monitor/mutter", test_mutter);
  g_test_add_func ("/idle-monitor/mutter-off", test_mutter_off);
  g_test_add_func ("/idle-monitor/screensaver", test_screensaver);
  g_test_add_func ("/idle-monitor/logind", test_logind);

  return g_test_run ();
}
