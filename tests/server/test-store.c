/* test-store.c: unit tests of beacon-server's SQLite store and password hashing, each on a
 * fresh database in a temporary directory. */

#include "bs-password.h"
#include "bs-store-private.h"
#include "bs-store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct
{
  char    *dir;
  char    *path;
  BsStore *store;
} Fixture;

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char      *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("beacon-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "beacon.db", NULL);
  f->store = bs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->store, bs_store_close);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  bs_store_close (f->store);
  f->store = bs_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

/* A query on a separate connection, to see what is really in the file. */
static gint64
query_int (Fixture *f, const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static BsUser *
add_user (Fixture *f, const char *id, const char *email, const char *role)
{
  g_autoptr (GError) error = NULL;
  BsUser *user = bs_store_user_add (f->store, id, email, "Some Name", role, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (user);
  return user;
}

static void
add_users (Fixture *f, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("user%u", i);
      g_autofree char *email = g_strdup_printf ("user%u@example.com", i);

      bs_user_free (add_user (f, id, email, "CLIENT"));
    }
}

static BsMessage *
add_message (Fixture *f, const char *conversation, const char *sender, const char *text, gint64 at)
{
  g_autoptr (GError) error = NULL;
  BsMessage         *message =
      bs_store_message_add (f->store, conversation, sender, text, at, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* Migrations */

static void
test_migrations (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BsStore           *newer;

  bs_user_free (add_user (f, "alice", "alice@example.com", "CLIENT"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM schema_version"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT max(version) FROM schema_version"), ==, 1);
  g_assert_cmpint (query_int (f,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
                              " ('users', 'friendships', 'conversations', 'messages', 'presence')"),
                   ==, 5);

  /* Re-opening migrates nothing again and keeps the data. */
  reopen (f);
  reopen (f);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM schema_version"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users"), ==, 1);

  /* A database from a newer server is refused, not damaged. */
  g_assert_true (bs_store_exec (f->store, "INSERT INTO schema_version VALUES (99, 0)", &error));
  g_assert_no_error (error);
  newer = bs_store_open (f->path, &error);
  g_assert_null (newer);
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "schema version 99"));
}

static void
test_journal_mode (Fixture *f, gconstpointer data)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* WAL is a property of the file: a fresh connection sees it. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static gpointer
commit_later (gpointer data)
{
  BsStore *other = data;

  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (bs_store_exec (other, "COMMIT", NULL));
  return NULL;
}

static void
test_busy_wait (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)  error = NULL;
  g_autoptr (BsUser)  user = NULL;
  g_autoptr (GThread) thread = NULL;
  BsStore            *other = bs_store_open (f->path, &error);
  gint64              start;

  /* Another connection (an admin command, say) holds the write lock for 300 ms: a write
   * waits for it instead of failing with "database is locked". */
  g_assert_no_error (error);
  g_assert_true (bs_store_exec (other, "BEGIN IMMEDIATE", &error));
  g_assert_no_error (error);
  thread = g_thread_new ("commit-later", commit_later, other);
  start = g_get_monotonic_time ();
  user = bs_store_user_add (f->store, "late", "late@example.com", "Late", "CLIENT", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * G_TIME_SPAN_MILLISECOND);
  g_thread_join (g_steal_pointer (&thread));
  bs_store_close (other);
}

static void
test_open_failure (void)
{
  g_autoptr (GError) error = NULL;
  BsStore           *store = bs_store_open ("/nonexistent-dir-for-beacon/beacon.db", &error);

  g_assert_null (store);
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "Could not open the database"));
  g_assert_nonnull (strstr (error->message, "/nonexistent-dir-for-beacon/beacon.db"));
}

/* Users */

