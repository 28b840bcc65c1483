/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest/QMP client (see qtest.h).  We listen on two Unix sockets of a
 * private directory and QEMU connects to both (-qtest unix:..., -qmp
 * unix:...), as QEMU's own qtest library does, so there is no window in
 * which another process could take QEMU's place.  Requests are sent one
 * at a time; qtest's asynchronous "IRQ raise/lower N" lines may come
 * before any answer and are counted as they are read, QMP events likewise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "qtest.h"
#include "qtest-json.h"

extern char **environ;

#define REQUEST_TIMEOUT_MS   60000   /* one answer; QEMU may be loaded */
#define QUIT_GRACE_MS        5000
#define STDERR_TAIL_BYTES    2000
#define MAX_LINE             (64u << 20) /* a hostile QEMU cannot OOM us */
#define MAX_IRQ_LINES        256     /* qtest reports lines below this */

struct Qtest {
    char *dir;
    pid_t pid;              /* 0: not started or reaped */
    int status;             /* wait status once reaped */
    int qt_fd, qmp_fd;
    GString *qt_buf, *qmp_buf;
    unsigned irq_raised[MAX_IRQ_LINES];
    bool irq_level[MAX_IRQ_LINES];
    GHashTable *events;     /* QMP event name -> times seen */
};

G_DEFINE_QUARK(smmu-ext-qtest-error-quark, qtest_error)

static char *
dir_file(const Qtest *qt, const char *name)
{
    return g_build_filename(qt->dir, name, NULL);
}

Qtest *
qtest_new(GError **errp)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("smmu-ext-qtest-XXXXXX", &err);
    Qtest *qt;

    if (!dir) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                    "cannot create a directory for QEMU's sockets: %s",
                    err->message);
        return NULL;
    }
    qt = g_new0(Qtest, 1);
    qt->dir = dir;
    qt->qt_fd = qt->qmp_fd = -1;
    qt->qt_buf = g_string_new(NULL);
    qt->qmp_buf = g_string_new(NULL);
    qt->events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       NULL);
    return qt;
}

const char *
qtest_dir(Qtest *qt)
{
    return qt->dir;
}

/* --- the process ------------------------------------------------------ */

static bool
reap(Qtest *qt, unsigned wait_ms)
{
    for (unsigned waited = 0; qt->pid; waited += 10) {
        pid_t r = waitpid(qt->pid, &qt->status, WNOHANG);

        if (r == qt->pid || (r < 0 && errno != EINTR)) {
            qt->pid = 0;
            break;
        }
        if (waited >= wait_ms) {
            return false;
        }
        g_usleep(10000);
    }
    return true;
}

char *
qtest_stderr_tail(Qtest *qt)
{
    g_autofree char *path = dir_file(qt, "stderr");
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *tail;

    if (!g_file_get_contents(path, &text, &len, NULL) || !len) {
        return g_strdup("(nothing on stderr)");
    }
    tail = len > STDERR_TAIL_BYTES ? text + len - STDERR_TAIL_BYTES : text;
    return g_strstrip(g_strdup(tail));
}

static char *
exit_description(Qtest *qt)
{
    g_autofree char *tail = qtest_stderr_tail(qt);

    if (qt->pid) {
        return g_strdup_printf("QEMU is still running; its stderr: %s", tail);
    }
    if (WIFEXITED(qt->status)) {
        return g_strdup_printf("QEMU exited with status %d: %s",
                               WEXITSTATUS(qt->status), tail);
    }
    return g_strdup_printf("QEMU was killed by signal %d: %s",
                           WTERMSIG(qt->status), tail);
}

/* @what failed because the connection went away: say how QEMU ended. */
static void
set_dead_error(Qtest *qt, GError **errp, const char *what)
{
    g_autofree char *how = NULL;

    reap(qt, 2000);
    how = exit_description(qt);
    g_set_error(errp, QTEST_ERROR, QTEST_ERROR_IO, "%s: %s", what, how);
}

static int
listen_unix(const char *path, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                    "socket path %s is too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        int e = errno;

        if (fd >= 0) {
            close(fd);
        }
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                    "cannot listen on %s: %s", path, g_strerror(e));
        return -1;
    }
    return fd;
}

