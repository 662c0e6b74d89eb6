/* test-json.c: unit tests of the strict JSON reader and the JSON.stringify-compatible
 * writer of libbeacon-proto. */

#include "beacon-json.h"

#include <string.h>

static char *
roundtrip (const char *text)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) node = beacon_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return beacon_json_to_string (node);
}

static void
test_json_compact_order (void)
{
  /* Output is compact and keeps key order; expected strings are what JSON.stringify
   * (JSON.parse (input)) prints in Node.js. */
  static const struct
  {
    const char *in, *out;
  } cases[] = {
    { " { \"b\" : 1 , \"a\" : [ true , false , null ] } ", "{\"b\":1,\"a\":[true,false,null]}" },
    { "{\"z\":{},\"y\":[],\"x\":\"\"}", "{\"z\":{},\"y\":[],\"x\":\"\"}" },
    { "{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}" },
    { "\"caf\\u00e9 \\ud83d\\ude00\"", "\"café 😀\"" },
    { "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\\u0001\\u001f\\u007f\"",
      "\"/\\b\\f\\n\\r\\t\\\"\\\\\\u0001\\u001f\x7f\"" },
    /* Integers are kept exactly even past 2^53, where JavaScript would round: ids. */
    { "[0,-0,1,-1,9007199254740993]", "[0,0,1,-1,9007199254740993]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = roundtrip (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_json_numbers (void)
{
  /* Number::toString forms, as Node prints JSON.stringify ([x]). */
  static const struct
  {
    const char *in, *out;
  } cases[] = {
    { "0.1", "0.1" },         { "1.5", "1.5" },
    { "-2.25", "-2.25" },     { "1e3", "1000" },
    { "1.0", "1" },           { "1e21", "1e+21" },
    { "1.5e21", "1.5e+21" },  { "123456789012345678901", "123456789012345680000" },
    { "1e-6", "0.000001" },   { "1e-7", "1e-7" },
    { "1.25e-7", "1.25e-7" }, { "0.30000000000000004", "0.30000000000000004" },
    { "5e-324", "5e-324" },   { "1.7976931348623157e308", "1.7976931348623157e+308" },
    { "-0.0", "0" },          { "100e-2", "1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = roundtrip (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_json_int_kept (void)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) node = beacon_json_parse ("-9223372036854775808", 20, &error);

  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, G_MININT64);
}

static void
test_json_rejects (void)
{
  static const struct
  {
    const char *in;
    gsize       len;
    int         code;
  } cases[] = {
    { "", 0, BEACON_JSON_ERROR_SYNTAX },
    { "   ", 3, BEACON_JSON_ERROR_SYNTAX },
    { "{", 1, BEACON_JSON_ERROR_SYNTAX },
    { "[1,]", 4, BEACON_JSON_ERROR_SYNTAX },
    { "{\"a\":1,}", 8, BEACON_JSON_ERROR_SYNTAX },
    { "{a:1}", 5, BEACON_JSON_ERROR_SYNTAX },
    { "'x'", 3, BEACON_JSON_ERROR_SYNTAX },
    { "01", 2, BEACON_JSON_ERROR_SYNTAX },
    { "1.", 2, BEACON_JSON_ERROR_SYNTAX },
    { ".5", 2, BEACON_JSON_ERROR_SYNTAX },
    { "+1", 2, BEACON_JSON_ERROR_SYNTAX },
    { "1e", 2, BEACON_JSON_ERROR_SYNTAX },
    { "NaN", 3, BEACON_JSON_ERROR_SYNTAX },
    { "Infinity", 8, BEACON_JSON_ERROR_SYNTAX },
    { "tru", 3, BEACON_JSON_ERROR_SYNTAX },
    { "nul", 3, BEACON_JSON_ERROR_SYNTAX },
    { "[1] [2]", 7, BEACON_JSON_ERROR_SYNTAX },
    { "\"abc", 4, BEACON_JSON_ERROR_SYNTAX },
    { "\"a\nb\"", 5, BEACON_JSON_ERROR_SYNTAX },
    { "\"\\x\"", 4, BEACON_JSON_ERROR_SYNTAX },
    { "\"\\u12\"", 6, BEACON_JSON_ERROR_SYNTAX },
    { "\"\\", 2, BEACON_JSON_ERROR_SYNTAX },
    { "[1\0]", 4, BEACON_JSON_ERROR_SYNTAX },
    { "\"\xff\"", 3, BEACON_JSON_ERROR_UTF8 },
    { "\"\xc3\"", 3, BEACON_JSON_ERROR_UTF8 },
    { "\"\xed\xa0\x80\"", 5, BEACON_JSON_ERROR_UTF8 },
    { "\"\\ud800\"", 8, BEACON_JSON_ERROR_UTF8 },
    { "\"\\udc00\\ud800\"", 14, BEACON_JSON_ERROR_UTF8 },
    { "\"\\ud800\\u0041\"", 14, BEACON_JSON_ERROR_UTF8 },
    { "\"\\u0000\"", 8, BEACON_JSON_ERROR_UTF8 },
    { "1e400", 5, BEACON_JSON_ERROR_NUMBER },
    { "-1e400", 6, BEACON_JSON_ERROR_NUMBER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)   error = NULL;
      g_autoptr (JsonNode) node = beacon_json_parse (cases[i].in, cases[i].len, &error);

      g_test_message ("case %u", i);
      g_assert_null (node);
      g_assert_error (error, BEACON_JSON_ERROR, cases[i].code);
    }
}

static void
test_json_depth (void)
{
  g_autoptr (GString)  ok = g_string_new (NULL);
  g_autoptr (GString)  deep = g_string_new (NULL);
  g_autoptr (GString)  huge = g_string_new (NULL);
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) node = NULL;

  for (guint i = 0; i < BEACON_JSON_MAX_DEPTH; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < BEACON_JSON_MAX_DEPTH; i++)
    g_string_append_c (ok, ']');
  node = beacon_json_parse (ok->str, ok->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);

  g_string_append (deep, "[");
  g_string_append (deep, ok->str);
  g_string_append (deep, "]");
  g_assert_null (beacon_json_parse (deep->str, deep->len, &error));
  g_assert_error (error, BEACON_JSON_ERROR, BEACON_JSON_ERROR_DEPTH);
  g_clear_error (&error);

  /* A million open brackets must not recurse a million times. */
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (huge, '[');
  g_assert_null (beacon_json_parse (huge->str, huge->len, &error));
  g_assert_error (error, BEACON_JSON_ERROR, BEACON_JSON_ERROR_DEPTH);
}

static void
test_json_long_number (void)
{
  g_autoptr (GString) digits = g_string_new ("1");
  g_autoptr (GError)  error = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append_c (digits, '0');
  g_assert_null (beacon_json_parse (digits->str, digits->len, &error));
  g_assert_error (error, BEACON_JSON_ERROR, BEACON_JSON_ERROR_NUMBER);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/compact-order", test_json_compact_order);
  g_test_add_func ("/json/numbers", test_json_numbers);
  g_test_add_func ("/json/int-kept", test_json_int_kept);
  g_test_add_func ("/json/rejects", test_json_rejects);
  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/long-number", test_json_long_number);

  return g_test_run ();
}
