/* beacon-jwt.c: HS256 JSON Web Tokens: canonical base64url, HMAC-SHA256 compared in
 * constant time, and the exp / nbf / iat rules of RFC 7519 judged against a given clock. */

#include "beacon-jwt.h"
#include "beacon-json.h"

#include <string.h>

GQuark
beacon_jwt_error_quark (void)
{
  return g_quark_from_static_string ("beacon-jwt-error-quark");
}

#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define MAC_LEN      32

static const char base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* A token cut at its dots, each part decoded; only the header is parsed here. */
typedef struct
{
  JsonObject *header;
  guint8     *payload;
  gsize       payload_len;
  guint8     *signature;
  gsize       signature_len;
  gsize       signing_input_len; /* bytes of "header.payload", the text the MAC covers */
} TokenParts;

static void
token_parts_clear (TokenParts *parts)
{
  g_clear_pointer (&parts->header, json_object_unref);
  g_clear_pointer (&parts->payload, g_free);
  g_clear_pointer (&parts->signature, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TokenParts, token_parts_clear)

static void
append_base64url (GString *out, const guint8 *data, gsize len)
{
  gsize i;

  for (i = 0; i + 3 <= len; i += 3)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      g_string_append_c (out, base64url_alphabet[(v >> 18) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[(v >> 12) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[(v >> 6) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[v & 0x3f]);
    }

  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      g_string_append_c (out, base64url_alphabet[(v >> 18) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[(v >> 12) & 0x3f]);
    }
  else if (len - i == 2)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      g_string_append_c (out, base64url_alphabet[(v >> 18) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[(v >> 12) & 0x3f]);
      g_string_append_c (out, base64url_alphabet[(v >> 6) & 0x3f]);
    }
}

static int
base64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/* Decodes unpadded base64url. Only the canonical form is accepted: no '=', no '+' or '/',
 * no whitespace, no length of 1 modulo 4, and the unused low bits of the last character
 * must be zero, so that each byte string has exactly one accepted encoding. */
static guint8 *
base64url_decode (const char *in, gsize len, gsize *out_len)
{
  g_autofree guint8 *out = NULL;
  guint32            acc = 0;
  guint              bits = 0;
  gsize              n = 0;

  if (len % 4 == 1)
    return NULL;

  out = g_malloc (len / 4 * 3 + 3);
  for (gsize i = 0; i < len; i++)
    {
      int v = base64url_value (in[i]);

      if (v < 0)
        return NULL;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (guint8) (acc >> bits);
          acc &= (1u << bits) - 1;
        }
    }
  if (acc != 0)
    return NULL;

  *out_len = n;
  return g_steal_pointer (&out);
}

static void
compute_mac (const guint8 *key, gsize key_len, const char *data, gsize len, guint8 out[MAC_LEN])
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize             out_len = MAC_LEN;

  g_hmac_update (hmac, (const guchar *) data, (gssize) len);
  g_hmac_get_digest (hmac, out, &out_len);
  g_assert (out_len == MAC_LEN);
}

/* Looks at every byte whatever the earlier ones held, so the time taken tells nothing
 * about how long a prefix of a forged signature was right. */
static gboolean
equal_constant_time (const guint8 *a, const guint8 *b, gsize len)
{
  volatile guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

static JsonObject *
parse_json_object (const guint8 *data, gsize len, const char *what, GError **error)
{
  g_autoptr (GError)   json_error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (!(node = beacon_json_parse ((const char *) data, len, &json_error)))
    {
      g_set_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED, "Token %s is not JSON: %s",
                   what, json_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED,
                   "Token %s is not a JSON object", what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

static gboolean
split_token (const char *token, gsize len, TokenParts *parts, GError **error)
{
  static const char *const names[] = { "header", "payload", "signature" };
  const char              *start[3];
  gsize                    part_len[3];
  const char              *p = token;
  const char              *end = token + len;
  guint                    n = 0;

  if (len > BEACON_JWT_MAX_LENGTH)
    {
      g_set_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_TOO_LARGE,
                   "Token longer than %d bytes", BEACON_JWT_MAX_LENGTH);
      return FALSE;
    }

  for (;;)
    {
      const char *dot = memchr (p, '.', end - p);
      const char *stop = dot ? dot : end;

      if (n == 3)
        {
          g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED,
                               "Token has more than three parts");
          return FALSE;
        }
      start[n] = p;
      part_len[n] = stop - p;
      n++;
      if (dot == NULL)
        break;
      p = dot + 1;
    }
  if (n != 3)
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED,
                           "Token does not have three parts");
      return FALSE;
    }

  for (guint i = 0; i < 3; i++)
    if (part_len[i] == 0)
      {
        g_set_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED, "Token %s is empty",
                     names[i]);
        return FALSE;
      }

  {
    g_autofree guint8 *header = NULL;
    gsize              header_len = 0;

    if (!(header = base64url_decode (start[0], part_len[0], &header_len)) ||
        !(parts->payload = base64url_decode (start[1], part_len[1], &parts->payload_len)) ||
        !(parts->signature = base64url_decode (start[2], part_len[2], &parts->signature_len)))
      {
        g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED,
                             "Token part is not canonical unpadded base64url");
        return FALSE;
      }
    if (!(parts->header = parse_json_object (header, header_len, names[0], error)))
      return FALSE;
  }

  /* RFC 7515 4.1.11: extensions marked critical that we do not know make it invalid. */
  if (json_object_has_member (parts->header, "crit"))
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_MALFORMED,
                           "Token header has critical extensions");
      return FALSE;
    }

  parts->signing_input_len = part_len[0] + 1 + part_len[1];
  return TRUE;
}

