/* bs-admin.c: "beacon-server admin": adds and lists users, sets passwords, adds and removes
 * friendships and imports JSON graphs, straight on the SQLite database. */

#include "bs-admin.h"

#include "bs-password.h"
#include "bs-store.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PROGRAM          "beacon-server admin"
#define PASSWORD_MAX_LEN 1024

static const char usage_text[] =
    "Usage: beacon-server admin [--db PATH] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  user-add --email EMAIL --name NAME --role CLIENT|FREELANCER|ADMIN\n"
    "           [--id ID] [--headline TEXT] [--password-file FILE]\n"
    "  user-list\n"
    "  user-passwd --email EMAIL [--password-file FILE]\n"
    "  friend-add EMAIL EMAIL\n"
    "  friend-remove EMAIL EMAIL\n"
    "  import FILE.json\n"
    "\n"
    "The database is --db PATH, or else the environment variable BEACON_DB.\n"
    "Without --password-file the password is read as one line from standard input.\n";

typedef enum
{
  OPT_DB = 1 << 0,
  OPT_EMAIL = 1 << 1,
  OPT_NAME = 1 << 2,
  OPT_ROLE = 1 << 3,
  OPT_ID = 1 << 4,
  OPT_HEADLINE = 1 << 5,
  OPT_PASSWORD_FILE = 1 << 6,
} AdminOption;

typedef struct
{
  const char *db;
  const char *email;
  const char *name;
  const char *role;
  const char *id;
  const char *headline;
  const char *password_file;
  guint       given;     /* AdminOption bits */
  GPtrArray  *arguments; /* the positional arguments after the command (borrowed) */
} AdminArgs;

static const struct
{
  const char *name;
  AdminOption option;
  gsize       offset;
} options[] = {
  { "db", OPT_DB, G_STRUCT_OFFSET (AdminArgs, db) },
  { "email", OPT_EMAIL, G_STRUCT_OFFSET (AdminArgs, email) },
  { "name", OPT_NAME, G_STRUCT_OFFSET (AdminArgs, name) },
  { "role", OPT_ROLE, G_STRUCT_OFFSET (AdminArgs, role) },
  { "id", OPT_ID, G_STRUCT_OFFSET (AdminArgs, id) },
  { "headline", OPT_HEADLINE, G_STRUCT_OFFSET (AdminArgs, headline) },
  { "password-file", OPT_PASSWORD_FILE, G_STRUCT_OFFSET (AdminArgs, password_file) },
};

static int G_GNUC_PRINTF (1, 2) usage_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, PROGRAM ": %s\n\n%s", message, usage_text);
  return 2;
}

static int
report_error (const GError *error)
{
  fprintf (stderr, PROGRAM ": %s\n", error->message);
  return 1;
}

static int G_GNUC_PRINTF (1, 2) report (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, PROGRAM ": %s\n", message);
  return 1;
}

/* Parses "--name VALUE" and "--name=VALUE" options anywhere, and positional arguments.
 * Returns 0, or 2 after printing a usage error. */
static int
parse_arguments (int argc, char **argv, int first, AdminArgs *args)
{
  gboolean only_positional = FALSE;

  for (int i = first; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *eq;
      gsize       name_len;
      guint       k;

      if (only_positional || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (args->arguments, (gpointer) arg);
          continue;
        }
      if (g_str_equal (arg, "--"))
        {
          only_positional = TRUE;
          continue;
        }
      if (!g_str_has_prefix (arg, "--"))
        return usage_error ("unknown option “%s”", arg);

      eq = strchr (arg + 2, '=');
      name_len = eq != NULL ? (gsize) (eq - (arg + 2)) : strlen (arg + 2);
      for (k = 0; k < G_N_ELEMENTS (options); k++)
        {
          if (strlen (options[k].name) == name_len &&
              strncmp (options[k].name, arg + 2, name_len) == 0)
            break;
        }
      if (k == G_N_ELEMENTS (options))
        return usage_error ("unknown option “%s”", arg);
      if (args->given & options[k].option)
        return usage_error ("--%s given twice", options[k].name);
      if (eq == NULL && i + 1 >= argc)
        return usage_error ("--%s needs a value", options[k].name);

      G_STRUCT_MEMBER (const char *, args, options[k].offset) = eq != NULL ? eq + 1 : argv[++i];
      args->given |= options[k].option;
    }
  return 0;
}

