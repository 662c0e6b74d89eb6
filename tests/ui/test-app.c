/* test-app.c: UI tests of the real Beacon app, in this process under Xvfb, against a real
 * beacon-server on loopback, with harness clients as the other people; saves screenshots. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "beacon-application.h"
#include "beacon-chat-view.h"
#include "beacon-contact-list.h"
#include "beacon-contact-row.h"
#include "beacon-guest-page.h"
#include "beacon-message-row.h"
#include "beacon-preferences-window.h"
#include "beacon-provider-row.h"
#include "beacon-sign-in-page.h"
#include "beacon-status-badge.h"
#include "beacon-window.h"
#include "desktop-test.h"
#include "harness.h"

/* Mia signs in; ten friends; Farah and Gustav are freelancers, Omar a freelancer she does
 * not know. */
static const char *world =
    "{\"users\":["
    "{\"id\":\"me\",\"email\":\"mia@test\",\"name\":\"Mia Lopez\",\"role\":\"CLIENT\",\"password\":\"pw\"},"
    "{\"id\":\"a\",\"email\":\"a@test\",\"name\":\"Alice Martin\",\"role\":\"CLIENT\"},"
    "{\"id\":\"b\",\"email\":\"b@test\",\"name\":\"Bruno Costa\",\"role\":\"CLIENT\"},"
    "{\"id\":\"c\",\"email\":\"c@test\",\"name\":\"Chloé Dubois\",\"role\":\"CLIENT\"},"
    "{\"id\":\"d\",\"email\":\"d@test\",\"name\":\"Dmitri Ivanov\",\"role\":\"CLIENT\"},"
    "{\"id\":\"e\",\"email\":\"e@test\",\"name\":\"Emma Wilson\",\"role\":\"CLIENT\"},"
    "{\"id\":\"f\",\"email\":\"f@test\",\"name\":\"Farah Khan\",\"role\":\"FREELANCER\",\"headline\":\"Illustrator and UI designer\"},"
    "{\"id\":\"g\",\"email\":\"g@test\",\"name\":\"Gustav Berg\",\"role\":\"FREELANCER\",\"headline\":\"GTK and GLib developer\"},"
    "{\"id\":\"h\",\"email\":\"h@test\",\"name\":\"Hana Sato\",\"role\":\"CLIENT\"},"
    "{\"id\":\"i\",\"email\":\"i@test\",\"name\":\"Ivan Petrov\",\"role\":\"CLIENT\"},"
    "{\"id\":\"j\",\"email\":\"j@test\",\"name\":\"Julia Rossi\",\"role\":\"CLIENT\"},"
    "{\"id\":\"o\",\"email\":\"o@test\",\"name\":\"Omar Haddad\",\"role\":\"FREELANCER\",\"headline\":\"Translator, Arabic and French\"}"
    "],\"friendships\":[[\"me\",\"a\"],[\"me\",\"b\"],[\"me\",\"c\"],[\"me\",\"d\"],[\"me\",\"e\"],"
    "[\"me\",\"f\"],[\"me\",\"g\"],[\"me\",\"h\"],[\"me\",\"i\"],[\"me\",\"j\"]]}";

static struct
{
  TestServer        *server;
  BeaconApplication *app;
  BeaconWindow      *window;
  TestClient        *people[8];
  guint              n_people;
  TestClient        *bruno;
} t;

/* Helpers */

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits until cond (data) holds, iterating the main context; after 10 s fails with what
 * describe (data) says. */
