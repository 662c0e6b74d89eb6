/* fuzz-eio-payload.c: libFuzzer target for long-polling payloads: a decoded payload must
 * encode and decode back to the same packets. */

#include "beacon-eio.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) packets = beacon_eio_decode_payload ((const char *) data, size, 1000, NULL);
  g_autoptr (GPtrArray) again = NULL;
  g_autofree char      *text = NULL;

  if (packets == NULL)
    return 0;

  text = beacon_eio_encode_payload ((BeaconEioPacket *const *) packets->pdata, packets->len);
  again = beacon_eio_decode_payload (text, strlen (text), 1000, NULL);
  if (again == NULL || again->len != packets->len)
    abort ();
  for (guint i = 0; i < packets->len; i++)
    {
      BeaconEioPacket *a = packets->pdata[i];
      BeaconEioPacket *b = again->pdata[i];

      if (a->type != b->type || a->binary != b->binary || !g_bytes_equal (a->data, b->data))
        abort ();
    }
  return 0;
}
