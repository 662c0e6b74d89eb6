/* beacon-sio.c: Socket.IO v5 packet codec: type, attachment count, namespace, ack id and
 * JSON payload, checked as the reference parser checks them. */

#include "beacon-sio.h"
#include "beacon-json.h"

#include <string.h>

GQuark
beacon_sio_error_quark (void)
{
  return g_quark_from_static_string ("beacon-sio-error-quark");
}

static const char *const reserved_events[] = {
  "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

/**
 * beacon_sio_packet_new:
 * @type: the packet type
 * @nsp: (nullable): the namespace, %NULL for "/"
 * @id: the ack id, or -1
 * @data: (transfer full) (nullable): the payload
 */
BeaconSioPacket *
beacon_sio_packet_new (BeaconSioType type, const char *nsp, gint64 id, JsonNode *data)
{
  BeaconSioPacket *packet = g_new0 (BeaconSioPacket, 1);

  packet->type = type;
  packet->nsp = g_strdup (nsp ? nsp : "/");
  packet->id = id;
  packet->data = data;
  return packet;
}

/**
 * beacon_sio_packet_new_event:
 * @nsp: (nullable): the namespace
 * @id: ack id or -1
 * @name: the event name
 * @arg: (transfer full) (nullable): the one argument, if any
 *
 * Returns: an EVENT packet `[name]` or `[name, arg]`
 */
BeaconSioPacket *
beacon_sio_packet_new_event (const char *nsp, gint64 id, const char *name, JsonNode *arg)
{
  JsonArray *array = json_array_new ();
  JsonNode  *node = json_node_alloc ();

  json_array_add_string_element (array, name);
  if (arg)
    json_array_add_element (array, arg);
  json_node_init_array (node, array); /* takes its own reference */
  json_array_unref (array);
  return beacon_sio_packet_new (BEACON_SIO_EVENT, nsp, id, node);
}

void
beacon_sio_packet_free (BeaconSioPacket *packet)
{
  if (packet == NULL)
    return;
  g_free (packet->nsp);
  g_clear_pointer (&packet->data, json_node_unref);
  g_free (packet);
}

static gboolean
is_object (JsonNode *node)
{
  return JSON_NODE_HOLDS_OBJECT (node);
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
payload_valid (BeaconSioType type, JsonNode *data, const char **why)
{
  switch (type)
    {
    case BEACON_SIO_CONNECT:
      *why = "CONNECT payload must be an object";
      return data == NULL || is_object (data);

    case BEACON_SIO_DISCONNECT: *why = "DISCONNECT takes no payload"; return data == NULL;

    case BEACON_SIO_CONNECT_ERROR:
      *why = "CONNECT_ERROR payload must be a string or an object";
      return data != NULL && (is_object (data) || is_string (data));

    case BEACON_SIO_EVENT:
    case BEACON_SIO_BINARY_EVENT:
      {
        JsonArray  *array;
        JsonNode   *first;
        const char *name;

        *why = "EVENT payload must be an array starting with an event name";
        if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
          return FALSE;
        array = json_node_get_array (data);
        if (json_array_get_length (array) == 0)
          return FALSE;
        first = json_array_get_element (array, 0);
        if (!is_string (first))
          return FALSE;
        name = json_node_get_string (first);
        for (guint i = 0; i < G_N_ELEMENTS (reserved_events); i++)
          if (strcmp (name, reserved_events[i]) == 0)
            {
              *why = "EVENT uses a reserved event name";
              return FALSE;
            }
        return TRUE;
      }

    case BEACON_SIO_ACK:
    case BEACON_SIO_BINARY_ACK:
      *why = "ACK payload must be an array";
      return data != NULL && JSON_NODE_HOLDS_ARRAY (data);

    default: g_assert_not_reached ();
    }
}

/**
 * beacon_sio_decode:
 * @data: the text of one Socket.IO packet (an Engine.IO message without its "4")
 * @len: its length
 * @error: where the reason for refusing it goes
 *
 * Returns: (transfer full): the packet, or %NULL with @error set
 */
BeaconSioPacket *
beacon_sio_decode (const char *data, gsize len, GError **error)
{
  g_autoptr (BeaconSioPacket) packet = NULL;
  const char                 *p = data;
  const char                 *end = data + len;
  const char                 *why = NULL;

  if (len == 0)
    {
      g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_EMPTY, "Empty packet");
      return NULL;
    }
  if (*p < '0' || *p > '6')
    {
      g_set_error (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_TYPE, "Unknown packet type 0x%02x",
                   (guchar) *p);
      return NULL;
    }

  packet = g_new0 (BeaconSioPacket, 1);
  packet->type = *p++ - '0';
  packet->id = -1;

  if (packet->type == BEACON_SIO_BINARY_EVENT || packet->type == BEACON_SIO_BINARY_ACK)
    {
      guint       n = 0;
      const char *digits = p;

      while (p < end && g_ascii_isdigit (*p) && p - digits < 3)
        n = n * 10 + (guint) (*p++ - '0');
      if (p == digits || p >= end || *p != '-' || n > BEACON_SIO_MAX_ATTACHMENTS)
        {
          g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_ATTACHMENTS,
                               "Bad attachment count");
          return NULL;
        }
      packet->attachments = n;
      p++;
    }

  if (p < end && *p == '/')
    {
      const char *start = p;

      while (p < end && *p != ',')
        p++;
      if (p - start > BEACON_SIO_MAX_NAMESPACE || !g_utf8_validate_len (start, p - start, NULL))
        {
          g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_NAMESPACE,
                               "Bad namespace");
          return NULL;
        }
      packet->nsp = g_strndup (start, p - start);
      if (p < end)
        p++; /* the comma */
    }
  else
    packet->nsp = g_strdup ("/");

  if (p < end && g_ascii_isdigit (*p))
    {
      gint64 id = 0;

      while (p < end && g_ascii_isdigit (*p))
        {
          id = id * 10 + (*p++ - '0');
          if (id > BEACON_SIO_MAX_ACK_ID)
            {
              g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_ACK_ID,
                                   "Ack id out of range");
              return NULL;
            }
        }
      packet->id = id;
    }

  if (p < end)
    {
      g_autoptr (GError) json_error = NULL;

      if (!(packet->data = beacon_json_parse (p, end - p, &json_error)))
        {
          g_set_error (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_JSON, "Bad payload: %s",
                       json_error->message);
          return NULL;
        }
    }

  if (!payload_valid (packet->type, packet->data, &why))
    {
      g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_PAYLOAD, why);
      return NULL;
    }
  if ((packet->type == BEACON_SIO_ACK || packet->type == BEACON_SIO_BINARY_ACK) && packet->id < 0)
    {
      g_set_error_literal (error, BEACON_SIO_ERROR, BEACON_SIO_ERROR_BAD_ACK_ID,
                           "ACK without an ack id");
      return NULL;
    }

  return g_steal_pointer (&packet);
}

