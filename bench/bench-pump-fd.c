/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vEVENTQ pump throughput through a real file descriptor: every read() the
 * pump makes is a system call.  A producer writes kernel-format ARM_SMMUV3
 * records (8-byte header {flags, sequence} + 32-byte payload) into a pipe
 * raised to /proc/sys/fs/pipe-max-size before each round; then only
 * smmu_ext_veventq_pump() is timed, delivering to a callback that counts.
 *
 *   batched, adopt()     the library's own libc seam on a packet-mode pipe
 *                        (O_DIRECT) whose packets are 102 records, which is
 *                        what the kernel returns to a 4 KiB read
 *   batched, whole recs  a plain pipe; the seam rounds count down to whole
 *                        records (the kernel never returns part of one, a
 *                        plain pipe would), then libc read()
 *   one record/read()    the same plain pipe; the seam caps count at one
 *                        record (40 bytes), then libc read()
 *
 * Each variant must deliver every record once, in sequence, with nothing
 * lost or dropped; otherwise the benchmark fails.
 *
 *   bench-pump-fd              events/s, median of 7 runs
 *   bench-pump-fd --one NAME N N events through variant NAME (for callgrind)
 */
#define _GNU_SOURCE            /* pipe2, O_DIRECT, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "core-priv.h"
#include "bench.h"

#define N_EVENTS (1u << 18)
#define PAYLOAD_BYTES 32u
#define RECORD_BYTES (8u + PAYLOAD_BYTES)
/* Whole records a 4 KiB read of a real vEVENTQ returns. */
#define PACKET_RECORDS (4096u / RECORD_BYTES)

typedef enum Variant {
    VARIANT_ADOPT,
    VARIANT_WHOLE,
    VARIANT_SINGLE,
    N_VARIANTS,
} Variant;

static const char *const variant_names[N_VARIANTS] = {
    [VARIANT_ADOPT] = "batched-adopt",
    [VARIANT_WHOLE] = "batched-whole",
    [VARIANT_SINGLE] = "single",
};

typedef struct Sink {
    uint64_t n;
    uint64_t sum;              /* keeps the payload read */
} Sink;

typedef struct Bench {
    Variant variant;
    int rfd, wfd;
    size_t capacity;           /* bytes the pipe holds */
    uint32_t seq;              /* next sequence number to produce */
    uint8_t *records;          /* one fill's worth */
} Bench;

/* --- the seams of the plain-pipe variants: libc read(), count limited ----- */

static ssize_t
cap_read(int fd, void *buf, size_t count)
{
    ssize_t r = read(fd, buf, count);

    return r < 0 ? -errno : r;
}

static ssize_t
whole_read(void *opaque, int fd, void *buf, size_t count)
{
    return cap_read(fd, buf, count - count % RECORD_BYTES);
}

static ssize_t
single_read(void *opaque, int fd, void *buf, size_t count)
{
    return cap_read(fd, buf, MIN(count, RECORD_BYTES));
}

static int
no_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    return -ENOTTY;
}

static int
no_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    return -ENODEV;
}

static int
no_munmap(void *opaque, void *addr, size_t len)
{
    return -EINVAL;
}

static int
no_close(void *opaque, int fd)
{
    return 0;                  /* the benchmark closes its own pipe */
}

static const SmmuExtSeamOps whole_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = no_ioctl, .mmap = no_mmap, .munmap = no_munmap,
    .read = whole_read, .close = no_close,
};

static const SmmuExtSeamOps single_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = no_ioctl, .mmap = no_mmap, .munmap = no_munmap,
    .read = single_read, .close = no_close,
};

/* --- producer ------------------------------------------------------------- */

static void
deliver(void *opaque, const void *payload, size_t len)
{
    Sink *k = opaque;
    uint64_t w;

    memcpy(&w, payload, sizeof(w));
    k->sum += w;
    k->n++;
}

static size_t
pipe_max_size(void)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents("/proc/sys/fs/pipe-max-size", &text, NULL,
                             NULL)) {
        return 1u << 20;
    }
    return g_ascii_strtoull(text, NULL, 10);
}

static void
bench_open(Bench *b, Variant v)
{
    int fds[2];
    int flags = O_CLOEXEC | (v == VARIANT_ADOPT ? O_DIRECT : 0);
    int cap;

    if (pipe2(fds, flags)) {
        bench_die("pipe2", NULL);
    }
    b->variant = v;
    b->rfd = fds[0];
    b->wfd = fds[1];
    /* Not fatal: a smaller pipe only means more rounds. */
    fcntl(b->wfd, F_SETPIPE_SZ, (int)MIN(pipe_max_size(), 1u << 20));
    cap = fcntl(b->wfd, F_GETPIPE_SZ);
    if (cap <= 0 || fcntl(b->rfd, F_SETFL, O_NONBLOCK)) {
        bench_die("fcntl on the pipe", NULL);
    }
    /*
     * A packet-mode pipe spends one page-sized slot per write, so it holds
     * capacity / 4096 packets of PACKET_RECORDS; a plain one holds bytes.
     */
    if (v == VARIANT_ADOPT) {
        b->capacity = (size_t)cap / 4096 * PACKET_RECORDS * RECORD_BYTES;
    } else {
        b->capacity = (size_t)cap / RECORD_BYTES * RECORD_BYTES;
    }
    b->seq = 0;
    b->records = g_malloc(b->capacity);
}

