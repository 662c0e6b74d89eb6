/* beacon-window.c: BeaconWindow: follows the session (pages, connection banner, own
 * status), opens chats, and tells the server when a chat is really looked at. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-chat-view.h"
#include "beacon-contact-list.h"
#include "beacon-guest-page.h"
#include "beacon-sign-in-page.h"
#include "beacon-window.h"

typedef enum
{
  BANNER_NONE,
  BANNER_RETRY,
  BANNER_SIGN_IN,
} BannerAction;

struct _BeaconWindow
{
  AdwApplicationWindow parent_instance;

  GSettings     *settings;
  BeaconSession *session;
  GCancellable  *cancellable; /* resume and sign-in of this session */
  BannerAction   banner_action;
  gboolean       seen; /* a chat is shown and looked at */

  AdwToastOverlay   *toast_overlay;
  GtkStack          *main_stack;
  BeaconSignInPage  *sign_in_page;
  BeaconGuestPage   *guest_page;
  AdwLeaflet        *leaflet;
  GtkWidget         *sidebar;
  AdwWindowTitle    *sidebar_title;
  GtkMenuButton     *status_button;
  GtkToggleButton   *online_only_button;
  GtkRevealer       *banner;
  GtkSpinner        *banner_spinner;
  GtkLabel          *banner_label;
  GtkButton         *banner_button;
  BeaconContactList *contact_list;
  GtkStack          *content_stack;
  BeaconChatView    *chat_view;
};