static void
wait_for (gboolean (*cond) (gpointer), char *(*describe) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint  id = g_timeout_add (20, tick, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *what = describe (data);

          g_error ("timed out: %s", what);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (id);
}

static GtkWidget *
find_widget (GtkWidget *root, gboolean (*match) (GtkWidget *, gconstpointer), gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_contact_row (GtkWidget *widget, gconstpointer id)
{
  BeaconContact *contact;

  if (!BEACON_IS_CONTACT_ROW (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;
  contact = beacon_contact_row_get_contact (BEACON_CONTACT_ROW (widget));
  return contact != NULL && g_strcmp0 (beacon_contact_get_id (contact), id) == 0;
}

static gboolean
is_provider_row (GtkWidget *widget, gconstpointer id)
{
  BeaconProvider *provider;

  if (!BEACON_IS_PROVIDER_ROW (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;
  provider = beacon_provider_row_get_provider (BEACON_PROVIDER_ROW (widget));
  return provider != NULL && g_strcmp0 (beacon_provider_get_id (provider), id) == 0;
}

static gboolean
is_type (GtkWidget *widget, gconstpointer type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type)) &&
         gtk_widget_get_mapped (widget);
}

static GtkWidget *
find_type (GtkWidget *root, GType type)
{
  return find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

/* The visible labels under widget, in order, the avatar's initials left out. */
static void
collect_labels (GtkWidget *widget, GString *text)
{
  if (!gtk_widget_get_visible (widget) || ADW_IS_AVATAR (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (text, " | %s", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text);
}

/* What a row shows: the badge's words, then the labels, as a person reads them. */
static char *
row_text (GtkWidget *row)
{
  BeaconStatusBadge *badge = BEACON_STATUS_BADGE (find_type (row, BEACON_TYPE_STATUS_BADGE));
  GString           *text = g_string_new (beacon_status_badge_get_label (badge));

  collect_labels (row, text);
  return g_string_free (text, FALSE);
}

typedef struct
{
  const char *id;
  const char *expected;
  gboolean    provider;
  char       *last; /* what the row said last, for the failure message */
} RowWait;

static gboolean
row_shows (gpointer data)
{
  RowWait         *wait = data;
  GtkWidget       *row;
  g_autofree char *text = NULL;

  iterate ();
  row = find_widget (GTK_WIDGET (t.window), wait->provider ? is_provider_row : is_contact_row,
                     wait->id);
  if (row == NULL)
    return FALSE;
  text = row_text (row);
  g_free (wait->last);
  wait->last = g_strdup (text);
  return g_str_has_prefix (text, wait->expected);
}

/* Waits until the row of user id reads expected (a prefix: badge | name | status). */
static char *
describe_row (gpointer data)
{
  RowWait *wait = data;

  return g_strdup_printf ("the row of %s shows \"%s\", not \"%s\"", wait->id,
                          wait->last != NULL ? wait->last : "(no row)", wait->expected);
}

static void
wait_row (const char *id, const char *expected, gboolean provider)
{
  RowWait wait = { id, expected, provider, NULL };

  wait_for (row_shows, describe_row, &wait);
  g_free (wait.last);
}

static gboolean
page_is (gpointer page)
{
  return g_strcmp0 (beacon_window_get_page (t.window), page) == 0;
}

typedef struct
{
  GtkWidget     *widget;
  GskRenderNode *node;
} Shot;

static void
on_after_paint (GdkFrameClock *clock, Shot *shot)
{
  GtkWidget   *widget = shot->widget;
  GtkSnapshot *snapshot;

  GdkRGBA background;

  if (shot->node != NULL)
    return;
  snapshot = gtk_snapshot_new ();
  /* The window's own CSS background is drawn around its snapshot function, not by it. */
  if (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "window_bg_color",
                                      &background))
    gtk_snapshot_append_color (
        snapshot, &background,
        &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget)));
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  shot->node = gtk_snapshot_free_to_node (snapshot);
}

static gboolean
have_node (gpointer shot)
{
  return ((Shot *) shot)->node != NULL;
}

static void
save_window_screenshot (GtkWindow *window, const char *name)
{
  GtkWidget                *widget = GTK_WIDGET (window);
  Shot                      shot = { widget, NULL };
  int                       width, height;
  const char               *dir = g_getenv ("BEACON_SCREENSHOT_DIR");
  g_autofree char          *path = NULL;
  GdkFrameClock            *clock;
  gulong                    handler;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture)    texture = NULL;

  iterate ();
  /* Right after a frame, when everything is laid out, the window draws itself into our
   * snapshot as it did for that frame. */
  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &shot);
  gtk_widget_queue_draw (widget);
  test_wait_until (have_node, &shot);
  node = shot.node;
  g_signal_handler_disconnect (clock, handler);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (dir == NULL)
    dir = ".";
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
save_screenshot (const char *name)
{
  save_window_screenshot (GTK_WINDOW (t.window), name);
}

static BeaconSession *
session (void)
{
  return beacon_application_get_session (t.app);
}

static TestClient *
person_online (const char *id)
{
  TestClient *client = test_client_connect_user (t.server, id);

  g_assert_true (client->connected);
  t.people[t.n_people++] = client;
  return client;
}

/* Tests, run in order on one app */

static void
test_start_welcome (void)
{
  g_application_activate (G_APPLICATION (t.app));
  t.window = BEACON_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (t.app)));
  g_assert_nonnull (t.window);

  /* No token in the keyring: the welcome page, not the contact list. */
  test_wait_until (page_is, "welcome");
  g_assert_cmpint (beacon_session_get_state (session ()), ==, BEACON_SESSION_STATE_SIGNED_OUT);
}

static gboolean
guest_listed (gpointer data)
{
  BeaconGuestPage *page =
      BEACON_GUEST_PAGE (find_type (GTK_WIDGET (t.window), BEACON_TYPE_GUEST_PAGE));

  iterate ();
  if (page != NULL)
    g_test_message ("guest page lists %u",
                    g_list_model_get_n_items (beacon_guest_page_get_shown (page)));
  return page != NULL &&
         g_list_model_get_n_items (beacon_guest_page_get_shown (page)) == GPOINTER_TO_UINT (data);
}

static void
test_guest_browsing (void)
{
  TestClient *farah;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.browse-guest", NULL));
  g_assert_cmpstr (beacon_window_get_page (t.window), ==, "guest");
  /* The three freelancers, clients never. */
  test_wait_until (guest_listed, GUINT_TO_POINTER (3));
  wait_row ("f", "Offline", TRUE);

  /* Farah comes online: green within the guest list, from /presence. */
  farah = test_client_connect_user (t.server, "f");
  wait_row ("f", "Online | Farah Khan | Illustrator and UI designer | Online now", TRUE);
  wait_row ("g", "Offline", TRUE);
  save_screenshot ("guest");

  test_client_free (farah);
  wait_row ("f", "Offline", TRUE);
}

static gboolean
sign_in_failed (gpointer data)
{
  BeaconSignInPage *page =
      BEACON_SIGN_IN_PAGE (find_type (GTK_WIDGET (t.window), BEACON_TYPE_SIGN_IN_PAGE));

  iterate ();
  return beacon_sign_in_page_get_error (page) != NULL;
}

static void
sign_in_with (const char *password)
{
  BeaconSignInPage *page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-sign-in", NULL));
  test_wait_until (page_is, "sign-in");
  page = BEACON_SIGN_IN_PAGE (find_type (GTK_WIDGET (t.window), BEACON_TYPE_SIGN_IN_PAGE));
  /* The server address comes from GSettings. */
  g_assert_cmpstr (beacon_sign_in_page_get_server_url (page), ==, t.server->base_url);
  beacon_sign_in_page_set_email (page, "mia@test");
  beacon_sign_in_page_set_password (page, password);
  g_signal_emit_by_name (page, "submit");
}

static void
test_sign_in_error (void)
{
  BeaconSignInPage *page;

  sign_in_with ("wrong");
  test_wait_until (sign_in_failed, NULL);
  page = BEACON_SIGN_IN_PAGE (find_type (GTK_WIDGET (t.window), BEACON_TYPE_SIGN_IN_PAGE));
  g_assert_cmpstr (beacon_sign_in_page_get_error (page), ==, "Wrong email or password.");
  g_assert_cmpstr (beacon_window_get_page (t.window), ==, "sign-in");
  save_screenshot ("sign-in-error");
}

static gboolean
session_online (gpointer data)
{
  iterate ();
  return beacon_session_get_state (session ()) == BEACON_SESSION_STATE_ONLINE;
}

static void
test_sign_in (void)
{
  sign_in_with ("pw");
  test_wait_until (page_is, "main");
  test_wait_until (session_online, NULL);

  /* Every friend listed, all offline, by name. */
  wait_row ("a", "Offline | Alice Martin | Offline", FALSE);
  wait_row ("j", "Offline | Julia Rossi | Offline", FALSE);
}

static void
test_live_badges (void)
{
  TestClient *chloe, *dmitri, *emma;

  t.bruno = person_online ("b");
  wait_row ("b", "Active | Bruno Costa | Active", FALSE);

  chloe = person_online ("c");
  test_client_emit (chloe, "update_status", "{\"status\":\"away\",\"message\":\"At lunch\"}",
                    FALSE);
  wait_row ("c", "Away | Chloé Dubois | Away: At lunch", FALSE);

  dmitri = person_online ("d");
  test_client_emit (dmitri, "update_status", "{\"status\":\"busy\"}", FALSE);
  wait_row ("d", "Busy | Dmitri Ivanov | Busy", FALSE);

  /* Emma looks at our chat: green. */
  emma = person_online ("e");
  test_client_emit (emma, "chat:focus", "{\"partnerId\":\"me\"}", FALSE);
  wait_row ("e", "Online | Emma Wilson | Online", FALSE);

  person_online ("g");
  wait_row ("g", "Active | Gustav Berg", FALSE);
  save_screenshot ("contacts");

  /* Emma closes our chat: yellow again. */
  test_client_emit (emma, "chat:blur", NULL, FALSE);
  wait_row ("e", "Active | Emma Wilson | Active", FALSE);
}

static gboolean
chatting_with_me (gpointer data)
{
  JsonNode *record = test_client_try_event (t.bruno, "presence_updated", 100);
  gboolean  expected = GPOINTER_TO_INT (data);
  gboolean  match;

  if (record == NULL)
    return FALSE;
  match = g_strcmp0 (test_json_string (record, "user_id"), "me") == 0 &&
          test_json_bool (record, "chatting_with_me") == expected;
  json_node_unref (record);
  return match;
}

static void
test_chat_focus (void)
{
  test_client_clear (t.bruno, NULL);
  g_assert_true (beacon_window_open_chat (t.window, "b"));
  gtk_window_present (GTK_WINDOW (t.window));

  /* Bruno's chat shown in the active window: Bruno sees us chatting with him. */
  test_wait_until (chatting_with_me, GINT_TO_POINTER (TRUE));
  g_assert_cmpstr (beacon_session_get_focused_partner (session ()), ==, "b");

  /* Alice comes online and sorts above Bruno: his row moves, and stays selected. */
  {
    BeaconContactList *list =
        BEACON_CONTACT_LIST (find_type (GTK_WIDGET (t.window), BEACON_TYPE_CONTACT_LIST));
    GListModel               *shown = beacon_contact_list_get_shown (list);
    g_autoptr (BeaconContact) first = NULL;

    person_online ("a");
    wait_row ("a", "Active | Alice Martin", FALSE);
    first = g_list_model_get_item (shown, 0);
    g_assert_cmpstr (beacon_contact_get_id (first), ==, "a");
    g_assert_cmpstr (beacon_contact_get_id (beacon_contact_list_get_selected (list)), ==, "b");
  }

  /* Closing the chat: chat:blur. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.close-chat", NULL));
  test_wait_until (chatting_with_me, GINT_TO_POINTER (FALSE));
  g_assert_null (beacon_session_get_focused_partner (session ()));

  /* Open again, then hide the window: blur as well. */
  g_assert_true (beacon_window_open_chat (t.window, "b"));
  test_wait_until (chatting_with_me, GINT_TO_POINTER (TRUE));
  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
  test_wait_until (chatting_with_me, GINT_TO_POINTER (FALSE));
  gtk_window_present (GTK_WINDOW (t.window));
  test_wait_until (chatting_with_me, GINT_TO_POINTER (TRUE));
}

typedef struct
{
  const char *content;
  const char *mark;
  char       *last;
} MessageWait;

static gboolean
is_message_row (GtkWidget *widget, gconstpointer message)
{
  return BEACON_IS_MESSAGE_ROW (widget) && gtk_widget_get_mapped (widget) &&
         beacon_message_row_get_message (BEACON_MESSAGE_ROW (widget)) == message;
}

static gboolean
message_shown (gpointer data)
{
  MessageWait    *wait = data;
  BeaconChatView *view =
      BEACON_CHAT_VIEW (find_type (GTK_WIDGET (t.window), BEACON_TYPE_CHAT_VIEW));
  BeaconConversation *conversation;
  BeaconMessageList  *messages;
  guint               n;

  iterate ();
  conversation = view != NULL ? beacon_chat_view_get_conversation (view) : NULL;
  if (conversation == NULL)
    return FALSE;
  messages = beacon_conversation_get_messages (conversation);
  n = g_list_model_get_n_items (G_LIST_MODEL (messages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BeaconMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);

      GtkWidget *row;

      if (g_strcmp0 (beacon_message_get_content (message), wait->content) != 0)
        continue;
      row = find_widget (GTK_WIDGET (view), is_message_row, message);
      if (row == NULL)
        return FALSE;
      g_free (wait->last);
      wait->last = g_strdup (beacon_message_row_get_mark (BEACON_MESSAGE_ROW (row)));
      return wait->mark == NULL || g_strcmp0 (wait->last, wait->mark) == 0;
    }
  return FALSE;
}

static char *
describe_message (gpointer data)
{
  MessageWait *wait = data;

  return g_strdup_printf ("\"%s\" is %s, not %s", wait->content,
                          wait->last != NULL ? wait->last : "not shown", wait->mark);
}

static void
wait_message (MessageWait *wait)
{
  wait_for (message_shown, describe_message, wait);
  g_clear_pointer (&wait->last, g_free);
}

static gboolean
has_conversation (gpointer view)
{
  iterate ();
  return beacon_chat_view_get_conversation (view) != NULL;
}

static void
test_messages (void)
{
  BeaconChatView *view =
      BEACON_CHAT_VIEW (find_type (GTK_WIDGET (t.window), BEACON_TYPE_CHAT_VIEW));
  g_autoptr (JsonNode) received = NULL;
  MessageWait          sent = { "Hi Bruno! Are you free for a call at three?", "Delivered", NULL };
  MessageWait          read = { sent.content, "Read", NULL };
  MessageWait          reply = { "Sure, talk then.", NULL, NULL };
  g_autofree char     *payload = NULL;
  JsonNode            *message;
  const char          *conversation_id;

  g_assert_nonnull (view);
  test_wait_until (has_conversation, view);
  test_client_clear (t.bruno, NULL);
  beacon_chat_view_send (view, sent.content);

  /* Bruno gets it; we see it delivered (he is online, but not looking at our chat). */
  received = test_client_wait_event (t.bruno, "new_message");
  message = json_object_get_member (json_node_get_object (received), "message");
  g_assert_cmpstr (test_json_string (message, "content"), ==, sent.content);
  g_assert_cmpstr (test_json_string (message, "senderId"), ==, "me");
  conversation_id = test_json_string (received, "conversationId");
  wait_message (&sent);

  /* He replies: it appears in our open chat. */
  payload = g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"%s\"}", conversation_id,
                             reply.content);
  test_client_emit (t.bruno, "send_message", payload, FALSE);
  wait_message (&reply);

  /* He reads ours: the mark says so. */
  g_clear_pointer (&payload, g_free);
  payload = g_strdup_printf ("{\"conversationId\":\"%s\",\"upTo\":\"%s\"}", conversation_id,
                             test_json_string (message, "id"));
  test_client_emit (t.bruno, "mark_read", payload, FALSE);
  wait_message (&read);
  save_screenshot ("chat");
}

