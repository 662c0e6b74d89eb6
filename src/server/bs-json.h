/* bs-json.h: small JsonBuilder helpers of beacon-server: one call per object member, a
 * NULL string written as JSON null. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void bs_json_member_string (JsonBuilder *builder, const char *name, const char *value);
void bs_json_member_bool (JsonBuilder *builder, const char *name, gboolean value);
void bs_json_member_int (JsonBuilder *builder, const char *name, gint64 value);

G_END_DECLS