static void
bench_close(Bench *b)
{
    close(b->rfd);
    close(b->wfd);
    g_free(b->records);
}

/* Write @n records (n * 40 <= capacity) into the empty pipe. */
static void
produce(Bench *b, unsigned n)
{
    size_t chunk = b->variant == VARIANT_ADOPT ?
                   PACKET_RECORDS * RECORD_BYTES : n * RECORD_BYTES;
    size_t total = (size_t)n * RECORD_BYTES;

    for (unsigned i = 0; i < n; i++) {
        struct se_iommufd_vevent_header h = {
            .flags = 0,
            .sequence = b->seq++ & SE_VEVENTQ_SEQ_MASK,
        };
        uint64_t evt[4] = { 0x10 | (uint64_t)i << 32, 0, 0, 0 };
        uint8_t *p = b->records + (size_t)i * RECORD_BYTES;

        memcpy(p, &h, sizeof(h));
        memcpy(p + sizeof(h), evt, sizeof(evt));
    }
    for (size_t off = 0; off < total; off += chunk) {
        size_t len = MIN(chunk, total - off);

        if (write(b->wfd, b->records + off, len) != (ssize_t)len) {
            bench_die("write into the pipe", NULL);
        }
    }
}

/* Pump @n events through variant @v; returns the ns spent in the pump. */
static uint64_t
run(Variant v, unsigned n, uint64_t *reads)
{
    static const SmmuExtSeamOps *const seams[N_VARIANTS] = {
        [VARIANT_WHOLE] = &whole_seam,
        [VARIANT_SINGLE] = &single_seam,
    };
    SmmuExtStats st = { 0 };
    Sink sink = { 0 };
    SmmuExtVeventq q = {
        .id = 1,
        .type = SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .depth = 1u << 16,
        .payload_len = PAYLOAD_BYTES,
        .deliver = deliver,
        .opaque = &sink,
        .rl = SMMU_EXT_RATELIMIT_INIT(G_TIME_SPAN_SECOND, 10),
    };
    SmmuExtIommufd *fd;
    uint64_t ns = 0;
    Bench b;

    bench_open(&b, v);
    q.fd = b.rfd;
    fd = v == VARIANT_ADOPT ? smmu_ext_iommufd_adopt(b.rfd) :
         smmu_ext_iommufd_new_seam(seams[v], NULL, b.rfd, NULL);
    for (unsigned done = 0; done < n;) {
        unsigned batch = MIN(n - done, b.capacity / RECORD_BYTES);
        uint64_t t0;

        produce(&b, batch);
        t0 = bench_now_ns();
        while (sink.n < (uint64_t)done + batch) {
            if (!smmu_ext_veventq_pump(fd, &q, &st, NULL, NULL)) {
                bench_die("events stopped arriving", NULL);
            }
        }
        ns += bench_now_ns() - t0;
        done += batch;
    }
    if (sink.n != n || st.events != n || st.events_lost ||
        st.events_dropped) {
        bench_die("events lost, dropped or invented", NULL);
    }
    *reads = st.reads;
    smmu_ext_iommufd_free(fd);
    bench_close(&b);
    return ns;
}

static Variant
find(const char *name)
{
    for (unsigned v = 0; v < N_VARIANTS; v++) {
        if (!strcmp(variant_names[v], name)) {
            return v;
        }
    }
    fprintf(stderr, "bench-pump-fd: unknown variant %s\n", name);
    exit(2);
}

int
main(int argc, char **argv)
{
    double rate[N_VARIANTS];
    uint64_t reads[N_VARIANTS];

    if (argc == 4 && !strcmp(argv[1], "--one")) {
        uint64_t r;

        run(find(argv[2]), (unsigned)strtoul(argv[3], NULL, 0), &r);
        return 0;
    }
    printf("vEVENTQ pump through a real pipe (a system call per read()), "
           "%u ARM_SMMUV3 events, median of %u runs\n", N_EVENTS,
           BENCH_REPS);
    for (unsigned v = 0; v < N_VARIANTS; v++) {
        double r[BENCH_REPS];

        for (unsigned k = 0; k < BENCH_REPS; k++) {
            r[k] = N_EVENTS * 1e9 / (double)run(v, N_EVENTS, &reads[v]);
        }
        rate[v] = bench_median(r, BENCH_REPS);
        printf("  %-14s %7.2f M events/s  %6.1f ns/event  %.4f reads/event\n",
               variant_names[v], rate[v] / 1e6, 1e9 / rate[v],
               (double)reads[v] / N_EVENTS);
    }
    printf("  batched (adopt) / one record per read(): %.1fx\n",
           rate[VARIANT_ADOPT] / rate[VARIANT_SINGLE]);
    printf("  batched (whole) / one record per read(): %.1fx\n",
           rate[VARIANT_WHOLE] / rate[VARIANT_SINGLE]);
    return 0;
}
