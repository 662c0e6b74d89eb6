/* fuzz-json.c: libFuzzer target for the JSON reader: anything it accepts must write out
 * and read back to the same text. */

#include "beacon-json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonNode) node = beacon_json_parse ((const char *) data, size, NULL);
  g_autoptr (JsonNode) again = NULL;
  g_autofree char     *text = NULL;
  g_autofree char     *text2 = NULL;

  if (node == NULL)
    return 0;

  text = beacon_json_to_string (node);
  again = beacon_json_parse (text, strlen (text), NULL);
  if (again == NULL)
    abort ();
  text2 = beacon_json_to_string (again);
  if (strcmp (text, text2) != 0)
    abort ();
  return 0;
}
