/* beacon-notifier.c: BeaconNotifier: GNotifications for contacts coming online (at most one
 * per contact in 10 minutes, grouped over 2 seconds, muted while busy) and for messages. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-notifier.h"

/* Online notices: at most one per contact in this time, and those arriving within the
 * window are told together. */
#define ONLINE_INTERVAL_US (10 * 60 * G_USEC_PER_SEC)
#define GROUP_WINDOW_MS    2000
/* Characters of a message shown in its notification. */
#define MESSAGE_PREVIEW 100

struct _BeaconNotifier
{
  GObject parent_instance;

  GApplication  *app;
  GSettings     *settings;
  BeaconSession *session;
  char          *visible_conversation;

  GHashTable *last_online; /* user id -> monotonic time of its last notice */
  GPtrArray  *pending;     /* BeaconContact *, waiting for the group window to end */
  guint       group_source;
};

G_DEFINE_FINAL_TYPE (BeaconNotifier, beacon_notifier, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APPLICATION,
  PROP_SETTINGS,
  PROP_SESSION,
  PROP_VISIBLE_CONVERSATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
contact_name (BeaconContact *contact)
{
  const char *name = beacon_contact_get_name (contact);

  return name != NULL && *name != '\0' ? name : beacon_contact_get_id (contact);
}

static char *
message_id (const char *conversation_id)
{
  return g_strconcat ("msg-", conversation_id, NULL);
}

/* Sends the online notice of what the group window collected. */
static gboolean
flush_online (gpointer user_data)
{
  BeaconNotifier           *self = user_data;
  g_autoptr (GPtrArray)     contacts = g_steal_pointer (&self->pending);
  g_autoptr (GNotification) notification = NULL;
  g_autofree char          *title = NULL;
  g_autofree char          *id = NULL;
  BeaconContact            *first;

  self->group_source = 0;
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  if (contacts->len == 0)
    return G_SOURCE_REMOVE;

  first = g_ptr_array_index (contacts, 0);
  if (contacts->len == 1)
    {
      const char *message = beacon_contact_get_custom_message (first);

      /* Translators: a notification: "Alice is online" */
      title = g_strdup_printf (_ ("%s is online"), contact_name (first));
      notification = g_notification_new (title);
      if (message != NULL && *message != '\0')
        g_notification_set_body (notification, message);
      g_notification_set_default_action_and_target (notification, "app.open-chat", "s",
                                                    beacon_contact_get_id (first));
      id = g_strconcat ("online-", beacon_contact_get_id (first), NULL);
    }
  else
    {
      guint others = contacts->len - 1;

      /* Translators: a notification: "Alice and 4 others are online" */
      title = g_strdup_printf (
          ngettext ("%s and %u other is online", "%s and %u others are online", others),
          contact_name (first), others);
      notification = g_notification_new (title);
      id = g_strdup ("online");
    }
  g_notification_set_category (notification, "presence.online");
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_NORMAL);
  g_debug ("Notification %s: %s", id, title);
  g_application_send_notification (self->app, id, notification);
  return G_SOURCE_REMOVE;
}

/**
 * beacon_notifier_contact_online:
 * @self: a notifier
 * @contact: a contact who just came online (a live change, never the snapshot of a
 *   connect: BeaconSession::contact-online)
 *
 * Shows "Alice is online" after the group window, unless such notices are off, only for
 * favourites, the user is busy, or Alice was notified in the last 10 minutes.
 */
void
beacon_notifier_contact_online (BeaconNotifier *self, BeaconContact *contact)
{
  g_autofree char *own_status = NULL;
  const char      *id;
  gpointer         last;
  gint64           now = g_get_monotonic_time ();

  g_return_if_fail (BEACON_IS_NOTIFIER (self));
  g_return_if_fail (BEACON_IS_CONTACT (contact));

  id = beacon_contact_get_id (contact);
  own_status = g_settings_get_string (self->settings, "own-status");
  if (!g_settings_get_boolean (self->settings, "notify-online") || g_str_equal (own_status, "busy"))
    return;
  if (g_settings_get_boolean (self->settings, "notify-online-favourites-only"))
    {
      g_auto (GStrv) favourites = g_settings_get_strv (self->settings, "favourites");

      if (!g_strv_contains ((const char *const *) favourites, id))
        return;
    }
  if (g_hash_table_lookup_extended (self->last_online, id, NULL, &last) &&
      now - *(gint64 *) last < ONLINE_INTERVAL_US)
    {
      g_debug ("No online notice for %s: one was shown less than 10 minutes ago", id);
      return;
    }

  g_hash_table_insert (self->last_online, g_strdup (id), g_memdup2 (&now, sizeof now));
  g_ptr_array_add (self->pending, g_object_ref (contact));
  if (self->group_source == 0)
    self->group_source = g_timeout_add (GROUP_WINDOW_MS, flush_online, self);
}

