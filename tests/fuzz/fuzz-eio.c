/* fuzz-eio.c: libFuzzer target for one Engine.IO packet (a WebSocket text frame):
 * a decoded packet must encode and decode back to the same packet. */

#include "beacon-eio.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BeaconEioPacket) packet = beacon_eio_decode_text ((const char *) data, size, NULL);
  g_autoptr (BeaconEioPacket) again = NULL;
  g_autofree char            *text = NULL;

  if (packet == NULL)
    return 0;

  text = beacon_eio_encode_text (packet);
  again = beacon_eio_decode_text (text, strlen (text), NULL);
  if (again == NULL || again->type != packet->type || again->binary != packet->binary ||
      !g_bytes_equal (again->data, packet->data))
    abort ();
  return 0;
}
