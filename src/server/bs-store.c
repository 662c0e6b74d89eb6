/* bs-store.c: beacon-server's storage on SQLite (WAL): schema migrations, users, friendships,
 * conversations, messages, presence rows, batched last_seen writes and the JSON import. */

#include "bs-store.h"
#include "bs-store-private.h"

#include "beacon-json.h"
#include "bs-password.h"

#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#define BUSY_TIMEOUT_MS    5000
#define ID_MAX_BYTES       64
#define EMAIL_MAX_BYTES    254
#define NAME_MAX_CHARS     200
#define HEADLINE_MAX_CHARS 300
#define CUSTOM_MESSAGE_MAX 100
#define GENERATED_ID_CHARS 12
#define PASSWORD_HASH_MAX  512

GQuark
bs_store_error_quark (void)
{
  /* Spelled out: clang-format would put spaces around the dashes inside G_DEFINE_QUARK. */
  return g_quark_from_static_string ("bs-store-error-quark");
}

/* Migrations, in order: migration N brings the schema from version N-1 to N. Append new
 * ones at the end; never edit one that has shipped. */
static const char *const migrations[] = {
  /* 1: everything. */
  "CREATE TABLE users ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  email TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('CLIENT', 'FREELANCER', 'ADMIN')),"
  "  headline TEXT,"
  "  password_hash TEXT,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE friendships ("
  "  a TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  b TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  CHECK (a < b),"
  "  PRIMARY KEY (a, b)"
  ") WITHOUT ROWID;"
  "CREATE INDEX friendships_by_b ON friendships (b);"
  "CREATE TABLE conversations ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  user_a TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  user_b TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL,"
  "  CHECK (user_a < user_b),"
  "  UNIQUE (user_a, user_b)"
  ");"
  "CREATE INDEX conversations_by_b ON conversations (user_b);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
  "  sender_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  content TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  read_at INTEGER"
  ");"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, id);"
  "CREATE INDEX messages_unread ON messages (conversation_id) WHERE read_at IS NULL;"
  "CREATE INDEX messages_by_sender ON messages (sender_id);"
  "CREATE TABLE presence ("
  "  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  chosen_status TEXT NOT NULL DEFAULT 'online'"
  "    CHECK (chosen_status IN ('online', 'away', 'busy', 'invisible')),"
  "  custom_message TEXT,"
  "  last_seen INTEGER,"
  "  last_active INTEGER,"
  "  show_online_status INTEGER NOT NULL DEFAULT 1,"
  "  show_last_seen TEXT NOT NULL DEFAULT 'everyone'"
  "    CHECK (show_last_seen IN ('everyone', 'contacts', 'nobody')),"
  "  version INTEGER NOT NULL DEFAULT 0"
  ");",
};

typedef enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_USER_INSERT,
  STMT_USER_EXISTS,
  STMT_EMAIL_EXISTS,
  STMT_USER_BY_ID,
  STMT_USER_BY_EMAIL,
  STMT_USERS,
  STMT_USER_SET_HASH,
  STMT_USER_SET_HEADLINE,
  STMT_USER_DELETE,
  STMT_PRESENCE_INSERT,
  STMT_FRIEND_INSERT,
  STMT_FRIEND_DELETE,
  STMT_FRIENDSHIPS,
  STMT_CONV_BY_PAIR,
  STMT_CONV_BY_ID,
  STMT_CONV_INSERT,
  STMT_CONVS_FOR,
  STMT_CONV_PAIRS,
  STMT_MESSAGE_INSERT,
  STMT_MESSAGES,
  STMT_MARK_READ,
  STMT_PRESENCE_ROWS,
  STMT_PRESENCE_SAVE,
  STMT_LAST_SEEN,
  N_STMTS
} StmtId;

#define USER_COLUMNS "id, email, name, role, headline, password_hash, created_at"

static const char *const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_USER_INSERT] = "INSERT INTO users (" USER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_USER_EXISTS] = "SELECT 1 FROM users WHERE id = ?1",
  [STMT_EMAIL_EXISTS] = "SELECT 1 FROM users WHERE email = ?1",
  [STMT_USER_BY_ID] = "SELECT " USER_COLUMNS " FROM users WHERE id = ?1",
  [STMT_USER_BY_EMAIL] = "SELECT " USER_COLUMNS " FROM users WHERE email = ?1",
  [STMT_USERS] = "SELECT " USER_COLUMNS " FROM users ORDER BY id",
  [STMT_USER_SET_HASH] = "UPDATE users SET password_hash = ?2 WHERE id = ?1",
  [STMT_USER_SET_HEADLINE] = "UPDATE users SET headline = ?2 WHERE id = ?1",
  [STMT_USER_DELETE] = "DELETE FROM users WHERE id = ?1",
  [STMT_PRESENCE_INSERT] = "INSERT INTO presence (user_id) VALUES (?1)",
  [STMT_FRIEND_INSERT] = "INSERT OR IGNORE INTO friendships (a, b) VALUES (?1, ?2)",
  [STMT_FRIEND_DELETE] = "DELETE FROM friendships WHERE a = ?1 AND b = ?2",
  [STMT_FRIENDSHIPS] = "SELECT a, b FROM friendships ORDER BY a, b",
  [STMT_CONV_BY_PAIR] =
      "SELECT id, user_a, user_b FROM conversations WHERE user_a = ?1 AND user_b = ?2",
  [STMT_CONV_BY_ID] = "SELECT id, user_a, user_b FROM conversations WHERE id = ?1",
  [STMT_CONV_INSERT] =
      "INSERT INTO conversations (id, user_a, user_b, created_at) VALUES (?1, ?2, ?3, ?4)",
  [STMT_CONVS_FOR] =
      "SELECT c.id, c.user_a, c.user_b,"
      "  m.id, m.sender_id, m.content, m.created_at, m.read_at,"
      "  (SELECT count(*) FROM messages u"
      "    WHERE u.conversation_id = c.id AND u.read_at IS NULL AND u.sender_id <> ?1)"
      " FROM conversations c"
      " LEFT JOIN messages m"
      "   ON m.id = (SELECT max(x.id) FROM messages x WHERE x.conversation_id = c.id)"
      " WHERE c.user_a = ?1 OR c.user_b = ?1"
      " ORDER BY coalesce(m.id, 0) DESC, c.created_at DESC, c.id",
  [STMT_CONV_PAIRS] = "SELECT user_a, user_b FROM conversations ORDER BY user_a, user_b",
  [STMT_MESSAGE_INSERT] =
      "INSERT INTO messages (conversation_id, sender_id, content, created_at, read_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_MESSAGES] = "SELECT id, sender_id, content, created_at, read_at FROM"
                    " (SELECT * FROM messages WHERE conversation_id = ?1 AND id < ?2"
                    "  ORDER BY id DESC LIMIT ?3)"
                    " ORDER BY id",
  [STMT_MARK_READ] =
      "UPDATE messages SET read_at = ?4"
      " WHERE conversation_id = ?1 AND sender_id <> ?2 AND id <= ?3 AND read_at IS NULL",
  [STMT_PRESENCE_ROWS] =
      "SELECT user_id, chosen_status, custom_message, last_seen, last_active,"
      " show_online_status, show_last_seen, version FROM presence ORDER BY user_id",
  /* Times and the version only move forward: a late or repeated write never undoes a newer one. */
  [STMT_PRESENCE_SAVE] =
      "INSERT INTO presence (user_id, chosen_status, custom_message, show_online_status,"
      "  show_last_seen, version, last_seen, last_active)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (user_id) DO UPDATE SET"
      "  chosen_status = excluded.chosen_status,"
      "  custom_message = excluded.custom_message,"
      "  show_online_status = excluded.show_online_status,"
      "  show_last_seen = excluded.show_last_seen,"
      "  version = max(version, excluded.version),"
      "  last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen)),"
      "  last_active = max(coalesce(last_active, excluded.last_active),"
      "                    coalesce(excluded.last_active, last_active))",
  [STMT_LAST_SEEN] = "UPDATE presence SET"
                     "  last_seen = max(coalesce(last_seen, ?2), coalesce(?2, last_seen)),"
                     "  last_active = max(coalesce(last_active, ?3), coalesce(?3, last_active))"
                     " WHERE user_id = ?1",
};

