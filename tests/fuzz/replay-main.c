/* replay-main.c: runs a fuzz target over every file of its seed corpus, so that the
 * corpus (and every crash once found and added to it) is replayed by the normal tests. */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
replay_path (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *contents = NULL;
  gsize              len;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
      const char      *name;
      guint            n = 0;

      if (dir == NULL)
        g_error ("%s", error->message);
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          n += replay_path (child);
        }
      return n;
    }

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return 1;
}

int
main (int argc, char *argv[])
{
  guint n = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    n += replay_path (argv[i]);
  if (n == 0)
    {
      fprintf (stderr, "no input found in the corpus\n");
      return 1;
    }
  printf ("replayed %u inputs\n", n);
  return 0;
}