static gboolean
is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* -1, 0 or 1 as @now is before, at or after the NumericDate in @node. */
static int
compare_time (gint64 now, JsonNode *node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 t = json_node_get_int (node);

      return now < t ? -1 : now > t ? 1 : 0;
    }
  else
    {
      double t = json_node_get_double (node);

      return (double) now < t ? -1 : (double) now > t ? 1 : 0;
    }
}

static gboolean
check_claim_types (JsonObject *claims, GError **error)
{
  static const char *const time_claims[] = { "exp", "nbf", "iat" };

  for (guint i = 0; i < G_N_ELEMENTS (time_claims); i++)
    {
      JsonNode *node = json_object_get_member (claims, time_claims[i]);

      if (node != NULL && !is_number (node))
        {
          g_set_error (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_CLAIMS,
                       "Claim \"%s\" is not a number", time_claims[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * beacon_jwt_sign:
 * @claims: the claims, written in their insertion order
 * @key: (array length=key_len): the HMAC secret
 * @key_len: its length, at least 1
 *
 * Makes a compact JWT with the header `{"alg":"HS256","typ":"JWT"}`, the claims as
 * JSON.stringify would write them, and an HMAC-SHA256 signature, all three in unpadded
 * base64url.
 *
 * Returns: (transfer full): the token
 */
char *
beacon_jwt_sign (JsonObject *claims, const guint8 *key, gsize key_len)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GString)  payload = NULL;
  GString             *token;
  guint8               mac[MAC_LEN];

  g_return_val_if_fail (claims != NULL, NULL);
  g_return_val_if_fail (key != NULL && key_len > 0, NULL);

  node = json_node_init_object (json_node_alloc (), claims);
  payload = g_string_new (NULL);
  beacon_json_write (payload, node);

  token = g_string_new (NULL);
  append_base64url (token, (const guint8 *) HS256_HEADER, strlen (HS256_HEADER));
  g_string_append_c (token, '.');
  append_base64url (token, (const guint8 *) payload->str, payload->len);
  compute_mac (key, key_len, token->str, token->len, mac);
  g_string_append_c (token, '.');
  append_base64url (token, mac, sizeof mac);

  return g_string_free (token, FALSE);
}

/**
 * beacon_jwt_verify:
 * @token: (array length=len): the compact token, not necessarily NUL-terminated
 * @len: its length in bytes
 * @key: (array length=key_len): the HMAC secret
 * @key_len: its length, at least 1
 * @now_seconds: the current time, in seconds since the Unix epoch
 * @error: where the reason for refusing the token goes, in %BEACON_JWT_ERROR
 *
 * Checks, in this order: the length (%BEACON_JWT_ERROR_TOO_LARGE beyond
 * %BEACON_JWT_MAX_LENGTH), the form (three non-empty parts of canonical unpadded
 * base64url, a header that is a JSON object without `crit`: else
 * %BEACON_JWT_ERROR_MALFORMED), the header's `alg`, which must be exactly "HS256"
 * (%BEACON_JWT_ERROR_BAD_ALGORITHM), the signature, compared in constant time
 * (%BEACON_JWT_ERROR_BAD_SIGNATURE), the payload, which must be a JSON object
 * (%BEACON_JWT_ERROR_MALFORMED), the types of `exp`, `nbf` and `iat`, numbers when
 * present (%BEACON_JWT_ERROR_BAD_CLAIMS), then `nbf` (@now_seconds before it:
 * %BEACON_JWT_ERROR_NOT_YET_VALID) and `exp` (@now_seconds at or after it:
 * %BEACON_JWT_ERROR_EXPIRED). The payload is only parsed once the signature holds.
 *
 * Returns: (transfer full): the claims, or %NULL with @error set
 */
JsonObject *
beacon_jwt_verify (const char   *token,
                   gsize         len,
                   const guint8 *key,
                   gsize         key_len,
                   gint64        now_seconds,
                   GError      **error)
{
  g_auto (TokenParts) parts = { 0 };
  g_autoptr (JsonObject) claims = NULL;
  guint8                 mac[MAC_LEN];
  JsonNode              *alg;
  JsonNode              *node;

  g_return_val_if_fail (token != NULL || len == 0, NULL);
  g_return_val_if_fail (key != NULL && key_len > 0, NULL);

  if (token == NULL)
    token = "";
  if (!split_token (token, len, &parts, error))
    return NULL;

  alg = json_object_get_member (parts.header, "alg");
  if (alg == NULL || !JSON_NODE_HOLDS_VALUE (alg) ||
      json_node_get_value_type (alg) != G_TYPE_STRING ||
      strcmp (json_node_get_string (alg), "HS256") != 0)
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_ALGORITHM,
                           "Token algorithm is not HS256");
      return NULL;
    }

  compute_mac (key, key_len, token, parts.signing_input_len, mac);
  if (parts.signature_len != MAC_LEN || !equal_constant_time (parts.signature, mac, MAC_LEN))
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_SIGNATURE,
                           "Token signature does not match");
      return NULL;
    }

  if (!(claims = parse_json_object (parts.payload, parts.payload_len, "payload", error)))
    return NULL;
  if (!check_claim_types (claims, error))
    return NULL;

  node = json_object_get_member (claims, "nbf");
  if (node != NULL && compare_time (now_seconds, node) < 0)
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_NOT_YET_VALID,
                           "Token is not valid yet");
      return NULL;
    }

  node = json_object_get_member (claims, "exp");
  if (node != NULL && compare_time (now_seconds, node) >= 0)
    {
      g_set_error_literal (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_EXPIRED, "Token has expired");
      return NULL;
    }

  return g_steal_pointer (&claims);
}