static void
test_users_crud (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (BsUser)    alice = NULL;
  g_autoptr (BsUser)    generated = NULL;
  g_autoptr (BsUser)    found = NULL;
  g_autoptr (GPtrArray) users = NULL;
  gint64                before = g_get_real_time () / 1000;

  alice = bs_store_user_add (f->store, "alice", "  Alice@Example.COM ", " Alice A. ", "FREELANCER",
                             NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alice->id, ==, "alice");
  g_assert_cmpstr (alice->email, ==, "alice@example.com");
  g_assert_cmpstr (alice->name, ==, "Alice A.");
  g_assert_cmpstr (alice->role, ==, "FREELANCER");
  g_assert_null (alice->password_hash);
  g_assert_null (alice->headline);
  g_assert_cmpint (alice->created_at_ms, >=, before);

  generated =
      bs_store_user_add (f->store, NULL, "bob@example.com", "Bob", "CLIENT", "$argon2id$x", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (generated->id, "u_"));
  g_assert_cmpuint (strlen (generated->id), ==, 14);
  for (const char *p = generated->id; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');

  /* Read back: by id, by email (any case, any surrounding space), all. */
  found = bs_store_user_by_id (f->store, generated->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->email, ==, "bob@example.com");
  g_assert_cmpstr (found->password_hash, ==, "$argon2id$x");
  g_clear_pointer (&found, bs_user_free);
  found = bs_store_user_by_email (f->store, " ALICE@example.com", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->id, ==, "alice");
  g_assert_cmpint (found->created_at_ms, ==, alice->created_at_ms);
  g_clear_pointer (&found, bs_user_free);

  users = bs_store_users (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 2);
  g_assert_cmpstr (((BsUser *) users->pdata[0])->id, ==, "alice"); /* by id: "a" < "u" */
  g_assert_cmpstr (((BsUser *) users->pdata[1])->id, ==, generated->id);

  /* Update */
  g_assert_true (bs_store_user_set_password_hash (f->store, "alice", "$argon2id$new", &error));
  g_assert_true (bs_store_user_set_headline (f->store, "alice", "  Logos and posters ", &error));
  g_assert_no_error (error);
  found = bs_store_user_by_id (f->store, "alice", &error);
  g_assert_cmpstr (found->password_hash, ==, "$argon2id$new");
  g_assert_cmpstr (found->headline, ==, "Logos and posters");
  g_clear_pointer (&found, bs_user_free);
  g_assert_true (bs_store_user_set_headline (f->store, "alice", "", &error));
  found = bs_store_user_by_id (f->store, "alice", &error);
  g_assert_null (found->headline);
  g_clear_pointer (&found, bs_user_free);

  g_assert_false (bs_store_user_set_password_hash (f->store, "nobody", "$argon2id$x", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bs_store_user_by_id (f->store, "nobody", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bs_store_user_by_email (f->store, "nobody@example.com", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Delete, with everything that refers to the user. */
  g_assert_true (bs_store_friend_add (f->store, "alice", generated->id, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (bs_store_user_remove (f->store, "alice", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM friendships"), ==, 0);
  g_assert_false (bs_store_user_remove (f->store, "alice", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
}

static void
test_users_add_full (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BsUser) added = NULL;
  BsUser             tmpl = {
                .email = (char *) "carol@example.com",
                .name = (char *) "Carol",
                .role = (char *) "FREELANCER",
                .headline = (char *) "Translations, EN-FR",
                .created_at_ms = 1234,
  };

  added = bs_store_user_add_full (f->store, &tmpl, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (added->headline, ==, "Translations, EN-FR");
  g_assert_cmpint (added->created_at_ms, ==, 1234);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users WHERE headline = 'Translations, EN-FR'"
                                 " AND created_at = 1234"),
                   ==, 1);
}

static void
test_users_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  BsUser            *dup;

  bs_user_free (add_user (f, "alice", "alice@example.com", "CLIENT"));
  dup =
      bs_store_user_add (f->store, "alice2", "ALICE@example.com", "Other", "CLIENT", NULL, &error);
  g_assert_null (dup);
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "alice@example.com"));
  g_clear_error (&error);

  dup = bs_store_user_add (f->store, "alice", "other@example.com", "Other", "CLIENT", NULL, &error);
  g_assert_null (dup);
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  /* Neither attempt left a user or a presence row behind. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence"), ==, 1);
}

static void
test_users_invalid (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *id, *email, *name, *role;
  } cases[] = {
    { "x1", "x1@example.com", "X", "SUPERUSER" },
    { "x2", "x2@example.com", "X", "client" },
    { "x3", "x3@example.com", "X", NULL },
    { "x4", "x4@example.com", "", "CLIENT" },
    { "x5", "x5@example.com", "   ", "CLIENT" },
    { "x6", "x6@example.com", NULL, "CLIENT" },
    { "x7", "x7.example.com", "X", "CLIENT" },
    { "x8", "@example.com", "X", "CLIENT" },
    { "x9", "x9@", "X", "CLIENT" },
    { "x10", "x 10@example.com", "X", "CLIENT" },
    { "", "x11@example.com", "X", "CLIENT" },
    { "a\nb", "x12@example.com", "X", "CLIENT" },
    { "x13", "x13@example.com", "X\x01", "CLIENT" },
    { "x14", "x14@example.com", "X\xff", "CLIENT" },
  };
  g_autofree char   *long_id = g_strnfill (65, 'i');
  g_autofree char   *long_local = g_strnfill (243, 'e');
  g_autofree char   *long_email = g_strconcat (long_local, "@example.com", NULL); /* 255 bytes */
  g_autofree char   *ok_id = g_strnfill (64, 'i');
  g_autoptr (GError) error = NULL;
  g_autoptr (BsUser) ok = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BsUser *user = bs_store_user_add (f->store, cases[i].id, cases[i].email, cases[i].name,
                                        cases[i].role, NULL, &error);

      g_test_message ("case %u", i);
      g_assert_null (user);
      g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_null (
      bs_store_user_add (f->store, long_id, "l@example.com", "L", "CLIENT", NULL, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (bs_store_user_add (f->store, "l", long_email, "L", "CLIENT", NULL, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users"), ==, 0);

  /* The limits themselves are fine. */
  long_email[0] = '@'; /* 254 bytes, with an '@' inside */
  ok = bs_store_user_add (f->store, ok_id, long_email + 1, "L", "ADMIN", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

/* Friendships */

static void
test_friendships (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) pairs = NULL;
  gboolean              changed = FALSE;

  add_users (f, 3); /* user0, user1, user2 */

  g_assert_true (bs_store_friend_add (f->store, "user1", "user0", &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_true (bs_store_friend_add (f->store, "user0", "user1", &changed, &error));
  g_assert_false (changed); /* symmetric: the same friendship */
  g_assert_true (bs_store_friend_add (f->store, "user1", "user0", &changed, &error));
  g_assert_false (changed);
  g_assert_true (bs_store_friend_add (f->store, "user2", "user1", &changed, &error));
  g_assert_true (changed);
  g_assert_no_error (error);

  pairs = bs_store_friendships (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs->len, ==, 4);
  g_assert_cmpstr (pairs->pdata[0], ==, "user0");
  g_assert_cmpstr (pairs->pdata[1], ==, "user1");
  g_assert_cmpstr (pairs->pdata[2], ==, "user1");
  g_assert_cmpstr (pairs->pdata[3], ==, "user2");
  g_clear_pointer (&pairs, g_ptr_array_unref);

  g_assert_true (bs_store_friend_remove (f->store, "user1", "user0", &changed, &error));
  g_assert_true (changed);
  g_assert_true (bs_store_friend_remove (f->store, "user0", "user1", &changed, &error));
  g_assert_false (changed);
  g_assert_no_error (error);
  pairs = bs_store_friendships (f->store, &error);
  g_assert_cmpuint (pairs->len, ==, 2);

  g_assert_false (bs_store_friend_add (f->store, "user0", "user0", &changed, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (bs_store_friend_add (f->store, "user0", "ghost", &changed, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ghost"));
}

/* Conversations and messages */

static void
test_conversation_get_or_create (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (BsConversation) one = NULL;
  g_autoptr (BsConversation) two = NULL;
  g_autoptr (BsConversation) by_id = NULL;
  g_autoptr (GPtrArray)      pairs = NULL;

  add_users (f, 3);
  one = bs_store_conversation_get_or_create (f->store, "user2", "user0", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (one->id, "c_"));
  g_assert_cmpstr (one->user_a, ==, "user0");
  g_assert_cmpstr (one->user_b, ==, "user2");
  g_assert_null (one->last_message);

  two = bs_store_conversation_get_or_create (f->store, "user0", "user2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (two->id, ==, one->id);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM conversations"), ==, 1);

  by_id = bs_store_conversation_by_id (f->store, one->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_id->user_a, ==, "user0");
  g_assert_cmpstr (by_id->user_b, ==, "user2");

  pairs = bs_store_conversation_pairs (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs->len, ==, 2);
  g_assert_cmpstr (pairs->pdata[0], ==, "user0");
  g_assert_cmpstr (pairs->pdata[1], ==, "user2");

  g_assert_null (bs_store_conversation_get_or_create (f->store, "user1", "user1", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (bs_store_conversation_get_or_create (f->store, "user1", "ghost", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bs_store_conversation_by_id (f->store, "c_nope", &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM conversations"), ==, 1);
}

static void
test_messages_paging (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (BsConversation) c = NULL;
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) bs_message_free);
  g_autoptr (GPtrArray) page = NULL;
  g_autoptr (BsMessage) read = NULL;

  add_users (f, 3);
  c = bs_store_conversation_get_or_create (f->store, "user0", "user1", &error);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      g_ptr_array_add (all, add_message (f, c->id, i % 2 ? "user1" : "user0", text, 1000 + i));
    }
  /* Ids are decimal and grow with creation. */
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (g_ascii_strtoll (((BsMessage *) all->pdata[i - 1])->id, NULL, 10), <,
                     g_ascii_strtoll (((BsMessage *) all->pdata[i])->id, NULL, 10));
  g_assert_cmpint (((BsMessage *) all->pdata[0])->read_at_ms, ==, -1);

  /* The newest three, oldest first. */
  page = bs_store_messages (f->store, c->id, NULL, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_cmpstr (((BsMessage *) page->pdata[0])->content, ==, "message 2");
  g_assert_cmpstr (((BsMessage *) page->pdata[2])->content, ==, "message 4");
  g_assert_cmpstr (((BsMessage *) page->pdata[0])->id, ==, ((BsMessage *) all->pdata[2])->id);
  g_assert_cmpstr (((BsMessage *) page->pdata[1])->sender_id, ==, "user1");
  g_assert_cmpstr (((BsMessage *) page->pdata[1])->conversation_id, ==, c->id);
  g_assert_cmpint (((BsMessage *) page->pdata[1])->created_at_ms, ==, 1003);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* The page before it. */
  page = bs_store_messages (f->store, c->id, ((BsMessage *) all->pdata[2])->id, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((BsMessage *) page->pdata[0])->content, ==, "message 0");
  g_assert_cmpstr (((BsMessage *) page->pdata[1])->content, ==, "message 1");
  g_clear_pointer (&page, g_ptr_array_unref);

  page = bs_store_messages (f->store, c->id, ((BsMessage *) all->pdata[0])->id, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Errors: unknown conversation, a before id that is no message id, a stranger sending. */
  g_assert_null (bs_store_messages (f->store, "c_nope", NULL, 3, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bs_store_messages (f->store, c->id, "abc", 3, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bs_store_message_add (f->store, c->id, "user2", "hi", 1, FALSE, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Auto-read messages are read when created. */
  read = bs_store_message_add (f->store, c->id, "user0", "seen", 2000, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->read_at_ms, ==, 2000);
  page = bs_store_messages (f->store, c->id, NULL, 1, &error);
  g_assert_cmpint (((BsMessage *) page->pdata[0])->read_at_ms, ==, 2000);
}

static void
test_mark_read (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (BsConversation) c = NULL;
  g_autoptr (GPtrArray)      page = NULL;
  g_autoptr (BsMessage)      a1 = NULL, a2 = NULL, b1 = NULL, a3 = NULL;
  guint                      n = 99;

  add_users (f, 2);
  c = bs_store_conversation_get_or_create (f->store, "user0", "user1", &error);
  a1 = add_message (f, c->id, "user0", "a1", 1);
  a2 = add_message (f, c->id, "user0", "a2", 2);
  b1 = add_message (f, c->id, "user1", "b1", 3);
  a3 = add_message (f, c->id, "user0", "a3", 4);

  /* user1 reads up to b1: a1 and a2 (its own b1 is skipped). */
  g_assert_true (bs_store_mark_read (f->store, c->id, "user1", b1->id, 500, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (bs_store_mark_read (f->store, c->id, "user1", b1->id, 600, &n, &error));
  g_assert_cmpuint (n, ==, 0); /* already read */
  g_assert_true (bs_store_mark_read (f->store, c->id, "user1", a3->id, 700, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (bs_store_mark_read (f->store, c->id, "user0", NULL, 800, &n, &error));
  g_assert_cmpuint (n, ==, 1); /* b1 */
  g_assert_no_error (error);

  page = bs_store_messages (f->store, c->id, NULL, 10, &error);
  g_assert_cmpint (((BsMessage *) page->pdata[0])->read_at_ms, ==, 500);
  g_assert_cmpint (((BsMessage *) page->pdata[1])->read_at_ms, ==, 500);
  g_assert_cmpint (((BsMessage *) page->pdata[2])->read_at_ms, ==, 800);
  g_assert_cmpint (((BsMessage *) page->pdata[3])->read_at_ms, ==, 700);

  g_assert_false (bs_store_mark_read (f->store, "c_nope", "user1", NULL, 1, &n, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (bs_store_mark_read (f->store, c->id, "user1", "12x", 1, &n, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
}

static void
test_conversations_for (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (BsConversation) c01 = NULL, c02 = NULL, c03 = NULL, c12 = NULL;
  g_autoptr (GPtrArray)      list = NULL;
  g_autoptr (BsMessage)      m = NULL;
  BsConversation            *item;
  guint                      n;

  add_users (f, 4);
  c01 = bs_store_conversation_get_or_create (f->store, "user0", "user1", &error);
  c02 = bs_store_conversation_get_or_create (f->store, "user0", "user2", &error);
  c03 = bs_store_conversation_get_or_create (f->store, "user3", "user0", &error); /* empty */
  c12 = bs_store_conversation_get_or_create (f->store, "user1", "user2", &error); /* not user0's */
  g_assert_no_error (error);

  g_clear_pointer (&m, bs_message_free);
  m = add_message (f, c01->id, "user1", "hello 0", 10);
  g_clear_pointer (&m, bs_message_free);
  m = add_message (f, c02->id, "user2", "first from 2", 11);
  g_clear_pointer (&m, bs_message_free);
  m = add_message (f, c01->id, "user1", "again", 12);
  g_clear_pointer (&m, bs_message_free);
  m = add_message (f, c02->id, "user0", "latest, mine", 13);
  g_clear_pointer (&m, bs_message_free);
  m = add_message (f, c12->id, "user1", "elsewhere", 14);

  list = bs_store_conversations_for (f->store, "user0", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);

  item = list->pdata[0]; /* most recent message first */
  g_assert_cmpstr (item->id, ==, c02->id);
  g_assert_cmpstr (item->last_message->content, ==, "latest, mine");
  g_assert_cmpstr (item->last_message->sender_id, ==, "user0");
  g_assert_cmpstr (item->last_message->conversation_id, ==, c02->id);
  g_assert_cmpuint (item->unread_count, ==, 1); /* "first from 2"; its own message does not count */

  item = list->pdata[1];
  g_assert_cmpstr (item->id, ==, c01->id);
  g_assert_cmpstr (item->last_message->content, ==, "again");
  g_assert_cmpuint (item->unread_count, ==, 2);

  item = list->pdata[2];
  g_assert_cmpstr (item->id, ==, c03->id);
  g_assert_null (item->last_message);
  g_assert_cmpuint (item->unread_count, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Reading changes the counts; the other user's view is its own. */
  g_assert_true (bs_store_mark_read (f->store, c01->id, "user0", NULL, 20, &n, &error));
  list = bs_store_conversations_for (f->store, "user0", &error);
  g_assert_cmpuint (((BsConversation *) list->pdata[1])->unread_count, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = bs_store_conversations_for (f->store, "user2", &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((BsConversation *) list->pdata[0])->id, ==, c12->id);
  g_assert_cmpuint (((BsConversation *) list->pdata[0])->unread_count, ==, 1);
  g_assert_cmpuint (((BsConversation *) list->pdata[1])->unread_count, ==, 1);
}

/* Presence */

static BsPresenceRow *
presence_of (Fixture *f, const char *user_id)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) rows = bs_store_presence_rows (f->store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      if (g_str_equal (((BsPresenceRow *) rows->pdata[i])->user_id, user_id))
        return g_ptr_array_steal_index (rows, i);
    }
  g_assert_not_reached ();
}

static void
test_presence_rows (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BsPresenceRow) row = NULL;
  g_autoptr (GPtrArray)     rows = NULL;
  BsPresenceRow             save = {
                .user_id = (char *) "user1",
                .chosen_status = (char *) "busy",
                .custom_message = (char *) "In a meeting",
                .last_seen_ms = 5000,
                .last_active_ms = 6000,
                .show_online_status = FALSE,
                .show_last_seen = (char *) "contacts",
                .version = 7,
  };

  add_users (f, 2);
  rows = bs_store_presence_rows (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2); /* every user has one, from the start */

  row = presence_of (f, "user0");
  g_assert_cmpstr (row->chosen_status, ==, "online");
  g_assert_null (row->custom_message);
  g_assert_cmpint (row->last_seen_ms, ==, -1);
  g_assert_cmpint (row->last_active_ms, ==, -1);
  g_assert_true (row->show_online_status);
  g_assert_cmpstr (row->show_last_seen, ==, "everyone");
  g_assert_cmpint (row->version, ==, 0);
  g_clear_pointer (&row, bs_presence_row_free);

  g_assert_true (bs_store_presence_save (f->store, &save, &error));
  g_assert_no_error (error);
  reopen (f);
  row = presence_of (f, "user1");
  g_assert_cmpstr (row->chosen_status, ==, "busy");
  g_assert_cmpstr (row->custom_message, ==, "In a meeting");
  g_assert_cmpint (row->last_seen_ms, ==, 5000);
  g_assert_cmpint (row->last_active_ms, ==, 6000);
  g_assert_false (row->show_online_status);
  g_assert_cmpstr (row->show_last_seen, ==, "contacts");
  g_assert_cmpint (row->version, ==, 7);
  g_clear_pointer (&row, bs_presence_row_free);

  /* An older version or older times never overwrite newer ones; -1 keeps what is there. */
  save.chosen_status = (char *) "away";
  save.custom_message = NULL;
  save.version = 3;
  save.last_seen_ms = 4000;
  save.last_active_ms = -1;
  g_assert_true (bs_store_presence_save (f->store, &save, &error));
  row = presence_of (f, "user1");
  g_assert_cmpstr (row->chosen_status, ==, "away");
  g_assert_null (row->custom_message);
  g_assert_cmpint (row->version, ==, 7);
  g_assert_cmpint (row->last_seen_ms, ==, 5000);
  g_assert_cmpint (row->last_active_ms, ==, 6000);
  g_clear_pointer (&row, bs_presence_row_free);

  save.chosen_status = (char *) "gone fishing";
  g_assert_false (bs_store_presence_save (f->store, &save, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  save.chosen_status = (char *) "online";
  save.show_last_seen = (char *) "friends";
  g_assert_false (bs_store_presence_save (f->store, &save, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  save.show_last_seen = NULL;
  save.user_id = (char *) "ghost";
  g_assert_false (bs_store_presence_save (f->store, &save, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND);
}

static void
test_last_seen_flush (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BsPresenceRow) row = NULL;

  add_users (f, 3);
  bs_store_queue_last_seen (f->store, "user0", 1000, 1100);
  bs_store_queue_last_seen (f->store, "user0", 900, 1200); /* later of each: 1000, 1200 */
  bs_store_queue_last_seen (f->store, "user1", 2000, -1);
  bs_store_queue_last_seen (f->store, "ghost", 1, 1); /* removed since: ignored */
  g_assert_cmpuint (bs_store_queued_count (f->store), ==, 3);

  /* Nothing written yet, but the rows already show it. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence WHERE last_seen IS NOT NULL"), ==,
                   0);
  row = presence_of (f, "user0");
  g_assert_cmpint (row->last_seen_ms, ==, 1000);
  g_clear_pointer (&row, bs_presence_row_free);

  g_assert_true (bs_store_flush (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bs_store_queued_count (f->store), ==, 0);
  g_assert_true (bs_store_flush (f->store, &error)); /* nothing to do */

  reopen (f);
  row = presence_of (f, "user0");
  g_assert_cmpint (row->last_seen_ms, ==, 1000);
  g_assert_cmpint (row->last_active_ms, ==, 1200);
  g_clear_pointer (&row, bs_presence_row_free);
  row = presence_of (f, "user1");
  g_assert_cmpint (row->last_seen_ms, ==, 2000);
  g_assert_cmpint (row->last_active_ms, ==, -1);
  g_clear_pointer (&row, bs_presence_row_free);
  row = presence_of (f, "user2");
  g_assert_cmpint (row->last_seen_ms, ==, -1);
  g_clear_pointer (&row, bs_presence_row_free);

  /* Closing writes what is still queued. */
  bs_store_queue_last_seen (f->store, "user2", 3000, 3100);
  reopen (f);
  row = presence_of (f, "user2");
  g_assert_cmpint (row->last_seen_ms, ==, 3000);
  g_assert_cmpint (row->last_active_ms, ==, 3100);
}

static char *
make_import (guint       n_users,
             guint       friends_per_user,
             const char *extra_users,
             const char *extra_friendships)
{
  GString *json = g_string_new ("{\"users\":[");

  for (guint i = 0; i < n_users; i++)
    g_string_append_printf (
        json,
        "%s{\"id\":\"user%u\",\"email\":\"user%u@bench.invalid\",\"name\":\"User %u\",\"role\":\"%s\"}",
        i ? "," : "", i, i, i, i % 3 ? "CLIENT" : "FREELANCER");
  if (extra_users != NULL)
    g_string_append_printf (json, "%s%s", n_users ? "," : "", extra_users);
  g_string_append (json, "],\"friendships\":[");
  for (guint i = 0; i < n_users; i++)
    for (guint k = 1; k <= friends_per_user; k++)
      g_string_append_printf (json, "%s[\"user%u\",\"user%u\"]", i || k > 1 ? "," : "", i,
                              (i + k) % n_users);
  if (extra_friendships != NULL)
    g_string_append_printf (json, "%s%s", n_users && friends_per_user ? "," : "",
                            extra_friendships);
  g_string_append (json, "]}");
  return g_string_free (json, FALSE);
}

static void
test_last_seen_disk_full (Fixture *f, gconstpointer data)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BsPresenceRow) row = NULL;
  g_autofree char          *json = make_import (2000, 0, NULL, NULL);
  guint                     n_users = 0;

  g_assert_true (bs_store_import_json (f->store, json, strlen (json), &n_users, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_users, ==, 2000);

  /* No room to grow: every last_seen written makes the presence rows longer. */
  g_assert_true (bs_store_exec (f->store, "PRAGMA max_page_count = 1", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *id = g_strdup_printf ("user%u", i);

      bs_store_queue_last_seen (f->store, id, 1700000000000 + i, 1700000000500 + i);
    }

  g_assert_false (bs_store_flush (f->store, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "Could not write last_seen"));
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  g_assert_cmpuint (bs_store_queued_count (f->store), ==, 2000);
  /* Nothing half-written. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence WHERE last_seen IS NOT NULL"), ==,
                   0);

  /* A second try fails the same way and still loses nothing. */
  g_assert_false (bs_store_flush (f->store, &error));
  g_assert_error (error, BS_STORE_ERROR, BS_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (bs_store_queued_count (f->store), ==, 2000);

  /* Room again: the queue goes out whole. */
  g_assert_true (bs_store_exec (f->store, "PRAGMA max_page_count = 1000000", &error));
  g_assert_true (bs_store_flush (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (bs_store_queued_count (f->store), ==, 0);

  reopen (f);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence WHERE last_seen IS NOT NULL"), ==,
                   2000);
  row = presence_of (f, "user1999");
  g_assert_cmpint (row->last_seen_ms, ==, 1700000001999);
  g_assert_cmpint (row->last_active_ms, ==, 1700000002499);
}

/* Import */

static void
test_import (Fixture *f, gconstpointer data)
{
  static const char json[] =
      "{\"users\":["
      "{\"id\":1,\"email\":\"One@Example.com\",\"name\":\"One\",\"role\":\"CLIENT\",\"password\":\"pw-one\"},"
      "{\"id\":\"two\",\"email\":\"two@example.com\",\"name\":\"Two\",\"role\":\"FREELANCER\","
      "\"headline\":\"Illustration\",\"password\":\"pw-two\"},"
      "{\"id\":9007199254740993,\"email\":\"big@example.com\",\"name\":\"Big\",\"role\":\"ADMIN\"},"
      "{\"email\":\"noid@example.com\",\"name\":\"No Id\",\"role\":\"CLIENT\",\"headline\":null}"
      "],\"friendships\":[[1,\"two\"],[\"two\",\"1\"],[\"9007199254740993\",1],[1,\"two\"]]}";
  g_autoptr (GError)    error = NULL;
  g_autoptr (BsUser)    one = NULL;
  g_autoptr (BsUser)    two = NULL;
  g_autoptr (BsUser)    noid = NULL;
  g_autoptr (GPtrArray) pairs = NULL;
  guint                 n_users = 0, n_friendships = 0;

  g_assert_true (
      bs_store_import_json (f->store, json, strlen (json), &n_users, &n_friendships, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_users, ==, 4);
  g_assert_cmpuint (n_friendships, ==, 2); /* repeats (either order) count once */

  one = bs_store_user_by_id (f->store, "1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (one->email, ==, "one@example.com");
  g_assert_true (g_str_has_prefix (one->password_hash, "$argon2id$"));
  g_assert_true (bs_password_verify (one->password_hash, "pw-one"));
  g_assert_false (bs_password_verify (one->password_hash, "pw-two"));
  two = bs_store_user_by_id (f->store, "two", &error);
  g_assert_cmpstr (two->role, ==, "FREELANCER");
  g_assert_cmpstr (two->headline, ==, "Illustration");
  g_assert_true (bs_password_verify (two->password_hash, "pw-two")); /* hashed on a thread pool */
  g_assert_false (bs_password_verify (two->password_hash, "pw-one"));
  noid = bs_store_user_by_email (f->store, "noid@example.com", &error);
  g_assert_no_error (error);
  g_assert_null (noid->password_hash);
  g_assert_true (g_str_has_prefix (noid->id, "u_"));
  g_assert_null (noid->headline);

  pairs = bs_store_friendships (f->store, &error);
  g_assert_cmpuint (pairs->len, ==, 4);
  g_assert_cmpstr (pairs->pdata[0], ==, "1");
  g_assert_cmpstr (pairs->pdata[1], ==, "9007199254740993");
  g_assert_cmpstr (pairs->pdata[2], ==, "1");
  g_assert_cmpstr (pairs->pdata[3], ==, "two");
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence"), ==, 4);
}

static void
assert_import_fails (Fixture *f, const char *json, int code, const char *in_message)
{
  g_autoptr (GError) error = NULL;
  guint              n_users = 77;

  g_test_message ("import: %s", json);
  g_assert_false (bs_store_import_json (f->store, json, strlen (json), &n_users, NULL, &error));
  g_assert_error (error, BS_STORE_ERROR, code);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s” not in “%s”", in_message, error->message);
  g_assert_cmpuint (n_users, ==, 77);
}

static void
test_import_all_or_nothing (Fixture *f, gconstpointer data)
{
  g_autofree char *unknown_friend = make_import (50, 2, NULL, "[\"user3\",\"ghost\"]");
  g_autofree char *dup_email = make_import (
      50, 2, "{\"id\":\"x\",\"email\":\"USER7@bench.invalid\",\"name\":\"X\",\"role\":\"CLIENT\"}",
      NULL);
  g_autofree char *existing = make_import (2, 0, NULL, NULL);

  bs_user_free (add_user (f, "user1", "someone@example.com", "ADMIN"));
  /* The file's user1 collides with the one already there: nothing of the file is kept. */
  assert_import_fails (f, existing, BS_STORE_ERROR_EXISTS, "users[1]");
  bs_store_user_remove (f->store, "user1", NULL);

  assert_import_fails (f, unknown_friend, BS_STORE_ERROR_NOT_FOUND,
                       "friendships[100]: No user has the id “ghost”");
  assert_import_fails (f, dup_email, BS_STORE_ERROR_EXISTS, "users[50]");
  assert_import_fails (
      f,
      "{\"users\":[{\"id\":\"a\",\"email\":\"a@x\",\"name\":\"A\",\"role\":\"CLIENT\"}],"
      "\"friendships\":[[\"a\",\"a\"]]}",
      BS_STORE_ERROR_INVALID, "friendships[0]");
  assert_import_fails (
      f,
      "{\"users\":[{\"id\":\"a\",\"email\":\"a@x\",\"name\":\"A\",\"role\":\"CLIENT\"}],"
      "\"friendships\":[[\"a\"]]}",
      BS_STORE_ERROR_INVALID, "friendships[0]");
  assert_import_fails (
      f, "{\"users\":[{\"id\":1.5,\"email\":\"a@x\",\"name\":\"A\",\"role\":\"CLIENT\"}]}",
      BS_STORE_ERROR_INVALID, "users[0]");
  assert_import_fails (
      f, "{\"users\":[{\"id\":\"a\",\"email\":\"a@x\",\"name\":\"A\",\"role\":\"ROOT\"}]}",
      BS_STORE_ERROR_INVALID, "users[0]");
  assert_import_fails (
      f,
      "{\"users\":[{\"id\":\"a\",\"email\":\"a@x\",\"name\":\"A\",\"role\":\"CLIENT\",\"password\":\"\"}]}",
      BS_STORE_ERROR_INVALID, "password");
  assert_import_fails (f, "{\"users\":{}}", BS_STORE_ERROR_INVALID, "users");
  assert_import_fails (f, "[]", BS_STORE_ERROR_INVALID, NULL);
  assert_import_fails (f, "{\"users\":[", BS_STORE_ERROR_INVALID, "JSON");

  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM presence"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM friendships"), ==, 0);
}

static void
test_import_many (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *json = make_import (3000, 10, NULL, NULL);
  guint              n_users = 0, n_friendships = 0;

  g_assert_true (
      bs_store_import_json (f->store, json, strlen (json), &n_users, &n_friendships, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_users, ==, 3000);
  g_assert_cmpuint (n_friendships, ==, 30000);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM friendships"), ==, 30000);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM users WHERE role = 'FREELANCER'"), ==, 1000);
}

/* Passwords */

static void
test_password (void)
{
  g_autofree char *hash = bs_password_hash ("correct horse");
  g_autofree char *again = bs_password_hash ("correct horse");

  g_assert_nonnull (hash);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_cmpstr (hash, !=, again); /* salted */
  g_assert_true (bs_password_verify (hash, "correct horse"));
  g_assert_true (bs_password_verify (again, "correct horse"));
  g_assert_false (bs_password_verify (hash, "correct horse "));
  g_assert_false (bs_password_verify (hash, ""));
  g_assert_false (bs_password_verify (hash, NULL));
  g_assert_false (bs_password_verify (NULL, "correct horse"));
  g_assert_false (bs_password_verify ("not a hash", "correct horse"));
  g_assert_false (bs_password_needs_rehash (hash));
}

static void
test_password_limits (void)
{
  g_autofree char *fast = NULL;
  g_autofree char *slow = NULL;

  /* The tests run with BEACON_PASSWORD_FAST=1: the minimum limits. */
  fast = bs_password_hash ("pw");
  g_assert_nonnull (strstr (fast, "$m=8,t=1,"));

  g_setenv ("BEACON_PASSWORD_FAST", "0", TRUE);
  g_assert_true (bs_password_init ());
  slow = bs_password_hash ("pw");
  g_assert_nonnull (strstr (slow, "$m=65536,t=2,")); /* interactive: 64 MiB, 2 passes */
  g_assert_true (bs_password_verify (fast, "pw"));   /* both verify in either mode */
  g_assert_true (bs_password_verify (slow, "pw"));
  g_assert_true (bs_password_needs_rehash (fast));
  g_assert_false (bs_password_needs_rehash (slow));

  g_setenv ("BEACON_PASSWORD_FAST", "1", TRUE);
  g_assert_true (bs_password_init ());
  g_assert_true (bs_password_needs_rehash (slow));
  g_assert_true (bs_password_needs_rehash ("garbage"));
}

int
main (int argc, char **argv)
{
  g_setenv ("BEACON_PASSWORD_FAST", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_true (bs_password_init ());

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/migrations", test_migrations);
  ADD ("/store/journal-mode", test_journal_mode);
  g_test_add_func ("/store/open-failure", test_open_failure);
  ADD ("/store/busy-wait", test_busy_wait);
  ADD ("/store/users/crud", test_users_crud);
  ADD ("/store/users/add-full", test_users_add_full);
  ADD ("/store/users/duplicate", test_users_duplicate);
  ADD ("/store/users/invalid", test_users_invalid);
  ADD ("/store/friendships", test_friendships);
  ADD ("/store/conversations/get-or-create", test_conversation_get_or_create);
  ADD ("/store/conversations/for-user", test_conversations_for);
  ADD ("/store/messages/paging", test_messages_paging);
  ADD ("/store/messages/mark-read", test_mark_read);
  ADD ("/store/presence/rows", test_presence_rows);
  ADD ("/store/presence/last-seen-flush", test_last_seen_flush);
  ADD ("/store/presence/last-seen-disk-full", test_last_seen_disk_full);
  ADD ("/store/import/basic", test_import);
  ADD ("/store/import/all-or-nothing", test_import_all_or_nothing);
  ADD ("/store/import/many", test_import_many);
  g_test_add_func ("/password/hash-verify", test_password);
  g_test_add_func ("/password/limits", test_password_limits);
#undef ADD

  return g_test_run ();
}