/**
 * beacon_notifier_message:
 * @self: a notifier
 * @conversation_id: the conversation the message arrived in
 * @sender_name: who wrote it
 * @text: the message
 *
 * Shows "New message from Bob" with the start of @text, which opens the conversation,
 * unless message notices are off or the conversation is the one on screen.
 */
void
beacon_notifier_message (BeaconNotifier *self,
                         const char     *conversation_id,
                         const char     *sender_name,
                         const char     *text)
{
  g_autoptr (GNotification) notification = NULL;
  g_autofree char          *title = NULL;
  g_autofree char          *id = NULL;
  g_autofree char          *preview = NULL;

  g_return_if_fail (BEACON_IS_NOTIFIER (self));
  g_return_if_fail (conversation_id != NULL);
  g_return_if_fail (sender_name != NULL);
  g_return_if_fail (text != NULL);

  if (!g_settings_get_boolean (self->settings, "notify-messages") ||
      g_strcmp0 (conversation_id, self->visible_conversation) == 0)
    return;

  /* Translators: a notification: "New message from Bob" */
  title = g_strdup_printf (_ ("New message from %s"), sender_name);
  notification = g_notification_new (title);
  if (g_utf8_strlen (text, -1) > MESSAGE_PREVIEW)
    {
      g_autofree char *start = g_utf8_substring (text, 0, MESSAGE_PREVIEW);

      preview = g_strconcat (start, "…", NULL);
    }
  g_notification_set_body (notification, preview != NULL ? preview : text);
  g_notification_set_default_action_and_target (notification, "app.open-chat", "s",
                                                conversation_id);
  /* GNotification has no inline reply: Reply opens the chat with the composer focused. */
  g_notification_add_button_with_target (notification, _ ("Reply"), "app.open-chat", "s",
                                         conversation_id);
  g_notification_set_category (notification, "im.received");
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  id = message_id (conversation_id);
  g_debug ("Notification %s: %s", id, title);
  g_application_send_notification (self->app, id, notification);
}

/**
 * beacon_notifier_conversation_read:
 * @self: a notifier
 * @conversation_id: a conversation read on any device
 *
 * Withdraws its message notification.
 */
void
beacon_notifier_conversation_read (BeaconNotifier *self, const char *conversation_id)
{
  g_autofree char *id = NULL;

  g_return_if_fail (BEACON_IS_NOTIFIER (self));
  g_return_if_fail (conversation_id != NULL);

  id = message_id (conversation_id);
  g_application_withdraw_notification (self->app, id);
}

/**
 * beacon_notifier_set_visible_conversation:
 * @self: a notifier
 * @conversation_id: (nullable): the conversation on screen in a focused window, or %NULL
 *
 * Messages in it are not notified; its notification is withdrawn.
 */
void
beacon_notifier_set_visible_conversation (BeaconNotifier *self, const char *conversation_id)
{
  g_return_if_fail (BEACON_IS_NOTIFIER (self));

  if (g_strcmp0 (self->visible_conversation, conversation_id) == 0)
    return;
  g_free (self->visible_conversation);
  self->visible_conversation = g_strdup (conversation_id);
  if (conversation_id != NULL)
    beacon_notifier_conversation_read (self, conversation_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_CONVERSATION]);
}

const char *
beacon_notifier_get_visible_conversation (BeaconNotifier *self)
{
  g_return_val_if_fail (BEACON_IS_NOTIFIER (self), NULL);

  return self->visible_conversation;
}

static void
on_contact_online (BeaconSession *session, BeaconContact *contact, BeaconNotifier *self)
{
  beacon_notifier_contact_online (self, contact);
}