/* Returns 0 when only allowed options were given, and all required ones; else 2. */
static int
check_options (const AdminArgs *args, const char *command, guint required, guint allowed)
{
  allowed |= required | OPT_DB;
  for (guint k = 0; k < G_N_ELEMENTS (options); k++)
    {
      if ((args->given & options[k].option) && !(allowed & options[k].option))
        return usage_error ("%s does not take --%s", command, options[k].name);
      if ((required & options[k].option) && !(args->given & options[k].option))
        return usage_error ("%s needs --%s", command, options[k].name);
    }
  return 0;
}

/* Passwords */

static char *
strip_line (char *text)
{
  gsize len = strcspn (text, "\n");

  if (len > 0 && text[len - 1] == '\r')
    len--;
  text[len] = '\0';
  return text;
}

static char *
read_password_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize            len = 0;
  char            *password;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (memchr (contents, '\0', len) != NULL)
    {
      sodium_memzero (contents, len);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a text file", path);
      return NULL;
    }
  password = g_strdup (strip_line (contents)); /* the first line */
  sodium_memzero (contents, len);
  if (strlen (password) > PASSWORD_MAX_LEN)
    {
      sodium_memzero (password, strlen (password));
      g_free (password);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "The password is longer than %d bytes",
                   PASSWORD_MAX_LEN);
      return NULL;
    }
  return password;
}

/* One line from fd 0, read a byte at a time so nothing past the line is consumed; not echoed
 * on a terminal. */
static char *
read_password_stdin (const char *email, GError **error)
{
  struct termios saved, quiet;
  gboolean       tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char           buffer[PASSWORD_MAX_LEN + 1];
  gsize          len = 0;
  gboolean       too_long = FALSE;
  char          *password = NULL;

  if (tty)
    {
      fprintf (stderr, "Password for %s: ", email);
      fflush (stderr);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  for (;;)
    {
      char    c;
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       "Could not read the password from standard input: %s",
                       g_strerror (saved_errno));
          break;
        }
      if (n == 0 || c == '\n')
        {
          buffer[len] = '\0';
          password = g_strdup (strip_line (buffer));
          break;
        }
      if (len < PASSWORD_MAX_LEN)
        buffer[len++] = c;
      else
        too_long = TRUE;
    }

  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }
  sodium_memzero (buffer, sizeof buffer);
  if (password != NULL && too_long)
    {
      sodium_memzero (password, strlen (password));
      g_clear_pointer (&password, g_free);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "The password is longer than %d bytes",
                   PASSWORD_MAX_LEN);
    }
  return password;
}

static void
password_free (char *password)
{
  if (password != NULL)
    {
      sodium_memzero (password, strlen (password));
      g_free (password);
    }
}

/* The password's argon2id hash, from the file or else stdin; NULL after printing why. */
static char *
read_and_hash_password (const AdminArgs *args, const char *email)
{
  g_autoptr (GError) error = NULL;
  char              *password;
  char              *hash;

  if (args->password_file != NULL)
    password = read_password_file (args->password_file, &error);
  else
    password = read_password_stdin (email, &error);
  if (password == NULL)
    {
      report_error (error);
      return NULL;
    }
  if (password[0] == '\0')
    {
      password_free (password);
      report ("The password is empty: refusing it");
      return NULL;
    }
  if (!g_utf8_validate (password, -1, NULL))
    {
      password_free (password);
      report ("The password is not valid UTF-8");
      return NULL;
    }

  if (!bs_password_init ())
    {
      password_free (password);
      report ("Could not initialize libsodium");
      return NULL;
    }
  hash = bs_password_hash (password);
  password_free (password);
  if (hash == NULL)
    report ("Could not hash the password: out of memory");
  return hash;
}