static bool
spawn(Qtest *qt, const char *const *argv, GError **errp)
{
    g_autofree char *err_path = dir_file(qt, "stderr");
    posix_spawn_file_actions_t fa;
    int r;

    /* posix_spawn() may report a failed exec only as exit status 127
     * (it does under valgrind): say why up front when we can. */
    if (access(argv[0], X_OK) < 0) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                    "cannot start %s: %s", argv[0], g_strerror(errno));
        return false;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, err_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    r = posix_spawn(&qt->pid, argv[0], &fa, NULL, (char *const *)argv,
                    environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r) {
        qt->pid = 0;
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                    "cannot start %s: %s", argv[0], g_strerror(r));
        return false;
    }
    return true;
}

static int
accept_cloexec(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);

    if (fd >= 0) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return fd;
}

/* Accept QEMU's connections to both sockets, watching for its exit. */
static bool
accept_both(Qtest *qt, int qt_listen, int qmp_listen, unsigned timeout_ms,
            GError **errp)
{
    for (gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;
         qt->qt_fd < 0 || qt->qmp_fd < 0;) {
        struct pollfd pfd[2] = {
            { .fd = qt->qt_fd < 0 ? qt_listen : -1, .events = POLLIN },
            { .fd = qt->qmp_fd < 0 ? qmp_listen : -1, .events = POLLIN },
        };

        if (reap(qt, 0) && !qt->pid) {
            set_dead_error(qt, errp, "QEMU did not connect");
            return false;
        }
        if (g_get_monotonic_time() > end) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                        "QEMU did not connect within %u ms", timeout_ms);
            return false;
        }
        if (poll(pfd, 2, 100) < 0 && errno != EINTR) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_START,
                        "poll: %s", g_strerror(errno));
            return false;
        }
        if (pfd[0].revents & POLLIN) {
            qt->qt_fd = accept_cloexec(qt_listen);
        }
        if (pfd[1].revents & POLLIN) {
            qt->qmp_fd = accept_cloexec(qmp_listen);
        }
    }
    return true;
}

/* --- lines ------------------------------------------------------------ */

/*
 * After a timeout or a broken line the next answer could belong to an
 * earlier request: never read either socket again.
 */
static void
disconnect(Qtest *qt)
{
    if (qt->qt_fd >= 0) {
        close(qt->qt_fd);
        qt->qt_fd = -1;
    }
    if (qt->qmp_fd >= 0) {
        close(qt->qmp_fd);
        qt->qmp_fd = -1;
    }
}

static bool
send_line(Qtest *qt, int fd, const char *line, GError **errp)
{
    size_t len = strlen(line), done = 0;

    while (done < len) {
        ssize_t n = send(fd, line + done, len - done, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            g_autofree char *what = g_strdup_printf(
                "cannot send to QEMU (%s)", g_strerror(errno));

            set_dead_error(qt, errp, what);
            disconnect(qt);
            return false;
        }
        done += n;
    }
    return true;
}

static char *read_line_once(Qtest *qt, int fd, GString *buf, GError **errp);

/* The next line from @fd without its newline, reading into @buf. */
static char *
read_line(Qtest *qt, int fd, GString *buf, GError **errp)
{
    char *line = read_line_once(qt, fd, buf, errp);

    if (!line) {
        disconnect(qt);
    }
    return line;
}

static char *
read_line_once(Qtest *qt, int fd, GString *buf, GError **errp)
{
    gint64 end = g_get_monotonic_time() + REQUEST_TIMEOUT_MS * 1000ll;

    for (;;) {
        char *nl = memchr(buf->str, '\n', buf->len);
        char chunk[4096];
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        gint64 left = (end - g_get_monotonic_time()) / 1000;
        ssize_t n;

        if (nl) {
            char *line = g_strndup(buf->str, nl - buf->str);

            g_string_erase(buf, 0, nl - buf->str + 1);
            return line;
        }
        if (buf->len > MAX_LINE) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                        "QEMU sent a line longer than %u bytes", MAX_LINE);
            return NULL;
        }
        if (left <= 0) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_IO,
                        "QEMU did not answer within %d ms",
                        REQUEST_TIMEOUT_MS);
            return NULL;
        }
        if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_IO, "poll: %s",
                        g_strerror(errno));
            return NULL;
        }
        if (!pfd.revents) {
            continue;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            set_dead_error(qt, errp, n ? "cannot read from QEMU" :
                           "QEMU closed the connection");
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
}

/* --- qtest ------------------------------------------------------------ */

/* "IRQ raise N" / "IRQ lower N": counted, never an answer. */
static bool
irq_event(Qtest *qt, const char *line)
{
    bool raise = g_str_has_prefix(line, "IRQ raise ");
    guint64 n;

    if (!raise && !g_str_has_prefix(line, "IRQ lower ")) {
        return false;
    }
    if (g_ascii_string_to_unsigned(line + 10, 10, 0, MAX_IRQ_LINES - 1, &n,
                                   NULL)) {
        if (raise && !qt->irq_level[n]) {
            qt->irq_raised[n]++;
        }
        qt->irq_level[n] = raise;
    }
    return true;
}