G_DEFINE_FINAL_TYPE (BeaconWindow, beacon_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

BeaconWindow *
beacon_window_new (BeaconApplication *app)
{
  return g_object_new (BEACON_TYPE_WINDOW, "application", app, "session",
                       beacon_application_get_session (app), NULL);
}

const char *
beacon_window_get_page (BeaconWindow *self)
{
  g_return_val_if_fail (BEACON_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

static void
show_page (BeaconWindow *self, const char *page)
{
  /* The guest connection lives only while its page is shown. */
  if (g_strcmp0 (page, "guest") != 0)
    beacon_guest_page_stop (self->guest_page);
  if (g_strcmp0 (page, beacon_window_get_page (self)) == 0)
    return;
  /* An entry of the page going away lets go of the focus first. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->main_stack, page);
}

/* chat:focus while a chat is on screen in the active window, chat:blur otherwise. */
static void
update_chat_focus (BeaconWindow *self)
{
  BeaconContact      *contact = beacon_chat_view_get_contact (self->chat_view);
  BeaconConversation *conversation;
  GtkApplication     *app;
  gboolean            seen;

  seen = contact != NULL && self->session != NULL &&
         g_strcmp0 (beacon_window_get_page (self), "main") == 0 &&
         (!adw_leaflet_get_folded (self->leaflet) ||
          adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->content_stack)) &&
         gtk_widget_get_visible (GTK_WIDGET (self)) && gtk_window_is_active (GTK_WINDOW (self));

  self->seen = seen;
  beacon_chat_view_set_seen (self->chat_view, seen);
  app = gtk_window_get_application (GTK_WINDOW (self));
  conversation = seen ? beacon_chat_view_get_conversation (self->chat_view) : NULL;
  if (BEACON_IS_APPLICATION (app))
    beacon_application_set_visible_conversation (
        BEACON_APPLICATION (app),
        conversation != NULL ? beacon_conversation_get_id (conversation) : NULL);
  if (self->session == NULL)
    return;
  if (seen)
    beacon_session_chat_focus (self->session, beacon_contact_get_id (contact));
  else
    beacon_session_chat_blur (self->session);
}

static void
on_leaflet_changed (BeaconWindow *self)
{
  beacon_chat_view_set_show_back (self->chat_view, adw_leaflet_get_folded (self->leaflet));
  update_chat_focus (self);
}

static void
show_chat (BeaconWindow *self, BeaconContact *contact)
{
  beacon_chat_view_set_contact (self->chat_view, contact);
  beacon_contact_list_select (self->contact_list, beacon_contact_get_id (contact));
  gtk_stack_set_visible_child_name (self->content_stack, "chat");
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content_stack));
  beacon_chat_view_focus_composer (self->chat_view);
  update_chat_focus (self);
}

static void
close_chat (BeaconWindow *self)
{
  beacon_chat_view_set_contact (self->chat_view, NULL);
  beacon_contact_list_select (self->contact_list, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "none");
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  update_chat_focus (self);
}

static void
on_contact_activated (BeaconWindow *self, BeaconContact *contact)
{
  show_chat (self, contact);
}

gboolean
beacon_window_open_chat (BeaconWindow *self, const char *id)
{
  BeaconContact      *contact;
  BeaconConversation *conversation;

  g_return_val_if_fail (BEACON_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->session == NULL)
    return FALSE;
  contact = beacon_presence_store_lookup (beacon_session_get_contacts (self->session), id);
  if (contact == NULL)
    {
      conversation =
          beacon_conversation_store_lookup (beacon_session_get_conversations (self->session), id);
      if (conversation != NULL)
        contact = beacon_presence_store_lookup (beacon_session_get_contacts (self->session),
                                                beacon_conversation_get_partner_id (conversation));
    }
  if (contact == NULL)
    return FALSE;
  show_page (self, "main");
  show_chat (self, contact);
  return TRUE;
}

BeaconConversation *
beacon_window_get_seen_conversation (BeaconWindow *self)
{
  g_return_val_if_fail (BEACON_IS_WINDOW (self), NULL);
  return self->seen ? beacon_chat_view_get_conversation (self->chat_view) : NULL;
}

/* The banner, the dimmed badges and the page follow the session's state. */
static void
update_state (BeaconWindow *self)
{
  BeaconSessionState state;
  g_autofree char   *text = NULL;
  const char        *button = NULL;
  gboolean           spinning = FALSE;

  if (self->session == NULL)
    return;
  state = beacon_session_get_state (self->session);
  self->banner_action = BANNER_NONE;
  switch (state)
    {
    case BEACON_SESSION_STATE_SIGNING_IN:
      text = g_strdup (_ ("Signing in…"));
      spinning = TRUE;
      break;
    case BEACON_SESSION_STATE_CONNECTING:
      text = g_strdup (_ ("Connecting…"));
      spinning = TRUE;
      break;
    case BEACON_SESSION_STATE_RECONNECTING:
      {
        guint seconds = beacon_session_get_next_retry_in (self->session);

        if (seconds > 0)
          text = g_strdup_printf (ngettext ("Offline, retrying in %u second",
                                            "Offline, retrying in %u seconds", seconds),
                                  seconds);
        else
          text = g_strdup (_ ("Offline, reconnecting…"));
        button = _ ("_Retry Now");
        self->banner_action = BANNER_RETRY;
      }
      break;
    case BEACON_SESSION_STATE_OFFLINE:
      text = g_strdup (_ ("Offline: no network connection"));
      button = _ ("_Retry Now");
      self->banner_action = BANNER_RETRY;
      break;
    case BEACON_SESSION_STATE_UNAUTHORIZED:
      text = g_strdup (_ ("Signed out: sign in again"));
      button = _ ("_Sign In");
      self->banner_action = BANNER_SIGN_IN;
      break;
    case BEACON_SESSION_STATE_SIGNED_OUT:
      if (g_strcmp0 (beacon_window_get_page (self), "main") == 0)
        {
          close_chat (self);
          show_page (self, "welcome");
        }
      break;
    case BEACON_SESSION_STATE_ONLINE:
    default: break;
    }

  gtk_revealer_set_reveal_child (self->banner, text != NULL);
  if (text != NULL)
    gtk_label_set_label (self->banner_label, text);
  gtk_spinner_set_spinning (self->banner_spinner, spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_spinner), spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->banner_button, button);
  gtk_button_set_use_underline (self->banner_button, TRUE);

  /* What the list shows may be stale while not connected. */
  if (state == BEACON_SESSION_STATE_ONLINE)
    gtk_widget_remove_css_class (GTK_WIDGET (self->contact_list), "stale");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->contact_list), "stale");
}

static void
show_sign_in (BeaconWindow *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "server-url");

  if (self->session != NULL && beacon_session_get_user_email (self->session) != NULL)
    beacon_sign_in_page_set_email (self->sign_in_page,
                                   beacon_session_get_user_email (self->session));
  beacon_sign_in_page_set_server_url (self->sign_in_page, url);
  show_page (self, "sign-in");
  beacon_sign_in_page_reset (self->sign_in_page);
}