typedef struct
{
  gint64 last_seen_ms;
  gint64 last_active_ms;
} QueuedSeen;

struct _BsStore
{
  sqlite3      *db;
  char         *path;
  sqlite3_stmt *stmts[N_STMTS];
  GHashTable   *queue; /* user id -> QueuedSeen */
};

/* A cached statement borrowed for one scope: reset and unbound when the scope ends, so it
 * never holds a read transaction open or leaks a binding into its next use. */
typedef sqlite3_stmt BsStmt;

static void
stmt_release (BsStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BsStmt, stmt_release)

/* Errors */

static gboolean
fail_sqlite (BsStore *store, int rc, GError **error, const char *what)
{
  int code = BS_STORE_ERROR_IO;

  switch (rc)
    {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: code = BS_STORE_ERROR_EXISTS; break;
    case SQLITE_CONSTRAINT_FOREIGNKEY: code = BS_STORE_ERROR_NOT_FOUND; break;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_TOOBIG: code = BS_STORE_ERROR_INVALID; break;
    default: break;
    }

  /* SQLite says "disk I/O error" for a full disk too (creating the WAL index, say): the
   * system's own reason tells the operator which. */
  if ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno (store->db) != 0)
    g_set_error (error, BS_STORE_ERROR, code, "%s: %s (%s)", what, sqlite3_errmsg (store->db),
                 g_strerror (sqlite3_system_errno (store->db)));
  else
    g_set_error (error, BS_STORE_ERROR, code, "%s: %s", what, sqlite3_errmsg (store->db));
  return FALSE;
}

static gboolean G_GNUC_PRINTF (3, 4)
    fail (GError **error, BsStoreError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (BS_STORE_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* Statements and transactions */

static sqlite3_stmt *
stmt_get (BsStore *store, StmtId id, GError **error)
{
  if (store->stmts[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (store->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &store->stmts[id], NULL);

      if (rc != SQLITE_OK)
        {
          fail_sqlite (store, rc, error, "Could not prepare a statement");
          return NULL;
        }
    }
  return store->stmts[id];
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  /* Binding fails only for out-of-memory (GLib aborts first) or a wrong index (a bug). */
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_time (sqlite3_stmt *stmt, int index, gint64 ms)
{
  if (ms >= 0)
    sqlite3_bind_int64 (stmt, index, ms);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gint64
column_time (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, column);
}

/* Steps a statement that returns no row. */
static gboolean
stmt_run (BsStore *store, sqlite3_stmt *stmt, GError **error, const char *what)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return fail_sqlite (store, rc, error, what);
  return TRUE;
}

/* Steps a query once: 1 for a row, 0 for none, -1 for an error. */
static int
stmt_row (BsStore *store, sqlite3_stmt *stmt, GError **error, const char *what)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  fail_sqlite (store, rc, error, what);
  return -1;
}

static gboolean
exec_cached (BsStore *store, StmtId id, GError **error, const char *what)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, id, error);

  return stmt != NULL && stmt_run (store, stmt, error, what);
}

static gboolean
tx_begin (BsStore *store, GError **error)
{
  return exec_cached (store, STMT_BEGIN, error, "Could not begin a transaction");
}

static void
tx_rollback (BsStore *store)
{
  g_autoptr (GError) error = NULL;

  if (sqlite3_get_autocommit (store->db))
    return; /* SQLite already rolled it back (some errors do) */
  if (!exec_cached (store, STMT_ROLLBACK, &error, "Could not roll back a transaction"))
    g_warning ("%s", error->message);
}

static gboolean
tx_commit (BsStore *store, GError **error)
{
  if (exec_cached (store, STMT_COMMIT, error, "Could not commit a transaction"))
    return TRUE;
  tx_rollback (store);
  return FALSE;
}

/* Validation */

