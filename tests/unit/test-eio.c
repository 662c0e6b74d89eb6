/* test-eio.c: unit tests of the Engine.IO v4 packet and long-polling payload codec,
 * with every example of the Engine.IO v4 specification. */

#include "beacon-eio.h"

#include <string.h>

static BeaconEioPacket *
decode_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  BeaconEioPacket   *packet = beacon_eio_decode_text (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (packet);
  return packet;
}

static void
assert_text (const BeaconEioPacket *packet, BeaconEioType type, const char *text)
{
  gsize       len;
  const char *data = beacon_eio_packet_get_text (packet, &len);

  g_assert_cmpint (packet->type, ==, type);
  g_assert_false (packet->binary);
  g_assert_cmpuint (len, ==, strlen (text));
  g_assert_cmpstr (data, ==, text);
}

static void
test_eio_spec_packets (void)
{
  /* The packet types table and the examples of the specification. */
  static const struct
  {
    const char   *wire;
    BeaconEioType type;
    const char   *data;
  } cases[] = {
    { "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
      "\"pingTimeout\":20000,\"maxPayload\":1000000}",
      BEACON_EIO_OPEN,
      "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
      "\"pingTimeout\":20000,\"maxPayload\":1000000}" },
    { "1", BEACON_EIO_CLOSE, "" },
    { "2", BEACON_EIO_PING, "" },
    { "3", BEACON_EIO_PONG, "" },
    { "2probe", BEACON_EIO_PING, "probe" },
    { "3probe", BEACON_EIO_PONG, "probe" },
    { "4hello", BEACON_EIO_MESSAGE, "hello" },
    { "5", BEACON_EIO_UPGRADE, "" },
    { "6", BEACON_EIO_NOOP, "" },
    { "42[\"chat:focus\",{\"partnerId\":\"u2\"}]", BEACON_EIO_MESSAGE,
      "2[\"chat:focus\",{\"partnerId\":\"u2\"}]" },
    { "4héllo ✓", BEACON_EIO_MESSAGE, "héllo ✓" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BeaconEioPacket) packet = decode_ok (cases[i].wire);
      g_autofree char            *again = NULL;

      assert_text (packet, cases[i].type, cases[i].data);
      again = beacon_eio_encode_text (packet);
      g_assert_cmpstr (again, ==, cases[i].wire);
    }
}

static void
test_eio_probe (void)
{
  g_autoptr (BeaconEioPacket) ping = decode_ok ("2probe");
  g_autoptr (BeaconEioPacket) pong = decode_ok ("3probe");
  g_autoptr (BeaconEioPacket) plain = decode_ok ("2");
  g_autoptr (BeaconEioPacket) other = decode_ok ("2probes");

  g_assert_true (beacon_eio_packet_is_probe (ping, BEACON_EIO_PING));
  g_assert_false (beacon_eio_packet_is_probe (ping, BEACON_EIO_PONG));
  g_assert_true (beacon_eio_packet_is_probe (pong, BEACON_EIO_PONG));
  g_assert_false (beacon_eio_packet_is_probe (plain, BEACON_EIO_PING));
  g_assert_false (beacon_eio_packet_is_probe (other, BEACON_EIO_PING));
}

static void
test_eio_spec_payload (void)
{
  /* "4hello\x1e2\x1e4world" */
  static const char     text[] = "4hello\x1e"
                                 "2\x1e"
                                 "4world";
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) packets = beacon_eio_decode_payload (text, sizeof text - 1, 0, &error);
  g_autofree char      *again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (packets->len, ==, 3);
  assert_text (packets->pdata[0], BEACON_EIO_MESSAGE, "hello");
  assert_text (packets->pdata[1], BEACON_EIO_PING, "");
  assert_text (packets->pdata[2], BEACON_EIO_MESSAGE, "world");

  again = beacon_eio_encode_payload ((BeaconEioPacket *const *) packets->pdata, packets->len);
  g_assert_cmpstr (again, ==, text);
}

static void
test_eio_spec_binary_payload (void)
{
  /* "4hello\x1ebAQIDBA==": a binary message <01 02 03 04> in base64. */
  static const char     text[] = "4hello\x1e"
                                 "bAQIDBA==";
  static const guint8   expected[] = { 1, 2, 3, 4 };
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) packets = beacon_eio_decode_payload (text, sizeof text - 1, 0, &error);
  BeaconEioPacket      *bin;
  gsize                 len;
  gconstpointer         data;
  g_autofree char      *again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (packets->len, ==, 2);
  assert_text (packets->pdata[0], BEACON_EIO_MESSAGE, "hello");
  bin = packets->pdata[1];
  g_assert_true (bin->binary);
  g_assert_cmpint (bin->type, ==, BEACON_EIO_MESSAGE);
  data = g_bytes_get_data (bin->data, &len);
  g_assert_cmpmem (data, len, expected, sizeof expected);

  again = beacon_eio_encode_payload ((BeaconEioPacket *const *) packets->pdata, packets->len);
  g_assert_cmpstr (again, ==, text);
}

static void
test_eio_binary_frame (void)
{
  static const guint8         raw[] = { 0, 0xff, 0x1e, 'x' };
  g_autoptr (BeaconEioPacket) packet = beacon_eio_decode_binary (raw, sizeof raw);
  g_autofree char            *text = beacon_eio_encode_text (packet);
  gsize                       len;
  gconstpointer               data = g_bytes_get_data (packet->data, &len);

  g_assert_true (packet->binary);
  g_assert_cmpint (packet->type, ==, BEACON_EIO_MESSAGE);
  g_assert_cmpmem (data, len, raw, sizeof raw);
  g_assert_cmpstr (text, ==, "bAP8eeA==");
}