static void
on_banner_button (BeaconWindow *self)
{
  switch (self->banner_action)
    {
    case BANNER_RETRY: beacon_session_retry_now (self->session); break;
    case BANNER_SIGN_IN: show_sign_in (self); break;
    case BANNER_NONE:
    default: break;
    }
}

static const char *
status_words (const char *status)
{
  if (g_strcmp0 (status, "away") == 0)
    return _ ("Away");
  if (g_strcmp0 (status, "busy") == 0)
    return _ ("Busy");
  if (g_strcmp0 (status, "invisible") == 0)
    return _ ("Invisible");
  return _ ("Online");
}

static void
update_own_status (BeaconWindow *self)
{
  const char      *status;
  const char      *message;
  const char      *name;
  g_autofree char *subtitle = NULL;
  g_autofree char *icon = NULL;

  if (self->session == NULL)
    return;
  status = beacon_session_get_own_status (self->session);
  message = beacon_session_get_custom_message (self->session);
  name = beacon_session_get_user_name (self->session);
  if (status == NULL)
    status = "online";

  /* The tray's icons: one per status the person can choose. */
  icon = g_strdup_printf (APP_ID "-%s-symbolic", status);
  gtk_menu_button_set_icon_name (self->status_button, icon);

  if (message != NULL && *message != '\0')
    /* TRANSLATORS: your status and your status message, e.g. "Away: At lunch" */
    subtitle = g_strdup_printf (_ ("%s: %s"), status_words (status), message);
  else
    subtitle = g_strdup (status_words (status));
  adw_window_title_set_title (self->sidebar_title, name != NULL ? name : _ ("Beacon"));
  adw_window_title_set_subtitle (self->sidebar_title, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_button), subtitle);
}

static void
on_status_set (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconWindow) self = user_data;
  g_autoptr (GError)       error = NULL;

  if (!beacon_session_set_status_finish (BEACON_SESSION (source), result, &error))
    {
      AdwToast *toast = adw_toast_new (beacon_api_error_sentence (error));

      g_warning ("Could not change the status: %s", error->message);
      adw_toast_set_timeout (toast, 5);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      update_own_status (self);
    }
}

static void
set_status (BeaconWindow *self, const char *status, const char *message)
{
  g_settings_set_string (self->settings, "own-status", status);
  g_settings_set_string (self->settings, "custom-message", message != NULL ? message : "");
  beacon_session_set_status_async (self->session, status, message, NULL, on_status_set,
                                   g_object_ref (self));
}

static void
on_status_message_response (AdwMessageDialog *dialog, const char *response, BeaconWindow *self)
{
  GtkEditable     *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char      *status = beacon_session_get_own_status (self->session);
  g_autofree char *message = NULL;

  if (g_strcmp0 (response, "cancel") == 0)
    return;
  if (g_strcmp0 (response, "set") == 0)
    message = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  set_status (self, status != NULL ? status : "online",
              message != NULL && *message != '\0' ? message : NULL);
}

static void
status_message (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow *self = BEACON_WINDOW (widget);
  GtkWidget    *dialog;
  GtkWidget    *entry;
  const char   *current;

  if (self->session == NULL)
    return;
  current = beacon_session_get_custom_message (self->session);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Status Message"),
                                   _ ("Your contacts see it next to your status."));
  entry = gtk_entry_new ();
  gtk_entry_set_max_length (GTK_ENTRY (entry), 100);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _ ("At lunch, In a meeting…"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), current != NULL ? current : "");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "clear",
                                    _ ("C_lear"), "set", _ ("_Set"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "set",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "set");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_status_message_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconWindow) self = user_data;
  g_autoptr (GError)       error = NULL;

  if (!beacon_session_sign_in_finish (BEACON_SESSION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      beacon_sign_in_page_set_busy (self->sign_in_page, FALSE);
      beacon_sign_in_page_set_error (self->sign_in_page, beacon_api_error_sentence (error));
      return;
    }
  if (!beacon_application_get_server_overridden (
          BEACON_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)))))
    g_settings_set_string (self->settings, "server-url",
                           beacon_session_get_server_url (BEACON_SESSION (source)));
  beacon_sign_in_page_reset (self->sign_in_page);
  show_page (self, "main");
  update_own_status (self);
}