static gboolean
text_is_clean (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_id (const char *id, const char *what, GError **error)
{
  if (id == NULL || id[0] == '\0')
    return fail (error, BS_STORE_ERROR_INVALID, "The %s is empty", what);
  if (strlen (id) > ID_MAX_BYTES)
    return fail (error, BS_STORE_ERROR_INVALID, "The %s is longer than %d bytes", what,
                 ID_MAX_BYTES);
  if (!text_is_clean (id))
    return fail (error, BS_STORE_ERROR_INVALID,
                 "The %s is not valid UTF-8 or has control characters", what);
  return TRUE;
}

static gboolean
check_role (const char *role, GError **error)
{
  if (g_strcmp0 (role, "CLIENT") == 0 || g_strcmp0 (role, "FREELANCER") == 0 ||
      g_strcmp0 (role, "ADMIN") == 0)
    return TRUE;
  return fail (error, BS_STORE_ERROR_INVALID, "The role “%s” is not CLIENT, FREELANCER or ADMIN",
               role != NULL ? role : "");
}

/* Lower-cased and trimmed, or NULL with an INVALID error. */
static char *
normalize_email (const char *email, GError **error)
{
  g_autofree char *trimmed = NULL;
  const char      *at;

  if (email == NULL || !g_utf8_validate (email, -1, NULL))
    {
      fail (error, BS_STORE_ERROR_INVALID, "The email address is missing or not valid UTF-8");
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (email));
  at = strchr (trimmed, '@');
  if (at == NULL || at == trimmed || at[1] == '\0')
    {
      fail (error, BS_STORE_ERROR_INVALID, "“%s” is not an email address", trimmed);
      return NULL;
    }
  if (strlen (trimmed) > EMAIL_MAX_BYTES)
    {
      fail (error, BS_STORE_ERROR_INVALID, "The email address is longer than %d bytes",
            EMAIL_MAX_BYTES);
      return NULL;
    }
  for (const char *p = trimmed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        {
          fail (error, BS_STORE_ERROR_INVALID,
                "The email address has spaces or control characters");
          return NULL;
        }
    }
  return g_utf8_strdown (trimmed, -1);
}

/* Trimmed name, or NULL with an INVALID error. */
static char *
normalize_name (const char *name, GError **error)
{
  g_autofree char *trimmed = NULL;

  if (name == NULL || !text_is_clean (name))
    {
      fail (error, BS_STORE_ERROR_INVALID,
            "The name is missing, not valid UTF-8 or has control characters");
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (name));
  if (trimmed[0] == '\0')
    {
      fail (error, BS_STORE_ERROR_INVALID, "The name is empty");
      return NULL;
    }
  if (g_utf8_strlen (trimmed, -1) > NAME_MAX_CHARS)
    {
      fail (error, BS_STORE_ERROR_INVALID, "The name is longer than %d characters", NAME_MAX_CHARS);
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

/* Trimmed headline, NULL for none; FALSE with an INVALID error. */
static gboolean
normalize_headline (const char *headline, char **out, GError **error)
{
  g_autofree char *trimmed = NULL;

  *out = NULL;
  if (headline == NULL)
    return TRUE;
  if (!text_is_clean (headline))
    return fail (error, BS_STORE_ERROR_INVALID,
                 "The headline is not valid UTF-8 or has control characters");
  trimmed = g_strstrip (g_strdup (headline));
  if (g_utf8_strlen (trimmed, -1) > HEADLINE_MAX_CHARS)
    return fail (error, BS_STORE_ERROR_INVALID, "The headline is longer than %d characters",
                 HEADLINE_MAX_CHARS);
  if (trimmed[0] != '\0')
    *out = g_steal_pointer (&trimmed);
  return TRUE;
}

static gboolean
check_password_hash (const char *hash, GError **error)
{
  if (hash == NULL)
    return TRUE;
  if (hash[0] == '\0' || strlen (hash) > PASSWORD_HASH_MAX || !text_is_clean (hash))
    return fail (error, BS_STORE_ERROR_INVALID, "The password hash is not a hash string");
  return TRUE;
}

/* Message ids are the decimal text of the messages table's INTEGER PRIMARY KEY; anything else
 * names no message (NOT_FOUND, as a REST route would answer it). */
static gboolean
parse_message_id (const char *id, gint64 *out, GError **error)
{
  guint64 value;

  if (id == NULL || !g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &value, NULL))
    return fail (error, BS_STORE_ERROR_NOT_FOUND, "No message has the id “%s”",
                 id != NULL ? id : "(null)");
  *out = (gint64) value;
  return TRUE;
}

static char *
generate_id (const char *prefix)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  guint8            bytes[GENERATED_ID_CHARS];
  GString          *id = g_string_new (prefix);

  G_STATIC_ASSERT (sizeof alphabet - 1 == 64); /* 256 % 64 == 0: every character equally likely */
  randombytes_buf (bytes, sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_c (id, alphabet[bytes[i] & 63]);
  return g_string_free (id, FALSE);
}

static gint64
wall_clock_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Opening and migrations */

static gboolean
exec_sql (BsStore *store, const char *sql, GError **error, const char *what)
{
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return fail_sqlite (store, rc, error, what);
  return TRUE;
}

static gboolean
migrate (BsStore *store, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  sqlite3_stmt      *stmt = NULL;
  gint64             version = 0;
  int                rc;

  /* One write transaction around reading the version and applying what is missing, so two
   * processes opening a new file at once (the server and an admin command) cannot both
   * migrate it. */
  if (!tx_begin (store, error))
    return FALSE;
  if (!exec_sql (store,
                 "CREATE TABLE IF NOT EXISTS schema_version ("
                 "  version INTEGER PRIMARY KEY NOT NULL,"
                 "  applied_at INTEGER NOT NULL)",
                 &local_error, "Could not create the schema_version table"))
    goto failed;

  rc = sqlite3_prepare_v2 (store->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_ROW)
    fail_sqlite (store, rc, &local_error, "Could not read the schema version");
  sqlite3_finalize (stmt);
  if (local_error != NULL)
    goto failed;

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      fail (&local_error, BS_STORE_ERROR_INVALID,
            "The database %s has schema version %" G_GINT64_FORMAT
            ", newer than this beacon-server knows (%u)",
            store->path, version, (guint) G_N_ELEMENTS (migrations));
      goto failed;
    }

  for (gint64 v = version + 1; v <= (gint64) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *record = NULL;
      g_autofree char *what =
          g_strdup_printf ("Could not migrate the database to version %" G_GINT64_FORMAT, v);

      g_debug ("Migrating %s to schema version %" G_GINT64_FORMAT, store->path, v);
      record = g_strdup_printf ("INSERT INTO schema_version (version, applied_at)"
                                " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                                v, wall_clock_ms ());
      if (!exec_sql (store, migrations[v - 1], &local_error, what) ||
          !exec_sql (store, record, &local_error, what))
        goto failed;
    }

  return tx_commit (store, error);

failed:
  tx_rollback (store);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

BsStore *
bs_store_open (const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  BsStore           *store;
  int                rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sodium_init () < 0) /* for randombytes_buf; idempotent */
    {
      fail (error, BS_STORE_ERROR_IO, "Could not initialize libsodium");
      return NULL;
    }

  store = g_new0 (BsStore, 1);
  store->path = g_strdup (path);
  store->queue = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  rc = sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      if (store->db != NULL)
        fail_sqlite (store, rc, &local_error, "Could not open the database");
      else
        fail (&local_error, BS_STORE_ERROR_IO, "Could not open the database %s: out of memory",
              path);
      goto failed;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);

  /* journal_mode=WAL answers "memory" for :memory: databases, which is fine. */
  if (!exec_sql (store,
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON;"
                 "PRAGMA cache_size = -16384;",
                 &local_error, "Could not set up the database") ||
      !migrate (store, &local_error))
    goto failed;

  g_debug ("Opened the database %s", path);
  return store;

failed:
  g_prefix_error (&local_error, "%s: ", path);
  g_propagate_error (error, g_steal_pointer (&local_error));
  bs_store_close (store);
  return NULL;
}

void
bs_store_close (BsStore *store)
{
  if (store == NULL)
    return;

  if (store->db != NULL && g_hash_table_size (store->queue) > 0)
    {
      g_autoptr (GError) error = NULL;

      if (!bs_store_flush (store, &error))
        g_warning ("Lost %u last_seen updates on close: %s", g_hash_table_size (store->queue),
                   error->message);
    }

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&store->stmts[i], sqlite3_finalize);
  if (store->db != NULL && sqlite3_close (store->db) != SQLITE_OK)
    g_warning ("Could not close the database %s: %s", store->path, sqlite3_errmsg (store->db));
  g_clear_pointer (&store->queue, g_hash_table_unref);
  g_free (store->path);
  g_free (store);
}

/* Users */

static BsUser *
user_from_row (sqlite3_stmt *stmt)
{
  BsUser *user = g_new0 (BsUser, 1);

  user->id = column_text (stmt, 0);
  user->email = column_text (stmt, 1);
  user->name = column_text (stmt, 2);
  user->role = column_text (stmt, 3);
  user->headline = column_text (stmt, 4);
  user->password_hash = column_text (stmt, 5);
  user->created_at_ms = sqlite3_column_int64 (stmt, 6);
  return user;
}

/* 1: exists, 0: does not, -1: error */
static int
row_exists (BsStore *store, StmtId id, const char *key, GError **error)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, id, error);

  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, key);
  return stmt_row (store, stmt, error, "Could not look up a user");
}

static gboolean
check_user_exists (BsStore *store, const char *id, GError **error)
{
  int found = row_exists (store, STMT_USER_EXISTS, id, error);

  if (found == 0)
    return fail (error, BS_STORE_ERROR_NOT_FOUND, "No user has the id “%s”", id);
  return found == 1;
}