static void
on_message_received (BeaconSession      *session,
                     BeaconConversation *conversation,
                     BeaconMessage      *message,
                     BeaconNotifier     *self)
{
  const char    *partner_id = beacon_conversation_get_partner_id (conversation);
  const char    *sender = beacon_conversation_get_partner_name (conversation);
  BeaconContact *contact;

  if (beacon_message_get_outgoing (message))
    return;
  if (sender == NULL || *sender == '\0')
    {
      contact = beacon_presence_store_lookup (beacon_session_get_contacts (session), partner_id);
      sender = contact != NULL ? contact_name (contact) : partner_id;
    }
  beacon_notifier_message (self, beacon_conversation_get_id (conversation), sender,
                           beacon_message_get_content (message));
}

static void
on_conversation_read (BeaconSession      *session,
                      BeaconConversation *conversation,
                      BeaconNotifier     *self)
{
  beacon_notifier_conversation_read (self, beacon_conversation_get_id (conversation));
}

static void
beacon_notifier_constructed (GObject *object)
{
  BeaconNotifier *self = BEACON_NOTIFIER (object);

  G_OBJECT_CLASS (beacon_notifier_parent_class)->constructed (object);

  if (self->session == NULL)
    return;
  g_signal_connect_object (self->session, "contact-online", G_CALLBACK (on_contact_online), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (self->session, "message-received", G_CALLBACK (on_message_received),
                           self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->session, "conversation-read", G_CALLBACK (on_conversation_read),
                           self, G_CONNECT_DEFAULT);
}

static void
beacon_notifier_dispose (GObject *object)
{
  BeaconNotifier *self = BEACON_NOTIFIER (object);

  g_clear_handle_id (&self->group_source, g_source_remove);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (beacon_notifier_parent_class)->dispose (object);
}

static void
beacon_notifier_finalize (GObject *object)
{
  BeaconNotifier *self = BEACON_NOTIFIER (object);

  g_free (self->visible_conversation);
  g_hash_table_unref (self->last_online);
  g_ptr_array_unref (self->pending);

  G_OBJECT_CLASS (beacon_notifier_parent_class)->finalize (object);
}

static void
beacon_notifier_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconNotifier *self = BEACON_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION: g_value_set_object (value, self->app); break;
    case PROP_SETTINGS: g_value_set_object (value, self->settings); break;
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_VISIBLE_CONVERSATION: g_value_set_string (value, self->visible_conversation); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_notifier_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BeaconNotifier *self = BEACON_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION: self->app = g_value_dup_object (value); break;
    case PROP_SETTINGS: self->settings = g_value_dup_object (value); break;
    case PROP_SESSION: self->session = g_value_dup_object (value); break;
    case PROP_VISIBLE_CONVERSATION:
      beacon_notifier_set_visible_conversation (self, g_value_get_string (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_notifier_class_init (BeaconNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beacon_notifier_constructed;
  object_class->dispose = beacon_notifier_dispose;
  object_class->finalize = beacon_notifier_finalize;
  object_class->get_property = beacon_notifier_get_property;
  object_class->set_property = beacon_notifier_set_property;

  properties[PROP_APPLICATION] =
      g_param_spec_object ("application", NULL, NULL, G_TYPE_APPLICATION,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconNotifier:settings:
   *
   * The org.beaconim.Beacon settings: notify-online, notify-online-favourites-only,
   * favourites, notify-messages, and own-status (busy mutes online notices).
   */
  properties[PROP_SETTINGS] =
      g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconNotifier:session:
   *
   * The session whose contact-online, message-received and conversation-read signals
   * are notified, or %NULL when the caller calls the notifier itself.
   */
  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, BEACON_TYPE_SESSION,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VISIBLE_CONVERSATION] =
      g_param_spec_string ("visible-conversation", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_notifier_init (BeaconNotifier *self)
{
  self->last_online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * beacon_notifier_new:
 * @app: the application that sends the notifications and owns their `app.` actions
 * @settings: the org.beaconim.Beacon settings
 * @session: (nullable): the session to notify about
 *
 * Returns: (transfer full): a notifier
 */
BeaconNotifier *
beacon_notifier_new (GApplication *app, GSettings *settings, BeaconSession *session)
{
  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (session == NULL || BEACON_IS_SESSION (session), NULL);

  return g_object_new (BEACON_TYPE_NOTIFIER, "application", app, "settings", settings, "session",
                       session, NULL);
}
