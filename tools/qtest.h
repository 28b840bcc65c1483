/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of QEMU's qtest protocol and of its QMP monitor: starts one
 * QEMU process with both sockets connected back to us, and drives it one
 * request at a time (accesses of guest physical memory, clock steps, IRQ
 * interception, QMP and HMP commands).
 *
 * Every call waits for QEMU's answer with a timeout; a QEMU that exits,
 * closes a socket or answers FAIL makes the call fail with a GError that
 * says which request it was and, when QEMU died, the end of its stderr.
 * Not thread-safe: one caller per Qtest.
 */
#ifndef SMMU_EXT_QTEST_H
#define SMMU_EXT_QTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct Qtest Qtest;

#define QTEST_ERROR (qtest_error_quark())
GQuark
qtest_error_quark(void);

typedef enum QtestError {
    QTEST_ERROR_START,      /* QEMU could not be started or did not connect */
    QTEST_ERROR_IO,         /* a socket failed, closed or timed out */
    QTEST_ERROR_FAIL,       /* QEMU answered FAIL or a QMP error */
    QTEST_ERROR_PROTOCOL,   /* an answer that is not what the protocol says */
} QtestError;

/*
 * A client with a private directory (for its sockets, QEMU's stderr and
 * any file the caller adds, e.g. a -D log) and no QEMU yet.
 */
Qtest *
qtest_new(GError **errp);

/* The private directory; the caller may create files in it. */
const char *
qtest_dir(Qtest *qt);

/*
 * Start @argv[0] with @argv[1..] plus the -qtest and -qmp options that
 * connect it to @qt, and wait (at most @timeout_ms) for both connections
 * and the QMP handshake.  QEMU's stderr goes to a file of qtest_dir().
 * Fails if QEMU could not be started, exited (the error then ends with
 * its stderr) or did not connect in time.  Once only per client.
 */
bool
qtest_launch(Qtest *qt, const char *const *argv, unsigned timeout_ms,
             GError **errp);

/* Ask QEMU to quit, wait for it (killing it after a grace period), and
 * remove the private directory. */
void
qtest_free(Qtest *qt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Qtest, qtest_free)

/* The end of QEMU's stderr so far (at most a few lines); never NULL. */
char *
qtest_stderr_tail(Qtest *qt);

/* --- qtest protocol --------------------------------------------------- */

/* Guest physical access of @size bytes (1, 2, 4 or 8), as a CPU would. */
bool
qtest_read(Qtest *qt, uint64_t addr, unsigned size, uint64_t *val,
           GError **errp);

bool
qtest_write(Qtest *qt, uint64_t addr, unsigned size, uint64_t val,
            GError **errp);

/* Byte-exact copies to and from guest physical memory. */
bool
qtest_memread(Qtest *qt, uint64_t addr, void *buf, size_t len,
              GError **errp);

bool
qtest_memwrite(Qtest *qt, uint64_t addr, const void *buf, size_t len,
               GError **errp);

/* Advance the virtual clock by @ns (needs -accel qtest). */
bool
qtest_clock_step(Qtest *qt, uint64_t ns, GError **errp);

/*
 * Intercept the output GPIOs of the device at QOM path @path: named group
 * @name (e.g. "sysbus-irq" for a SysBus device's IRQs; needs QEMU 8.2 or
 * later) or, with NULL, the unnamed ones.  From then on qtest_irq_raised()
 * counts each line's rising edges.
 */
bool
qtest_irq_intercept_out(Qtest *qt, const char *path, const char *name,
                        GError **errp);

/* Rising edges of intercepted line @n seen so far; its current level. */
unsigned
qtest_irq_raised(Qtest *qt, unsigned n);

bool
qtest_irq_level(Qtest *qt, unsigned n);

/* --- QMP -------------------------------------------------------------- */

/*
 * Execute QMP command @cmd with @args (a JSON object, or NULL) and return
 * its "return" value as JSON text.  A QMP error is a QTEST_ERROR_FAIL with
 * QEMU's description.
 */
char *
qtest_qmp(Qtest *qt, const char *cmd, const char *args, GError **errp);

/* qom-get of a string property. */
char *
qtest_qom_get_string(Qtest *qt, const char *path, const char *property,
                     GError **errp);

/* An HMP command through human-monitor-command; its output. */
char *
qtest_hmp(Qtest *qt, const char *command_line, GError **errp);

/* QMP system_reset, returning once QEMU has reported the RESET event. */
bool
qtest_system_reset(Qtest *qt, GError **errp);

G_END_DECLS

#endif /* SMMU_EXT_QTEST_H */
