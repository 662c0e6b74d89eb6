/* test-notifier.c: BeaconNotifier through GNotification to the real notification daemon
 * (dunst) of the headless session, its Notify calls seen by a D-Bus monitor. */

#include "config.h"

#include "beacon-notifier.h"
#include "desktop-test.h"

/* The Notify and CloseNotification calls on the bus, seen by a monitor connection (whose
 * filter runs in GDBus's worker thread). */
typedef struct
{
  GDBusConnection *bus;
  GMutex           lock;
  GPtrArray       *notify;    /* GVariant (susssasa{sv}i) */
  guint            n_close;   /* CloseNotification calls */
  guint            n_replies; /* the daemon's answers to Notify */
} Monitor;

static GDBusMessage *
monitor_filter (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  Monitor    *monitor = user_data;
  const char *member = g_dbus_message_get_member (message);

  GVariant *body = g_dbus_message_get_body (message);

  if (!incoming)
    return message;
  if (g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_RETURN &&
      g_dbus_message_get_reply_serial (message) != 0 && body != NULL &&
      g_variant_is_of_type (body, G_VARIANT_TYPE ("(u)")))
    {
      g_mutex_lock (&monitor->lock);
      monitor->n_replies++;
      g_mutex_unlock (&monitor->lock);
      g_object_unref (message);
      return NULL;
    }
  if (g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  g_mutex_lock (&monitor->lock);
  if (g_strcmp0 (member, "Notify") == 0)
    g_ptr_array_add (monitor->notify, g_variant_ref (g_dbus_message_get_body (message)));
  else if (g_strcmp0 (member, "CloseNotification") == 0)
    monitor->n_close++;
  g_mutex_unlock (&monitor->lock);
  /* A monitor must not answer: drop the call here. */
  g_object_unref (message);
  return NULL;
}

static void
monitor_start (Monitor *monitor)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply = NULL;
  const char          *rules[] = { "type='method_call',interface='org.freedesktop.Notifications'",
                                   "type='method_return',sender='org.freedesktop.Notifications'", NULL };

  g_mutex_init (&monitor->lock);
  monitor->notify = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  monitor->bus = desktop_test_bus_new ();
  g_dbus_connection_add_filter (monitor->bus, monitor_filter, monitor, NULL);
  reply = g_dbus_connection_call_sync (monitor->bus, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring",
                                       "BecomeMonitor", g_variant_new ("(^asu)", rules, 0), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
monitor_stop (Monitor *monitor)
{
  g_dbus_connection_close_sync (monitor->bus, NULL, NULL);
  g_clear_object (&monitor->bus);
  g_clear_pointer (&monitor->notify, g_ptr_array_unref);
  g_mutex_clear (&monitor->lock);
}

static guint
monitor_n_notify (Monitor *monitor)
{
  guint n;

  g_mutex_lock (&monitor->lock);
  n = monitor->notify->len;
  g_mutex_unlock (&monitor->lock);
  return n;
}

typedef struct
{
  Monitor *monitor;
  guint    n;
} NotifyWait;

static gboolean
has_notify (gpointer data)
{
  NotifyWait *wait = data;

  return monitor_n_notify (wait->monitor) >= wait->n;
}

static gboolean
has_close (gpointer data)
{
  Monitor *monitor = data;
  guint    n;

  g_mutex_lock (&monitor->lock);
  n = monitor->n_close;
  g_mutex_unlock (&monitor->lock);
  return n > 0;
}

static gboolean
has_replies (gpointer data)
{
  NotifyWait *wait = data;
  guint       n;

  g_mutex_lock (&wait->monitor->lock);
  n = wait->monitor->n_replies;
  g_mutex_unlock (&wait->monitor->lock);
  return n >= wait->n;
}

/* Waits until the app has the daemon's answer to its n-th Notify: GLib's freedesktop
 * backend only withdraws a notification whose id it has (a withdrawal before is lost). */
static void
monitor_wait_answered (Monitor *monitor, GApplication *app, guint n)
{
  NotifyWait wait = { monitor, n };

  test_wait_until (has_replies, &wait);
  /* The answer reached the app's connection before this one. */
  g_variant_unref (desktop_test_call (g_application_get_dbus_connection (app),
                                      "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetId", NULL, "(s)", NULL));
}

/* The n-th Notify call's actions: pairs of key and label. */
static GStrv
monitor_notify_actions (Monitor *monitor, guint n)
{
  GVariant *call;
  GStrv     actions;

  g_mutex_lock (&monitor->lock);
  call = g_variant_ref (g_ptr_array_index (monitor->notify, n - 1));
  g_mutex_unlock (&monitor->lock);
  g_variant_get (call, "(&susss^as@a{sv}i)", NULL, NULL, NULL, NULL, NULL, &actions, NULL, NULL);
  g_variant_unref (call);
  return actions;
}

/* Waits for the n-th Notify call (from 1) and returns its summary and body. */
static void
monitor_wait_notify (Monitor *monitor, guint n, char **summary, char **body, GVariant **hints)
{
  NotifyWait wait = { monitor, n };
  GVariant  *call;

  test_wait_until (has_notify, &wait);
  g_mutex_lock (&monitor->lock);
  call = g_variant_ref (g_ptr_array_index (monitor->notify, n - 1));
  g_mutex_unlock (&monitor->lock);
  g_variant_get (call, "(&susssas@a{sv}i)", NULL, NULL, NULL, summary, body, NULL, hints, NULL);
  g_variant_unref (call);
}

typedef struct
{
  GApplication   *app;
  GSettings      *settings;
  BeaconNotifier *notifier;
  Monitor         monitor;
  char           *opened_chat;
} Fixture;

static void
on_open_chat (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Fixture *f = user_data;

  g_free (f->opened_chat);
  f->opened_chat = g_variant_dup_string (parameter, NULL);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const GActionEntry entries[] = {
    { .name = "open-chat", .activate = on_open_chat, .parameter_type = "s" },
  };
  g_autoptr (GError) error = NULL;

  f->app = g_application_new ("org.beaconim.Beacon.TestNotifier", G_APPLICATION_NON_UNIQUE);
  g_action_map_add_action_entries (G_ACTION_MAP (f->app), entries, G_N_ELEMENTS (entries), f);
  g_application_register (f->app, NULL, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new ("org.beaconim.Beacon");
  f->notifier = beacon_notifier_new (f->app, f->settings, NULL);
  monitor_start (&f->monitor);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->notifier);
  monitor_stop (&f->monitor);
  g_settings_reset (f->settings, "notify-online");
  g_settings_reset (f->settings, "notify-online-favourites-only");
  g_settings_reset (f->settings, "favourites");
  g_settings_reset (f->settings, "notify-messages");
  g_settings_reset (f->settings, "own-status");
  g_clear_object (&f->settings);
  g_clear_object (&f->app);
  g_free (f->opened_chat);
}

static BeaconContact *
contact_new (const char *id, const char *name)
{
  BeaconContact *contact = beacon_contact_new (id, NULL);

  beacon_contact_set_name (contact, name);
  return contact;
}

static void
contact_online (Fixture *f, const char *id, const char *name)
{
  g_autoptr (BeaconContact) contact = contact_new (id, name);

  beacon_notifier_contact_online (f->notifier, contact);
}

static void
assert_hint (GVariant *hints, const char *name, const char *expected)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (hints, name, NULL);
  g_autofree char     *text = value != NULL ? g_variant_print (value, FALSE) : NULL;

  g_assert_cmpstr (text, ==, expected);
}

static void
test_online (Fixture *f, gconstpointer data)
{
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;

  contact_online (f, "u-alice", "Alice");
  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Alice is online");
  assert_hint (hints, "category", "'presence.online'");
  g_clear_pointer (&summary, g_free);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&hints, g_variant_unref);

  /* Alice again within 10 minutes: not told; Bob is, and alone. */
  contact_online (f, "u-alice", "Alice");
  contact_online (f, "u-bob", "Bob");
  monitor_wait_notify (&f->monitor, 2, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Bob is online");
}

static void
test_grouped (Fixture *f, gconstpointer data)
{
  const char          *names[] = { "Carol", "Dave", "Erin", "Frank", "Gina" };
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *id = g_ascii_strdown (names[i], -1);

      contact_online (f, id, names[i]);
    }
  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Carol and 4 others are online");

  /* Then one more, alone. */
  g_clear_pointer (&summary, g_free);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&hints, g_variant_unref);
  contact_online (f, "hal", "Hal");
  monitor_wait_notify (&f->monitor, 2, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Hal is online");
  g_assert_cmpuint (monitor_n_notify (&f->monitor), ==, 2);
}