/* Inserts a user and its presence row; the caller holds a transaction. */
static BsUser *
user_insert (BsStore *store, const BsUser *tmpl, GError **error)
{
  g_autoptr (BsUser) user = g_new0 (BsUser, 1);
  g_autoptr (BsStmt) stmt = NULL;
  g_autoptr (BsStmt) presence = NULL;
  int                found;

  if ((tmpl->id != NULL && !check_id (tmpl->id, "user id", error)) ||
      !check_role (tmpl->role, error) || !check_password_hash (tmpl->password_hash, error))
    return NULL;
  if ((user->email = normalize_email (tmpl->email, error)) == NULL ||
      (user->name = normalize_name (tmpl->name, error)) == NULL ||
      !normalize_headline (tmpl->headline, &user->headline, error))
    return NULL;
  user->role = g_strdup (tmpl->role);
  user->password_hash = g_strdup (tmpl->password_hash);
  user->created_at_ms = tmpl->created_at_ms > 0 ? tmpl->created_at_ms : wall_clock_ms ();

  /* Checked first for a clear message; the UNIQUE constraints still back it. */
  found = row_exists (store, STMT_EMAIL_EXISTS, user->email, error);
  if (found != 0)
    {
      if (found == 1)
        fail (error, BS_STORE_ERROR_EXISTS, "A user with the email address %s already exists",
              user->email);
      return NULL;
    }
  if (tmpl->id != NULL)
    user->id = g_strdup (tmpl->id);
  for (guint attempt = 0; user->id == NULL; attempt++)
    {
      g_autofree char *id = generate_id ("u_");

      if ((found = row_exists (store, STMT_USER_EXISTS, id, error)) < 0)
        return NULL;
      if (found == 0)
        user->id = g_steal_pointer (&id);
      else if (attempt >= 8)
        {
          fail (error, BS_STORE_ERROR_IO, "Could not generate a free user id");
          return NULL;
        }
    }
  if (tmpl->id != NULL)
    {
      if ((found = row_exists (store, STMT_USER_EXISTS, user->id, error)) < 0)
        return NULL;
      if (found == 1)
        {
          fail (error, BS_STORE_ERROR_EXISTS, "A user with the id “%s” already exists", user->id);
          return NULL;
        }
    }

  if ((stmt = stmt_get (store, STMT_USER_INSERT, error)) == NULL)
    return NULL;
  bind_text (stmt, 1, user->id);
  bind_text (stmt, 2, user->email);
  bind_text (stmt, 3, user->name);
  bind_text (stmt, 4, user->role);
  bind_text (stmt, 5, user->headline);
  bind_text (stmt, 6, user->password_hash);
  sqlite3_bind_int64 (stmt, 7, user->created_at_ms);
  if (!stmt_run (store, stmt, error, "Could not add the user"))
    return NULL;

  if ((presence = stmt_get (store, STMT_PRESENCE_INSERT, error)) == NULL)
    return NULL;
  bind_text (presence, 1, user->id);
  if (!stmt_run (store, presence, error, "Could not add the user's presence row"))
    return NULL;

  return g_steal_pointer (&user);
}

gboolean
bs_store_user_validate (const BsUser *user, GError **error)
{
  g_autofree char *email = NULL;
  g_autofree char *name = NULL;
  g_autofree char *headline = NULL;

  g_return_val_if_fail (user != NULL, FALSE);

  return (user->id == NULL || check_id (user->id, "user id", error)) &&
         check_role (user->role, error) && check_password_hash (user->password_hash, error) &&
         (email = normalize_email (user->email, error)) != NULL &&
         (name = normalize_name (user->name, error)) != NULL &&
         normalize_headline (user->headline, &headline, error);
}

BsUser *
bs_store_user_add_full (BsStore *store, const BsUser *user, GError **error)
{
  BsUser *added;

  g_return_val_if_fail (store != NULL && user != NULL, NULL);

  if (!tx_begin (store, error))
    return NULL;
  if ((added = user_insert (store, user, error)) == NULL)
    {
      tx_rollback (store);
      return NULL;
    }
  if (!tx_commit (store, error))
    {
      bs_user_free (added);
      return NULL;
    }
  g_debug ("Added user %s (%s)", added->id, added->role);
  return added;
}

BsUser *
bs_store_user_add (BsStore    *store,
                   const char *id,
                   const char *email,
                   const char *name,
                   const char *role,
                   const char *password_hash,
                   GError    **error)
{
  BsUser tmpl = {
    .id = (char *) id,
    .email = (char *) email,
    .name = (char *) name,
    .role = (char *) role,
    .password_hash = (char *) password_hash,
  };

  return bs_store_user_add_full (store, &tmpl, error);
}

static gboolean
user_update (BsStore    *store,
             StmtId      id,
             const char *user_id,
             const char *value,
             const char *what,
             GError    **error)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, id, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user_id);
  bind_text (stmt, 2, value);
  if (!stmt_run (store, stmt, error, what))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    return fail (error, BS_STORE_ERROR_NOT_FOUND, "No user has the id “%s”", user_id);
  return TRUE;
}

gboolean
bs_store_user_set_password_hash (BsStore    *store,
                                 const char *user_id,
                                 const char *hash,
                                 GError    **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_id (user_id, "user id", error) || !check_password_hash (hash, error))
    return FALSE;
  return user_update (store, STMT_USER_SET_HASH, user_id, hash, "Could not set the password",
                      error);
}

gboolean
bs_store_user_set_headline (BsStore    *store,
                            const char *user_id,
                            const char *headline,
                            GError    **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_id (user_id, "user id", error) || !normalize_headline (headline, &normalized, error))
    return FALSE;
  return user_update (store, STMT_USER_SET_HEADLINE, user_id, normalized,
                      "Could not set the headline", error);
}

gboolean
bs_store_user_remove (BsStore *store, const char *user_id, GError **error)
{
  g_autoptr (BsStmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!check_id (user_id, "user id", error))
    return FALSE;
  if ((stmt = stmt_get (store, STMT_USER_DELETE, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, user_id);
  /* One statement: the foreign keys' ON DELETE CASCADE removes the rest atomically. */
  if (!stmt_run (store, stmt, error, "Could not remove the user"))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    return fail (error, BS_STORE_ERROR_NOT_FOUND, "No user has the id “%s”", user_id);
  g_hash_table_remove (store->queue, user_id);
  return TRUE;
}

static BsUser *
user_lookup (BsStore *store, StmtId id, const char *key, GError **error)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, id, error);
  int                found;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  found = stmt_row (store, stmt, error, "Could not look up a user");
  if (found == 1)
    return user_from_row (stmt);
  if (found == 0)
    fail (error, BS_STORE_ERROR_NOT_FOUND, "No user has the %s “%s”",
          id == STMT_USER_BY_ID ? "id" : "email address", key);
  return NULL;
}

BsUser *
bs_store_user_by_id (BsStore *store, const char *id, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  if (id == NULL)
    {
      fail (error, BS_STORE_ERROR_INVALID, "No user id given");
      return NULL;
    }
  return user_lookup (store, STMT_USER_BY_ID, id, error);
}

