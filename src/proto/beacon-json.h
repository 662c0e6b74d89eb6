/* beacon-json.h: strict JSON reader and a writer that emits what JavaScript's
 * JSON.stringify emits for the same value (compact, key order kept). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BEACON_JSON_ERROR (beacon_json_error_quark ())

typedef enum
{
  BEACON_JSON_ERROR_SYNTAX,
  BEACON_JSON_ERROR_UTF8,
  BEACON_JSON_ERROR_DEPTH,
  BEACON_JSON_ERROR_NUMBER,
  BEACON_JSON_ERROR_TOO_LARGE,
} BeaconJsonError;

/* Nesting deeper than this is refused; no protocol message comes near it. */
#define BEACON_JSON_MAX_DEPTH 32

GQuark beacon_json_error_quark (void);

JsonNode *beacon_json_parse (const char *data, gsize len, GError **error);
void      beacon_json_write (GString *out, JsonNode *node);
char     *beacon_json_to_string (JsonNode *node);
void      beacon_json_write_string (GString *out, const char *str);
void      beacon_json_write_double (GString *out, double value);

G_END_DECLS