/* Commands */

static int
cmd_user_add (BsStore *store, const AdminArgs *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BsUser) existing = NULL;
  g_autoptr (BsUser) added = NULL;
  g_autofree char   *role = g_ascii_strup (args->role, -1);
  g_autofree char   *hash = NULL;
  BsUser             tmpl = { 0 };

  /* Refuse what the store would refuse before asking for a password. */
  if ((existing = bs_store_user_by_email (store, args->email, &error)) != NULL)
    return report ("A user with the email address %s already exists (%s)", existing->email,
                   existing->id);
  if (!g_error_matches (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND))
    return report_error (error);
  g_clear_error (&error);
  if (args->id != NULL && (existing = bs_store_user_by_id (store, args->id, NULL)) != NULL)
    return report ("A user with the id “%s” already exists", args->id);

  tmpl.id = (char *) args->id;
  tmpl.email = (char *) args->email;
  tmpl.name = (char *) args->name;
  tmpl.role = role;
  tmpl.headline = (char *) args->headline;
  /* Everything but the password is checked before asking for it. */
  if (!bs_store_user_validate (&tmpl, &error))
    return report_error (error);

  if ((hash = read_and_hash_password (args, args->email)) == NULL)
    return 1;
  tmpl.password_hash = hash;

  if ((added = bs_store_user_add_full (store, &tmpl, &error)) == NULL)
    return report_error (error);
  printf ("Added user %s (%s, %s)\n", added->id, added->email, added->role);
  return 0;
}

static int
cmd_user_list (BsStore *store)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) users = bs_store_users (store, &error);
  glong                 widths[3] = { 2, 5, 4 }; /* "ID", "EMAIL", "ROLE" */

  if (users == NULL)
    return report_error (error);

  for (guint i = 0; i < users->len; i++)
    {
      const BsUser *user = users->pdata[i];

      widths[0] = MAX (widths[0], g_utf8_strlen (user->id, -1));
      widths[1] = MAX (widths[1], g_utf8_strlen (user->email, -1));
      widths[2] = MAX (widths[2], g_utf8_strlen (user->role, -1));
    }

  printf ("%-*s  %-*s  %-*s  %s\n", (int) widths[0], "ID", (int) widths[1], "EMAIL",
          (int) widths[2], "ROLE", "NAME");
  for (guint i = 0; i < users->len; i++)
    {
      const BsUser *user = users->pdata[i];

      /* printf pads by bytes: pad by characters for non-ASCII ids and addresses. */
      printf ("%s%*s  %s%*s  %-*s  %s\n", user->id,
              (int) (widths[0] - g_utf8_strlen (user->id, -1)), "", user->email,
              (int) (widths[1] - g_utf8_strlen (user->email, -1)), "", (int) widths[2], user->role,
              user->name);
    }
  return 0;
}

static int
cmd_user_passwd (BsStore *store, const AdminArgs *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BsUser) user = bs_store_user_by_email (store, args->email, &error);
  g_autofree char   *hash = NULL;

  if (user == NULL)
    return report_error (error);
  if ((hash = read_and_hash_password (args, user->email)) == NULL)
    return 1;
  if (!bs_store_user_set_password_hash (store, user->id, hash, &error))
    return report_error (error);
  printf ("Changed the password of user %s (%s)\n", user->id, user->email);
  return 0;
}

static int
cmd_friend (BsStore *store, const AdminArgs *args, gboolean add)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BsUser) a = NULL;
  g_autoptr (BsUser) b = NULL;
  gboolean           changed = FALSE;
  gboolean           ok;

  if ((a = bs_store_user_by_email (store, args->arguments->pdata[0], &error)) == NULL ||
      (b = bs_store_user_by_email (store, args->arguments->pdata[1], &error)) == NULL)
    return report_error (error);
  if (add)
    ok = bs_store_friend_add (store, a->id, b->id, &changed, &error);
  else
    ok = bs_store_friend_remove (store, a->id, b->id, &changed, &error);
  if (!ok)
    return report_error (error);

  if (add && changed)
    printf ("Added friendship %s (%s) – %s (%s)\n", a->email, a->id, b->email, b->id);
  else if (add)
    printf ("%s and %s were already friends: nothing to do\n", a->email, b->email);
  else if (changed)
    printf ("Removed friendship %s (%s) – %s (%s)\n", a->email, a->id, b->email, b->id);
  else
    printf ("%s and %s were not friends: nothing to do\n", a->email, b->email);
  return 0;
}

