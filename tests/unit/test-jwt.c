/* test-jwt.c: unit tests of the HS256 JWT codec: a published test vector, round trips,
 * and each way a token is refused, with the wire codes of PROTOCOL.md section 2. */

#include "beacon-jwt.h"
#include "beacon-json.h"

#include <string.h>

/* The example token jwt.io shows for HS256 with the secret "your-256-bit-secret". */
#define JWT_IO_TOKEN                                                            \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"                                        \
  ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ" \
  ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
#define JWT_IO_SECRET "your-256-bit-secret"

#define KEY     ((const guint8 *) "beacon-test-secret")
#define KEY_LEN (sizeof "beacon-test-secret" - 1)
#define NOW     G_GINT64_CONSTANT (1700000000)

static char *
b64url (const char *data, gsize len)
{
  char *text = g_base64_encode ((const guchar *) data, len);
  char *end;

  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  if ((end = strchr (text, '=')))
    *end = '\0';
  return text;
}

static char *
b64url_str (const char *text)
{
  return b64url (text, strlen (text));
}

/* A token made of any header and payload text, signed with HMAC-SHA256 over them. */
static char *
make_token (const char *header, const char *payload, const guint8 *key, gsize key_len)
{
  g_autofree char  *h = b64url_str (header);
  g_autofree char  *p = b64url_str (payload);
  g_autofree char  *input = g_strconcat (h, ".", p, NULL);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8            mac[32];
  gsize             mac_len = sizeof mac;
  g_autofree char  *s = NULL;

  g_hmac_update (hmac, (const guchar *) input, -1);
  g_hmac_get_digest (hmac, mac, &mac_len);
  s = b64url ((const char *) mac, mac_len);
  return g_strconcat (input, ".", s, NULL);
}

static char *
make_hs256 (const char *payload)
{
  return make_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, KEY, KEY_LEN);
}

static JsonObject *
verify_str (const char *token, gint64 now, GError **error)
{
  return beacon_jwt_verify (token, strlen (token), KEY, KEY_LEN, now, error);
}

static void
assert_refused (const char *token, gint64 now, int code)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = verify_str (token, now, &error);

  g_assert_null (claims);
  g_assert_error (error, BEACON_JWT_ERROR, code);
}

static char *
claims_to_string (JsonObject *claims)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), claims);

  return beacon_json_to_string (node);
}

static void
test_jwt_io_vector (void)
{
  const guint8          *secret = (const guint8 *) JWT_IO_SECRET;
  gsize                  secret_len = strlen (JWT_IO_SECRET);
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (JsonObject) wanted = json_object_new ();
  g_autofree char       *signed_token = NULL;
  g_autofree char       *ours = NULL;

  /* Our own HMAC over the vector's text gives the published signature. */
  ours = make_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                     "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}", secret,
                     secret_len);
  g_assert_cmpstr (ours, ==, JWT_IO_TOKEN);

  claims = beacon_jwt_verify (JWT_IO_TOKEN, strlen (JWT_IO_TOKEN), secret, secret_len, 1516239022,
                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (claims);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, "1234567890");
  g_assert_cmpstr (json_object_get_string_member (claims, "name"), ==, "John Doe");
  g_assert_cmpint (json_object_get_int_member (claims, "iat"), ==, 1516239022);

  /* And signing the same claims in the same order gives the same token. */
  json_object_set_string_member (wanted, "sub", "1234567890");
  json_object_set_string_member (wanted, "name", "John Doe");
  json_object_set_int_member (wanted, "iat", 1516239022);
  signed_token = beacon_jwt_sign (wanted, secret, secret_len);
  g_assert_cmpstr (signed_token, ==, JWT_IO_TOKEN);

  /* Another secret does not verify it. */
  g_clear_pointer (&claims, json_object_unref);
  g_clear_error (&error);
  claims = beacon_jwt_verify (JWT_IO_TOKEN, strlen (JWT_IO_TOKEN), KEY, KEY_LEN, 0, &error);
  g_assert_null (claims);
  g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_SIGNATURE);
}

