/* beacon-app-private.h: small helpers shared by the app's widgets, not part of any
 * widget's API. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* For a widget built from a template whose root child has no id: gtk_widget_dispose_template()
 * lets go of the named children only, so whatever is still parented goes too. */
static inline void
beacon_widget_dispose_template (GtkWidget *widget, GType type)
{
  GtkWidget *child;

  gtk_widget_dispose_template (widget, type);
  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}

G_END_DECLS