static int
cmd_import (BsStore *store, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *contents = NULL;
  gsize              len = 0;
  guint              n_users = 0, n_friendships = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    return report_error (error);
  if (!bs_store_import_json (store, contents, len, &n_users, &n_friendships, &error))
    return report ("%s: %s (nothing was imported)", path, error->message);
  printf ("Imported %u users and %u friendships\n", n_users, n_friendships);
  return 0;
}

int
bs_admin_main (int argc, char **argv)
{
  g_autoptr (GPtrArray) arguments = g_ptr_array_new ();
  g_autoptr (GError)    error = NULL;
  AdminArgs             args = { .arguments = arguments };
  const char           *command;
  BsStore              *store;
  guint                 n_positional = 0;
  int                   status;
  int                   i = 1;

  /* Options before the command: --db and --help. */
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          fputs (usage_text, stdout);
          return 0;
        }
      if (g_str_equal (argv[i], "--db") && i + 1 >= argc)
        return usage_error ("--db needs a value");
      if (g_str_equal (argv[i], "--db"))
        args.db = argv[++i];
      else if (g_str_has_prefix (argv[i], "--db="))
        args.db = argv[i] + strlen ("--db=");
      else
        return usage_error ("unknown option “%s”", argv[i]);
      args.given |= OPT_DB;
    }
  if (i >= argc)
    return usage_error ("no command given");
  command = argv[i];

  if ((status = parse_arguments (argc, argv, i + 1, &args)) != 0)
    return status;

  if (g_str_equal (command, "user-add"))
    status = check_options (&args, command, OPT_EMAIL | OPT_NAME | OPT_ROLE,
                            OPT_ID | OPT_HEADLINE | OPT_PASSWORD_FILE);
  else if (g_str_equal (command, "user-list"))
    status = check_options (&args, command, 0, 0);
  else if (g_str_equal (command, "user-passwd"))
    status = check_options (&args, command, OPT_EMAIL, OPT_PASSWORD_FILE);
  else if (g_str_equal (command, "friend-add") || g_str_equal (command, "friend-remove"))
    {
      status = check_options (&args, command, 0, 0);
      n_positional = 2;
    }
  else if (g_str_equal (command, "import"))
    {
      status = check_options (&args, command, 0, 0);
      n_positional = 1;
    }
  else
    return usage_error ("unknown command “%s”", command);
  if (status != 0)
    return status;
  if (arguments->len != n_positional)
    return usage_error ("%s takes %u argument%s, not %u", command, n_positional,
                        n_positional == 1 ? "" : "s", arguments->len);

  if (args.db == NULL)
    args.db = g_getenv ("BEACON_DB");
  if (args.db == NULL || args.db[0] == '\0')
    return usage_error ("no database: give --db PATH or set BEACON_DB");

  if ((store = bs_store_open (args.db, &error)) == NULL)
    return report_error (error);

  if (g_str_equal (command, "user-add"))
    status = cmd_user_add (store, &args);
  else if (g_str_equal (command, "user-list"))
    status = cmd_user_list (store);
  else if (g_str_equal (command, "user-passwd"))
    status = cmd_user_passwd (store, &args);
  else if (g_str_equal (command, "friend-add"))
    status = cmd_friend (store, &args, TRUE);
  else if (g_str_equal (command, "friend-remove"))
    status = cmd_friend (store, &args, FALSE);
  else
    status = cmd_import (store, arguments->pdata[0]);

  bs_store_close (store);
  fflush (stdout);
  return status;
}