/* Each suppressed notice comes before one that is shown: had it been shown, the shown one
 * would be a group, or not the first. */
static void
test_online_suppressed (Fixture *f, gconstpointer data)
{
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;
  const char          *favourites[] = { "u-fay", NULL };

  /* Busy: do not disturb. */
  g_settings_set_string (f->settings, "own-status", "busy");
  contact_online (f, "u-ivy", "Ivy");
  g_settings_reset (f->settings, "own-status");
  /* Online notices off. */
  g_settings_set_boolean (f->settings, "notify-online", FALSE);
  contact_online (f, "u-jay", "Jay");
  g_settings_reset (f->settings, "notify-online");
  /* Favourites only. */
  g_settings_set_boolean (f->settings, "notify-online-favourites-only", TRUE);
  g_settings_set_strv (f->settings, "favourites", favourites);
  contact_online (f, "u-kim", "Kim");
  contact_online (f, "u-fay", "Fay");

  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Fay is online");
  g_assert_cmpuint (monitor_n_notify (&f->monitor), ==, 1);
}

static gboolean
chat_opened (gpointer data)
{
  return ((Fixture *) data)->opened_chat != NULL;
}

/* dunstctl NAME: acts on what dunst shows. */
static void
dunstctl (const char *command, const char *argument)
{
  g_autoptr (GError)      error = NULL;
  g_autoptr (GSubprocess) process = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "dunstctl", command, argument, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static guint64
dunst_displayed (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *out = NULL;
  const char        *argv[] = { "dunstctl", "count", "displayed", NULL };
  int                status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status,
                &error);
  g_assert_no_error (error);
  return g_ascii_strtoull (out, NULL, 10);
}

