/* bs-store.h: beacon-server's storage: one SQLite file (WAL), created and migrated on
 * open; users, friendships, conversations, messages, presence state and settings. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BS_STORE_ERROR (bs_store_error_quark ())

/* Every SQLite failure is BS_STORE_ERROR_IO with a message naming the operation and SQLite's
 * own message, except that a UNIQUE / PRIMARY KEY violation is EXISTS, a FOREIGN KEY one
 * NOT_FOUND and a CHECK / NOT NULL one INVALID (those are bad input, not a broken disk). */
typedef enum
{
  BS_STORE_ERROR_IO,        /* SQLite failed (disk full, locked, corrupt): message says why */
  BS_STORE_ERROR_NOT_FOUND, /* no such user / conversation / message */
  BS_STORE_ERROR_EXISTS,    /* duplicate email or id */
  BS_STORE_ERROR_INVALID,   /* bad argument: empty name, bad role, bad email, ... */
} BsStoreError;

typedef struct _BsStore BsStore;

typedef struct
{
  char  *id;    /* a string; numbers from imports are kept as their decimal text */
  char  *email; /* stored lower-cased and trimmed; unique */
  char  *name;
  char  *role;          /* "CLIENT" | "FREELANCER" | "ADMIN" */
  char  *headline;      /* freelancers' one-line pitch, may be NULL */
  char  *password_hash; /* argon2id string (crypto_pwhash_str), NULL when none is set */
  gint64 created_at_ms;
} BsUser;

/* What the presence model keeps per user across restarts (PROTOCOL.md 3). */
typedef struct
{
  char    *user_id;
  char    *chosen_status;      /* "online" | "away" | "busy" | "invisible" */
  char    *custom_message;     /* NULL when none */
  gint64   last_seen_ms;       /* -1 when never seen */
  gint64   last_active_ms;     /* -1 when unknown */
  gboolean show_online_status; /* default TRUE */
  char    *show_last_seen;     /* "everyone" | "contacts" | "nobody" */
  gint64   version;            /* only grows */
} BsPresenceRow;

typedef struct
{
  char  *id;
  char  *conversation_id;
  char  *sender_id;
  char  *content;
  gint64 created_at_ms;
  gint64 read_at_ms; /* -1 while unread */
} BsMessage;

typedef struct
{
  char      *id;
  char      *user_a; /* the two participants, user_a < user_b (strcmp) */
  char      *user_b;
  BsMessage *last_message; /* NULL when empty (only filled by bs_store_conversations_for) */
  guint      unread_count; /* for the asking user (only filled by bs_store_conversations_for) */
} BsConversation;

GQuark bs_store_error_quark (void);

/* A BsStore is one SQLite connection: use it from one thread at a time. */

/* Opens (creating it if needed) the database at path and brings its schema up to date.
 * Migrations are recorded in the table schema_version (one row per applied version). */
BsStore *bs_store_open (const char *path, GError **error);
/* Flushes what bs_store_queue_last_seen queued (a g_warning if that fails), then closes. */
void bs_store_close (BsStore *store);

/* Users */
BsUser *bs_store_user_add (BsStore    *store,
                           const char *id, /* NULL: a new id is generated */
                           const char *email,
                           const char *name,
                           const char *role,
                           const char *password_hash, /* nullable */
                           GError    **error);
/* As bs_store_user_add, from a template: id (NULL: generated), email, name, role, headline
 * and password_hash (both nullable), created_at_ms (<= 0: now). Added with its presence row
 * in one transaction. Email is lower-cased and trimmed, name and headline trimmed. */
BsUser *bs_store_user_add_full (BsStore *store, const BsUser *user, GError **error);
/* The checks bs_store_user_add_full makes before writing (INVALID: id empty, over 64 bytes or
 * with control characters; email without '@' or over 254 bytes; empty name; bad role; ...),
 * without the database: uniqueness is not checked. */
gboolean bs_store_user_validate (const BsUser *user, GError **error);
/* hash NULL removes the password (the user can no longer sign in). NOT_FOUND for no user. */
gboolean bs_store_user_set_password_hash (BsStore    *store,
                                          const char *user_id,
                                          const char *hash,
                                          GError    **error);
/* headline NULL or empty clears it. */
gboolean bs_store_user_set_headline (BsStore    *store,
                                     const char *user_id,
                                     const char *headline,
                                     GError    **error);
/* Removes the user with everything that refers to it (friendships, conversations, messages,
 * presence row). NOT_FOUND when there is no such user. */
gboolean   bs_store_user_remove (BsStore *store, const char *user_id, GError **error);
BsUser    *bs_store_user_by_id (BsStore *store, const char *id, GError **error);
BsUser    *bs_store_user_by_email (BsStore *store, const char *email, GError **error);
GPtrArray *bs_store_users (BsStore *store, GError **error); /* element-type BsUser, by id */

/* Friendships are symmetric; adding an existing one or removing a missing one is not an
 * error (returns TRUE, *changed FALSE). */
gboolean bs_store_friend_add (
    BsStore *store, const char *a, const char *b, gboolean *changed, GError **error);
gboolean bs_store_friend_remove (
    BsStore *store, const char *a, const char *b, gboolean *changed, GError **error);
/* Every friendship as pairs: element i*2 and i*2+1 are the two ids (strings). */
GPtrArray *bs_store_friendships (BsStore *store, GError **error);