static JsonObject *
server_claims (gint64 iat, gint64 exp)
{
  JsonObject *claims = json_object_new ();

  json_object_set_string_member (claims, "sub", "u1");
  json_object_set_string_member (claims, "id", "u1");
  json_object_set_string_member (claims, "role", "FREELANCER");
  json_object_set_int_member (claims, "iat", iat);
  json_object_set_int_member (claims, "exp", exp);
  return claims;
}

static void
test_round_trip (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 30 * 86400);
  g_autoptr (JsonObject) back = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree guchar *payload = NULL;
  g_autofree char   *payload_text = NULL;
  g_autofree char   *a = NULL;
  g_autofree char   *b = NULL;
  gsize              payload_len;
  g_autofree char   *padded = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpstr (parts[0], ==, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  g_assert_null (strchr (token, '='));
  g_assert_null (strchr (token, '+'));
  g_assert_null (strchr (token, '/'));

  /* The payload is the claims as JSON.stringify writes them, in insertion order. */
  padded = g_strnfill (strlen (parts[1]) + (4 - strlen (parts[1]) % 4) % 4, '=');
  memcpy (padded, parts[1], strlen (parts[1]));
  for (char *p = padded; *p; p++)
    {
      if (*p == '-')
        *p = '+';
      else if (*p == '_')
        *p = '/';
    }
  payload = g_base64_decode (padded, &payload_len);
  payload_text = g_strndup ((const char *) payload, payload_len);
  g_assert_cmpstr (payload_text, ==,
                   "{\"sub\":\"u1\",\"id\":\"u1\",\"role\":\"FREELANCER\","
                   "\"iat\":1700000000,\"exp\":1702592000}");

  back = verify_str (token, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  a = claims_to_string (claims);
  b = claims_to_string (back);
  g_assert_cmpstr (a, ==, b);
}

static void
test_not_nul_terminated (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_autofree char       *buffer = g_strconcat (token, "garbage.more", NULL);
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) back = NULL;

  back = beacon_jwt_verify (buffer, strlen (token), KEY, KEY_LEN, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  g_clear_error (&error);
  g_clear_pointer (&back, json_object_unref);
  back = beacon_jwt_verify (buffer, strlen (buffer), KEY, KEY_LEN, NOW, &error);
  g_assert_null (back);
  g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED);
}

static void
test_expiry (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 100);
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (GError)     late = NULL;
  g_autoptr (JsonObject) refused = NULL;

  ok = verify_str (token, NOW + 99, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* now >= exp is expired */
  refused = verify_str (token, NOW + 100, &late);
  g_assert_null (refused);
  g_assert_error (late, BEACON_JWT_ERROR, BEACON_JWT_ERROR_EXPIRED);
  g_assert_cmpstr (beacon_jwt_error_to_wire_code (late), ==, "token_expired");
  assert_refused (token, NOW + 1000000, BEACON_JWT_ERROR_EXPIRED);
}

static void
test_expiry_double (void)
{
  g_autofree char       *token = make_hs256 ("{\"sub\":\"u1\",\"exp\":1700000000.5}");
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) ok = verify_str (token, NOW, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ok);
  assert_refused (token, NOW + 1, BEACON_JWT_ERROR_EXPIRED);
}

