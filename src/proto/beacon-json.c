/* beacon-json.c: a strict, bounded JSON reader (depth, UTF-8, finite numbers) building
 * json-glib nodes, and a writer byte-compatible with JavaScript's JSON.stringify. */

#include "beacon-json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

GQuark
beacon_json_error_quark (void)
{
  return g_quark_from_static_string ("beacon-json-error-quark");
}

typedef struct
{
  const char *p;
  const char *end;
  const char *start;
  guint       depth;
} Reader;

static JsonNode *read_value (Reader *r, GError **error);

static gboolean
fail (Reader *r, GError **error, int code, const char *what)
{
  g_set_error (error, BEACON_JSON_ERROR, code, "%s at offset %" G_GSIZE_FORMAT, what,
               (gsize) (r->p - r->start));
  return FALSE;
}

static void
skip_ws (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
read_hex4 (Reader *r, guint *out)
{
  guint v = 0;

  if (r->end - r->p < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (r->p[i]);
      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint) d;
    }
  r->p += 4;
  *out = v;
  return TRUE;
}

static char *
read_string (Reader *r, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);

  g_assert (*r->p == '"');
  r->p++;

  for (;;)
    {
      const char *run = r->p;
      const char *bad;

      while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (guchar) *r->p >= 0x20)
        r->p++;
      if (!g_utf8_validate (run, r->p - run, &bad))
        {
          r->p = bad;
          fail (r, error, BEACON_JSON_ERROR_UTF8, "Invalid UTF-8 in string");
          return NULL;
        }
      g_string_append_len (s, run, r->p - run);

      if (r->p >= r->end)
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Unterminated string");
          return NULL;
        }
      if (*r->p == '"')
        {
          r->p++;
          return g_string_free (g_steal_pointer (&s), FALSE);
        }
      if ((guchar) *r->p < 0x20)
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Control character in string");
          return NULL;
        }

      /* backslash */
      r->p++;
      if (r->p >= r->end)
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Unterminated escape");
          return NULL;
        }
      switch (*r->p++)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            guint cp;

            if (!read_hex4 (r, &cp))
              {
                fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Bad \\u escape");
                return NULL;
              }
            if (cp >= 0xD800 && cp <= 0xDBFF)
              {
                guint lo;

                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
                  {
                    fail (r, error, BEACON_JSON_ERROR_UTF8, "Lone surrogate in string");
                    return NULL;
                  }
                r->p += 2;
                if (!read_hex4 (r, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                  {
                    fail (r, error, BEACON_JSON_ERROR_UTF8, "Lone surrogate in string");
                    return NULL;
                  }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              }
            else if (cp >= 0xDC00 && cp <= 0xDFFF)
              {
                fail (r, error, BEACON_JSON_ERROR_UTF8, "Lone surrogate in string");
                return NULL;
              }
            else if (cp == 0)
              {
                fail (r, error, BEACON_JSON_ERROR_UTF8, "NUL character in string");
                return NULL;
              }
            g_string_append_unichar (s, cp);
          }
          break;
        default:
          r->p--;
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Unknown escape");
          return NULL;
        }
    }
}

static JsonNode *
read_number (Reader *r, GError **error)
{
  const char *begin = r->p;
  gboolean    integral = TRUE;
  char        buf[64];
  gsize       len;

  if (r->p < r->end && *r->p == '-')
    r->p++;
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    {
      fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Bad number");
      return NULL;
    }
  if (*r->p == '0')
    r->p++;
  else
    while (r->p < r->end && g_ascii_isdigit (*r->p))
      r->p++;
  if (r->p < r->end && *r->p == '.')
    {
      integral = FALSE;
      r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Bad number");
          return NULL;
        }
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      integral = FALSE;
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Bad number");
          return NULL;
        }
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }

  len = r->p - begin;
  if (len >= sizeof buf)
    {
      r->p = begin;
      fail (r, error, BEACON_JSON_ERROR_NUMBER, "Number too long");
      return NULL;
    }
  memcpy (buf, begin, len);
  buf[len] = '\0';

  if (integral)
    {
      gint64 v;
      char  *endp = NULL;

      errno = 0;
      v = g_ascii_strtoll (buf, &endp, 10);
      if (errno == 0 && endp == buf + len)
        return json_node_init_int (json_node_alloc (), v);
    }

  {
    double d = g_ascii_strtod (buf, NULL);

    if (!isfinite (d))
      {
        r->p = begin;
        fail (r, error, BEACON_JSON_ERROR_NUMBER, "Number out of range");
        return NULL;
      }
    return json_node_init_double (json_node_alloc (), d);
  }
}

static gboolean
read_literal (Reader *r, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (r->end - r->p) < n || memcmp (r->p, word, n) != 0)
    return FALSE;
  r->p += n;
  return TRUE;
}

static JsonNode *
read_object (Reader *r, GError **error)
{
  g_autoptr (JsonObject) object = json_object_new ();

  r->p++;
  skip_ws (r);
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return json_node_init_object (json_node_alloc (), object);
    }

  for (;;)
    {
      g_autofree char *key = NULL;
      JsonNode        *value;

      skip_ws (r);
      if (r->p >= r->end || *r->p != '"')
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Expected a key");
          return NULL;
        }
      if (!(key = read_string (r, error)))
        return NULL;
      skip_ws (r);
      if (r->p >= r->end || *r->p != ':')
        {
          fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Expected ':'");
          return NULL;
        }
      r->p++;
      if (!(value = read_value (r, error)))
        return NULL;
      json_object_set_member (object, key, value);
      skip_ws (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == '}')
        {
          r->p++;
          return json_node_init_object (json_node_alloc (), object);
        }
      fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Expected ',' or '}'");
      return NULL;
    }
}