BsUser *
bs_store_user_by_email (BsStore *store, const char *email, GError **error)
{
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  if ((normalized = normalize_email (email, error)) == NULL)
    return NULL;
  return user_lookup (store, STMT_USER_BY_EMAIL, normalized, error);
}

GPtrArray *
bs_store_users (BsStore *store, GError **error)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) bs_user_free);
  g_autoptr (BsStmt)    stmt = NULL;
  int                   found;

  g_return_val_if_fail (store != NULL, NULL);

  if ((stmt = stmt_get (store, STMT_USERS, error)) == NULL)
    return NULL;
  while ((found = stmt_row (store, stmt, error, "Could not list the users")) == 1)
    g_ptr_array_add (users, user_from_row (stmt));
  return found == 0 ? g_steal_pointer (&users) : NULL;
}

/* Friendships */

static gboolean
friend_pair (const char *a, const char *b, const char **lo, const char **hi, GError **error)
{
  if (!check_id (a, "user id", error) || !check_id (b, "user id", error))
    return FALSE;
  if (strcmp (a, b) == 0)
    return fail (error, BS_STORE_ERROR_INVALID, "A user cannot be their own friend");
  *lo = strcmp (a, b) < 0 ? a : b;
  *hi = strcmp (a, b) < 0 ? b : a;
  return TRUE;
}

/* The caller holds a transaction, or this is the only write. */
static gboolean
friend_insert (BsStore *store, const char *a, const char *b, gboolean *changed, GError **error)
{
  g_autoptr (BsStmt) stmt = NULL;
  const char        *lo, *hi;
  int                rc;

  if (!friend_pair (a, b, &lo, &hi, error))
    return FALSE;
  if ((stmt = stmt_get (store, STMT_FRIEND_INSERT, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, lo);
  bind_text (stmt, 2, hi);
  /* The foreign keys find unknown users (OR IGNORE does not cover them); only then is it
   * worth two more lookups to say which one (an import checks 200,000 friendships). */
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      if (!check_user_exists (store, lo, error) || !check_user_exists (store, hi, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return fail_sqlite (store, rc, error, "Could not add the friendship");
  *changed = sqlite3_changes (store->db) > 0;
  return TRUE;
}

gboolean
bs_store_friend_add (
    BsStore *store, const char *a, const char *b, gboolean *changed, GError **error)
{
  gboolean added = FALSE;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!friend_insert (store, a, b, &added, error))
    return FALSE;
  if (changed != NULL)
    *changed = added;
  return TRUE;
}

gboolean
bs_store_friend_remove (
    BsStore *store, const char *a, const char *b, gboolean *changed, GError **error)
{
  g_autoptr (BsStmt) stmt = NULL;
  const char        *lo, *hi;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!friend_pair (a, b, &lo, &hi, error))
    return FALSE;
  if ((stmt = stmt_get (store, STMT_FRIEND_DELETE, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, lo);
  bind_text (stmt, 2, hi);
  if (!stmt_run (store, stmt, error, "Could not remove the friendship"))
    return FALSE;
  if (changed != NULL)
    *changed = sqlite3_changes (store->db) > 0;
  return TRUE;
}

static GPtrArray *
id_pairs (BsStore *store, StmtId id, const char *what, GError **error)
{
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BsStmt)    stmt = stmt_get (store, id, error);
  int                   found;

  if (stmt == NULL)
    return NULL;
  while ((found = stmt_row (store, stmt, error, what)) == 1)
    {
      g_ptr_array_add (pairs, column_text (stmt, 0));
      g_ptr_array_add (pairs, column_text (stmt, 1));
    }
  return found == 0 ? g_steal_pointer (&pairs) : NULL;
}

GPtrArray *
bs_store_friendships (BsStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  return id_pairs (store, STMT_FRIENDSHIPS, "Could not list the friendships", error);
}

/* Conversations */

static BsConversation *
conversation_from_row (sqlite3_stmt *stmt)
{
  BsConversation *conversation = g_new0 (BsConversation, 1);

  conversation->id = column_text (stmt, 0);
  conversation->user_a = column_text (stmt, 1);
  conversation->user_b = column_text (stmt, 2);
  return conversation;
}

/* 1: found (in *out), 0: none, -1: error */
static int
conversation_lookup (BsStore         *store,
                     StmtId           id,
                     const char      *key1,
                     const char      *key2,
                     BsConversation **out,
                     GError         **error)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, id, error);
  int                found;

  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, key1);
  if (key2 != NULL)
    bind_text (stmt, 2, key2);
  found = stmt_row (store, stmt, error, "Could not look up a conversation");
  if (found == 1)
    *out = conversation_from_row (stmt);
  return found;
}

BsConversation *
bs_store_conversation_by_id (BsStore *store, const char *id, GError **error)
{
  BsConversation *conversation = NULL;
  int             found;

  g_return_val_if_fail (store != NULL, NULL);

  if (id == NULL)
    {
      fail (error, BS_STORE_ERROR_INVALID, "No conversation id given");
      return NULL;
    }
  found = conversation_lookup (store, STMT_CONV_BY_ID, id, NULL, &conversation, error);
  if (found == 0)
    fail (error, BS_STORE_ERROR_NOT_FOUND, "No conversation has the id “%s”", id);
  return conversation;
}

static BsConversation *
conversation_get_or_insert (BsStore *store, const char *lo, const char *hi, GError **error)
{
  g_autoptr (BsStmt) stmt = NULL;
  g_autofree char   *id = NULL;
  BsConversation    *conversation = NULL;
  int                found;

  found = conversation_lookup (store, STMT_CONV_BY_PAIR, lo, hi, &conversation, error);
  if (found != 0)
    return conversation;

  if (!check_user_exists (store, lo, error) || !check_user_exists (store, hi, error))
    return NULL;
  if ((stmt = stmt_get (store, STMT_CONV_INSERT, error)) == NULL)
    return NULL;
  id = generate_id ("c_");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, lo);
  bind_text (stmt, 3, hi);
  sqlite3_bind_int64 (stmt, 4, wall_clock_ms ());
  if (!stmt_run (store, stmt, error, "Could not add the conversation"))
    return NULL;

  conversation = g_new0 (BsConversation, 1);
  conversation->id = g_steal_pointer (&id);
  conversation->user_a = g_strdup (lo);
  conversation->user_b = g_strdup (hi);
  return conversation;
}

BsConversation *
bs_store_conversation_get_or_create (BsStore    *store,
                                     const char *user_id,
                                     const char *partner_id,
                                     GError    **error)
{
  BsConversation *conversation;
  const char     *lo, *hi;

  g_return_val_if_fail (store != NULL, NULL);

  if (!check_id (user_id, "user id", error) || !check_id (partner_id, "partner id", error))
    return NULL;
  if (strcmp (user_id, partner_id) == 0)
    {
      fail (error, BS_STORE_ERROR_INVALID, "A conversation needs two different users");
      return NULL;
    }
  lo = strcmp (user_id, partner_id) < 0 ? user_id : partner_id;
  hi = lo == user_id ? partner_id : user_id;

  if (!tx_begin (store, error))
    return NULL;
  if ((conversation = conversation_get_or_insert (store, lo, hi, error)) == NULL)
    {
      tx_rollback (store);
      return NULL;
    }
  if (!tx_commit (store, error))
    {
      bs_conversation_free (conversation);
      return NULL;
    }
  return conversation;
}

