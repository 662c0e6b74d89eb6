/* test-admin.c: unit tests of "beacon-server admin" (bs_admin_main), run in-process with
 * stdin, stdout and stderr redirected to files in a temporary directory. */

#include "bs-admin.h"
#include "bs-password.h"
#include "bs-store.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  char *dir;
  char *db;
  int   status;
  char *out;
  char *err;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("beacon-admin-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "beacon.db", NULL);
  g_unsetenv ("BEACON_DB");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char      *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);

      g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->out);
  g_free (f->err);
}

static char *
write_file (Fixture *f, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char              *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static int
redirect (int fd, const char *path, int flags)
{
  int saved = dup (fd);
  int file = open (path, flags, 0600);

  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (file, >=, 0);
  g_assert_cmpint (dup2 (file, fd), ==, fd);
  close (file);
  return saved;
}

static void
restore (int fd, int saved)
{
  g_assert_cmpint (dup2 (saved, fd), ==, fd);
  close (saved);
}

/* The file's text without the "# " lines the test framework's log handler writes (debug
 * messages become TAP comments on stdout). */
static char *
read_output (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GString *kept = g_string_new ("");

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "# "))
        continue;
      g_string_append (kept, lines[i]);
      if (lines[i + 1] != NULL)
        g_string_append_c (kept, '\n');
    }
  return g_string_free (kept, FALSE);
}

/* Runs bs_admin_main with "admin" and the NULL-terminated arguments, with stdin_text (NULL:
 * empty) on standard input; fills f->status, f->out and f->err. */
static void
run_admin (Fixture *f, const char *stdin_text, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char      *in_path = write_file (f, "stdin", stdin_text != NULL ? stdin_text : "");
  g_autofree char      *out_path = g_build_filename (f->dir, "stdout", NULL);
  g_autofree char      *err_path = g_build_filename (f->dir, "stderr", NULL);
  int                   saved_in, saved_out, saved_err;
  const char           *arg;
  va_list               args;

  g_ptr_array_add (argv, (gpointer) "admin");
  va_start (args, stdin_text);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  fflush (stdout);
  fflush (stderr);
  saved_in = redirect (STDIN_FILENO, in_path, O_RDONLY);
  saved_out = redirect (STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC);
  saved_err = redirect (STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC);

  f->status = bs_admin_main ((int) argv->len - 1, (char **) argv->pdata);

  fflush (stdout);
  fflush (stderr);
  restore (STDIN_FILENO, saved_in);
  restore (STDOUT_FILENO, saved_out);
  restore (STDERR_FILENO, saved_err);

  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  f->out = read_output (out_path);
  f->err = read_output (err_path);
  g_test_message ("exit %d; stdout: %s; stderr: %s", f->status, f->out, f->err);
}

static BsUser *
user_by_email (Fixture *f, const char *email)
{
  g_autoptr (GError) error = NULL;
  BsStore           *store = bs_store_open (f->db, &error);
  BsUser            *user;

  g_assert_no_error (error);
  user = bs_store_user_by_email (store, email, NULL);
  bs_store_close (store);
  return user;
}

static guint
count_users (Fixture *f)
{
  g_autoptr (GError)    error = NULL;
  BsStore              *store = bs_store_open (f->db, &error);
  g_autoptr (GPtrArray) users = bs_store_users (store, &error);

  g_assert_no_error (error);
  bs_store_close (store);
  return users->len;
}

static void
assert_no_secret (Fixture *f, const char *password, const BsUser *user)
{
  g_assert_null (strstr (f->out, password));
  g_assert_null (strstr (f->err, password));
  g_assert_null (strstr (f->out, "$argon2id$"));
  g_assert_null (strstr (f->err, "$argon2id$"));
  if (user != NULL && user->password_hash != NULL)
    g_assert_null (strstr (f->out, user->password_hash));
}