static void
test_eio_constructors (void)
{
  g_autoptr (BeaconEioPacket) pong = beacon_eio_packet_new (BEACON_EIO_PONG, NULL);
  g_autoptr (BeaconEioPacket) msg = beacon_eio_packet_new (BEACON_EIO_MESSAGE, "2[\"heartbeat\"]");
  g_autofree char            *a = beacon_eio_encode_text (pong);
  g_autofree char            *b = beacon_eio_encode_text (msg);

  g_assert_cmpstr (a, ==, "3");
  g_assert_cmpstr (b, ==, "42[\"heartbeat\"]");
  assert_text (msg, BEACON_EIO_MESSAGE, "2[\"heartbeat\"]");
}

static void
test_eio_rejects (void)
{
  static const struct
  {
    const char *in;
    gsize       len;
    int         code;
  } cases[] = {
    { "", 0, BEACON_EIO_ERROR_EMPTY },
    { "7", 1, BEACON_EIO_ERROR_BAD_TYPE },
    { "9hello", 6, BEACON_EIO_ERROR_BAD_TYPE },
    { "a", 1, BEACON_EIO_ERROR_BAD_TYPE },
    { "/4", 2, BEACON_EIO_ERROR_BAD_TYPE },
    { " 4", 2, BEACON_EIO_ERROR_BAD_TYPE },
    { "\x00"
      "4",
      2, BEACON_EIO_ERROR_BAD_TYPE },
    { "4\xff\xfe", 3, BEACON_EIO_ERROR_BAD_UTF8 },
    { "4caf\xc3", 5, BEACON_EIO_ERROR_BAD_UTF8 },
    { "4\xed\xa0\x80", 4, BEACON_EIO_ERROR_BAD_UTF8 },
    { "bAQI", 4, BEACON_EIO_ERROR_BAD_BASE64 },
    { "bAQ=D", 5, BEACON_EIO_ERROR_BAD_BASE64 },
    { "b!!!!", 5, BEACON_EIO_ERROR_BAD_BASE64 },
    { "bAQIDBA=\n", 9, BEACON_EIO_ERROR_BAD_BASE64 },
    { "bAQ-_", 5, BEACON_EIO_ERROR_BAD_BASE64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)          error = NULL;
      g_autoptr (BeaconEioPacket) packet =
          beacon_eio_decode_text (cases[i].in, cases[i].len, &error);

      g_test_message ("case %u", i);
      g_assert_null (packet);
      g_assert_error (error, BEACON_EIO_ERROR, cases[i].code);
    }
}

static void
test_eio_payload_rejects (void)
{
  static const struct
  {
    const char *in;
    int         code;
  } cases[] = {
    { "", BEACON_EIO_ERROR_EMPTY },
    { "4a\x1e", BEACON_EIO_ERROR_EMPTY },
    { "\x1e"
      "4a",
      BEACON_EIO_ERROR_EMPTY },
    { "4a\x1e\x1e"
      "4b",
      BEACON_EIO_ERROR_EMPTY },
    { "4a\x1e"
      "8b",
      BEACON_EIO_ERROR_BAD_TYPE },
    { "4a\x1e"
      "b@@@@",
      BEACON_EIO_ERROR_BAD_BASE64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)    error = NULL;
      g_autoptr (GPtrArray) packets =
          beacon_eio_decode_payload (cases[i].in, strlen (cases[i].in), 0, &error);

      g_test_message ("case %u", i);
      g_assert_null (packets);
      g_assert_error (error, BEACON_EIO_ERROR, cases[i].code);
    }
}

static void
test_eio_payload_limit (void)
{
  g_autoptr (GString)   text = g_string_new ("6");
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) ok = NULL;
  g_autoptr (GPtrArray) refused = NULL;

  for (guint i = 1; i < 16; i++)
    g_string_append (text, "\x1e"
                           "6");

  ok = beacon_eio_decode_payload (text->str, text->len, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->len, ==, 16);

  refused = beacon_eio_decode_payload (text->str, text->len, 15, &error);
  g_assert_null (refused);
  g_assert_error (error, BEACON_EIO_ERROR, BEACON_EIO_ERROR_TOO_LARGE);
}

static void
test_eio_large_payload (void)
{
  /* A 1 MB message decodes and encodes back unchanged. */
  gsize                       n = 1000000;
  g_autofree char            *text = g_malloc (n + 1);
  g_autoptr (BeaconEioPacket) packet = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *again = NULL;

  text[0] = '4';
  memset (text + 1, 'x', n - 1);
  text[n] = '\0';
  packet = beacon_eio_decode_text (text, n, &error);
  g_assert_no_error (error);
  again = beacon_eio_encode_text (packet);
  g_assert_cmpstr (again, ==, text);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/eio/spec/packets", test_eio_spec_packets);
  g_test_add_func ("/eio/spec/payload", test_eio_spec_payload);
  g_test_add_func ("/eio/spec/binary-payload", test_eio_spec_binary_payload);
  g_test_add_func ("/eio/probe", test_eio_probe);
  g_test_add_func ("/eio/binary-frame", test_eio_binary_frame);
  g_test_add_func ("/eio/constructors", test_eio_constructors);
  g_test_add_func ("/eio/rejects", test_eio_rejects);
  g_test_add_func ("/eio/payload-rejects", test_eio_payload_rejects);
  g_test_add_func ("/eio/payload-limit", test_eio_payload_limit);
  g_test_add_func ("/eio/large-payload", test_eio_large_payload);

  return g_test_run ();
}