static BsMessage *
message_from_columns (sqlite3_stmt *stmt, int first, const char *conversation_id)
{
  BsMessage *message = g_new0 (BsMessage, 1);

  message->id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, first));
  message->conversation_id = g_strdup (conversation_id);
  message->sender_id = column_text (stmt, first + 1);
  message->content = column_text (stmt, first + 2);
  message->created_at_ms = sqlite3_column_int64 (stmt, first + 3);
  message->read_at_ms = column_time (stmt, first + 4);
  return message;
}

GPtrArray *
bs_store_conversations_for (BsStore *store, const char *user_id, GError **error)
{
  g_autoptr (GPtrArray) conversations =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bs_conversation_free);
  g_autoptr (BsStmt) stmt = NULL;
  int                found;

  g_return_val_if_fail (store != NULL, NULL);

  if (!check_id (user_id, "user id", error))
    return NULL;
  if ((stmt = stmt_get (store, STMT_CONVS_FOR, error)) == NULL)
    return NULL;
  bind_text (stmt, 1, user_id);
  while ((found = stmt_row (store, stmt, error, "Could not list the conversations")) == 1)
    {
      BsConversation *conversation = conversation_from_row (stmt);

      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        conversation->last_message = message_from_columns (stmt, 3, conversation->id);
      conversation->unread_count = (guint) sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (conversations, conversation);
    }
  return found == 0 ? g_steal_pointer (&conversations) : NULL;
}

GPtrArray *
bs_store_conversation_pairs (BsStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  return id_pairs (store, STMT_CONV_PAIRS, "Could not list the conversations", error);
}

/* Messages */

BsMessage *
bs_store_message_add (BsStore    *store,
                      const char *conversation_id,
                      const char *sender_id,
                      const char *content,
                      gint64      created_at_ms,
                      gboolean    read,
                      GError    **error)
{
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (BsStmt)         stmt = NULL;
  BsMessage                 *message;

  g_return_val_if_fail (store != NULL, NULL);

  if (content == NULL || !g_utf8_validate (content, -1, NULL))
    {
      fail (error, BS_STORE_ERROR_INVALID, "The message content is missing or not valid UTF-8");
      return NULL;
    }
  if ((conversation = bs_store_conversation_by_id (store, conversation_id, error)) == NULL)
    return NULL;
  if (g_strcmp0 (sender_id, conversation->user_a) != 0 &&
      g_strcmp0 (sender_id, conversation->user_b) != 0)
    {
      fail (error, BS_STORE_ERROR_INVALID, "“%s” is not in the conversation %s",
            sender_id != NULL ? sender_id : "(null)", conversation_id);
      return NULL;
    }

  if ((stmt = stmt_get (store, STMT_MESSAGE_INSERT, error)) == NULL)
    return NULL;
  bind_text (stmt, 1, conversation_id);
  bind_text (stmt, 2, sender_id);
  bind_text (stmt, 3, content);
  sqlite3_bind_int64 (stmt, 4, created_at_ms);
  bind_time (stmt, 5, read ? created_at_ms : -1);
  if (!stmt_run (store, stmt, error, "Could not add the message"))
    return NULL;

  message = g_new0 (BsMessage, 1);
  message->id =
      g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_last_insert_rowid (store->db));
  message->conversation_id = g_strdup (conversation_id);
  message->sender_id = g_strdup (sender_id);
  message->content = g_strdup (content);
  message->created_at_ms = created_at_ms;
  message->read_at_ms = read ? created_at_ms : -1;
  return message;
}

GPtrArray *
bs_store_messages (
    BsStore *store, const char *conversation_id, const char *before_id, guint limit, GError **error)
{
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (GPtrArray)      messages =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bs_message_free);
  g_autoptr (BsStmt) stmt = NULL;
  gint64             before = G_MAXINT64;
  int                found;

  g_return_val_if_fail (store != NULL, NULL);

  if (before_id != NULL && !parse_message_id (before_id, &before, error))
    return NULL;
  if ((conversation = bs_store_conversation_by_id (store, conversation_id, error)) == NULL)
    return NULL;
  if ((stmt = stmt_get (store, STMT_MESSAGES, error)) == NULL)
    return NULL;
  bind_text (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, before);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((found = stmt_row (store, stmt, error, "Could not list the messages")) == 1)
    g_ptr_array_add (messages, message_from_columns (stmt, 0, conversation_id));
  return found == 0 ? g_steal_pointer (&messages) : NULL;
}

