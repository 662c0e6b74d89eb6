/* desktop-test.h: helpers of the desktop integration tests: a second connection to the
 * session bus that plays the desktop's side, calls that keep the main loop running. */
#pragma once

#include <gio/gio.h>

#include "harness.h"

G_BEGIN_DECLS

/* A new connection to the session bus (not the shared one): a peer of the code under test. */
GDBusConnection *desktop_test_bus_new (void);

/* Calls a method and iterates the main context until the answer came (the object may be
 * served by this very process). Fails the test on error unless error is given. */
GVariant *desktop_test_call (GDBusConnection *bus,
                             const char      *dest,
                             const char      *path,
                             const char      *interface,
                             const char      *method,
                             GVariant        *parameters,
                             const char      *reply_type,
                             GError         **error);

/* org.freedesktop.DBus.Properties.Get, unpacked. */
GVariant *desktop_test_get_property (GDBusConnection *bus,
                                     const char      *dest,
                                     const char      *path,
                                     const char      *interface,
                                     const char      *name);

/* Counts the emissions of one signal and keeps the parameters of the last; watching
 * starts before desktop_test_signal_watch() returns. */
typedef struct
{
  GDBusConnection *bus;
  guint            subscription;
  guint            count;
  GVariant        *last;
} DesktopTestSignal;

void desktop_test_signal_watch (DesktopTestSignal *signal,
                                GDBusConnection   *bus,
                                const char        *sender,
                                const char        *interface,
                                const char        *member);
void desktop_test_signal_clear (DesktopTestSignal *signal);
/* Waits until the signal was seen at least count times. */
void desktop_test_signal_wait (DesktopTestSignal *signal, guint count);

/* Iterates the main context until *flag is TRUE (fails after 10 s). */
void desktop_test_wait_flag (const gboolean *flag);

/* Iterates the main context until the property of object has value (fails after 10 s). */
void desktop_test_wait_boolean (gpointer object, const char *property, gboolean value);

G_END_DECLS
