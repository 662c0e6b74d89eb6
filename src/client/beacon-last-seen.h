/* beacon-last-seen.h: the "last seen" text of an offline contact ("just now", "5 minutes
 * ago", "yesterday at 14:05", "Monday at 09:12", a date), in the user's language. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *beacon_last_seen_format (GDateTime *last_seen, GDateTime *now);
char *beacon_last_seen_label (GDateTime *last_seen, GDateTime *now);

G_END_DECLS
