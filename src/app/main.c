/* main.c: the entry point of beacon, the desktop app: sets up gettext and runs
 * BeaconApplication. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "beacon-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr (BeaconApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = beacon_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