/**
 * beacon_jwt_peek_claims:
 * @token: a compact token, NUL-terminated
 * @error: where the reason goes when it cannot be read
 *
 * Reads the claims of @token WITHOUT checking its signature, algorithm or times: for a
 * client that treats its token as opaque but reads `exp` to warn before it runs out.
 * Never trust what this returns for anything else. The form is checked as by
 * beacon_jwt_verify(), and `exp`, `nbf` and `iat` are numbers when present.
 *
 * Returns: (transfer full): the claims, or %NULL with @error set
 */
JsonObject *
beacon_jwt_peek_claims (const char *token, GError **error)
{
  g_auto (TokenParts) parts = { 0 };
  g_autoptr (JsonObject) claims = NULL;

  g_return_val_if_fail (token != NULL, NULL);

  if (!split_token (token, strlen (token), &parts, error))
    return NULL;
  if (!(claims = parse_json_object (parts.payload, parts.payload_len, "payload", error)))
    return NULL;
  if (!check_claim_types (claims, error))
    return NULL;
  return g_steal_pointer (&claims);
}

/**
 * beacon_jwt_error_to_wire_code:
 * @error: (nullable): an error from beacon_jwt_verify()
 *
 * Returns: the code of PROTOCOL.md section 2 for a CONNECT_ERROR: "token_expired" for
 *   %BEACON_JWT_ERROR_EXPIRED, "token_invalid" for anything else (a token that is not
 *   valid yet included)
 */
const char *
beacon_jwt_error_to_wire_code (const GError *error)
{
  if (error != NULL && g_error_matches (error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_EXPIRED))
    return "token_expired";
  return "token_invalid";
}