static void
assert_failed (Fixture *f, int status, const char *message)
{
  g_assert_cmpint (f->status, ==, status);
  g_assert_cmpstr (f->out, ==, "");
  g_assert_true (g_str_has_prefix (f->err, "beacon-server admin: "));
  if (strstr (f->err, message) == NULL)
    g_error ("“%s” not in stderr: %s", message, f->err);
  if (status == 2)
    g_assert_nonnull (strstr (f->err, "Usage: beacon-server admin"));
}

/* user-add */

static void
test_user_add_password_file (Fixture *f, gconstpointer data)
{
  g_autofree char   *pw = write_file (f, "pw", "s3cret-Pass\nsecond line is ignored\n");
  g_autoptr (BsUser) user = NULL;
  g_autofree char   *expected = NULL;

  run_admin (f, NULL, "--db", f->db, "user-add", "--email", "Alice@Example.com", "--name", "Alice",
             "--role", "CLIENT", "--password-file", pw, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->err, ==, "");

  user = user_by_email (f, "alice@example.com");
  g_assert_nonnull (user);
  expected = g_strdup_printf ("Added user %s (alice@example.com, CLIENT)\n", user->id);
  g_assert_cmpstr (f->out, ==, expected);
  g_assert_true (g_str_has_prefix (user->id, "u_"));
  g_assert_cmpstr (user->name, ==, "Alice");
  g_assert_true (bs_password_verify (user->password_hash, "s3cret-Pass"));
  g_assert_false (bs_password_verify (user->password_hash, "s3cret-Pass\nsecond line is ignored"));
  assert_no_secret (f, "s3cret-Pass", user);
}

static void
test_user_add_stdin (Fixture *f, gconstpointer data)
{
  g_autoptr (BsUser) user = NULL;

  /* --db after the command, --opt=value, the role in any case, an id and a headline. */
  run_admin (f, "from stdin\r\nnot this\n", "user-add", "--db", f->db, "--email=bob@example.com",
             "--name", "Bob", "--role", "freelancer", "--id", "bob", "--headline", "Posters", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Added user bob (bob@example.com, FREELANCER)\n");

  user = user_by_email (f, "bob@example.com");
  g_assert_cmpstr (user->id, ==, "bob");
  g_assert_cmpstr (user->role, ==, "FREELANCER");
  g_assert_cmpstr (user->headline, ==, "Posters");
  g_assert_true (bs_password_verify (user->password_hash, "from stdin"));
  assert_no_secret (f, "from stdin", user);
}

static void
test_user_add_env_db (Fixture *f, gconstpointer data)
{
  g_setenv ("BEACON_DB", f->db, TRUE);
  run_admin (f, "pw\n", "user-add", "--email", "c@example.com", "--name", "C", "--role", "ADMIN",
             NULL);
  g_unsetenv ("BEACON_DB");
  g_assert_cmpint (f->status, ==, 0);
  g_assert_true (g_str_has_suffix (f->out, "(c@example.com, ADMIN)\n"));
  g_assert_cmpuint (count_users (f), ==, 1);
}

static void
test_user_add_failures (Fixture *f, gconstpointer data)
{
  g_autofree char *empty = write_file (f, "empty", "\n");
  g_autofree char *missing = g_build_filename (f->dir, "no-such-file", NULL);
  g_autofree char *long_line = g_strnfill (1025, 'p');
  g_autofree char *long_pw = write_file (f, "long", long_line);

  run_admin (f, "", "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A", "--role",
             "CLIENT", NULL);
  assert_failed (f, 1, "The password is empty");
  run_admin (f, NULL, "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "CLIENT", "--password-file", empty, NULL);
  assert_failed (f, 1, "The password is empty");
  run_admin (f, NULL, "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "CLIENT", "--password-file", missing, NULL);
  assert_failed (f, 1, "no-such-file");
  run_admin (f, NULL, "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "CLIENT", "--password-file", long_pw, NULL);
  assert_failed (f, 1, "longer than 1024 bytes");
  run_admin (f, long_line, "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "CLIENT", NULL);
  assert_failed (f, 1, "longer than 1024 bytes");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "ROOT", NULL);
  assert_failed (f, 1, "ROOT");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "a.example.com", "--name", "A",
             "--role", "CLIENT", NULL);
  assert_failed (f, 1, "not an email address");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "a@example.com", "--name", " ",
             "--role", "CLIENT", NULL);
  assert_failed (f, 1, "The name is empty");
  g_assert_cmpuint (count_users (f), ==, 0);

  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "a@example.com", "--name", "A",
             "--role", "CLIENT", NULL);
  g_assert_cmpint (f->status, ==, 0);
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "A@example.com", "--name", "A2",
             "--role", "CLIENT", NULL);
  assert_failed (f, 1, "already exists");
  g_assert_cmpuint (count_users (f), ==, 1);

  /* Usage errors */
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "b@example.com", "--role", "CLIENT",
             NULL);
  assert_failed (f, 2, "user-add needs --name");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "b@example.com", "--name", "B",
             "--role", NULL);
  assert_failed (f, 2, "--role needs a value");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "b@example.com", "--name", "B",
             "--role", "CLIENT", "--colour", "blue", NULL);
  assert_failed (f, 2, "unknown option “--colour”");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "b@example.com", "--email",
             "c@example.com", "--name", "B", "--role", "CLIENT", NULL);
  assert_failed (f, 2, "--email given twice");
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--email", "b@example.com", "--name", "B",
             "--role", "CLIENT", "extra", NULL);
  assert_failed (f, 2, "user-add takes 0 arguments");
  g_assert_cmpuint (count_users (f), ==, 1);
}