/* The packet's text, byte for byte what socket.io-parser's encoder writes. */
char *
beacon_sio_encode (const BeaconSioPacket *packet)
{
  GString *out = g_string_new (NULL);

  g_string_append_c (out, '0' + packet->type);
  if (packet->type == BEACON_SIO_BINARY_EVENT || packet->type == BEACON_SIO_BINARY_ACK)
    g_string_append_printf (out, "%u-", packet->attachments);
  if (packet->nsp && strcmp (packet->nsp, "/") != 0)
    {
      g_string_append (out, packet->nsp);
      g_string_append_c (out, ',');
    }
  if (packet->id >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, packet->id);
  if (packet->data && !JSON_NODE_HOLDS_NULL (packet->data))
    beacon_json_write (out, packet->data);
  return g_string_free (out, FALSE);
}

/* The event name of a (decoded, hence valid) EVENT packet, or NULL for other types. */
const char *
beacon_sio_packet_get_event_name (const BeaconSioPacket *packet)
{
  if (packet->type != BEACON_SIO_EVENT && packet->type != BEACON_SIO_BINARY_EVENT)
    return NULL;
  return json_array_get_string_element (json_node_get_array (packet->data), 0);
}

/**
 * beacon_sio_packet_get_arg:
 * @packet: an EVENT or ACK packet
 * @index: which argument, 0 being the first after an event's name
 *
 * Returns: (transfer none) (nullable): the argument, or %NULL when there are fewer
 */
JsonNode *
beacon_sio_packet_get_arg (const BeaconSioPacket *packet, guint index)
{
  JsonArray *array;

  if (packet->data == NULL || !JSON_NODE_HOLDS_ARRAY (packet->data))
    return NULL;
  array = json_node_get_array (packet->data);
  if (packet->type == BEACON_SIO_EVENT || packet->type == BEACON_SIO_BINARY_EVENT)
    index++;
  if (index >= json_array_get_length (array))
    return NULL;
  return json_array_get_element (array, index);
}
