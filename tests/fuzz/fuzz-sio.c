/* fuzz-sio.c: libFuzzer target for Socket.IO packets: a decoded packet must encode to a
 * text that decodes to the same packet and encodes to the same text again. */

#include "beacon-sio.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (BeaconSioPacket) packet = beacon_sio_decode ((const char *) data, size, NULL);
  g_autoptr (BeaconSioPacket) again = NULL;
  g_autofree char            *text = NULL;
  g_autofree char            *text2 = NULL;

  if (packet == NULL)
    return 0;

  text = beacon_sio_encode (packet);
  again = beacon_sio_decode (text, strlen (text), NULL);
  if (again == NULL || again->type != packet->type || again->id != packet->id ||
      again->attachments != packet->attachments || strcmp (again->nsp, packet->nsp) != 0)
    abort ();
  text2 = beacon_sio_encode (again);
  if (strcmp (text, text2) != 0)
    abort ();
  return 0;
}
