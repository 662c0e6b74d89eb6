/* beacon-chat-view.c: BeaconChatView: binds the header to the contact, the list to the
 * conversation's messages (kept scrolled to the newest, or in place while older pages
 * arrive), and sends with Enter (Shift+Enter breaks the line). */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-chat-view.h"
#include "beacon-message-row.h"
#include "beacon-status-badge.h"

struct _BeaconChatView
{
  GtkWidget parent_instance;

  BeaconSession      *session;
  BeaconContact      *contact;
  BeaconConversation *conversation;
  BeaconMessageList  *messages;
  GPtrArray          *bindings;
  GCancellable       *cancellable; /* opening and paging, for this contact */
  gboolean            seen;
  gboolean            loading;
  gboolean            stick_to_bottom;
  double              distance_from_bottom; /* kept while an older page arrives */
  gboolean            keep_distance;

  GtkWidget         *back_button;
  GtkLabel          *title_label;
  GtkLabel          *subtitle_label;
  BeaconStatusBadge *badge;
  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  AdwStatusPage     *empty_page;
  GtkTextView       *composer;
  GtkWidget         *send_button;
  GtkSpinner        *spinner;
};

G_DEFINE_FINAL_TYPE (BeaconChatView, beacon_chat_view, GTK_TYPE_WIDGET)

GtkWidget *
beacon_chat_view_new (void)
{
  return g_object_new (BEACON_TYPE_CHAT_VIEW, NULL);
}

/* Marks the conversation read while it is looked at and has something unread. */
static void
maybe_mark_read (BeaconChatView *self)
{
  if (self->seen && self->session != NULL && self->conversation != NULL &&
      beacon_conversation_get_unread_count (self->conversation) > 0)
    beacon_session_mark_read (self->session, self->conversation);
}

static void
update_stack (BeaconChatView *self)
{
  if (self->messages != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "messages");
  else if (self->loading || (self->contact != NULL && self->conversation == NULL))
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_spinner_set_spinning (self->spinner, self->loading);
}

static void
on_load_older (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconChatView) self = user_data;
  g_autoptr (GError)         error = NULL;

  if (!beacon_session_load_older_finish (BEACON_SESSION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not load older messages: %s", error->message);
    }
  self->loading = FALSE;
  update_stack (self);
}

static void
load_older (BeaconChatView *self)
{
  if (self->loading || self->conversation == NULL || self->messages == NULL ||
      !beacon_message_list_get_has_more (self->messages))
    return;
  self->loading = TRUE;
  update_stack (self);
  beacon_session_load_older_async (self->session, self->conversation, self->cancellable,
                                   on_load_older, g_object_ref (self));
}

static void
on_edge_reached (BeaconChatView *self, GtkPositionType position)
{
  if (position == GTK_POS_TOP)
    load_older (self);
}

static void
on_messages_changed (BeaconChatView *self, guint position, guint removed, guint added)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  /* A page of older messages above: keep what is on screen where it is. */
  if (position == 0 && added > 0 && !self->stick_to_bottom)
    {
      self->distance_from_bottom =
          gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_value (adjustment);
      self->keep_distance = TRUE;
    }
  update_stack (self);
  maybe_mark_read (self);
}

static void
on_upper_changed (BeaconChatView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double         upper = gtk_adjustment_get_upper (adjustment);

  if (self->stick_to_bottom)
    gtk_adjustment_set_value (adjustment, upper - gtk_adjustment_get_page_size (adjustment));
  else if (self->keep_distance)
    gtk_adjustment_set_value (adjustment, upper - self->distance_from_bottom);
  self->keep_distance = FALSE;
}

static void
on_value_changed (BeaconChatView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->stick_to_bottom =
      gtk_adjustment_get_value (adjustment) >=
      gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 8;
}

static void
set_messages (BeaconChatView *self, BeaconMessageList *messages)
{
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_func (self->messages, on_messages_changed, self);
  g_set_object (&self->messages, messages);
  if (messages != NULL)
    g_signal_connect_swapped (messages, "items-changed", G_CALLBACK (on_messages_changed), self);
  self->stick_to_bottom = TRUE;
  gtk_list_view_set_model (self->list_view, messages != NULL
                                                ? GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                      g_object_ref (G_LIST_MODEL (messages))))
                                                : NULL);
}

static void
set_conversation (BeaconChatView *self, BeaconConversation *conversation)
{
  if (self->conversation != NULL)
    g_signal_handlers_disconnect_by_func (self->conversation, maybe_mark_read, self);
  g_set_object (&self->conversation, conversation);
  set_messages (self,
                conversation != NULL ? beacon_conversation_get_messages (conversation) : NULL);
  if (conversation != NULL)
    {
      g_signal_connect_swapped (conversation, "notify::unread-count", G_CALLBACK (maybe_mark_read),
                                self);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
        load_older (self);
      maybe_mark_read (self);
    }
  gtk_widget_set_sensitive (self->send_button, conversation != NULL);
  update_stack (self);
}

static void
on_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconChatView)     self = user_data;
  g_autoptr (GError)             error = NULL;
  g_autoptr (BeaconConversation) conversation =
      beacon_session_open_conversation_finish (BEACON_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (conversation == NULL)
    {
      adw_status_page_set_title (self->empty_page, _ ("Cannot Open This Chat"));
      adw_status_page_set_description (self->empty_page, beacon_api_error_sentence (error));
      update_stack (self);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  set_conversation (self, conversation);
}

static void
unbind_contact (BeaconChatView *self)
{
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
}

static void
bind_contact (BeaconChatView *self, const char *source, gpointer target, const char *property)
{
  g_ptr_array_add (self->bindings, g_object_bind_property (self->contact, source, target, property,
                                                           G_BINDING_SYNC_CREATE));
}

void
beacon_chat_view_set_session (BeaconChatView *self, BeaconSession *session)
{
  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));

  if (self->session == session)
    return;
  beacon_chat_view_set_contact (self, NULL);
  g_set_object (&self->session, session);
}

