/* test-sio.c: unit tests of the Socket.IO v5 packet codec, with every example of the
 * Socket.IO v5 specification and the reference parser's validity rules. */

#include "beacon-sio.h"
#include "beacon-json.h"

#include <string.h>

static BeaconSioPacket *
decode_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  BeaconSioPacket   *packet = beacon_sio_decode (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (packet);
  return packet;
}

static void
test_sio_spec_examples (void)
{
  /* Wire text, then the fields the specification gives for it. */
  static const struct
  {
    const char   *wire;
    BeaconSioType type;
    const char   *nsp;
    gint64        id;
    guint         attachments;
    const char   *data;
  } cases[] = {
    { "0", BEACON_SIO_CONNECT, "/", -1, 0, NULL },
    { "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", BEACON_SIO_CONNECT, "/admin", -1, 0,
      "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}" },
    { "4{\"message\":\"Not authorized\"}", BEACON_SIO_CONNECT_ERROR, "/", -1, 0,
      "{\"message\":\"Not authorized\"}" },
    { "2[\"foo\"]", BEACON_SIO_EVENT, "/", -1, 0, "[\"foo\"]" },
    { "2/admin,[\"bar\"]", BEACON_SIO_EVENT, "/admin", -1, 0, "[\"bar\"]" },
    { "51-[\"baz\",{\"_placeholder\":true,\"num\":0}]", BEACON_SIO_BINARY_EVENT, "/", -1, 1,
      "[\"baz\",{\"_placeholder\":true,\"num\":0}]" },
    { "52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
      BEACON_SIO_BINARY_EVENT, "/admin", -1, 2,
      "[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]" },
    { "212[\"foo\"]", BEACON_SIO_EVENT, "/", 12, 0, "[\"foo\"]" },
    { "3/admin,13[\"bar\"]", BEACON_SIO_ACK, "/admin", 13, 0, "[\"bar\"]" },
    { "61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]", BEACON_SIO_BINARY_ACK, "/", 15, 1,
      "[\"bar\",{\"_placeholder\":true,\"num\":0}]" },
    { "1", BEACON_SIO_DISCONNECT, "/", -1, 0, NULL },
    { "1/admin,", BEACON_SIO_DISCONNECT, "/admin", -1, 0, NULL },
    /* From the sample session and PROTOCOL.md. */
    { "0{\"token\":\"123\"}", BEACON_SIO_CONNECT, "/", -1, 0, "{\"token\":\"123\"}" },
    { "0/presence,", BEACON_SIO_CONNECT, "/presence", -1, 0, NULL },
    { "4/,{\"message\":\"unauthorized\",\"data\":{\"code\":\"token_expired\"}}",
      BEACON_SIO_CONNECT_ERROR, "/", -1, 0,
      "{\"message\":\"unauthorized\",\"data\":{\"code\":\"token_expired\"}}" },
    { "4\"Invalid namespace\"", BEACON_SIO_CONNECT_ERROR, "/", -1, 0, "\"Invalid namespace\"" },
    { "20[\"heartbeat\"]", BEACON_SIO_EVENT, "/", 0, 0, "[\"heartbeat\"]" },
    { "30[{\"ok\":true,\"serverTime\":\"2026-11-23T10:00:00.000Z\"}]", BEACON_SIO_ACK, "/", 0, 0,
      "[{\"ok\":true,\"serverTime\":\"2026-11-23T10:00:00.000Z\"}]" },
    { "2[\"presence_updated\",{\"user_id\":\"u2\",\"status\":\"online\",\"version\":42},1,null]",
      BEACON_SIO_EVENT, "/", -1, 0,
      "[\"presence_updated\",{\"user_id\":\"u2\",\"status\":\"online\",\"version\":42},1,null]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BeaconSioPacket) packet = decode_ok (cases[i].wire);
      g_autofree char            *again = NULL;

      g_test_message ("case %u: %s", i, cases[i].wire);
      g_assert_cmpint (packet->type, ==, cases[i].type);
      g_assert_cmpstr (packet->nsp, ==, cases[i].nsp);
      g_assert_cmpint (packet->id, ==, cases[i].id);
      g_assert_cmpuint (packet->attachments, ==, cases[i].attachments);
      if (cases[i].data)
        {
          g_autofree char *data = beacon_json_to_string (packet->data);
          g_assert_cmpstr (data, ==, cases[i].data);
        }
      else
        g_assert_null (packet->data);

      /* Encoding gives back the wire text, except where the input spelled out the main
       * namespace ("4/,"), which the encoder omits as the reference encoder does. */
      again = beacon_sio_encode (packet);
      if (g_str_has_prefix (cases[i].wire, "4/,"))
        g_assert_cmpstr (again + 1, ==, cases[i].wire + 3);
      else
        g_assert_cmpstr (again, ==, cases[i].wire);
    }
}

static void
test_sio_namespace_without_comma (void)
{
  /* "40/custom" (an Engine.IO message "0/custom"): a namespace with nothing after it. */
  g_autoptr (BeaconSioPacket) packet = decode_ok ("0/custom");

  g_assert_cmpint (packet->type, ==, BEACON_SIO_CONNECT);
  g_assert_cmpstr (packet->nsp, ==, "/custom");
  g_assert_cmpint (packet->id, ==, -1);
  g_assert_null (packet->data);
}

static void
test_sio_encode_byte_exact (void)
{
  /* What socket.io-parser's encoder emits for the same packets. */
  g_autoptr (JsonBuilder)     builder = json_builder_new ();
  g_autoptr (BeaconSioPacket) event = NULL;
  g_autoptr (BeaconSioPacket) connect = NULL;
  g_autoptr (BeaconSioPacket) ack = NULL;
  g_autofree char            *a = NULL;
  g_autofree char            *b = NULL;
  g_autofree char            *c = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_string_value (builder, "u2");
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "away");
  json_builder_set_member_name (builder, "last_seen");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "custom_message");
  json_builder_add_string_value (builder, "At \"lunch\"\n\u00e9");
  json_builder_set_member_name (builder, "score");
  json_builder_add_double_value (builder, 0.5);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 42);
  json_builder_end_object (builder);

  event =
      beacon_sio_packet_new_event ("/", -1, "presence_updated", json_builder_get_root (builder));
  a = beacon_sio_encode (event);
  g_assert_cmpstr (
      a, ==,
      "2[\"presence_updated\",{\"user_id\":\"u2\",\"status\":\"away\",\"last_seen\":null,"
      "\"custom_message\":\"At \\\"lunch\\\"\\né\",\"score\":0.5,\"version\":42}]");

  json_builder_reset (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, "a.b.c");
  json_builder_end_object (builder);
  connect = beacon_sio_packet_new (BEACON_SIO_CONNECT, NULL, -1, json_builder_get_root (builder));
  b = beacon_sio_encode (connect);
  g_assert_cmpstr (b, ==, "0{\"token\":\"a.b.c\"}");

  json_builder_reset (builder);
  json_builder_begin_array (builder);
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_array (builder);
  ack = beacon_sio_packet_new (BEACON_SIO_ACK, "/presence", 7, json_builder_get_root (builder));
  c = beacon_sio_encode (ack);
  g_assert_cmpstr (c, ==, "3/presence,7[true]");
}