#define WATCHER_NAME  "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH  "/StatusNotifierWatcher"
#define WATCHER_IFACE "org.kde.StatusNotifierWatcher"
#define ITEM_IFACE    "org.kde.StatusNotifierItem"
#define ITEM_PATH     "/StatusNotifierItem"

static gboolean
watcher_answers (gpointer bus)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      bus, WATCHER_NAME, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", WATCHER_IFACE, "ProtocolVersion"), NULL, G_DBUS_CALL_FLAGS_NONE, 500,
      NULL, NULL);

  return reply != NULL;
}

static gboolean
tray_visible (gpointer tray)
{
  iterate ();
  return beacon_tray_get_visible (tray);
}

static gboolean
tray_hidden (gpointer tray)
{
  return !tray_visible (tray);
}

static char *
item_string (GDBusConnection *host, const char *name)
{
  const char *item =
      g_dbus_connection_get_unique_name (g_application_get_dbus_connection (G_APPLICATION (t.app)));
  g_autoptr (GVariant) value = desktop_test_get_property (host, item, ITEM_PATH, ITEM_IFACE, name);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    return g_variant_dup_string (value, NULL);
  {
    /* ToolTip: (icon name, icon pixmaps, title, body) */
    const char *title, *body;

    g_variant_get (value, "(&s@a(iiay)&s&s)", NULL, NULL, &title, &body);
    return g_strdup_printf ("%s | %s", title, body);
  }
}

