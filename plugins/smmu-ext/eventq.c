/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vEVENTQ pump.  The kernel's read() never blocks and never splits a
 * record: it returns as many whole records as fit, and 0 when there is
 * nothing (or the buffer cannot hold the first record).  So one read fills
 * a batch, 0/EAGAIN/EINTR end the round, and nothing is ever parsed from a
 * buffer the read did not fill.  Sequence numbers are 31-bit and wrap; a
 * gap or a LOST_EVENTS header is counted once and never acted on as data.
 */
#include <errno.h>
#include <string.h>
#include "core-priv.h"

#define PUMP_BATCH_BYTES 4096
/* Rounds per dispatch: a flood cannot starve the host's main loop; the fd
 * stays readable and the next dispatch goes on. */
#define PUMP_MAX_ROUNDS 64

static void
pump_log(SmmuExtVeventq *q, const SmmuExtHostOps *ops, void *opaque,
         GLogLevelFlags level, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
pump_log(SmmuExtVeventq *q, const SmmuExtHostOps *ops, void *opaque,
         GLogLevelFlags level, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *full = NULL;
    unsigned suppressed;
    va_list ap;

    if (!smmu_ext_ratelimit_ok(&q->rl, &suppressed)) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    full = g_strdup_printf("vEVENTQ(type %u id %u): %s", q->type, q->id, msg);
    if (suppressed) {
        g_autofree char *more = full;

        full = g_strdup_printf("%s (%u similar messages suppressed)", more,
                               suppressed);
    }
    if (ops && ops->log) {
        ops->log(opaque, level, full);
    } else {
        g_log(G_LOG_DOMAIN, level, "%s", full);
    }
}

static uint32_t
seq_gap(uint32_t from, uint32_t to)
{
    return (to - from) & SE_VEVENTQ_SEQ_MASK;
}

static void
count_lost(SmmuExtVeventq *q, SmmuExtStats *stats, uint32_t n,
           const SmmuExtHostOps *ops, void *opaque)
{
    if (!n) {
        return;
    }
    stats->events_lost += n;
    pump_log(q, ops, opaque, G_LOG_LEVEL_WARNING, "%u event(s) lost", n);
}

/* A LOST_EVENTS header carries the sequence of the most recent lost event. */
static void
on_lost_header(SmmuExtVeventq *q, SmmuExtStats *stats, uint32_t seq,
               const SmmuExtHostOps *ops, void *opaque)
{
    uint32_t n = q->have_seq ? seq_gap(q->last_seq, seq) : 1;

    count_lost(q, stats, n, ops, opaque);
    q->have_seq = true;
    q->last_seq = seq;
}

static void
on_event(SmmuExtVeventq *q, SmmuExtStats *stats, uint32_t seq,
         const void *payload, const SmmuExtHostOps *ops, void *opaque)
{
    /* Consecutive events differ by one; a repeat (gap 0) is not a loss. */
    if (q->have_seq && seq_gap(q->last_seq, seq) > 1) {
        count_lost(q, stats, seq_gap(q->last_seq, seq) - 1, ops, opaque);
    }
    q->have_seq = true;
    q->last_seq = seq;
    stats->events++;
    q->deliver(q->opaque, payload, q->payload_len);
}

/* Parse one filled batch; returns records delivered. */
static unsigned
parse_batch(SmmuExtVeventq *q, SmmuExtStats *stats, const uint8_t *buf,
            size_t len, const SmmuExtHostOps *ops, void *opaque)
{
    unsigned delivered = 0;
    size_t off = 0;

    while (off < len) {
        struct se_iommufd_vevent_header hdr;

        if (len - off < sizeof(hdr)) {
            break;
        }
        memcpy(&hdr, buf + off, sizeof(hdr));
        off += sizeof(hdr);
        if (hdr.flags & SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            on_lost_header(q, stats, hdr.sequence & SE_VEVENTQ_SEQ_MASK, ops,
                           opaque);
            continue;
        }
        if (hdr.flags || len - off < q->payload_len) {
            /* The kernel never splits a record: nothing after this point
             * can be trusted, so the rest of the batch is dropped. */
            stats->events_dropped++;
            pump_log(q, ops, opaque, G_LOG_LEVEL_WARNING,
                     "malformed record (flags 0x%x, %zu of %u payload "
                     "bytes) dropped", hdr.flags, len - off,
                     q->payload_len);
            return delivered;
        }
        on_event(q, stats, hdr.sequence & SE_VEVENTQ_SEQ_MASK, buf + off,
                 ops, opaque);
        off += q->payload_len;
        delivered++;
    }
    if (off < len && len - off < sizeof(struct se_iommufd_vevent_header)) {
        stats->events_dropped++;
        pump_log(q, ops, opaque, G_LOG_LEVEL_WARNING,
                 "short record (%zu bytes) dropped", len - off);
    }
    return delivered;
}

unsigned
smmu_ext_veventq_pump(SmmuExtIommufd *fd, SmmuExtVeventq *q,
                      SmmuExtStats *stats, const SmmuExtHostOps *ops,
                      void *opaque)
{
    uint8_t buf[PUMP_BATCH_BYTES];
    unsigned delivered = 0;

    for (int round = 0; round < PUMP_MAX_ROUNDS; round++) {
        ssize_t n = smmu_ext_iommufd_read(fd, q->fd, buf, sizeof(buf));

        stats->reads++;
        if (n == 0 || n == -EAGAIN || n == -EINTR) {
            break;
        }
        if (n < 0) {
            pump_log(q, ops, opaque, G_LOG_LEVEL_WARNING, "read failed: %s",
                     g_strerror((int)-n));
            break;
        }
        delivered += parse_batch(q, stats, buf, MIN((size_t)n, sizeof(buf)),
                                 ops, opaque);
    }
    return delivered;
}