static void
test_sio_accessors (void)
{
  g_autoptr (BeaconSioPacket) event =
      decode_ok ("2[\"send_message\",{\"conversationId\":\"c1\"},\"x\"]");
  g_autoptr (BeaconSioPacket) ack = decode_ok ("35[{\"ok\":true}]");
  g_autoptr (BeaconSioPacket) connect = decode_ok ("0");

  g_assert_cmpstr (beacon_sio_packet_get_event_name (event), ==, "send_message");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (beacon_sio_packet_get_arg (event, 0)));
  g_assert_cmpstr (json_node_get_string (beacon_sio_packet_get_arg (event, 1)), ==, "x");
  g_assert_null (beacon_sio_packet_get_arg (event, 2));

  g_assert_null (beacon_sio_packet_get_event_name (ack));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (beacon_sio_packet_get_arg (ack, 0)));
  g_assert_null (beacon_sio_packet_get_arg (ack, 1));

  g_assert_null (beacon_sio_packet_get_arg (connect, 0));
}

static void
test_sio_rejects (void)
{
  static const struct
  {
    const char *in;
    gsize       len;
    int         code;
  } cases[] = {
    /* empty and wrong type digit */
    { "", 0, BEACON_SIO_ERROR_EMPTY },
    { "7", 1, BEACON_SIO_ERROR_BAD_TYPE },
    { "x[\"a\"]", 6, BEACON_SIO_ERROR_BAD_TYPE },
    { "-2[\"a\"]", 7, BEACON_SIO_ERROR_BAD_TYPE },
    /* attachments */
    { "5[\"a\"]", 6, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    { "5-[\"a\"]", 7, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    { "51", 2, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    { "5a-[\"a\"]", 8, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    { "511-[\"a\"]", 9, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    { "599999999999-[\"a\"]", 18, BEACON_SIO_ERROR_BAD_ATTACHMENTS },
    /* namespace */
    { "2/adm\xffin,[\"a\"]", 13, BEACON_SIO_ERROR_BAD_NAMESPACE },
    /* ack id */
    { "299999999999999999[\"a\"]", 23, BEACON_SIO_ERROR_BAD_ACK_ID },
    { "29007199254740992[\"a\"]", 22, BEACON_SIO_ERROR_BAD_ACK_ID },
    { "3[\"a\"]", 6, BEACON_SIO_ERROR_BAD_ACK_ID },
    { "2-1[\"a\"]", 8, BEACON_SIO_ERROR_BAD_JSON },
    { "21a[\"a\"]", 8, BEACON_SIO_ERROR_BAD_JSON },
    /* JSON */
    { "2[\"a\"", 5, BEACON_SIO_ERROR_BAD_JSON },
    { "2[\"a\"]]", 7, BEACON_SIO_ERROR_BAD_JSON },
    { "2[\"\xc3\x28\"]", 7, BEACON_SIO_ERROR_BAD_JSON },
    { "2[\"a\",1e999]", 12, BEACON_SIO_ERROR_BAD_JSON },
    { "2admin,[\"a\"]", 12, BEACON_SIO_ERROR_BAD_JSON },
    /* payload validity */
    { "0[]", 3, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "0\"token\"", 8, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "0null", 5, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "1{}", 3, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "1/admin,{}", 10, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2", 1, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[]", 3, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2{}", 3, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2\"hello\"", 8, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[1,2]", 6, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[null]", 7, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[\"connect\"]", 12, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[\"disconnect\",1]", 17, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "2[\"newListener\"]", 16, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "31{}", 4, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "31", 2, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "4", 1, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "4[]", 3, BEACON_SIO_ERROR_BAD_PAYLOAD },
    { "4123", 4, BEACON_SIO_ERROR_BAD_PAYLOAD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)          error = NULL;
      g_autoptr (BeaconSioPacket) packet = beacon_sio_decode (cases[i].in, cases[i].len, &error);

      g_test_message ("case %u", i);
      g_assert_null (packet);
      g_assert_error (error, BEACON_SIO_ERROR, cases[i].code);
    }
}

static void
test_sio_deep_nesting (void)
{
  g_autoptr (GString)         text = g_string_new ("2[\"x\",");
  g_autoptr (GError)          error = NULL;
  g_autoptr (BeaconSioPacket) packet = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  packet = beacon_sio_decode (text->str, text->len, &error);
  g_assert_null (packet);
  g_assert_error (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_JSON);
}

static void
test_sio_long_namespace (void)
{
  g_autoptr (GString)         text = g_string_new ("0/");
  g_autoptr (GError)          error = NULL;
  g_autoptr (BeaconSioPacket) packet = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, 'n');
  g_string_append_c (text, ',');
  packet = beacon_sio_decode (text->str, text->len, &error);
  g_assert_null (packet);
  g_assert_error (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_NAMESPACE);
}

static void
test_sio_max_ack_id (void)
{
  g_autoptr (BeaconSioPacket) packet = decode_ok ("29007199254740991[\"a\"]");
  g_autofree char            *again = beacon_sio_encode (packet);

  g_assert_cmpint (packet->id, ==, BEACON_SIO_MAX_ACK_ID);
  g_assert_cmpstr (again, ==, "29007199254740991[\"a\"]");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sio/spec/examples", test_sio_spec_examples);
  g_test_add_func ("/sio/namespace-without-comma", test_sio_namespace_without_comma);
  g_test_add_func ("/sio/encode-byte-exact", test_sio_encode_byte_exact);
  g_test_add_func ("/sio/accessors", test_sio_accessors);
  g_test_add_func ("/sio/rejects", test_sio_rejects);
  g_test_add_func ("/sio/deep-nesting", test_sio_deep_nesting);
  g_test_add_func ("/sio/long-namespace", test_sio_long_namespace);
  g_test_add_func ("/sio/max-ack-id", test_sio_max_ack_id);

  return g_test_run ();
}