/* user-list */

static void
test_user_list (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) lines = NULL;

  run_admin (f, NULL, "--db", f->db, "user-list", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "ID  EMAIL  ROLE  NAME\n");

  run_admin (f, "pw\n", "--db", f->db, "user-add", "--id", "zed", "--email", "z@example.com",
             "--name", "Zed Zedson", "--role", "ADMIN", NULL);
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--id", "ann", "--email",
             "ann.longer@example.com", "--name", "Ann Élise", "--role", "FREELANCER", NULL);
  run_admin (f, NULL, "--db", f->db, "user-list", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->err, ==, "");
  lines = g_strsplit (f->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4); /* header, two users, "" after the last \n */
  g_assert_cmpstr (lines[0], ==, "ID   EMAIL                   ROLE        NAME");
  g_assert_cmpstr (lines[1], ==, "ann  ann.longer@example.com  FREELANCER  Ann Élise");
  g_assert_cmpstr (lines[2], ==, "zed  z@example.com           ADMIN       Zed Zedson");
  g_assert_null (strstr (f->out, "$argon2id$"));

  run_admin (f, NULL, "--db", f->db, "user-list", "--email", "x@example.com", NULL);
  assert_failed (f, 2, "user-list does not take --email");
}

/* user-passwd */

static void
test_user_passwd (Fixture *f, gconstpointer data)
{
  g_autofree char   *pw = write_file (f, "pw", "new-password");
  g_autoptr (BsUser) before = NULL;
  g_autoptr (BsUser) after = NULL;

  run_admin (f, "old-password\n", "--db", f->db, "user-add", "--id", "dora", "--email",
             "dora@example.com", "--name", "Dora", "--role", "CLIENT", NULL);
  g_assert_cmpint (f->status, ==, 0);
  before = user_by_email (f, "dora@example.com");

  run_admin (f, NULL, "--db", f->db, "user-passwd", "--email", "DORA@example.com",
             "--password-file", pw, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Changed the password of user dora (dora@example.com)\n");
  after = user_by_email (f, "dora@example.com");
  g_assert_cmpstr (after->password_hash, !=, before->password_hash);
  g_assert_true (bs_password_verify (after->password_hash, "new-password"));
  g_assert_false (bs_password_verify (after->password_hash, "old-password"));
  assert_no_secret (f, "new-password", after);

  run_admin (f, "x\n", "--db", f->db, "user-passwd", "--email", "nobody@example.com", NULL);
  assert_failed (f, 1, "nobody@example.com");
  run_admin (f, "\n", "--db", f->db, "user-passwd", "--email", "dora@example.com", NULL);
  assert_failed (f, 1, "The password is empty");
  g_clear_pointer (&after, bs_user_free);
  after = user_by_email (f, "dora@example.com");
  g_assert_true (bs_password_verify (after->password_hash, "new-password"));
  run_admin (f, NULL, "--db", f->db, "user-passwd", NULL);
  assert_failed (f, 2, "user-passwd needs --email");
}

/* friend-add, friend-remove */

static guint
count_friendships (Fixture *f)
{
  g_autoptr (GError)    error = NULL;
  BsStore              *store = bs_store_open (f->db, &error);
  g_autoptr (GPtrArray) pairs = bs_store_friendships (store, &error);

  g_assert_no_error (error);
  bs_store_close (store);
  return pairs->len / 2;
}

static void
test_friends (Fixture *f, gconstpointer data)
{
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--id", "a", "--email", "a@example.com",
             "--name", "A", "--role", "CLIENT", NULL);
  run_admin (f, "pw\n", "--db", f->db, "user-add", "--id", "b", "--email", "b@example.com",
             "--name", "B", "--role", "CLIENT", NULL);

  run_admin (f, NULL, "--db", f->db, "friend-add", "b@example.com", "A@example.com", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Added friendship b@example.com (b) – a@example.com (a)\n");
  g_assert_cmpuint (count_friendships (f), ==, 1);
  run_admin (f, NULL, "--db", f->db, "friend-add", "a@example.com", "b@example.com", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==,
                   "a@example.com and b@example.com were already friends: nothing to do\n");
  g_assert_cmpuint (count_friendships (f), ==, 1);

  run_admin (f, NULL, "--db", f->db, "friend-add", "a@example.com", "ghost@example.com", NULL);
  assert_failed (f, 1, "ghost@example.com");
  run_admin (f, NULL, "--db", f->db, "friend-add", "a@example.com", "a@example.com", NULL);
  assert_failed (f, 1, "their own friend");
  run_admin (f, NULL, "--db", f->db, "friend-add", "a@example.com", NULL);
  assert_failed (f, 2, "friend-add takes 2 arguments, not 1");

  run_admin (f, NULL, "--db", f->db, "friend-remove", "a@example.com", "b@example.com", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Removed friendship a@example.com (a) – b@example.com (b)\n");
  g_assert_cmpuint (count_friendships (f), ==, 0);
  run_admin (f, NULL, "--db", f->db, "friend-remove", "b@example.com", "a@example.com", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "b@example.com and a@example.com were not friends: nothing to do\n");
  run_admin (f, NULL, "--db", f->db, "friend-remove", "b@example.com", "nobody@example.com", NULL);
  assert_failed (f, 1, "nobody@example.com");
  run_admin (f, NULL, "--db", f->db, "friend-remove", "a", "b", "c", NULL);
  assert_failed (f, 2, "friend-remove takes 2 arguments, not 3");
}

/* import */

static void
test_import (Fixture *f, gconstpointer data)
{
  g_autofree char *good = write_file (
      f, "good.json",
      "{\"users\":[{\"id\":1,\"email\":\"one@example.com\",\"name\":\"One\",\"role\":\"CLIENT\","
      "\"password\":\"pw1\"},{\"id\":\"2\",\"email\":\"two@example.com\",\"name\":\"Two\","
      "\"role\":\"FREELANCER\"},{\"id\":3,\"email\":\"three@example.com\",\"name\":\"Three\","
      "\"role\":\"CLIENT\"}],\"friendships\":[[1,2],[2,3],[2,1]]}");
  g_autofree char *bad = write_file (
      f, "bad.json",
      "{\"users\":[{\"id\":7,\"email\":\"seven@example.com\",\"name\":\"Seven\",\"role\":\"CLIENT\"}],"
      "\"friendships\":[[7,8]]}");
  g_autofree char   *broken = write_file (f, "broken.json", "{\"users\":[");
  g_autofree char   *missing = g_build_filename (f->dir, "missing.json", NULL);
  g_autoptr (BsUser) one = NULL;

  run_admin (f, NULL, "--db", f->db, "import", good, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpstr (f->out, ==, "Imported 3 users and 2 friendships\n");
  g_assert_cmpstr (f->err, ==, "");
  one = user_by_email (f, "one@example.com");
  g_assert_cmpstr (one->id, ==, "1");
  g_assert_true (bs_password_verify (one->password_hash, "pw1"));
  assert_no_secret (f, "pw1", one);

  run_admin (f, NULL, "--db", f->db, "import", bad, NULL);
  assert_failed (f, 1, "friendships[0]: No user has the id “8”");
  g_assert_nonnull (strstr (f->err, "nothing was imported"));
  g_assert_cmpuint (count_users (f), ==, 3);

  run_admin (f, NULL, "--db", f->db, "import", good, NULL); /* again: the users exist */
  assert_failed (f, 1, "already exists");
  g_assert_cmpuint (count_users (f), ==, 3);

  run_admin (f, NULL, "--db", f->db, "import", broken, NULL);
  assert_failed (f, 1, "JSON");
  run_admin (f, NULL, "--db", f->db, "import", missing, NULL);
  assert_failed (f, 1, "missing.json");
  run_admin (f, NULL, "--db", f->db, "import", NULL);
  assert_failed (f, 2, "import takes 1 argument, not 0");
}

/* Usage */

static void
test_usage (Fixture *f, gconstpointer data)
{
  g_autofree char *not_a_dir = write_file (f, "file", "x");
  g_autofree char *db_in_file = g_build_filename (not_a_dir, "beacon.db", NULL);

  run_admin (f, NULL, "--help", NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_assert_true (g_str_has_prefix (f->out, "Usage: beacon-server admin"));
  g_assert_cmpstr (f->err, ==, "");

  run_admin (f, NULL, NULL);
  assert_failed (f, 2, "no command given");
  run_admin (f, NULL, "--db", f->db, NULL);
  assert_failed (f, 2, "no command given");
  run_admin (f, NULL, "--db", f->db, "user-delete", NULL);
  assert_failed (f, 2, "unknown command “user-delete”");
  run_admin (f, NULL, "--verbose", "user-list", NULL);
  assert_failed (f, 2, "unknown option “--verbose”");
  run_admin (f, NULL, "user-list", NULL);
  assert_failed (f, 2, "no database");
  run_admin (f, NULL, "user-list", "--db", NULL);
  assert_failed (f, 2, "--db needs a value");
  run_admin (f, NULL, "--db", NULL);
  assert_failed (f, 2, "--db needs a value");
  run_admin (f, NULL, "--db", db_in_file, "user-list", NULL);
  assert_failed (f, 1, "Could not open the database");
}

int
main (int argc, char **argv)
{
  g_setenv ("BEACON_PASSWORD_FAST", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/admin/user-add/password-file", test_user_add_password_file);
  ADD ("/admin/user-add/stdin", test_user_add_stdin);
  ADD ("/admin/user-add/env-db", test_user_add_env_db);
  ADD ("/admin/user-add/failures", test_user_add_failures);
  ADD ("/admin/user-list", test_user_list);
  ADD ("/admin/user-passwd", test_user_passwd);
  ADD ("/admin/friends", test_friends);
  ADD ("/admin/import", test_import);
  ADD ("/admin/usage", test_usage);
#undef ADD

  return g_test_run ();
}
