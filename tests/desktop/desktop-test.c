/* desktop-test.c: helpers of the desktop integration tests: a second connection to the
 * session bus, asynchronous calls waited for in the main loop, signal counters. */

#include "desktop-test.h"

GDBusConnection *
desktop_test_bus_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection   *bus;

  g_assert_no_error (error);
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  return bus;
}

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GVariant *
desktop_test_call (GDBusConnection *bus,
                   const char      *dest,
                   const char      *path,
                   const char      *interface,
                   const char      *method,
                   GVariant        *parameters,
                   const char      *reply_type,
                   GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       local_error = NULL;
  GVariant                *reply;

  g_dbus_connection_call (bus, dest, path, interface, method, parameters,
                          reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, on_call_done, &result);
  test_wait_until (has_result, &result);
  reply = g_dbus_connection_call_finish (bus, result, &local_error);
  if (error == NULL)
    g_assert_no_error (local_error);
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply;
}

GVariant *
desktop_test_get_property (GDBusConnection *bus,
                           const char      *dest,
                           const char      *path,
                           const char      *interface,
                           const char      *name)
{
  g_autoptr (GVariant) reply = NULL;
  GVariant            *value;

  reply = desktop_test_call (bus, dest, path, "org.freedesktop.DBus.Properties", "Get",
                             g_variant_new ("(ss)", interface, name), "(v)", NULL);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender_name,
           const char      *object_path,
           const char      *interface_name,
           const char      *signal_name,
           GVariant        *parameters,
           gpointer         user_data)
{
  DesktopTestSignal *signal = user_data;

  signal->count++;
  g_clear_pointer (&signal->last, g_variant_unref);
  signal->last = g_variant_ref (parameters);
}

void
desktop_test_signal_watch (DesktopTestSignal *signal,
                           GDBusConnection   *bus,
                           const char        *sender,
                           const char        *interface,
                           const char        *member)
{
  signal->bus = g_object_ref (bus);
  signal->count = 0;
  signal->last = NULL;
  signal->subscription =
      g_dbus_connection_signal_subscribe (bus, sender, interface, member, NULL, NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE, on_signal, signal, NULL);
  /* The bus has the match rule once it answered a later call. */
  g_variant_unref (desktop_test_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, "(s)", NULL));
}

void
desktop_test_signal_clear (DesktopTestSignal *signal)
{
  if (signal->bus != NULL)
    g_dbus_connection_signal_unsubscribe (signal->bus, signal->subscription);
  g_clear_object (&signal->bus);
  g_clear_pointer (&signal->last, g_variant_unref);
}

typedef struct
{
  DesktopTestSignal *signal;
  guint              count;
} SignalWait;

static gboolean
signal_seen (gpointer data)
{
  SignalWait *wait = data;

  return wait->signal->count >= wait->count;
}

void
desktop_test_signal_wait (DesktopTestSignal *signal, guint count)
{
  SignalWait wait = { signal, count };

  test_wait_until (signal_seen, &wait);
}

static gboolean
flag_set (gpointer data)
{
  return *(const gboolean *) data;
}

void
desktop_test_wait_flag (const gboolean *flag)
{
  test_wait_until (flag_set, (gpointer) flag);
}

typedef struct
{
  GObject    *object;
  const char *property;
  gboolean    value;
} BooleanWait;

static gboolean
boolean_has_value (gpointer data)
{
  BooleanWait *wait = data;
  gboolean     value;

  g_object_get (wait->object, wait->property, &value, NULL);
  return !value == !wait->value;
}

void
desktop_test_wait_boolean (gpointer object, const char *property, gboolean value)
{
  BooleanWait wait = { object, property, value };

  test_wait_until (boolean_has_value, &wait);
}