static void
on_sign_in_submit (BeaconWindow *self)
{
  BeaconApplication *app = BEACON_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char   *url =
      g_strstrip (g_strdup (beacon_sign_in_page_get_server_url (self->sign_in_page)));
  BeaconSession *session = beacon_application_use_server (app, url);

  beacon_sign_in_page_set_busy (self->sign_in_page, TRUE);
  beacon_session_sign_in_async (session, beacon_sign_in_page_get_email (self->sign_in_page),
                                beacon_sign_in_page_get_password (self->sign_in_page),
                                self->cancellable, on_signed_in, g_object_ref (self));
}

static void
on_resumed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconWindow) self = user_data;
  g_autoptr (GError)       error = NULL;
  gboolean resumed = beacon_session_resume_finish (BEACON_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_warning ("Could not read the keyring: %s", error->message);
  if (!resumed)
    {
      BeaconApplication *app = BEACON_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
      g_autofree char   *email = NULL;
      g_autofree char   *password = NULL;

      if (beacon_application_take_sign_in (app, &email, &password))
        {
          show_sign_in (self);
          beacon_sign_in_page_set_server_url (self->sign_in_page,
                                              beacon_session_get_server_url (self->session));
          beacon_sign_in_page_set_email (self->sign_in_page, email);
          beacon_sign_in_page_set_password (self->sign_in_page, password);
          on_sign_in_submit (self);
          return;
        }
    }
  show_page (self, resumed ? "main" : "welcome");
  update_own_status (self);
}

static void
unbind_session (BeaconWindow *self)
{
  if (self->session == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_signal_handlers_disconnect_by_data (self->session, self);
  beacon_chat_view_set_session (self->chat_view, NULL);
  beacon_contact_list_set_store (self->contact_list, NULL);
  g_clear_object (&self->session);
}

BeaconSession *
beacon_window_get_session (BeaconWindow *self)
{
  g_return_val_if_fail (BEACON_IS_WINDOW (self), NULL);
  return self->session;
}

/* A new session: a new server, or the first one. The first one tries the keyring. */
void
beacon_window_set_session (BeaconWindow *self, BeaconSession *session)
{
  g_return_if_fail (BEACON_IS_WINDOW (self));

  if (self->session == session)
    return;
  unbind_session (self);
  close_chat (self);
  if (session == NULL)
    return;

  self->session = g_object_ref (session);
  self->cancellable = g_cancellable_new ();
  beacon_contact_list_set_store (self->contact_list, beacon_session_get_contacts (session));
  beacon_chat_view_set_session (self->chat_view, session);
  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (session, "notify::next-retry-in", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (session, "notify::own-status", G_CALLBACK (update_own_status), self);
  g_signal_connect_swapped (session, "notify::custom-message", G_CALLBACK (update_own_status),
                            self);
  g_signal_connect_swapped (session, "notify::user-name", G_CALLBACK (update_own_status), self);
  update_state (self);
  update_own_status (self);

  if (beacon_session_get_state (session) == BEACON_SESSION_STATE_SIGNED_OUT &&
      g_strcmp0 (beacon_window_get_page (self), "loading") == 0)
    beacon_session_resume_async (session, self->cancellable, on_resumed, g_object_ref (self));
  else if (beacon_session_get_state (session) != BEACON_SESSION_STATE_SIGNED_OUT)
    show_page (self, "main");
  else if (g_strcmp0 (beacon_window_get_page (self), "main") == 0)
    show_sign_in (self); /* another server: sign in there */

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
on_sign_out_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconWindow) self = user_data;
  g_autoptr (GError)       error = NULL;

  if (!beacon_session_sign_out_finish (BEACON_SESSION (source), result, &error))
    g_warning ("Signing out did not finish cleanly: %s", error->message);
  show_page (self, "welcome");
}

static void
sign_out (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow *self = BEACON_WINDOW (widget);

  if (self->session == NULL)
    return;
  close_chat (self);
  beacon_session_sign_out_async (self->session, NULL, on_sign_out_done, g_object_ref (self));
}

static void
show_welcome (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  show_page (BEACON_WINDOW (widget), "welcome");
}

static void
show_sign_in_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  show_sign_in (BEACON_WINDOW (widget));
}