/*
 * Send qtest request @req (no newline) and return what follows "OK" in
 * the answer ("" if nothing).
 */
static char *
qtest_request(Qtest *qt, const char *req, GError **errp)
{
    g_autofree char *line = g_strconcat(req, "\n", NULL);

    if (qt->qt_fd < 0) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_IO,
                    "%s: no connection to QEMU (lost or never made)", req);
        return NULL;
    }
    if (!send_line(qt, qt->qt_fd, line, errp)) {
        g_prefix_error(errp, "%s: ", req);
        return NULL;
    }
    for (;;) {
        g_autofree char *answer = read_line(qt, qt->qt_fd, qt->qt_buf, errp);

        if (!answer) {
            g_prefix_error(errp, "%s: ", req);
            return NULL;
        }
        if (irq_event(qt, answer)) {
            continue;
        }
        if (!strcmp(answer, "OK") || g_str_has_prefix(answer, "OK ")) {
            return g_strdup(answer[2] ? answer + 3 : "");
        }
        g_set_error(errp, QTEST_ERROR, g_str_has_prefix(answer, "FAIL") ?
                    QTEST_ERROR_FAIL : QTEST_ERROR_PROTOCOL,
                    "%s: QEMU answered '%s'", req, answer);
        return NULL;
    }
}

static bool
qtest_request_ok(Qtest *qt, const char *req, GError **errp)
{
    g_autofree char *rest = qtest_request(qt, req, errp);

    return rest != NULL;
}

static const char *
access_suffix(unsigned size)
{
    switch (size) {
    case 1: return "b";
    case 2: return "w";
    case 4: return "l";
    case 8: return "q";
    default: return NULL;
    }
}

bool
qtest_read(Qtest *qt, uint64_t addr, unsigned size, uint64_t *val,
           GError **errp)
{
    const char *sfx = access_suffix(size);
    g_autofree char *req = NULL, *rest = NULL;

    if (!sfx) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "read of %u bytes: not an access size", size);
        return false;
    }
    req = g_strdup_printf("read%s 0x%" G_GINT64_MODIFIER "x", sfx, addr);
    rest = qtest_request(qt, req, errp);
    if (!rest) {
        return false;
    }
    if (!g_str_has_prefix(rest, "0x") ||
        !g_ascii_string_to_unsigned(rest + 2, 16, 0, G_MAXUINT64, val,
                                    NULL)) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "%s: QEMU answered 'OK %s', not a value", req, rest);
        return false;
    }
    return true;
}

bool
qtest_write(Qtest *qt, uint64_t addr, unsigned size, uint64_t val,
            GError **errp)
{
    const char *sfx = access_suffix(size);
    g_autofree char *req = NULL;

    if (!sfx) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "write of %u bytes: not an access size", size);
        return false;
    }
    req = g_strdup_printf("write%s 0x%" G_GINT64_MODIFIER "x 0x%"
                          G_GINT64_MODIFIER "x", sfx, addr, val);
    return qtest_request_ok(qt, req, errp);
}

bool
qtest_memread(Qtest *qt, uint64_t addr, void *buf, size_t len,
              GError **errp)
{
    g_autofree char *req = g_strdup_printf("read 0x%" G_GINT64_MODIFIER
                                           "x 0x%zx", addr, len);
    g_autofree char *rest = qtest_request(qt, req, errp);
    uint8_t *out = buf;

    if (!rest) {
        return false;
    }
    if (!g_str_has_prefix(rest, "0x") || strlen(rest + 2) != 2 * len) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "%s: QEMU answered %zu characters, not %zu bytes", req,
                    strlen(rest), len);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(rest[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(rest[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                        "%s: QEMU answered a non-hex byte", req);
            return false;
        }
        out[i] = hi << 4 | lo;
    }
    return true;
}

bool
qtest_memwrite(Qtest *qt, uint64_t addr, const void *buf, size_t len,
               GError **errp)
{
    g_autoptr(GString) req = g_string_sized_new(32 + 2 * len);
    const uint8_t *in = buf;

    g_string_printf(req, "write 0x%" G_GINT64_MODIFIER "x 0x%zx 0x", addr,
                    len);
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(req, "%02x", in[i]);
    }
    return qtest_request_ok(qt, req->str, errp);
}