typedef struct
{
  GDBusConnection *host;
  const char      *property;
  const char      *expected;
  char            *last;
} ItemWait;

static gboolean
item_says (gpointer data)
{
  ItemWait *wait = data;

  iterate ();
  g_free (wait->last);
  wait->last = item_string (wait->host, wait->property);
  return strstr (wait->last, wait->expected) != NULL;
}

static char *
describe_item (gpointer data)
{
  ItemWait *wait = data;

  return g_strdup_printf ("the tray's %s is \"%s\", not \"%s\"", wait->property, wait->last,
                          wait->expected);
}

static void
wait_item (GDBusConnection *host, const char *property, const char *expected)
{
  ItemWait wait = { host, property, expected, NULL };

  wait_for (item_says, describe_item, &wait);
  g_free (wait.last);
}

/* The id of the menu item labelled label, searched depth first in a dbusmenu layout. */
static int
menu_item_id (GVariant *layout, const char *label)
{
  int                  id;
  const char          *text = NULL;
  g_autoptr (GVariant) props = NULL;
  g_autoptr (GVariant) children = NULL;

  g_variant_get_child (layout, 0, "i", &id);
  props = g_variant_get_child_value (layout, 1);
  if (g_variant_lookup (props, "label", "&s", &text) && g_strcmp0 (text, label) == 0)
    return id;
  children = g_variant_get_child_value (layout, 2);
  for (gsize i = 0; i < g_variant_n_children (children); i++)
    {
      g_autoptr (GVariant) boxed = g_variant_get_child_value (children, i);
      g_autoptr (GVariant) child = g_variant_get_variant (boxed);
      int                  found = menu_item_id (child, label);

      if (found >= 0)
        return found;
    }
  return -1;
}