gboolean
bs_store_mark_read (BsStore    *store,
                    const char *conversation_id,
                    const char *reader_id,
                    const char *up_to_id,
                    gint64      now_ms,
                    guint      *n_marked,
                    GError    **error)
{
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (BsStmt)         stmt = NULL;
  gint64                     up_to = G_MAXINT64;

  g_return_val_if_fail (store != NULL, FALSE);

  if (n_marked != NULL)
    *n_marked = 0;
  if (up_to_id != NULL && !parse_message_id (up_to_id, &up_to, error))
    return FALSE;
  if (!check_id (reader_id, "reader id", error))
    return FALSE;
  if ((conversation = bs_store_conversation_by_id (store, conversation_id, error)) == NULL)
    return FALSE;
  if ((stmt = stmt_get (store, STMT_MARK_READ, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, conversation_id);
  bind_text (stmt, 2, reader_id);
  sqlite3_bind_int64 (stmt, 3, up_to);
  sqlite3_bind_int64 (stmt, 4, now_ms);
  if (!stmt_run (store, stmt, error, "Could not mark messages read"))
    return FALSE;
  if (n_marked != NULL)
    *n_marked = (guint) sqlite3_changes (store->db);
  return TRUE;
}

/* Presence */

static void
queue_merge (QueuedSeen *into, gint64 last_seen_ms, gint64 last_active_ms)
{
  into->last_seen_ms = MAX (into->last_seen_ms, last_seen_ms);
  into->last_active_ms = MAX (into->last_active_ms, last_active_ms);
}

GPtrArray *
bs_store_presence_rows (BsStore *store, GError **error)
{
  g_autoptr (GPtrArray) rows =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bs_presence_row_free);
  g_autoptr (BsStmt) stmt = NULL;
  int                found;

  g_return_val_if_fail (store != NULL, NULL);

  if ((stmt = stmt_get (store, STMT_PRESENCE_ROWS, error)) == NULL)
    return NULL;
  while ((found = stmt_row (store, stmt, error, "Could not read the presence rows")) == 1)
    {
      BsPresenceRow *row = g_new0 (BsPresenceRow, 1);
      QueuedSeen    *queued;

      row->user_id = column_text (stmt, 0);
      row->chosen_status = column_text (stmt, 1);
      row->custom_message = column_text (stmt, 2);
      row->last_seen_ms = column_time (stmt, 3);
      row->last_active_ms = column_time (stmt, 4);
      row->show_online_status = sqlite3_column_int64 (stmt, 5) != 0;
      row->show_last_seen = column_text (stmt, 6);
      row->version = sqlite3_column_int64 (stmt, 7);

      /* What is queued and not yet written is newer than the row. */
      if ((queued = g_hash_table_lookup (store->queue, row->user_id)) != NULL)
        {
          row->last_seen_ms = MAX (row->last_seen_ms, queued->last_seen_ms);
          row->last_active_ms = MAX (row->last_active_ms, queued->last_active_ms);
        }
      g_ptr_array_add (rows, row);
    }
  return found == 0 ? g_steal_pointer (&rows) : NULL;
}

gboolean
bs_store_presence_save (BsStore *store, const BsPresenceRow *row, GError **error)
{
  g_autoptr (BsStmt) stmt = NULL;
  g_autofree char   *what = NULL;
  const char        *status;
  const char        *show_last_seen;

  g_return_val_if_fail (store != NULL && row != NULL, FALSE);

  status = row->chosen_status != NULL ? row->chosen_status : "online";
  show_last_seen = row->show_last_seen != NULL ? row->show_last_seen : "everyone";
  if (!check_id (row->user_id, "user id", error))
    return FALSE;
  if (!g_str_equal (status, "online") && !g_str_equal (status, "away") &&
      !g_str_equal (status, "busy") && !g_str_equal (status, "invisible"))
    return fail (error, BS_STORE_ERROR_INVALID, "“%s” is not a status", status);
  if (!g_str_equal (show_last_seen, "everyone") && !g_str_equal (show_last_seen, "contacts") &&
      !g_str_equal (show_last_seen, "nobody"))
    return fail (error, BS_STORE_ERROR_INVALID, "“%s” is not a show_last_seen setting",
                 show_last_seen);
  if (row->custom_message != NULL && (!text_is_clean (row->custom_message) ||
                                      g_utf8_strlen (row->custom_message, -1) > CUSTOM_MESSAGE_MAX))
    return fail (error, BS_STORE_ERROR_INVALID,
                 "The custom message is longer than %d characters or has control characters",
                 CUSTOM_MESSAGE_MAX);

  if ((stmt = stmt_get (store, STMT_PRESENCE_SAVE, error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, row->user_id);
  bind_text (stmt, 2, status);
  bind_text (stmt, 3, row->custom_message);
  sqlite3_bind_int (stmt, 4, row->show_online_status ? 1 : 0);
  bind_text (stmt, 5, show_last_seen);
  sqlite3_bind_int64 (stmt, 6, MAX (row->version, 0));
  bind_time (stmt, 7, row->last_seen_ms);
  bind_time (stmt, 8, row->last_active_ms);
  what = g_strdup_printf ("Could not save the presence of %s", row->user_id);
  return stmt_run (store, stmt, error, what);
}

void
bs_store_queue_last_seen (BsStore    *store,
                          const char *user_id,
                          gint64      last_seen_ms,
                          gint64      last_active_ms)
{
  QueuedSeen *queued;

  g_return_if_fail (store != NULL && user_id != NULL);

  if (last_seen_ms < 0 && last_active_ms < 0)
    return;
  if ((queued = g_hash_table_lookup (store->queue, user_id)) == NULL)
    {
      queued = g_new (QueuedSeen, 1);
      queued->last_seen_ms = -1;
      queued->last_active_ms = -1;
      g_hash_table_insert (store->queue, g_strdup (user_id), queued);
    }
  queue_merge (queued, last_seen_ms, last_active_ms);
}

guint
bs_store_queued_count (BsStore *store)
{
  g_return_val_if_fail (store != NULL, 0);

  return g_hash_table_size (store->queue);
}

static gboolean
write_queue (BsStore *store, GHashTable *queue, GError **error)
{
  g_autoptr (BsStmt) stmt = stmt_get (store, STMT_LAST_SEEN, error);
  GHashTableIter     iter;
  gpointer           key, value;

  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, queue);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const QueuedSeen *queued = value;

      bind_text (stmt, 1, key);
      bind_time (stmt, 2, queued->last_seen_ms);
      bind_time (stmt, 3, queued->last_active_ms);
      if (!stmt_run (store, stmt, error, "Could not write last_seen"))
        return FALSE;
      sqlite3_reset (stmt);
    }
  return TRUE;
}

gboolean
bs_store_flush (BsStore *store, GError **error)
{
  guint n;

  g_return_val_if_fail (store != NULL, FALSE);

  if ((n = g_hash_table_size (store->queue)) == 0)
    return TRUE;
  if (!tx_begin (store, error))
    return FALSE;
  if (!write_queue (store, store->queue, error))
    {
      tx_rollback (store);
      return FALSE;
    }
  if (!tx_commit (store, error))
    return FALSE;
  g_hash_table_remove_all (store->queue);
  g_debug ("Wrote %u last_seen updates", n);
  return TRUE;
}

GHashTable *
bs_store_take_last_seen (BsStore *store)
{
  GHashTable *taken;

  g_return_val_if_fail (store != NULL, NULL);

  if (g_hash_table_size (store->queue) == 0)
    return NULL;
  taken = g_steal_pointer (&store->queue);
  store->queue = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return taken;
}

gboolean
bs_store_write_last_seen (BsStore *store, GHashTable *queue, GError **error)
{
  g_return_val_if_fail (store != NULL && queue != NULL, FALSE);

  return write_queue (store, queue, error);
}

void
bs_store_requeue_last_seen (BsStore *store, GHashTable *queue)
{
  GHashTableIter iter;
  gpointer       key, value;

  g_return_if_fail (store != NULL && queue != NULL);

  g_hash_table_iter_init (&iter, queue);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const QueuedSeen *queued = value;

      bs_store_queue_last_seen (store, key, queued->last_seen_ms, queued->last_active_ms);
    }
}

gboolean
bs_store_begin (BsStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  return tx_begin (store, error);
}

gboolean
bs_store_commit (BsStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  return tx_commit (store, error);
}

/* Import */

typedef struct
{
  BsUser      tmpl;     /* strings borrowed from the JSON tree, except id and hash */
  char       *owned_id; /* the id's text when it was a JSON number */
  const char *password; /* borrowed; NULL for none */
} ImportUser;

static void
import_user_clear (ImportUser *user)
{
  g_free (user->owned_id);
  g_free (user->tmpl.password_hash);
}

/* An id from the file: a non-empty string, or an integer kept as its decimal text. */
static gboolean
import_id (JsonNode *node, const char **borrowed, char **owned, GError **error)
{
  *borrowed = NULL;
  *owned = NULL;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        {
          *borrowed = json_node_get_string (node);
          return check_id (*borrowed, "id", error);
        }
      if (type == G_TYPE_INT64)
        {
          *owned = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          *borrowed = *owned;
          return TRUE;
        }
    }
  return fail (error, BS_STORE_ERROR_INVALID, "The id is not a string or an integer");
}

/* An optional string member: NULL when missing or null. */
static gboolean
import_string (JsonObject *object, const char *member, const char **out, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  return fail (error, BS_STORE_ERROR_INVALID, "“%s” is not a string", member);
}

