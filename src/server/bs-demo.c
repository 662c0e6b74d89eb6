/* bs-demo.c: the demo world of beacon-server --demo: people, friendships and a few
 * conversations, with printed credentials. */

#include "bs-demo.h"

#include <stdio.h>
#include <string.h>

#include "beacon-jwt.h"
#include "bs-password.h"

typedef struct
{
  const char *id;
  const char *name;
  const char *role;
  const char *headline;
} DemoPerson;

/* The person who signs in to the app, then everyone else. */
static const DemoPerson people[] = {
  { "demo", "Dana Demo", "CLIENT", NULL },
  { "alice", "Alice Martin", "FREELANCER", "Illustrator: children's books and icons" },
  { "bob", "Bob Okafor", "CLIENT", NULL },
  { "chen", "Chen Wei", "FREELANCER", "GTK and GNOME app developer" },
  { "dario", "Dario Rossi", "FREELANCER", "Italian-English translator" },
  { "elena", "Elena Petrova", "FREELANCER", "UX researcher" },
  { "farah", "Farah Haddad", "CLIENT", NULL },
  { "gus", "Gus Lindqvist", "FREELANCER", "Sound designer for games" },
  { "hana", "Hana Sato", "FREELANCER", "Copywriter, tech and travel" },
  { "ivan", "Ivan Horvat", "CLIENT", NULL },
  { "jules", "Jules Bernard", "FREELANCER", "Video editor and colourist" },
  { "kofi", "Kofi Mensah", "FREELANCER", "Backend engineer: C, Rust, PostgreSQL" },
  { "lena", "Lena Vogel", "CLIENT", NULL },
  { "mateo", "Mateo García", "FREELANCER", "Spanish voice-over artist" },
  { "nadia", "Nadia Rahman", "FREELANCER", "Data analyst, R and Python" },
  { "oscar", "Oscar Nilsson", "CLIENT", NULL },
  { "priya", "Priya Nair", "FREELANCER", "Mobile developer, Flutter" },
  { "quinn", "Quinn Murphy", "FREELANCER", "Photographer: products and portraits" },
  { "rosa", "Rosa Silva", "CLIENT", NULL },
  { "sami", "Sami Virtanen", "FREELANCER", "Technical writer" },
  { "tara", "Tara Kelly", "FREELANCER", "Brand designer" },
  { "umar", "Umar Farouk", "CLIENT", NULL },
  { "vera", "Vera Novak", "FREELANCER", "Accessibility auditor" },
  { "wen", "Wen Li", "FREELANCER", "3D artist, Blender" },
  { "xavier", "Xavier Dubois", "CLIENT", NULL },
  { "yara", "Yara Costa", "FREELANCER", "Marketing strategist" },
  { "zoe", "Zoë Fischer", "FREELANCER", "Front-end developer" },
};

/* Everyone the demo person knows: most of the world, so the list is lively. */
static const char *const demo_friends[] = {
  "alice", "bob",  "chen",  "dario", "elena", "farah", "gus",
  "hana",  "ivan", "jules", "kofi",  "lena",  "mateo", "nadia",
};

/* A few more friendships among the others. */
static const char *const other_friends[][2] = {
  { "alice", "bob" },  { "alice", "chen" },  { "bob", "farah" }, { "chen", "kofi" },
  { "elena", "vera" }, { "gus", "mateo" },   { "hana", "sami" }, { "ivan", "zoe" },
  { "lena", "tara" },  { "oscar", "priya" },
};

static const char *const conversation_lines[][3] = {
  { "alice", "alice", "Hi Dana! I finished the sketches for the cover." },
  { "alice", "demo", "Lovely, can you send them over this afternoon?" },
  { "alice", "alice", "Sure, give me an hour." },
  { "chen", "demo", "Is the preferences window ready for review?" },
  { "chen", "chen", "Almost: the keyboard shortcuts are left." },
  { "kofi", "kofi", "The migration ran fine on staging." },
};

#define DEMO_PASSWORD "beacon-demo"