static gboolean
dunst_shows_one (gpointer data)
{
  return dunst_displayed () == 1;
}

static gboolean
dunst_shows_none (gpointer data)
{
  return dunst_displayed () == 0;
}

static void
test_message (Fixture *f, gconstpointer data)
{
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;
  g_autofree char     *summary2 = NULL;
  g_autofree char     *body2 = NULL;
  g_autoptr (GVariant) hints2 = NULL;
  g_autoptr (GString)  long_text = g_string_new (NULL);

  dunstctl ("close-all", NULL);
  for (guint i = 0; i < 30; i++)
    g_string_append (long_text, "ünïcødé ");
  beacon_notifier_message (f->notifier, "c1", "Bob", long_text->str);
  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "New message from Bob");
  g_assert_true (g_str_has_suffix (body, "…"));
  g_assert_cmpint (g_utf8_strlen (body, -1), ==, 101);
  body[strlen (body) - strlen ("…")] = '\0';
  g_assert_true (g_str_has_prefix (long_text->str, body));
  assert_hint (hints, "category", "'im.received'");
  /* GLib's freedesktop backend sends high priority as urgency 1, as it does normal. */

  /* A Reply button next to the default action. */
  {
    g_auto (GStrv) actions = monitor_notify_actions (&f->monitor, 1);

    g_assert_true (g_strv_contains ((const char *const *) actions, "Reply"));
  }

  /* The notification's default action opens the chat (dunst invokes it once it shows the
   * notification). */
  test_wait_until (dunst_shows_one, NULL);
  dunstctl ("action", "0");
  test_wait_until (chat_opened, f);
  g_assert_cmpstr (f->opened_chat, ==, "c1");

  /* Another one, read elsewhere: withdrawn. */
  dunstctl ("close-all", NULL);
  test_wait_until (dunst_shows_none, NULL);
  beacon_notifier_message (f->notifier, "c5", "Carol", "lunch?");
  monitor_wait_notify (&f->monitor, 2, &summary2, &body2, &hints2);
  g_assert_cmpstr (summary2, ==, "New message from Carol");
  test_wait_until (dunst_shows_one, NULL);
  monitor_wait_answered (&f->monitor, f->app, 2);
  beacon_notifier_conversation_read (f->notifier, "c5");
  test_wait_until (has_close, &f->monitor);
  test_wait_until (dunst_shows_none, NULL);
}

static void
test_message_suppressed (Fixture *f, gconstpointer data)
{
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;

  /* The conversation on screen, then message notices off: none. */
  beacon_notifier_set_visible_conversation (f->notifier, "c2");
  beacon_notifier_message (f->notifier, "c2", "Carol", "you there?");
  g_settings_set_boolean (f->settings, "notify-messages", FALSE);
  beacon_notifier_message (f->notifier, "c3", "Dave", "hello");
  g_settings_reset (f->settings, "notify-messages");
  beacon_notifier_message (f->notifier, "c4", "Erin", "hi");

  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "New message from Erin");
  g_assert_cmpstr (body, ==, "hi");
  g_assert_cmpuint (monitor_n_notify (&f->monitor), ==, 1);
}