static gboolean
import_read_user (JsonNode *node, ImportUser *user, GError **error)
{
  JsonObject *object;
  const char *role;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, BS_STORE_ERROR_INVALID, "Not an object");
  object = json_node_get_object (node);

  if (json_object_has_member (object, "id"))
    {
      const char *id;

      if (!import_id (json_object_get_member (object, "id"), &id, &user->owned_id, error))
        return FALSE;
      user->tmpl.id = (char *) id;
    }
  if (!import_string (object, "email", (const char **) &user->tmpl.email, error) ||
      !import_string (object, "name", (const char **) &user->tmpl.name, error) ||
      !import_string (object, "role", &role, error) ||
      !import_string (object, "headline", (const char **) &user->tmpl.headline, error) ||
      !import_string (object, "password", &user->password, error))
    return FALSE;
  user->tmpl.role = (char *) role;

  /* Checked now so that a bad file fails before any slow password hashing (user_insert
   * checks everything again). */
  if (user->password != NULL && user->password[0] == '\0')
    return fail (error, BS_STORE_ERROR_INVALID, "The password is empty");
  return bs_store_user_validate (&user->tmpl, error);
}

static void
hash_one (gpointer data, gpointer user_data)
{
  ImportUser *user = data;

  user->tmpl.password_hash = bs_password_hash (user->password);
}

/* Hashes every password, on several threads: argon2id is slow on purpose. */
static gboolean
import_hash_passwords (ImportUser *users, guint n_users, GError **error)
{
  g_autoptr (GPtrArray) todo = g_ptr_array_new ();

  for (guint i = 0; i < n_users; i++)
    {
      if (users[i].password != NULL)
        g_ptr_array_add (todo, &users[i]);
    }
  if (todo->len == 0)
    return TRUE;
  if (!bs_password_init ())
    return fail (error, BS_STORE_ERROR_IO, "Could not initialize libsodium");

  if (todo->len == 1)
    hash_one (todo->pdata[0], NULL);
  else
    {
      /* At most 4 threads: each argon2id hash holds 64 MiB at interactive limits. */
      int          n_threads = CLAMP ((int) g_get_num_processors (), 1, 4);
      GThreadPool *pool = g_thread_pool_new (hash_one, NULL, n_threads, FALSE, NULL);

      for (guint i = 0; i < todo->len; i++)
        g_thread_pool_push (pool, todo->pdata[i], NULL);
      g_thread_pool_free (pool, FALSE, TRUE);
    }

  for (guint i = 0; i < todo->len; i++)
    {
      if (((ImportUser *) todo->pdata[i])->tmpl.password_hash == NULL)
        return fail (error, BS_STORE_ERROR_IO, "Could not hash a password: out of memory");
    }
  return TRUE;
}

static gboolean
import_write (BsStore    *store,
              ImportUser *users,
              guint       n_users,
              JsonArray  *friendships,
              guint      *n_friendships,
              GError    **error)
{
  guint n_friends = friendships != NULL ? json_array_get_length (friendships) : 0;

  for (guint i = 0; i < n_users; i++)
    {
      g_autoptr (BsUser) added = user_insert (store, &users[i].tmpl, error);

      if (added == NULL)
        {
          g_prefix_error (error, "users[%u]: ", i);
          return FALSE;
        }
    }

  *n_friendships = 0;
  for (guint i = 0; i < n_friends; i++)
    {
      JsonNode        *node = json_array_get_element (friendships, i);
      g_autofree char *owned_a = NULL;
      g_autofree char *owned_b = NULL;
      const char      *a, *b;
      gboolean         added = FALSE;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) != 2)
        {
          fail (error, BS_STORE_ERROR_INVALID, "friendships[%u]: not a pair [ID, ID]", i);
          return FALSE;
        }
      if (!import_id (json_array_get_element (json_node_get_array (node), 0), &a, &owned_a,
                      error) ||
          !import_id (json_array_get_element (json_node_get_array (node), 1), &b, &owned_b,
                      error) ||
          !friend_insert (store, a, b, &added, error))
        {
          g_prefix_error (error, "friendships[%u]: ", i);
          return FALSE;
        }
      if (added)
        (*n_friendships)++;
    }
  return TRUE;
}

gboolean
bs_store_import_json (BsStore    *store,
                      const char *json_text,
                      gsize       len,
                      guint      *n_users,
                      guint      *n_friendships,
                      GError    **error)
{
  g_autoptr (GError)   local_error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GArray)   users = g_array_new (FALSE, TRUE, sizeof (ImportUser));
  JsonObject          *object;
  JsonArray           *user_array = NULL;
  JsonArray           *friendships = NULL;
  JsonNode            *member;
  guint                added_friendships = 0;
  gint64               start = g_get_monotonic_time ();

  g_return_val_if_fail (store != NULL && json_text != NULL, FALSE);

  g_array_set_clear_func (users, (GDestroyNotify) import_user_clear);

  if ((root = beacon_json_parse (json_text, len, &local_error)) == NULL)
    return fail (error, BS_STORE_ERROR_INVALID, "Not a JSON document: %s", local_error->message);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail (error, BS_STORE_ERROR_INVALID, "The import is not a JSON object");
  object = json_node_get_object (root);

  if ((member = json_object_get_member (object, "users")) != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (member))
        return fail (error, BS_STORE_ERROR_INVALID, "“users” is not an array");
      user_array = json_node_get_array (member);
    }
  if ((member = json_object_get_member (object, "friendships")) != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (member))
        return fail (error, BS_STORE_ERROR_INVALID, "“friendships” is not an array");
      friendships = json_node_get_array (member);
    }

  if (user_array != NULL)
    g_array_set_size (users, json_array_get_length (user_array));
  for (guint i = 0; i < users->len; i++)
    {
      if (!import_read_user (json_array_get_element (user_array, i),
                             &g_array_index (users, ImportUser, i), error))
        {
          g_prefix_error (error, "users[%u]: ", i);
          return FALSE;
        }
    }

  if (!import_hash_passwords ((ImportUser *) (void *) users->data, users->len, error))
    return FALSE;

  if (!tx_begin (store, error))
    return FALSE;
  if (!import_write (store, (ImportUser *) (void *) users->data, users->len, friendships,
                     &added_friendships, error))
    {
      tx_rollback (store);
      return FALSE;
    }
  if (!tx_commit (store, error))
    return FALSE;

  g_debug ("Imported %u users and %u friendships in %.2f s", users->len, added_friendships,
           (g_get_monotonic_time () - start) / 1e6);
  if (n_users != NULL)
    *n_users = users->len;
  if (n_friendships != NULL)
    *n_friendships = added_friendships;
  return TRUE;
}

/* Test hooks (bs-store-private.h) */

gboolean
bs_store_exec (BsStore *store, const char *sql, GError **error)
{
  g_return_val_if_fail (store != NULL && sql != NULL, FALSE);

  return exec_sql (store, sql, error, "Could not run SQL");
}

/* Freeing */

void
bs_user_free (BsUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->email);
  g_free (user->name);
  g_free (user->role);
  g_free (user->headline);
  g_free (user->password_hash);
  g_free (user);
}

void
bs_presence_row_free (BsPresenceRow *row)
{
  if (row == NULL)
    return;
  g_free (row->user_id);
  g_free (row->chosen_status);
  g_free (row->custom_message);
  g_free (row->show_last_seen);
  g_free (row);
}

void
bs_message_free (BsMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->id);
  g_free (message->conversation_id);
  g_free (message->sender_id);
  g_free (message->content);
  g_free (message);
}

void
bs_conversation_free (BsConversation *conversation)
{
  if (conversation == NULL)
    return;
  g_free (conversation->id);
  g_free (conversation->user_a);
  g_free (conversation->user_b);
  g_clear_pointer (&conversation->last_message, bs_message_free);
  g_free (conversation);
}