gboolean
bs_demo_seed (BsStore *store, GError **error)
{
  g_autoptr (GPtrArray) existing = bs_store_users (store, error);
  g_autofree char      *hash = NULL;

  if (existing == NULL)
    return FALSE;
  if (existing->len > 0)
    {
      printf ("demo: the database already has %u users; sign in as demo@beacon.test / %s\n",
              existing->len, DEMO_PASSWORD);
      return TRUE;
    }

  hash = bs_password_hash (DEMO_PASSWORD);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autofree char *email = g_strdup_printf ("%s@beacon.test", people[i].id);
      BsUser           tmpl = {
                  .id = (char *) people[i].id,
                  .email = email,
                  .name = (char *) people[i].name,
                  .role = (char *) people[i].role,
                  .headline = (char *) people[i].headline,
                  .password_hash = hash,
      };
      g_autoptr (BsUser) user = bs_store_user_add_full (store, &tmpl, error);

      if (user == NULL)
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (demo_friends); i++)
    if (!bs_store_friend_add (store, "demo", demo_friends[i], NULL, error))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (other_friends); i++)
    if (!bs_store_friend_add (store, other_friends[i][0], other_friends[i][1], NULL, error))
      return FALSE;
  {
    gint64 at = g_get_real_time () / 1000 - 3 * 3600 * 1000;

    for (guint i = 0; i < G_N_ELEMENTS (conversation_lines); i++)
      {
        g_autoptr (BsConversation) conversation =
            bs_store_conversation_get_or_create (store, "demo", conversation_lines[i][0], error);
        g_autoptr (BsMessage) message = NULL;

        if (conversation == NULL)
          return FALSE;
        at += 7 * 60 * 1000;
        message = bs_store_message_add (
            store, conversation->id, conversation_lines[i][1], conversation_lines[i][2], at,
            g_strcmp0 (conversation_lines[i][1], "demo") == 0 || i < 2, error);
        if (message == NULL)
          return FALSE;
      }
  }
  printf ("demo: seeded %u people; sign in as demo@beacon.test with password %s "
          "(every demo account, e.g. alice@beacon.test, has the same password)\n",
          (guint) G_N_ELEMENTS (people), DEMO_PASSWORD);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------
 * The simulated people: each is a Socket.IO client over its own WebSocket to this server,
 * so everything the app sees travels the real protocol. */

#define DEMO_TICK_MS      2500
#define DEMO_HEARTBEAT_MS 25000

typedef enum
{
  PERSON_OFFLINE,
  PERSON_CONNECTING,
  PERSON_HANDSHAKE,
  PERSON_OPEN,
} PersonState;

typedef struct
{
  const DemoPerson *who;
  char             *conversation_id;
  PersonState       state;
  uv_tcp_t         *tcp;
  GByteArray       *in;
  gboolean          chatting;
  guint             reply_due; /* ticks until answering the demo person, 0: none */
  guint64           heartbeat_at;
} Person;

typedef struct
{
  uv_loop_t  *loop;
  char       *host;
  guint       port;
  guint8     *key;
  gsize       key_len;
  GPtrArray  *people;
  uv_timer_t *timer;
  GRand      *rand;
} Demo;

static Demo *demo;

static const char *const replies[] = {
  "Sounds good!", "Give me five minutes.", "Sure, I'll send it over.", "Thanks, Dana!", "On it.",
};
static const char *const away_messages[] = { "At lunch", "In a meeting", "Back in 10", NULL };

typedef struct
{
  uv_write_t req;
  char      *data;
} Write;

static void
on_written (uv_write_t *req, int status)
{
  Write *w = (Write *) req;

  g_free (w->data);
  g_free (w);
}

static void
person_write (Person *person, char *data, gsize len)
{
  Write   *w = g_new0 (Write, 1);
  uv_buf_t buf = uv_buf_init (data, len);

  w->data = data;
  if (uv_write (&w->req, (uv_stream_t *) person->tcp, &buf, 1, on_written) != 0)
    {
      g_free (data);
      g_free (w);
    }
}