bool
qtest_clock_step(Qtest *qt, uint64_t ns, GError **errp)
{
    g_autofree char *req = g_strdup_printf("clock_step %" G_GUINT64_FORMAT,
                                           ns);

    return qtest_request_ok(qt, req, errp);
}

bool
qtest_irq_intercept_out(Qtest *qt, const char *path, const char *name,
                        GError **errp)
{
    g_autofree char *req = NULL;

    if (strpbrk(path, " \t\n") || (name && strpbrk(name, " \t\n"))) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "irq_intercept_out: blank in '%s'", path);
        return false;
    }
    req = g_strdup_printf("irq_intercept_out %s%s%s", path, name ? " " : "",
                          name ? name : "");
    return qtest_request_ok(qt, req, errp);
}

unsigned
qtest_irq_raised(Qtest *qt, unsigned n)
{
    return n < MAX_IRQ_LINES ? qt->irq_raised[n] : 0;
}

bool
qtest_irq_level(Qtest *qt, unsigned n)
{
    return n < MAX_IRQ_LINES && qt->irq_level[n];
}

/* --- QMP -------------------------------------------------------------- */

static void
qmp_note_event(Qtest *qt, const char *event)
{
    g_autofree char *name = qtest_json_string(event);
    gpointer seen;

    if (name) {
        seen = g_hash_table_lookup(qt->events, name);
        g_hash_table_insert(qt->events, g_steal_pointer(&name),
                            GUINT_TO_POINTER(GPOINTER_TO_UINT(seen) + 1));
    }
}

/* The next QMP line that is not an event; events are counted. */
static char *
qmp_read_reply(Qtest *qt, GError **errp)
{
    for (;;) {
        g_autofree char *line = read_line(qt, qt->qmp_fd, qt->qmp_buf, errp);
        const char *event;

        if (!line) {
            return NULL;
        }
        event = qtest_json_member(line, "event");
        if (!event) {
            return g_steal_pointer(&line);
        }
        qmp_note_event(qt, event);
    }
}

char *
qtest_qmp(Qtest *qt, const char *cmd, const char *args, GError **errp)
{
    g_autoptr(GString) req = g_string_new("{\"execute\": ");
    g_autofree char *reply = NULL;
    const char *ret, *err;

    if (qt->qmp_fd < 0) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_IO,
                    "QMP %s: no connection to QEMU (lost or never made)", cmd);
        return NULL;
    }
    qtest_json_append_string(req, cmd);
    if (args) {
        g_string_append_printf(req, ", \"arguments\": %s", args);
    }
    g_string_append(req, "}\n");
    if (!send_line(qt, qt->qmp_fd, req->str, errp) ||
        !(reply = qmp_read_reply(qt, errp))) {
        g_prefix_error(errp, "QMP %s: ", cmd);
        return NULL;
    }
    ret = qtest_json_member(reply, "return");
    if (ret) {
        return qtest_json_value(ret);
    }
    err = qtest_json_member(reply, "error");
    if (err) {
        g_autofree char *desc = qtest_json_string(
            qtest_json_member(err, "desc"));

        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_FAIL, "QMP %s: %s", cmd,
                    desc ? desc : "error without a description");
        return NULL;
    }
    g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                "QMP %s: unexpected reply %.200s", cmd, reply);
    return NULL;
}

/* A QMP command whose "return" must be a string. */
static char *
qmp_string(Qtest *qt, const char *cmd, const char *args, GError **errp)
{
    g_autofree char *ret = qtest_qmp(qt, cmd, args, errp);
    char *s;

    if (!ret) {
        return NULL;
    }
    s = qtest_json_string(ret);
    if (!s) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "QMP %s: returned %.200s, not a string", cmd, ret);
    }
    return s;
}

char *
qtest_qom_get_string(Qtest *qt, const char *path, const char *property,
                     GError **errp)
{
    g_autoptr(GString) args = g_string_new("{\"path\": ");

    qtest_json_append_string(args, path);
    g_string_append(args, ", \"property\": ");
    qtest_json_append_string(args, property);
    g_string_append_c(args, '}');
    return qmp_string(qt, "qom-get", args->str, errp);
}

char *
qtest_hmp(Qtest *qt, const char *command_line, GError **errp)
{
    g_autoptr(GString) args = g_string_new("{\"command-line\": ");

    qtest_json_append_string(args, command_line);
    g_string_append_c(args, '}');
    return qmp_string(qt, "human-monitor-command", args->str, errp);
}