void
beacon_chat_view_set_contact (BeaconChatView *self, BeaconContact *contact)
{
  BeaconConversationStore *store;
  BeaconConversation      *conversation = NULL;
  const char              *name;

  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));

  if (self->contact == contact)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  unbind_contact (self);
  set_conversation (self, NULL);
  self->loading = FALSE;
  g_set_object (&self->contact, contact);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", -1);
  if (contact == NULL || self->session == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  bind_contact (self, "name", self->title_label, "label");
  bind_contact (self, "status-label", self->subtitle_label, "label");
  bind_contact (self, "badge", self->badge, "badge");
  bind_contact (self, "status", self->badge, "status");
  name = beacon_contact_get_name (contact);
  if (name == NULL || *name == '\0')
    gtk_label_set_label (self->title_label, beacon_contact_get_id (contact));

  adw_status_page_set_title (self->empty_page, _ ("No Messages Yet"));
  adw_status_page_set_description (self->empty_page, _ ("Say hello!"));

  store = beacon_session_get_conversations (self->session);
  conversation = beacon_conversation_store_lookup_partner (store, beacon_contact_get_id (contact));
  if (conversation != NULL)
    {
      set_conversation (self, conversation);
      return;
    }
  self->loading = TRUE;
  update_stack (self);
  beacon_session_open_conversation_async (self->session, beacon_contact_get_id (contact),
                                          self->cancellable, on_opened, g_object_ref (self));
}

BeaconContact *
beacon_chat_view_get_contact (BeaconChatView *self)
{
  g_return_val_if_fail (BEACON_IS_CHAT_VIEW (self), NULL);
  return self->contact;
}

BeaconConversation *
beacon_chat_view_get_conversation (BeaconChatView *self)
{
  g_return_val_if_fail (BEACON_IS_CHAT_VIEW (self), NULL);
  return self->conversation;
}

void
beacon_chat_view_set_seen (BeaconChatView *self, gboolean seen)
{
  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));

  self->seen = seen;
  maybe_mark_read (self);
}

void
beacon_chat_view_set_show_back (BeaconChatView *self, gboolean show_back)
{
  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));
  gtk_widget_set_visible (self->back_button, show_back);
}

void
beacon_chat_view_focus_composer (BeaconChatView *self)
{
  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* A failure is shown on the message itself ("Not sent"). */
  if (!beacon_session_send_message_finish (BEACON_SESSION (source), result, &error))
    g_message ("A message was not sent: %s", error->message);
}

void
beacon_chat_view_send (BeaconChatView *self, const char *text)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (BEACON_IS_CHAT_VIEW (self));

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0' || self->conversation == NULL)
    return;
  self->stick_to_bottom = TRUE;
  beacon_session_send_message_async (self->session, self->conversation, trimmed, NULL, on_sent,
                                     NULL);
}

static void
send_composed (BeaconChatView *self)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter      start, end;
  g_autofree char *text = NULL;

  if (self->conversation == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  beacon_chat_view_send (self, text);
  gtk_text_buffer_set_text (buffer, "", -1);
}

static gboolean
on_composer_key (BeaconChatView        *self,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      send_composed (self);
      return TRUE;
    }
  return FALSE;
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, BeaconChatView *self)
{
  guint                     position = gtk_list_item_get_position (item);
  g_autoptr (BeaconMessage) previous = NULL;

  if (position > 0 && self->messages != NULL)
    previous = g_list_model_get_item (G_LIST_MODEL (self->messages), position - 1);
  beacon_message_row_set_message (BEACON_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item), previous);
}

/* A page of older messages moves the rows down: the day headings follow the new
 * neighbours. */
static void
on_position_changed (GtkListItem *item, GParamSpec *pspec, BeaconChatView *self)
{
  if (gtk_list_item_get_item (item) != NULL)
    bind_row (NULL, item, self);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, BeaconChatView *self)
{
  gtk_list_item_set_child (item, beacon_message_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
  g_signal_connect (item, "notify::position", G_CALLBACK (on_position_changed), self);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  beacon_message_row_set_message (BEACON_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

static void
beacon_chat_view_dispose (GObject *object)
{
  BeaconChatView *self = BEACON_CHAT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->bindings != NULL)
    unbind_contact (self);
  set_conversation (self, NULL);
  g_clear_object (&self->contact);
  g_clear_object (&self->session);
  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_CHAT_VIEW);

  G_OBJECT_CLASS (beacon_chat_view_parent_class)->dispose (object);
}

static void
beacon_chat_view_finalize (GObject *object)
{
  BeaconChatView *self = BEACON_CHAT_VIEW (object);

  g_ptr_array_unref (self->bindings);

  G_OBJECT_CLASS (beacon_chat_view_parent_class)->finalize (object);
}

static void
beacon_chat_view_class_init (BeaconChatViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_chat_view_dispose;
  object_class->finalize = beacon_chat_view_finalize;

  g_type_ensure (BEACON_TYPE_STATUS_BADGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, back_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, title_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, badge);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, send_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconChatView, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_edge_reached);
  gtk_widget_class_bind_template_callback (widget_class, send_composed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
beacon_chat_view_init (BeaconChatView *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;
  GtkAdjustment      *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->bindings = g_ptr_array_new ();
  self->stick_to_bottom = TRUE;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_composer_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (on_upper_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_value_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_sensitive (self->send_button, FALSE);
}