static gboolean
status_seen (gpointer expected)
{
  JsonNode *record = test_client_try_event (t.bruno, "presence_updated", 100);
  gboolean  match;

  if (record == NULL)
    return FALSE;
  match = g_strcmp0 (test_json_string (record, "user_id"), "me") == 0 &&
          g_strcmp0 (test_json_string (record, "status"), expected) == 0;
  json_node_unref (record);
  return match;
}

static gboolean
window_visible (gpointer visible)
{
  iterate ();
  return gtk_widget_get_visible (GTK_WIDGET (t.window)) == GPOINTER_TO_INT (visible);
}

static void
test_tray (void)
{
  g_autoptr (GDBusConnection) host = desktop_test_bus_new ();
  g_autoptr (GSubprocess)     watcher = NULL;
  g_autoptr (GError)          error = NULL;
  BeaconTray *tray = beacon_desktop_get_tray (beacon_application_get_desktop (t.app));
  const char *item =
      g_dbus_connection_get_unique_name (g_application_get_dbus_connection (G_APPLICATION (t.app)));
  g_autoptr (GVariant) layout = NULL;
  g_autoptr (GVariant) root = NULL;
  g_autofree char     *menu_path = NULL;
  int                  away;

  /* No watcher yet: no icon, and closing the window would quit (no run in background). */
  g_assert_false (beacon_tray_get_visible (tray));

  watcher = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "status-notifier-watcher", NULL);
  g_assert_no_error (error);
  test_wait_until (watcher_answers, host);
  g_variant_unref (desktop_test_call (
      host, WATCHER_NAME, WATCHER_PATH, WATCHER_IFACE, "RegisterStatusNotifierHost",
      g_variant_new ("(s)", "org.kde.StatusNotifierHost-beacon-test"), "()", NULL));
  test_wait_until (tray_visible, tray);

  /* Run from the build tree, the host finds the icons where the environment says. */
  wait_item (host, "IconThemePath", "/beacon-test-icons");

  /* The icon shows our own status; the tooltip who is online. */
  wait_item (host, "IconName", "org.beaconim.Beacon-online-symbolic");
  wait_item (host, "ToolTip", "contacts online");

  /* A message while Bruno's chat is closed: attention, and who wrote; read: back. */
  {
    BeaconChatView *view =
        BEACON_CHAT_VIEW (find_type (GTK_WIDGET (t.window), BEACON_TYPE_CHAT_VIEW));
    g_autofree char *payload =
        g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"Are you there?\"}",
                         beacon_conversation_get_id (beacon_chat_view_get_conversation (view)));

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.close-chat", NULL));
    test_client_emit (t.bruno, "send_message", payload, FALSE);
    wait_item (host, "Status", "NeedsAttention");
    wait_item (host, "ToolTip", "New messages from Bruno Costa");
    g_assert_true (beacon_window_open_chat (t.window, "b"));
    wait_item (host, "Status", "Active");
  }

  /* "Away" from the tray's menu reaches the server: Bruno sees it. */
  menu_path = item_string (host, "Menu");
  layout = desktop_test_call (host, item, menu_path, "com.canonical.dbusmenu", "GetLayout",
                              g_variant_new ("(ii@as)", 0, -1, g_variant_new_strv (NULL, 0)),
                              "(u(ia{sv}av))", NULL);
  root = g_variant_get_child_value (layout, 1);
  away = menu_item_id (root, "Away");
  g_assert_cmpint (away, >=, 0);
  test_client_clear (t.bruno, NULL);
  g_variant_unref (desktop_test_call (
      host, item, menu_path, "com.canonical.dbusmenu", "Event",
      g_variant_new ("(isvu)", away, "clicked", g_variant_new_int32 (0), 0), "()", NULL));
  test_wait_until (status_seen, (gpointer) "away");
  wait_item (host, "IconName", "org.beaconim.Beacon-away-symbolic");

  /* With the icon shown, closing the window hides it; activating the icon brings it back. */
  gtk_window_close (GTK_WINDOW (t.window));
  test_wait_until (window_visible, GINT_TO_POINTER (FALSE));
  g_assert_true (g_application_get_is_registered (G_APPLICATION (t.app)));
  g_variant_unref (desktop_test_call (host, item, ITEM_PATH, ITEM_IFACE, "Activate",
                                      g_variant_new ("(ii)", 0, 0), "()", NULL));
  test_wait_until (window_visible, GINT_TO_POINTER (TRUE));
  save_screenshot ("raised-from-tray");

  /* Back online by hand, as it was. */
  g_action_group_change_action_state (G_ACTION_GROUP (t.app), "status",
                                      g_variant_new_string ("online"));
  test_wait_until (status_seen, (gpointer) "online");

  /* The watcher goes: the icon is gone, closing the window would quit again. */
  g_subprocess_send_signal (watcher, SIGTERM);
  g_subprocess_wait (watcher, NULL, NULL);
  test_wait_until (tray_hidden, tray);
}