/* A masked client text frame, as RFC 6455 asks of clients. */
static void
person_send (Person *person, const char *text)
{
  gsize   len = strlen (text);
  gsize   header = len < 126 ? 6 : len < 65536 ? 8 : 14;
  guint8 *frame = g_malloc (header + len);
  guint8 *mask;

  frame[0] = 0x81;
  if (len < 126)
    frame[1] = 0x80 | len;
  else if (len < 65536)
    {
      frame[1] = 0x80 | 126;
      frame[2] = len >> 8;
      frame[3] = len & 0xff;
    }
  else
    {
      frame[1] = 0x80 | 127;
      for (guint i = 0; i < 8; i++)
        frame[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
    }
  mask = frame + header - 4;
  for (guint i = 0; i < 4; i++)
    mask[i] = g_rand_int (demo->rand) & 0xff;
  for (gsize i = 0; i < len; i++)
    frame[header + i] = text[i] ^ mask[i % 4];
  person_write (person, (char *) frame, header + len);
}

static void
person_emit (Person *person, const char *name, const char *arg_json)
{
  g_autofree char *text = arg_json ? g_strdup_printf ("42[\"%s\",%s]", name, arg_json)
                                   : g_strdup_printf ("42[\"%s\"]", name);

  person_send (person, text);
}

static void
on_closed (uv_handle_t *handle)
{
  g_free (handle);
}

static void
person_drop (Person *person)
{
  if (person->tcp)
    {
      uv_read_stop ((uv_stream_t *) person->tcp);
      uv_close ((uv_handle_t *) person->tcp, on_closed);
      person->tcp = NULL;
    }
  g_byte_array_set_size (person->in, 0);
  person->state = PERSON_OFFLINE;
  person->chatting = FALSE;
}

static void
person_on_text (Person *person, const char *text, gsize len)
{
  if (len >= 1 && text[0] == '0')
    {
      g_autoptr (JsonObject) claims = json_object_new ();
      gint64                 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autofree char       *token = NULL;
      g_autofree char       *connect = NULL;

      json_object_set_string_member (claims, "sub", person->who->id);
      json_object_set_string_member (claims, "id", person->who->id);
      json_object_set_string_member (claims, "role", person->who->role);
      json_object_set_int_member (claims, "iat", now);
      json_object_set_int_member (claims, "exp", now + 3600);
      token = beacon_jwt_sign (claims, demo->key, demo->key_len);
      connect = g_strdup_printf ("40{\"token\":\"%s\"}", token);
      person_send (person, connect);
    }
  else if (len == 1 && text[0] == '2')
    person_send (person, "3");
  else if (len > 2 && text[0] == '4' && text[1] == '2' &&
           g_strstr_len (text, len, "\"new_message\"") &&
           g_strstr_len (text, len, "\"senderId\":\"demo\""))
    person->reply_due = 1 + g_rand_int_range (demo->rand, 0, 3);
}

/* Parses what arrived: the 101 answer, then unmasked server frames. */
static void
person_parse (Person *person)
{
  if (person->state == PERSON_HANDSHAKE)
    {
      guint8 *end =
          (guint8 *) g_strstr_len ((const char *) person->in->data, person->in->len, "\r\n\r\n");

      if (end == NULL)
        return;
      if (person->in->len < 12 || memcmp (person->in->data + 9, "101", 3) != 0)
        {
          g_warning ("demo: %s could not open a WebSocket", person->who->id);
          person_drop (person);
          return;
        }
      g_byte_array_remove_range (person->in, 0, end + 4 - person->in->data);
      person->state = PERSON_OPEN;
      person->heartbeat_at = uv_now (demo->loop) + DEMO_HEARTBEAT_MS;
    }

  while (person->state == PERSON_OPEN && person->in->len >= 2)
    {
      guint8 *d = person->in->data;
      guint   opcode = d[0] & 0x0f;
      guint64 len = d[1] & 0x7f;
      gsize   header = 2;

      if (len == 126)
        {
          if (person->in->len < 4)
            return;
          len = (d[2] << 8) | d[3];
          header = 4;
        }
      else if (len == 127)
        {
          if (person->in->len < 10)
            return;
          len = 0;
          for (guint i = 0; i < 8; i++)
            len = (len << 8) | d[2 + i];
          header = 10;
        }
      if (person->in->len < header + len)
        return;
      if (opcode == 0x1)
        person_on_text (person, (const char *) d + header, len);
      else if (opcode == 0x8)
        {
          person_drop (person);
          return;
        }
      g_byte_array_remove_range (person->in, 0, header + len);
    }
}

static void
alloc_buffer (uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
  buf->base = g_malloc (suggested);
  buf->len = suggested;
}

static void
on_read (uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
  Person *person = stream->data;

  if (n > 0)
    {
      g_byte_array_append (person->in, (guint8 *) buf->base, n);
      person_parse (person);
    }
  else if (n < 0)
    person_drop (person);
  g_free (buf->base);
}

static void
on_connected (uv_connect_t *req, int status)
{
  Person          *person = req->data;
  guint8           nonce[16];
  g_autofree char *key = NULL;
  char            *request;

  g_free (req);
  if (status != 0 || person->tcp == NULL)
    {
      person_drop (person);
      return;
    }
  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = g_rand_int (demo->rand) & 0xff;
  key = g_base64_encode (nonce, sizeof nonce);
  request = g_strdup_printf ("GET /api/socket/?EIO=4&transport=websocket HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                             demo->port, key);
  person->state = PERSON_HANDSHAKE;
  uv_read_start ((uv_stream_t *) person->tcp, alloc_buffer, on_read);
  person_write (person, request, strlen (request));
}

static void
person_connect (Person *person)
{
  struct sockaddr_storage addr;
  uv_connect_t           *req = g_new0 (uv_connect_t, 1);

  if (uv_ip4_addr (demo->host, demo->port, (struct sockaddr_in *) &addr) != 0)
    uv_ip6_addr (demo->host, demo->port, (struct sockaddr_in6 *) &addr);
  person->tcp = g_new0 (uv_tcp_t, 1);
  uv_tcp_init (demo->loop, person->tcp);
  person->tcp->data = person;
  person->state = PERSON_CONNECTING;
  req->data = person;
  if (uv_tcp_connect (req, person->tcp, (struct sockaddr *) &addr, on_connected) != 0)
    {
      g_free (req);
      person_drop (person);
    }
}

/* One step of someone's life: they come and go, step away, and look at their chat with
 * the demo person, who sees it as a green badge. */
static void
person_act (Person *person)
{
  guint roll = g_rand_int_range (demo->rand, 0, 100);

  if (person->state == PERSON_OFFLINE)
    {
      if (roll < 35)
        person_connect (person);
      return;
    }
  if (person->state != PERSON_OPEN)
    return;

  if (roll < 10)
    person_drop (person);
  else if (roll < 25)
    {
      const char *message =
          away_messages[g_rand_int_range (demo->rand, 0, G_N_ELEMENTS (away_messages))];
      g_autofree char *arg =
          message ? g_strdup_printf ("{\"status\":\"away\",\"message\":\"%s\"}", message)
                  : g_strdup ("{\"status\":\"away\"}");
      person_emit (person, "update_status", arg);
    }
  else if (roll < 30)
    person_emit (person, "update_status", "{\"status\":\"busy\"}");
  else if (roll < 50)
    person_emit (person, "update_status", "{\"status\":\"online\"}");
  else if (roll < 65 && !person->chatting)
    {
      person_emit (person, "chat:focus", "{\"partnerId\":\"demo\"}");
      person->chatting = TRUE;
    }
  else if (roll < 75 && person->chatting)
    {
      person_emit (person, "chat:blur", NULL);
      person->chatting = FALSE;
    }
}

static void
on_tick (uv_timer_t *timer)
{
  guint64 now = uv_now (demo->loop);

  for (guint i = 0; i < demo->people->len; i++)
    {
      Person *person = demo->people->pdata[i];

      if (person->state == PERSON_OPEN && now >= person->heartbeat_at)
        {
          person_emit (person, "heartbeat", NULL);
          person->heartbeat_at = now + DEMO_HEARTBEAT_MS;
        }
      if (person->state == PERSON_OPEN && person->reply_due > 0 && --person->reply_due == 0 &&
          person->conversation_id)
        {
          g_autofree char *arg = g_strdup_printf (
              "{\"conversationId\":\"%s\",\"content\":\"%s\"}", person->conversation_id,
              replies[g_rand_int_range (demo->rand, 0, G_N_ELEMENTS (replies))]);
          person_emit (person, "send_message", arg);
        }
    }
  /* A few people act each tick, so the list changes visibly but not frantically. */
  for (guint n = 0; n < 2; n++)
    person_act (demo->people->pdata[g_rand_int_range (demo->rand, 0, demo->people->len)]);
}

static void
person_free (Person *person)
{
  person_drop (person);
  g_byte_array_unref (person->in);
  g_free (person->conversation_id);
  g_free (person);
}

gboolean
bs_demo_start (uv_loop_t    *loop,
               const char   *host,
               guint         port,
               BsStore      *store,
               const guint8 *jwt_key,
               gsize         jwt_key_len,
               GError      **error)
{
  demo = g_new0 (Demo, 1);
  demo->loop = loop;
  demo->host = g_strdup (strcmp (host, "0.0.0.0") == 0 ? "127.0.0.1"
                         : strcmp (host, "::") == 0    ? "::1"
                                                       : host);
  demo->port = port;
  demo->key = g_memdup2 (jwt_key, jwt_key_len);
  demo->key_len = jwt_key_len;
  demo->rand = g_rand_new ();
  demo->people = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);

  for (guint i = 1; i < G_N_ELEMENTS (people); i++)
    {
      Person *person;

      if (!g_strv_contains ((const char *const *) demo_friends, people[i].id))
        continue;
      person = g_new0 (Person, 1);
      person->who = &people[i];
      person->in = g_byte_array_new ();
      {
        g_autoptr (BsConversation) conversation =
            bs_store_conversation_get_or_create (store, people[i].id, "demo", NULL);
        if (conversation)
          person->conversation_id = g_strdup (conversation->id);
      }
      g_ptr_array_add (demo->people, person);
      /* Half of them are there from the start. */
      if (g_rand_boolean (demo->rand))
        person_connect (person);
    }

  demo->timer = g_new0 (uv_timer_t, 1);
  uv_timer_init (loop, demo->timer);
  uv_timer_start (demo->timer, on_tick, DEMO_TICK_MS, DEMO_TICK_MS);
  uv_unref ((uv_handle_t *) demo->timer);
  printf ("demo: %u simulated people come and go, step away and open their chat with you\n",
          demo->people->len);
  return TRUE;
}

void
bs_demo_stop (void)
{
  if (demo == NULL)
    return;
  uv_timer_stop (demo->timer);
  uv_close ((uv_handle_t *) demo->timer, on_closed);
  g_ptr_array_unref (demo->people);
  g_rand_free (demo->rand);
  g_free (demo->key);
  g_free (demo->host);
  g_clear_pointer (&demo, g_free);
}