static unsigned
events_seen(Qtest *qt, const char *name)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(qt->events, name));
}

bool
qtest_system_reset(Qtest *qt, GError **errp)
{
    unsigned before = events_seen(qt, "RESET");
    g_autofree char *ret = qtest_qmp(qt, "system_reset", NULL, errp);

    if (!ret) {
        return false;
    }
    /*
     * The reset runs later in QEMU's main loop; an empty qtest round trip
     * is not enough to wait for it, the RESET event is.
     */
    while (events_seen(qt, "RESET") == before) {
        g_autofree char *line = read_line(qt, qt->qmp_fd, qt->qmp_buf, errp);
        const char *event;

        if (!line) {
            g_prefix_error(errp, "QMP system_reset: waiting for RESET: ");
            return false;
        }
        event = qtest_json_member(line, "event");
        if (event) {
            qmp_note_event(qt, event);
        }
    }
    return true;
}

/* --- start and stop --------------------------------------------------- */

static bool
qmp_handshake(Qtest *qt, GError **errp)
{
    g_autofree char *greeting = qmp_read_reply(qt, errp);
    g_autofree char *ret = NULL;

    if (!greeting) {
        g_prefix_error(errp, "QMP greeting: ");
        return false;
    }
    if (!qtest_json_member(greeting, "QMP")) {
        g_set_error(errp, QTEST_ERROR, QTEST_ERROR_PROTOCOL,
                    "QMP greeting expected, got %.200s", greeting);
        return false;
    }
    ret = qtest_qmp(qt, "qmp_capabilities", NULL, errp);
    return ret != NULL;
}

bool
qtest_launch(Qtest *qt, const char *const *argv, unsigned timeout_ms,
             GError **errp)
{
    g_autofree char *qt_path = dir_file(qt, "qtest.sock");
    g_autofree char *qmp_path = dir_file(qt, "qmp.sock");
    g_autofree char *qt_opt = g_strconcat("unix:", qt_path, NULL);
    g_autofree char *qmp_opt = g_strconcat("unix:", qmp_path, NULL);
    g_autoptr(GPtrArray) full = g_ptr_array_new();
    int qt_listen, qmp_listen = -1;
    bool ok = false;

    g_return_val_if_fail(!qt->pid && qt->qt_fd < 0, false);
    for (const char *const *a = argv; *a; a++) {
        g_ptr_array_add(full, (gpointer)*a);
    }
    g_ptr_array_add(full, (gpointer)"-qtest");
    g_ptr_array_add(full, qt_opt);
    /* qtest logs every request to stderr unless told not to */
    g_ptr_array_add(full, (gpointer)"-qtest-log");
    g_ptr_array_add(full, (gpointer)"none");
    g_ptr_array_add(full, (gpointer)"-qmp");
    g_ptr_array_add(full, qmp_opt);
    g_ptr_array_add(full, NULL);

    qt_listen = listen_unix(qt_path, errp);
    if (qt_listen >= 0) {
        qmp_listen = listen_unix(qmp_path, errp);
    }
    if (qmp_listen >= 0 &&
        spawn(qt, (const char *const *)full->pdata, errp)) {
        ok = accept_both(qt, qt_listen, qmp_listen, timeout_ms, errp) &&
             qmp_handshake(qt, errp);
    }
    if (qt_listen >= 0) {
        close(qt_listen);
    }
    if (qmp_listen >= 0) {
        close(qmp_listen);
    }
    g_unlink(qt_path);
    g_unlink(qmp_path);
    if (!ok) {
        g_prefix_error(errp, "%s: ", argv[0]);
    }
    return ok;
}

static void
remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_unlink(path);
    }
    g_rmdir(dir);
}

void
qtest_free(Qtest *qt)
{
    if (!qt) {
        return;
    }
    /* SIGTERM is QEMU's orderly shutdown, as for QMP quit, and needs no
     * working socket. */
    if (qt->pid) {
        kill(qt->pid, SIGTERM);
    }
    if (qt->qt_fd >= 0) {
        close(qt->qt_fd);
    }
    if (qt->qmp_fd >= 0) {
        close(qt->qmp_fd);
    }
    if (qt->pid && !reap(qt, QUIT_GRACE_MS)) {
        kill(qt->pid, SIGKILL);
        reap(qt, QUIT_GRACE_MS);
    }
    remove_dir(qt->dir);
    g_free(qt->dir);
    g_string_free(qt->qt_buf, TRUE);
    g_string_free(qt->qmp_buf, TRUE);
    g_hash_table_unref(qt->events);
    g_free(qt);
}