static char *
dunstctl (const char *command, const char *argument)
{
  const char *argv[] = { "dunstctl", command, argument, NULL };
  char       *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, NULL, NULL));
  return out;
}

/* dunst shows at least one notification. */
static gboolean
dunst_displays (gpointer data)
{
  g_autofree char *count = dunstctl ("count", "displayed");

  iterate ();
  return g_ascii_strtoull (count, NULL, 10) > 0;
}

/* dunst's history (what it showed and took down) holds this text. */
static gboolean
dunst_history_has (const char *text)
{
  g_autofree char *history = dunstctl ("history", NULL);

  return strstr (history, text) != NULL;
}

/* A message in a chat that is not on screen: one notification, from the real daemon; a
 * message in the chat being looked at: none. */
static void
test_notification (void)
{
  const char      *import_argv[] = { "import", "-window", "root", NULL, NULL };
  g_autofree char *payload = NULL;
  g_autofree char *path = NULL;
  g_autofree char *import = NULL;
  BeaconChatView  *view =
      BEACON_CHAT_VIEW (find_type (GTK_WIDGET (t.window), BEACON_TYPE_CHAT_VIEW));
  BeaconConversation *conversation = beacon_chat_view_get_conversation (view);

  g_assert_nonnull (conversation);
  g_free (dunstctl ("close-all", NULL));
  g_free (dunstctl ("history-clear", NULL));

  /* Looking at Bruno's chat: his message shows there, with no notification. */
  payload = g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"%s\"}",
                             beacon_conversation_get_id (conversation), "One more thing");
  test_client_emit (t.bruno, "send_message", payload, FALSE);
  {
    MessageWait seen = { "One more thing", NULL, NULL };

    wait_message (&seen);
  }
  /* Anything the app sent the daemon is on the bus before dunstctl asks. */
  g_dbus_connection_flush_sync (g_application_get_dbus_connection (G_APPLICATION (t.app)), NULL,
                                NULL);
  g_assert_false (dunst_displays (NULL));

  /* The chat closed: the next one notifies, once. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.close-chat", NULL));
  g_clear_pointer (&payload, g_free);
  payload =
      g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"%s\"}",
                       beacon_conversation_get_id (conversation), "Can we move the call to four?");
  test_client_emit (t.bruno, "send_message", payload, FALSE);
  test_wait_until (dunst_displays, NULL);

  /* What the desktop shows (dunst draws on the X screen, not in our window). */
  import = g_find_program_in_path ("import");
  if (import != NULL)
    {
      const char *dir = g_getenv ("BEACON_SCREENSHOT_DIR");

      path = g_strdup_printf ("%s/notification.png", dir != NULL ? dir : ".");
      import_argv[3] = path;
      g_assert_true (g_spawn_sync (NULL, (char **) import_argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                                   NULL, NULL, NULL, NULL, NULL));
    }

  /* Taken down, into the history: the second message was notified, the first never. */
  g_free (dunstctl ("close-all", NULL));
  g_assert_true (dunst_history_has ("New message from Bruno Costa"));
  g_assert_true (dunst_history_has ("Can we move the call to four?"));
  g_assert_false (dunst_history_has ("One more thing"));
  g_assert_true (beacon_window_open_chat (t.window, "b"));
}