/* ---- with a BeaconSession on the real beacon-server ---- */

typedef struct
{
  BeaconSession     *session;
  BeaconSessionState state;
} StateWait;

static gboolean
has_state (gpointer data)
{
  StateWait *wait = data;

  return beacon_session_get_state (wait->session) == wait->state;
}

/* A session of user id, online, with a fresh token of the test server. */
static BeaconSession *
session_online (TestServer *server, const char *id)
{
  BeaconSession   *session = beacon_session_new (server->base_url, NULL);
  g_autofree char *token = test_server_token (server, id, 3600);
  StateWait        wait = { session, BEACON_SESSION_STATE_ONLINE };

  beacon_session_start_with_token (session, token);
  test_wait_until (has_state, &wait);
  return session;
}

static void
session_free (BeaconSession *session)
{
  beacon_session_stop (session);
  g_assert_finalize_object (session);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* Ben writes to Ann from his own session. */
static void
send_as (BeaconSession *session, const char *partner_id, const char *text)
{
  g_autoptr (GAsyncResult)       opened = NULL;
  g_autoptr (GAsyncResult)       sent = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconConversation) conversation = NULL;

  beacon_session_open_conversation_async (session, partner_id, NULL, on_done, &opened);
  test_wait_until (has_result, &opened);
  conversation = beacon_session_open_conversation_finish (session, opened, &error);
  g_assert_no_error (error);
  beacon_session_send_message_async (session, conversation, text, NULL, on_done, &sent);
  test_wait_until (has_result, &sent);
  g_assert_true (beacon_session_send_message_finish (session, sent, &error));
  g_assert_no_error (error);
}

static void
test_session (Fixture *f, gconstpointer data)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  TestClient          *cat = test_client_connect_user (server, "c");
  BeaconSession       *ann, *ben;
  BeaconNotifier      *notifier;
  g_autofree char     *summary = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (GVariant) hints = NULL;
  g_autofree char     *summary2 = NULL;
  g_autofree char     *body2 = NULL;
  g_autoptr (GVariant) hints2 = NULL;
  GListModel          *conversations;
  BeaconConversation  *conversation;

  /* Cat is online before Ann connects: part of the snapshot, not news. */
  ann = session_online (server, "a");
  notifier = beacon_notifier_new (f->app, f->settings, ann);

  /* Ben comes online, then writes. */
  ben = session_online (server, "b");
  monitor_wait_notify (&f->monitor, 1, &summary, &body, &hints);
  g_assert_cmpstr (summary, ==, "Ben is online");
  send_as (ben, "a", "Hello Ann");
  monitor_wait_notify (&f->monitor, 2, &summary2, &body2, &hints2);
  g_assert_cmpstr (summary2, ==, "New message from Ben");
  g_assert_cmpstr (body2, ==, "Hello Ann");

  /* Ann reads it: withdrawn. */
  monitor_wait_answered (&f->monitor, f->app, 2);
  conversations = G_LIST_MODEL (beacon_session_get_conversations (ann));
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 1);
  conversation = g_list_model_get_item (conversations, 0);
  beacon_session_mark_read (ann, conversation);
  g_object_unref (conversation);
  test_wait_until (has_close, &f->monitor);
  g_assert_cmpuint (monitor_n_notify (&f->monitor), ==, 2);

  g_object_unref (notifier);
  session_free (ben);
  session_free (ann);
  test_client_free (cat);
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/notifier/online", Fixture, NULL, fixture_set_up, test_online, fixture_tear_down);
  g_test_add ("/notifier/grouped", Fixture, NULL, fixture_set_up, test_grouped, fixture_tear_down);
  g_test_add ("/notifier/online-suppressed", Fixture, NULL, fixture_set_up, test_online_suppressed,
              fixture_tear_down);
  g_test_add ("/notifier/message", Fixture, NULL, fixture_set_up, test_message, fixture_tear_down);
  g_test_add ("/notifier/message-suppressed", Fixture, NULL, fixture_set_up,
              test_message_suppressed, fixture_tear_down);

  g_test_add ("/notifier/session", Fixture, NULL, fixture_set_up, test_session, fixture_tear_down);

  return g_test_run ();
}