/* Conversations: one per pair of users. Ids are generated ("c_" + 12 characters).
 * get_or_create: INVALID for the same user twice, NOT_FOUND for an unknown user. */
BsConversation *bs_store_conversation_get_or_create (BsStore    *store,
                                                     const char *user_id,
                                                     const char *partner_id,
                                                     GError    **error);
BsConversation *bs_store_conversation_by_id (BsStore *store, const char *id, GError **error);
/* The user's conversations, most recent message first, with last_message and unread_count. */
GPtrArray *bs_store_conversations_for (BsStore *store, const char *user_id, GError **error);
/* Every conversation as pairs of participant ids, like bs_store_friendships (for the hub's
 * contact lists: conversation partners are contacts). */
GPtrArray *bs_store_conversation_pairs (BsStore *store, GError **error);

/* Messages. content is stored as given (the caller trims and checks length). Ids are the
 * decimal text of an integer that grows with each message, so they sort by creation when
 * compared as numbers. NOT_FOUND for an unknown conversation or a before_id / up_to_id that is
 * not a message id; INVALID when the sender is not one of the conversation's two users. */
BsMessage *bs_store_message_add (BsStore    *store,
                                 const char *conversation_id,
                                 const char *sender_id,
                                 const char *content,
                                 gint64      created_at_ms,
                                 gboolean    read, /* auto-read: read_at = created_at */
                                 GError    **error);
/* Up to limit messages older than before_id (NULL: the newest), oldest first. */
GPtrArray *bs_store_messages (BsStore    *store,
                              const char *conversation_id,
                              const char *before_id,
                              guint       limit,
                              GError    **error);
/* Marks every message of the conversation not sent by reader_id with id <= up_to_id (NULL:
 * all) as read at now_ms. Returns how many changed in *n_marked (already read ones don't). */
gboolean bs_store_mark_read (BsStore    *store,
                             const char *conversation_id,
                             const char *reader_id,
                             const char *up_to_id,
                             gint64      now_ms,
                             guint      *n_marked,
                             GError    **error);

/* Presence state: every user has a row (created with defaults with the user). */
GPtrArray *bs_store_presence_rows (BsStore *store, GError **error); /* element-type BsPresenceRow */
/* Writes the whole row at once (chosen status, message, settings, version), creating it if
 * missing. version, last_seen_ms and last_active_ms never go back: the stored value is the
 * larger of the old and the new one (-1 keeps the old one). INVALID for a status, setting or
 * message (over 100 characters) outside PROTOCOL.md 3, NOT_FOUND for an unknown user. */
gboolean bs_store_presence_save (BsStore *store, const BsPresenceRow *row, GError **error);
/* last_seen / last_active updates are queued in memory and written in one transaction by
 * bs_store_flush (the server calls it at least once a second and on shutdown). */
/* -1 for either time leaves it alone; queuing a user again keeps the later of each time.
 * bs_store_flush writes the whole queue in one transaction and empties it only when that
 * committed: on failure (disk full, ...) everything stays queued for the next flush.
 * bs_store_presence_rows includes queued values not yet written. */
void     bs_store_queue_last_seen (BsStore    *store,
                                   const char *user_id,
                                   gint64      last_seen_ms,
                                   gint64      last_active_ms);
gboolean bs_store_flush (BsStore *store, GError **error);
/* The queue handed to another connection to the same database (a flush on a worker thread):
 * bs_store_take_last_seen empties it and returns what it held (NULL when nothing);
 * bs_store_write_last_seen writes that with @store, inside bs_store_begin / bs_store_commit;
 * bs_store_requeue_last_seen gives it back (later times win) when that failed. */
GHashTable *bs_store_take_last_seen (BsStore *store);
gboolean    bs_store_write_last_seen (BsStore *store, GHashTable *queue, GError **error);
void        bs_store_requeue_last_seen (BsStore *store, GHashTable *queue);
/* Groups writes (such as bs_store_presence_save) into one transaction: one commit instead of
 * one per statement. Not nested, and not around bs_store_flush, which opens its own. A
 * statement that failed inside leaves the others to the commit; a commit that fails rolls
 * everything back. */
gboolean bs_store_begin (BsStore *store, GError **error);
gboolean bs_store_commit (BsStore *store, GError **error);
/* How many users have queued last_seen updates (for tests and metrics). */
guint bs_store_queued_count (BsStore *store);

/* Import (admin "import FILE.json"): users and friendships in one transaction; all or
 * nothing. Format:
 * {"users":[{"id","email","name","role","password"?}],"friendships":[[ID,ID],...]}. Passwords are
 * hashed with argon2id. Ids may be JSON numbers (kept as decimal text). Also: "headline"? per user;
 * a user without "id" gets a generated one. A friendship naming an unknown id is an error
 * (NOT_FOUND), a repeated one is not; *n_friendships counts the friendships that were new. Errors
 * name the entry: "friendships[12]: No user has ...". */
gboolean bs_store_import_json (BsStore    *store,
                               const char *json_text,
                               gsize       len,
                               guint      *n_users,
                               guint      *n_friendships,
                               GError    **error);

void bs_user_free (BsUser *user);
void bs_presence_row_free (BsPresenceRow *row);
void bs_message_free (BsMessage *message);
void bs_conversation_free (BsConversation *conversation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BsUser, bs_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BsPresenceRow, bs_presence_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BsMessage, bs_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BsConversation, bs_conversation_free)

G_END_DECLS