static gboolean
banner_says_offline (gpointer data)
{
  iterate ();
  return beacon_session_get_state (session ()) == BEACON_SESSION_STATE_RECONNECTING;
}

static void
test_dark_style (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  iterate ();
  g_assert_true (adw_style_manager_get_dark (style));
  save_screenshot ("dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
file_exists (gpointer path)
{
  iterate ();
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
file_gone (gpointer path)
{
  return !file_exists (path);
}

static gboolean
preferences_shown (gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (t.app));

  iterate ();
  for (GList *l = windows; l != NULL; l = l->next)
    if (BEACON_IS_PREFERENCES_WINDOW (l->data) && gtk_widget_get_mapped (l->data))
      {
        *(GtkWindow **) data = l->data;
        return TRUE;
      }
  return FALSE;
}

/* The preferences; "start at login" writes the XDG autostart entry (outside Flatpak). */
static void
test_preferences (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char      *path = beacon_desktop_autostart_path ();
  g_autofree char      *entry = NULL;
  GtkWindow            *preferences = NULL;

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (t.app), "preferences"));
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "preferences", NULL);
  test_wait_until (preferences_shown, &preferences);
  save_window_screenshot (preferences, "preferences");

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_settings_set_boolean (settings, "start-at-login", TRUE);
  test_wait_until (file_exists, path);
  g_assert_true (g_file_get_contents (path, &entry, NULL, NULL));
  g_assert_nonnull (strstr (entry, "--gapplication-service"));
  g_settings_set_boolean (settings, "start-at-login", FALSE);
  test_wait_until (file_gone, path);

  gtk_window_destroy (preferences);
}

