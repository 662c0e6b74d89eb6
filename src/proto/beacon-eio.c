/* beacon-eio.c: Engine.IO v4 packet and long-polling payload codec, with the decoding
 * rules of the reference engine.io-parser and strict UTF-8 and base64 checks. */

#include "beacon-eio.h"

#include <string.h>

GQuark
beacon_eio_error_quark (void)
{
  return g_quark_from_static_string ("beacon-eio-error-quark");
}

static GBytes *
bytes_with_nul (const char *data, gsize len)
{
  char *copy = g_malloc (len + 1);

  memcpy (copy, data, len);
  copy[len] = '\0';
  return g_bytes_new_with_free_func (copy, len, g_free, copy);
}

BeaconEioPacket *
beacon_eio_packet_new (BeaconEioType type, const char *text)
{
  BeaconEioPacket *packet;

  g_return_val_if_fail (type >= BEACON_EIO_OPEN && type <= BEACON_EIO_NOOP, NULL);

  packet = g_new0 (BeaconEioPacket, 1);
  packet->type = type;
  packet->data = text ? bytes_with_nul (text, strlen (text)) : g_bytes_new (NULL, 0);
  return packet;
}

BeaconEioPacket *
beacon_eio_packet_new_binary (GBytes *bytes)
{
  BeaconEioPacket *packet = g_new0 (BeaconEioPacket, 1);

  packet->type = BEACON_EIO_MESSAGE;
  packet->binary = TRUE;
  packet->data = g_bytes_ref (bytes);
  return packet;
}

void
beacon_eio_packet_free (BeaconEioPacket *packet)
{
  if (packet == NULL)
    return;
  g_bytes_unref (packet->data);
  g_free (packet);
}

/**
 * beacon_eio_packet_get_text:
 * @packet: a text packet
 * @len: (out) (optional): its length
 *
 * Returns: the packet's data; NUL-terminated, since decoders and constructors store a
 *   terminator after the data without counting it
 */
const char *
beacon_eio_packet_get_text (const BeaconEioPacket *packet, gsize *len)
{
  gsize       n;
  const char *data = g_bytes_get_data (packet->data, &n);

  if (len)
    *len = n;
  return data ? data : "";
}

/* TRUE for "2probe" (PING) or "3probe" (PONG), the packets of the transport upgrade. */
gboolean
beacon_eio_packet_is_probe (const BeaconEioPacket *packet, BeaconEioType type)
{
  gsize       len;
  const char *text = beacon_eio_packet_get_text (packet, &len);

  return packet->type == type && !packet->binary && len == 5 && memcmp (text, "probe", 5) == 0;
}

static gboolean
base64_valid (const char *data, gsize len)
{
  gsize pad = 0;

  if (len % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '=')
        {
          if (i < len - 2)
            return FALSE;
          pad++;
        }
      else if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  return TRUE;
}

/**
 * beacon_eio_decode_text:
 * @data: one encoded packet (a WebSocket text frame, or one part of a payload)
 * @len: its length
 * @error: where an empty packet, an unknown type, bad base64 or bad UTF-8 is reported
 *
 * Returns: (transfer full): the packet, or %NULL with @error set
 */
BeaconEioPacket *
beacon_eio_decode_text (const char *data, gsize len, GError **error)
{
  g_autoptr (BeaconEioPacket) packet = NULL;

  if (len == 0)
    {
      g_set_error_literal (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_EMPTY, "Empty packet");
      return NULL;
    }

  if (data[0] == 'b')
    {
      gsize            out_len = 0;
      g_autofree char *b64 = g_strndup (data + 1, len - 1);
      guchar          *raw;

      if (!base64_valid (data + 1, len - 1))
        {
          g_set_error_literal (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_BAD_BASE64,
                               "Binary packet is not valid base64");
          return NULL;
        }
      raw = g_base64_decode (b64, &out_len);
      packet = g_new0 (BeaconEioPacket, 1);
      packet->type = BEACON_EIO_MESSAGE;
      packet->binary = TRUE;
      packet->data = g_bytes_new_take (raw, out_len);
      return g_steal_pointer (&packet);
    }

  if (data[0] < '0' || data[0] > '6')
    {
      g_set_error (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_BAD_TYPE, "Unknown packet type 0x%02x",
                   (guchar) data[0]);
      return NULL;
    }
  if (!g_utf8_validate_len (data + 1, len - 1, NULL))
    {
      g_set_error_literal (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_BAD_UTF8,
                           "Packet data is not valid UTF-8");
      return NULL;
    }

  packet = g_new0 (BeaconEioPacket, 1);
  packet->type = data[0] - '0';
  packet->data = bytes_with_nul (data + 1, len - 1);
  return g_steal_pointer (&packet);
}

/* A binary WebSocket frame is always a message, its bytes as they are. */
BeaconEioPacket *
beacon_eio_decode_binary (const guint8 *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);

  return beacon_eio_packet_new_binary (bytes);
}

static void
append_packet (GString *out, const BeaconEioPacket *packet)
{
  gsize         len;
  gconstpointer data = g_bytes_get_data (packet->data, &len);

  if (packet->binary)
    {
      g_autofree char *b64 = g_base64_encode (data, len);

      g_string_append_c (out, 'b');
      g_string_append (out, b64);
    }
  else
    {
      g_string_append_c (out, '0' + packet->type);
      g_string_append_len (out, data, len);
    }
}

/* The text form of one packet: the type digit and the data, or "b" + base64 for binary. */
char *
beacon_eio_encode_text (const BeaconEioPacket *packet)
{
  GString *out = g_string_new (NULL);

  append_packet (out, packet);
  return g_string_free (out, FALSE);
}

/**
 * beacon_eio_decode_payload:
 * @data: a long-polling request or response body
 * @len: its length
 * @max_packets: refuse payloads with more packets than this (0 for no limit)
 * @error: where the first bad packet is reported
 *
 * Returns: (transfer full) (element-type BeaconEioPacket): the packets, in order, or
 *   %NULL with @error set when any one of them is bad (the whole payload is refused)
 */
GPtrArray *
beacon_eio_decode_payload (const char *data, gsize len, gsize max_packets, GError **error)
{
  g_autoptr (GPtrArray) packets =
      g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_eio_packet_free);
  const char *p = data;
  const char *end = data + len;

  for (;;)
    {
      const char      *sep = memchr (p, BEACON_EIO_SEPARATOR, end - p);
      const char      *stop = sep ? sep : end;
      BeaconEioPacket *packet;

      if (max_packets > 0 && packets->len >= max_packets)
        {
          g_set_error (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_TOO_LARGE,
                       "Payload holds more than %" G_GSIZE_FORMAT " packets", max_packets);
          return NULL;
        }
      if (!(packet = beacon_eio_decode_text (p, stop - p, error)))
        {
          g_prefix_error (error, "Packet %u of payload: ", packets->len + 1);
          return NULL;
        }
      g_ptr_array_add (packets, packet);
      if (sep == NULL)
        break;
      p = sep + 1;
    }

  return g_steal_pointer (&packets);
}

char *
beacon_eio_encode_payload (BeaconEioPacket *const *packets, guint n_packets)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n_packets; i++)
    {
      if (i > 0)
        g_string_append_c (out, BEACON_EIO_SEPARATOR);
      append_packet (out, packets[i]);
    }
  return g_string_free (out, FALSE);
}