static void
test_not_before (void)
{
  g_autofree char   *token = make_hs256 ("{\"sub\":\"u1\",\"nbf\":1700000000,\"exp\":1700000100}");
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) early = NULL;
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) refused = NULL;

  refused = verify_str (token, NOW - 1, &early);
  g_assert_null (refused);
  g_assert_error (early, BEACON_JWT_ERROR, BEACON_JWT_ERROR_NOT_YET_VALID);
  /* Not valid yet is not "expired" on the wire. */
  g_assert_cmpstr (beacon_jwt_error_to_wire_code (early), ==, "token_invalid");

  ok = verify_str (token, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

static void
test_bad_claims (void)
{
  static const char *const payloads[] = {
    "{\"sub\":\"u1\",\"exp\":\"1800000000\"}",
    "{\"sub\":\"u1\",\"exp\":null}",
    "{\"sub\":\"u1\",\"exp\":[1800000000]}",
    "{\"sub\":\"u1\",\"nbf\":true}",
    "{\"sub\":\"u1\",\"nbf\":{}}",
    "{\"sub\":\"u1\",\"iat\":\"yesterday\"}",
    "{\"sub\":\"u1\",\"iat\":null}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autofree char *token = make_hs256 (payloads[i]);

      assert_refused (token, NOW, BEACON_JWT_ERROR_BAD_CLAIMS);
    }
}

static void
test_no_time_claims (void)
{
  g_autofree char       *token = make_hs256 ("{\"sub\":\"u1\"}");
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = verify_str (token, G_MAXINT64, &error);

  g_assert_no_error (error);
  g_assert_nonnull (claims);
}

static void
test_tampered_payload (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_autofree char       *forged_payload = b64url_str ("{\"sub\":\"admin\",\"id\":\"admin\","
                                                            "\"role\":\"ADMIN\",\"iat\":1700000000,"
                                                            "\"exp\":1700000060}");
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree char *forged = g_strjoin (".", parts[0], forged_payload, parts[2], NULL);

  assert_refused (forged, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_tampered_signature (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_autofree char       *first = g_strdup (token);
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  gsize            sig_at = strlen (parts[0]) + strlen (parts[1]) + 2;
  g_autofree char *truncated = NULL;
  g_autofree char *longer = NULL;
  g_autofree char *last_byte = NULL;

  /* Another first character */
  first[sig_at] = first[sig_at] == 'A' ? 'B' : 'A';
  assert_refused (first, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);

  /* Only the last of the 32 bytes differs: the comparison runs to the end. The 43rd
   * character holds that byte's low 4 bits (and 2 zero bits); step it by 4. */
  last_byte = g_strdup (token);
  {
    char       *c = last_byte + strlen (last_byte) - 1;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    gsize       v = strchr (alphabet, *c) - alphabet;

    *c = alphabet[(v + 4) % 64];
  }
  assert_refused (last_byte, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);

  /* Signatures of the wrong length (30 and 35 bytes), valid base64url */
  truncated = g_strndup (token, strlen (token) - 3);
  assert_refused (truncated, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);
  longer = g_strconcat (token, "AAAA", NULL);
  assert_refused (longer, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_wrong_key (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  const guint8           other[] = "beacon-test-secreT";
  g_autofree char       *token = beacon_jwt_sign (claims, other, sizeof other - 1);
  g_autofree char       *prefix_key = beacon_jwt_sign (claims, KEY, KEY_LEN - 1);

  assert_refused (token, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);
  assert_refused (prefix_key, NOW, BEACON_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_bad_algorithm (void)
{
  static const char *const headers[] = {
    "{\"alg\":\"none\",\"typ\":\"JWT\"}",
    "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
    "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
    "{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
    "{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
    "{\"typ\":\"JWT\"}",
    "{\"alg\":null}",
    "{\"alg\":256}",
    "{\"alg\":[\"HS256\"]}",
  };
  const char *payload = "{\"sub\":\"u1\",\"exp\":1800000000}";

  /* Even correctly HMAC-signed, a header naming another algorithm is refused. */
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autofree char       *token = make_token (headers[i], payload, KEY, KEY_LEN);
      g_autoptr (GError)     error = NULL;
      g_autoptr (JsonObject) claims = verify_str (token, NOW, &error);

      g_assert_null (claims);
      g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_ALGORITHM);
      g_assert_cmpstr (beacon_jwt_error_to_wire_code (error), ==, "token_invalid");
    }
}

static void
test_alg_none_unsigned (void)
{
  g_autofree char *h = b64url_str ("{\"alg\":\"none\",\"typ\":\"JWT\"}");
  g_autofree char *p = b64url_str ("{\"sub\":\"admin\"}");
  g_autofree char *no_sig = g_strconcat (h, ".", p, ".", NULL);
  g_autofree char *two_parts = g_strconcat (h, ".", p, NULL);
  g_autofree char *fake_sig = g_strconcat (h, ".", p, ".AAAA", NULL);

  assert_refused (no_sig, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (two_parts, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (fake_sig, NOW, BEACON_JWT_ERROR_BAD_ALGORITHM);
}

static void
test_malformed (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  g_autofree char       *token = beacon_jwt_sign (claims, KEY, KEY_LEN);
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree char *lead_space = g_strconcat (" ", token, NULL);
  g_autofree char *trail_newline = g_strconcat (token, "\n", NULL);
  g_autofree char *inner_space = g_strjoin (". ", parts[0], parts[1], parts[2], NULL);
  g_autofree char *extra = g_strconcat (token, ".", parts[2], NULL);
  g_autofree char *extra_dot = g_strconcat (token, ".", NULL);
  g_autofree char *no_header = g_strjoin (".", "", parts[1], parts[2], NULL);
  g_autofree char *no_payload = g_strjoin (".", parts[0], "", parts[2], NULL);
  g_autofree char *padded = g_strconcat (token, "=", NULL);
  g_autofree char *plus = g_strdup (token);
  g_autofree char *slash = g_strdup (token);
  g_autofree char *non_canonical = g_strdup (token);
  g_autofree char *len_mod_1 = g_strjoin (".", parts[0], parts[1], "AAAAA", NULL);
  g_autofree char *nul_inside = NULL;
  const char      *malformed[] = {
         "",        ".",        "..",       "...",         "a",         "a.b",         "a..c",
         ".b.c",    "a.b.",     lead_space, trail_newline, inner_space, extra,         extra_dot,
         no_header, no_payload, padded,     plus,          slash,       non_canonical, len_mod_1,
  };

  /* '+' and '/' are plain base64, not base64url */
  for (char *c = plus + strlen (parts[0]) + 1; *c != '.'; c++)
    if (*c == '-' || *c == '_' || g_ascii_isalpha (*c))
      {
        *c = '+';
        break;
      }
  for (char *c = slash + strlen (parts[0]) + 1; *c != '.'; c++)
    if (g_ascii_isalpha (*c))
      {
        *c = '/';
        break;
      }
  /* The signature's last character carries 2 unused bits; setting one is not canonical. */
  {
    char       *c = non_canonical + strlen (non_canonical) - 1;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    gsize       v = strchr (alphabet, *c) - alphabet;

    *c = alphabet[v ^ 1];
  }

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    assert_refused (malformed[i], NOW, BEACON_JWT_ERROR_MALFORMED);

  /* A NUL byte inside the given length */
  nul_inside = g_strdup (token);
  nul_inside[5] = '\0';
  {
    g_autoptr (GError)     error = NULL;
    g_autoptr (JsonObject) none =
        beacon_jwt_verify (nul_inside, strlen (token), KEY, KEY_LEN, NOW, &error);

    g_assert_null (none);
    g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED);
  }
}

static void
test_not_objects (void)
{
  g_autofree char *array_header = make_token ("[\"HS256\"]", "{\"sub\":\"u1\"}", KEY, KEY_LEN);
  g_autofree char *text_header = make_token ("HS256", "{\"sub\":\"u1\"}", KEY, KEY_LEN);
  g_autofree char *crit_header =
      make_token ("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "{\"sub\":\"u1\"}", KEY, KEY_LEN);
  g_autofree char *array_payload = make_hs256 ("[1,2,3]");
  g_autofree char *string_payload = make_hs256 ("\"u1\"");
  g_autofree char *broken_payload = make_hs256 ("{\"sub\":\"u1\"");
  g_autofree char *trailing_payload = make_hs256 ("{\"sub\":\"u1\"}x");

  assert_refused (array_header, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (text_header, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (crit_header, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (array_payload, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (string_payload, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (broken_payload, NOW, BEACON_JWT_ERROR_MALFORMED);
  assert_refused (trailing_payload, NOW, BEACON_JWT_ERROR_MALFORMED);
}

static void
test_size_limit (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  g_autofree char       *fits = NULL;
  g_autofree char       *over = NULL;
  g_autofree char       *huge = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) back = NULL;

  /* Grow a claim until the token passes the limit, keeping the last token that fits
   * (base64url lengths step by one or two characters, so it is the limit or one less)
   * and the first that does not. */
  for (gsize n = BEACON_JWT_MAX_LENGTH * 3 / 4 - 300; over == NULL; n++)
    {
      g_autofree char *filler = g_strnfill (n, 'x');
      char            *token;

      json_object_set_string_member (claims, "pad", filler);
      token = beacon_jwt_sign (claims, KEY, KEY_LEN);
      if (strlen (token) <= BEACON_JWT_MAX_LENGTH)
        {
          g_free (fits);
          fits = token;
        }
      else
        over = token;
    }
  g_assert_nonnull (fits);
  g_assert_cmpuint (strlen (fits), >=, BEACON_JWT_MAX_LENGTH - 1);

  back = verify_str (fits, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  assert_refused (over, NOW, BEACON_JWT_ERROR_TOO_LARGE);

  /* Far over is refused before anything else is looked at. */
  huge = g_strnfill (1024 * 1024, '.');
  assert_refused (huge, NOW, BEACON_JWT_ERROR_TOO_LARGE);
}

static void
test_peek_claims (void)
{
  g_autoptr (JsonObject) claims = server_claims (NOW, NOW + 60);
  const guint8           other[] = "not the server's key";
  g_autofree char       *token = beacon_jwt_sign (claims, other, sizeof other - 1);
  g_autoptr (JsonObject) peeked = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *bad_exp = make_hs256 ("{\"exp\":\"soon\"}");

  /* Signed with a key we do not have and long expired: still readable. */
  peeked = beacon_jwt_peek_claims (token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peeked);
  g_assert_cmpint (json_object_get_int_member (peeked, "exp"), ==, NOW + 60);
  g_assert_cmpstr (json_object_get_string_member (peeked, "sub"), ==, "u1");

  g_clear_pointer (&peeked, json_object_unref);
  peeked = beacon_jwt_peek_claims ("not.a-token", &error);
  g_assert_null (peeked);
  g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED);

  g_clear_error (&error);
  peeked = beacon_jwt_peek_claims (bad_exp, &error);
  g_assert_null (peeked);
  g_assert_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_CLAIMS);
}

static void
test_wire_codes (void)
{
  static const struct
  {
    int         code;
    const char *wire;
  } cases[] = {
    { BEACON_JWT_ERROR_MALFORMED, "token_invalid" },
    { BEACON_JWT_ERROR_BAD_ALGORITHM, "token_invalid" },
    { BEACON_JWT_ERROR_BAD_SIGNATURE, "token_invalid" },
    { BEACON_JWT_ERROR_EXPIRED, "token_expired" },
    { BEACON_JWT_ERROR_NOT_YET_VALID, "token_invalid" },
    { BEACON_JWT_ERROR_BAD_CLAIMS, "token_invalid" },
    { BEACON_JWT_ERROR_TOO_LARGE, "token_invalid" },
  };
  g_autoptr (GError) foreign = g_error_new_literal (G_FILE_ERROR, BEACON_JWT_ERROR_EXPIRED, "x");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (BEACON_JWT_ERROR, cases[i].code, "x");

      g_assert_cmpstr (beacon_jwt_error_to_wire_code (error), ==, cases[i].wire);
    }
  /* Only our domain's EXPIRED is "expired". */
  g_assert_cmpstr (beacon_jwt_error_to_wire_code (foreign), ==, "token_invalid");
  g_assert_cmpstr (beacon_jwt_error_to_wire_code (NULL), ==, "token_invalid");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jwt/jwt-io-vector", test_jwt_io_vector);
  g_test_add_func ("/jwt/round-trip", test_round_trip);
  g_test_add_func ("/jwt/not-nul-terminated", test_not_nul_terminated);
  g_test_add_func ("/jwt/expiry", test_expiry);
  g_test_add_func ("/jwt/expiry-double", test_expiry_double);
  g_test_add_func ("/jwt/not-before", test_not_before);
  g_test_add_func ("/jwt/bad-claims", test_bad_claims);
  g_test_add_func ("/jwt/no-time-claims", test_no_time_claims);
  g_test_add_func ("/jwt/tampered-payload", test_tampered_payload);
  g_test_add_func ("/jwt/tampered-signature", test_tampered_signature);
  g_test_add_func ("/jwt/wrong-key", test_wrong_key);
  g_test_add_func ("/jwt/bad-algorithm", test_bad_algorithm);
  g_test_add_func ("/jwt/alg-none-unsigned", test_alg_none_unsigned);
  g_test_add_func ("/jwt/malformed", test_malformed);
  g_test_add_func ("/jwt/not-objects", test_not_objects);
  g_test_add_func ("/jwt/size-limit", test_size_limit);
  g_test_add_func ("/jwt/peek-claims", test_peek_claims);
  g_test_add_func ("/jwt/wire-codes", test_wire_codes);

  return g_test_run ();
}