static void
test_offline_banner (void)
{
  GtkWidget *banner_label;

  for (guint i = 0; i < t.n_people; i++)
    test_client_free (t.people[i]);
  t.n_people = 0;
  test_server_stop (t.server);
  test_wait_until (banner_says_offline, NULL);
  banner_label = find_widget (GTK_WIDGET (t.window), is_type, GSIZE_TO_POINTER (GTK_TYPE_REVEALER));
  g_assert_nonnull (banner_label);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (banner_label)));
  save_screenshot ("offline");
}

int
main (int argc, char *argv[])
{
  g_autoptr (GSettings) settings = NULL;
  int                   status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("BEACON_ICON_THEME_PATH", "/beacon-test-icons", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("no display: run inside build-aux/headless-session.sh");
      return 77;
    }

  t.server = test_server_start (world, NULL);
  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "server-url", t.server->base_url);

  t.app = beacon_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (t.app), NULL, NULL));
  /* Pages switch at once: screenshots show one page, not a cross-fade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/ui/start-welcome", test_start_welcome);
  g_test_add_func ("/ui/guest-browsing", test_guest_browsing);
  g_test_add_func ("/ui/sign-in-error", test_sign_in_error);
  g_test_add_func ("/ui/sign-in", test_sign_in);
  g_test_add_func ("/ui/live-badges", test_live_badges);
  g_test_add_func ("/ui/chat-focus", test_chat_focus);
  g_test_add_func ("/ui/messages", test_messages);
  g_test_add_func ("/ui/notification", test_notification);
  g_test_add_func ("/ui/tray", test_tray);
  g_test_add_func ("/ui/preferences", test_preferences);
  g_test_add_func ("/ui/dark-style", test_dark_style);
  g_test_add_func ("/ui/offline-banner", test_offline_banner);
  status = g_test_run ();

  g_application_quit (G_APPLICATION (t.app));
  iterate ();
  g_clear_object (&t.app);
  test_server_free (t.server);
  return status;
}