static JsonNode *
read_array (Reader *r, GError **error)
{
  g_autoptr (JsonArray) array = json_array_new ();

  r->p++;
  skip_ws (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return json_node_init_array (json_node_alloc (), array);
    }

  for (;;)
    {
      JsonNode *value;

      if (!(value = read_value (r, error)))
        return NULL;
      json_array_add_element (array, value);
      skip_ws (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return json_node_init_array (json_node_alloc (), array);
        }
      fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Expected ',' or ']'");
      return NULL;
    }
}

static JsonNode *
read_value (Reader *r, GError **error)
{
  JsonNode *node = NULL;

  skip_ws (r);
  if (r->p >= r->end)
    {
      fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Unexpected end of input");
      return NULL;
    }

  switch (*r->p)
    {
    case '{':
    case '[':
      if (++r->depth > BEACON_JSON_MAX_DEPTH)
        {
          fail (r, error, BEACON_JSON_ERROR_DEPTH, "Nesting too deep");
          return NULL;
        }
      node = *r->p == '{' ? read_object (r, error) : read_array (r, error);
      r->depth--;
      return node;

    case '"':
      {
        g_autofree char *s = read_string (r, error);

        if (s == NULL)
          return NULL;
        return json_node_init_string (json_node_alloc (), s);
      }

    case 't':
      if (read_literal (r, "true"))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      break;

    case 'f':
      if (read_literal (r, "false"))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      break;

    case 'n':
      if (read_literal (r, "null"))
        return json_node_init_null (json_node_alloc ());
      break;

    default:
      if (*r->p == '-' || g_ascii_isdigit (*r->p))
        return read_number (r, error);
      break;
    }

  fail (r, error, BEACON_JSON_ERROR_SYNTAX, "Unexpected character");
  return NULL;
}

/**
 * beacon_json_parse:
 * @data: the text, not necessarily NUL-terminated
 * @len: its length in bytes
 * @error: where a syntax, UTF-8, depth or number error goes
 *
 * Parses exactly one JSON value (with optional surrounding whitespace). Integers that fit
 * a gint64 become int nodes, other numbers doubles; non-finite numbers, strings that are not
 * valid UTF-8, lone surrogates, NUL characters and nesting deeper than
 * %BEACON_JSON_MAX_DEPTH are errors.
 *
 * Returns: (transfer full): the value, or %NULL with @error set
 */
JsonNode *
beacon_json_parse (const char *data, gsize len, GError **error)
{
  Reader               r = { data, data + len, data, 0 };
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!(node = read_value (&r, error)))
    return NULL;
  skip_ws (&r);
  if (r.p != r.end)
    {
      fail (&r, error, BEACON_JSON_ERROR_SYNTAX, "Trailing characters");
      return NULL;
    }
  return g_steal_pointer (&node);
}

void
beacon_json_write_string (GString *out, const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* Number::toString of ECMA-262: the shortest digits that read back as the same double,
 * laid out in plain notation for exponents in [-7, 21) and scientific otherwise. */
void
beacon_json_write_double (GString *out, double value)
{
  char  buf[40];
  char  digits[24];
  int   ndigits = 0;
  int   exp10;
  int   n;
  char *e;

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  if (value == 0)
    {
      g_string_append_c (out, '0');
      return;
    }
  if (value < 0)
    {
      g_string_append_c (out, '-');
      value = -value;
    }

  for (int prec = 0; prec <= 17; prec++)
    {
      g_snprintf (buf, sizeof buf, "%.*e", prec, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  /* buf is d[.ddd]e±XX */
  e = strchr (buf, 'e');
  g_assert (e != NULL);
  exp10 = atoi (e + 1);
  for (char *p = buf; p < e; p++)
    if (g_ascii_isdigit (*p))
      digits[ndigits++] = *p;
  while (ndigits > 1 && digits[ndigits - 1] == '0')
    ndigits--;
  digits[ndigits] = '\0';

  n = exp10 + 1; /* value = 0.digits × 10^n */

  if (ndigits <= n && n <= 21)
    {
      g_string_append (out, digits);
      for (int i = ndigits; i < n; i++)
        g_string_append_c (out, '0');
    }
  else if (0 < n && n <= 21)
    {
      g_string_append_len (out, digits, n);
      g_string_append_c (out, '.');
      g_string_append (out, digits + n);
    }
  else if (-6 < n && n <= 0)
    {
      g_string_append (out, "0.");
      for (int i = 0; i < -n; i++)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (ndigits > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%c%d", n - 1 >= 0 ? '+' : '-', ABS (n - 1));
    }
}

/**
 * beacon_json_write:
 * @out: where the text goes
 * @node: a value
 *
 * Appends @node as compact JSON, keys in insertion order, with the escapes and number
 * forms of JSON.stringify, so encoded packets match the reference implementation byte for
 * byte.
 */
void
beacon_json_write (GString *out, JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL: g_string_append (out, "null"); break;

    case JSON_NODE_OBJECT:
      {
        JsonObject    *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char    *name;
        JsonNode      *member;
        gboolean       first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            beacon_json_write_string (out, name);
            g_string_append_c (out, ':');
            beacon_json_write (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint      n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            beacon_json_write (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE: beacon_json_write_double (out, json_node_get_double (node)); break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING: beacon_json_write_string (out, json_node_get_string (node)); break;
        default: g_string_append (out, "null"); break;
        }
      break;

    default: g_assert_not_reached ();
    }
}

char *
beacon_json_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  beacon_json_write (out, node);
  return g_string_free (out, FALSE);
}