static void
browse_guest (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow      *self = BEACON_WINDOW (widget);
  BeaconApplication *app = BEACON_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char   *url = g_settings_get_string (self->settings, "server-url");

  show_page (self, "guest");
  beacon_guest_page_start (self->guest_page, url, beacon_application_get_clock (app));
}

static void
on_message_provider_response (AdwMessageDialog *dialog, const char *response, BeaconWindow *self)
{
  if (g_strcmp0 (response, "sign-in") == 0)
    show_sign_in (self);
}

/* A guest cannot message anyone: offer to sign in. */
static void
message_provider (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow       *self = BEACON_WINDOW (widget);
  BeaconGuestSession *guest = beacon_guest_page_get_session (self->guest_page);
  BeaconProvider     *provider = NULL;
  g_autofree char    *heading = NULL;
  GtkWidget          *dialog;

  if (guest != NULL)
    provider = beacon_guest_store_lookup (beacon_guest_session_get_store (guest),
                                          g_variant_get_string (parameter, NULL));
  heading = g_strdup_printf (_ ("Message %s?"),
                             provider != NULL && beacon_provider_get_name (provider) != NULL
                                 ? beacon_provider_get_name (provider)
                                 : _ ("this freelancer"));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _ ("Sign in to your Beacon account to start a chat."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Not Now"),
                                    "sign-in", _ ("_Sign In"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-in",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "sign-in");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_message_provider_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_chat_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow *self = BEACON_WINDOW (widget);

  if (g_strcmp0 (beacon_window_get_page (self), "main") == 0)
    close_chat (self);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow *self = BEACON_WINDOW (widget);

  if (g_strcmp0 (beacon_window_get_page (self), "main") != 0)
    return;
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  beacon_contact_list_start_search (self->contact_list);
}

static void
retry_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BeaconWindow *self = BEACON_WINDOW (widget);

  if (self->session != NULL)
    beacon_session_retry_now (self->session);
}

static void
beacon_window_dispose (GObject *object)
{
  BeaconWindow *self = BEACON_WINDOW (object);

  unbind_session (self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_WINDOW);

  G_OBJECT_CLASS (beacon_window_parent_class)->dispose (object);
}

static void
beacon_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconWindow *self = BEACON_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconWindow *self = BEACON_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION: beacon_window_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_window_class_init (BeaconWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_window_dispose;
  object_class->get_property = beacon_window_get_property;
  object_class->set_property = beacon_window_set_property;

  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, BEACON_TYPE_SESSION,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BEACON_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BEACON_TYPE_GUEST_PAGE);
  g_type_ensure (BEACON_TYPE_CONTACT_LIST);
  g_type_ensure (BEACON_TYPE_CHAT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, guest_page);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, online_only_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, banner_spinner);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, contact_list);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconWindow, chat_view);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_submit);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_changed);

  gtk_widget_class_install_action (widget_class, "win.show-welcome", NULL, show_welcome);
  gtk_widget_class_install_action (widget_class, "win.show-sign-in", NULL, show_sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.browse-guest", NULL, browse_guest);
  gtk_widget_class_install_action (widget_class, "win.message-provider", "s", message_provider);
  gtk_widget_class_install_action (widget_class, "win.close-chat", NULL, close_chat_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.status-message", NULL, status_message);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);

  /* Widget bindings run after the focused widget had its say: Escape still closes the
   * search first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.close-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.search",
                                       NULL);
}

static void
beacon_window_init (BeaconWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->banner_button, "clicked", G_CALLBACK (on_banner_button), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (update_chat_focus), NULL);
  g_signal_connect (self, "notify::visible", G_CALLBACK (update_chat_focus), NULL);
  g_signal_connect_swapped (self->main_stack, "notify::visible-child-name",
                            G_CALLBACK (update_chat_focus), self);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "online-only", self->online_only_button, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_object_bind_property (self->online_only_button, "active", self->contact_list, "online-only",
                          G_BINDING_SYNC_CREATE);
  beacon_chat_view_set_show_back (self->chat_view, adw_leaflet_get_folded (self->leaflet));
}
