/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vEVENTQs as drivers/iommu/iommufd/eventq.c and driver.c behave
 * (iommufd-abi.md section 9): records of an 8-byte header plus payload,
 * at most `depth` normal events plus one LOST_EVENTS header at the tail,
 * 31-bit sequence numbers, read() of whole records only, never blocking.
 * The fd is a real eventfd kept readable exactly while records are queued,
 * so poll() behaves as on the kernel's anonymous inode.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "sim.h"

static void
sim_veventq_signal(SimVeventq *q, bool on)
{
    uint64_t v = 1;

    if (q->fd < 0 || q->signalled == on) {
        return;
    }
    /* Non-blocking eventfd: neither call can block, and a failure would
     * only leave poll() stale, which the next change corrects. */
    if (on) {
        q->signalled = write(q->fd, &v, sizeof(v)) == sizeof(v);
    } else {
        q->signalled = read(q->fd, &v, sizeof(v)) != sizeof(v);
    }
}

SimVeventq *
sim_veventq_new(SmmuExtSim *sim, SimViommu *v, uint32_t type, uint32_t depth,
                int *err)
{
    SimVeventq *q;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    q = g_new0(SimVeventq, 1);
    q->viommu = v;
    q->type = type;
    q->depth = depth;
    q->fd = fd;
    g_queue_init(&q->records);
    sim_obj_insert(sim, &q->obj, SIM_OBJ_VEVENTQ);
    q->obj.users = 1;          /* the open fd */
    g_hash_table_insert(sim->fds, GINT_TO_POINTER(fd), q);
    v->veventqs = g_list_append(v->veventqs, q);
    v->obj.users++;
    sim->live[SMMU_EXT_SIM_VEVENTQ]++;
    sim->open_fds++;
    return q;
}

void
sim_veventq_close_fd(SmmuExtSim *sim, SimVeventq *q)
{
    if (q->fd < 0) {
        return;
    }
    g_hash_table_remove(sim->fds, GINT_TO_POINTER(q->fd));
    close(q->fd);
    q->fd = -1;
    q->signalled = false;
    q->obj.users--;
    sim->open_fds--;
}

void
sim_veventq_free(SmmuExtSim *sim, SimVeventq *q)
{
    SimViommu *v = q->viommu;

    sim_veventq_close_fd(sim, q);
    g_queue_clear_full(&q->records, g_free);
    v->veventqs = g_list_remove(v->veventqs, q);
    v->obj.users--;
    sim->live[SMMU_EXT_SIM_VEVENTQ]--;
    sim_obj_remove(sim, &q->obj);
    g_free(q);
}

SimVeventq *
sim_veventq_find(SimViommu *v, uint32_t type)
{
    for (GList *l = v->veventqs; l; l = l->next) {
        SimVeventq *q = l->data;

        if (q->type == type) {
            return q;
        }
    }
    return NULL;
}

gboolean
sim_veventq_report(SimViommu *v, uint32_t type, const void *payload,
                   uint32_t len)
{
    SimVeventq *q = sim_veventq_find(v, type);

    g_return_val_if_fail(len <= SIM_EVT_MAX_LEN, FALSE);
    if (!q) {
        return FALSE;          /* dropped: not even a sequence gap */
    }
    /* A trailing LOST header makes way: either the new event is lost too
     * (the header comes back with its sequence) or it is delivered and the
     * gap before it tells the loss. */
    q->lost = false;
    if (q->records.length >= q->depth) {
        q->lost = true;
        q->lost_seq = q->seq;
    } else {
        SimRecord *rec = g_new0(SimRecord, 1);

        rec->seq = q->seq;
        rec->len = len;
        memcpy(rec->payload, payload, len);
        g_queue_push_tail(&q->records, rec);
    }
    q->seq = (q->seq + 1) & SE_VEVENTQ_SEQ_MASK;
    sim_veventq_signal(q, true);
    return TRUE;
}

static void
sim_put_header(uint8_t *dst, uint32_t flags, uint32_t seq)
{
    struct se_iommufd_vevent_header h = { .flags = flags, .sequence = seq };

    memcpy(dst, &h, sizeof(h));
}

ssize_t
sim_veventq_read(SimVeventq *q, void *buf, size_t count)
{
    const size_t hlen = sizeof(struct se_iommufd_vevent_header);
    uint8_t *out = buf;
    size_t done = 0;
    SimRecord *rec;

    if (!buf && count) {
        return -EFAULT;
    }
    /* Whole records only; one that does not fit stays at the head. */
    while ((rec = g_queue_peek_head(&q->records)) &&
           count - done >= hlen + rec->len) {
        sim_put_header(out + done, 0, rec->seq);
        memcpy(out + done + hlen, rec->payload, rec->len);
        done += hlen + rec->len;
        g_free(g_queue_pop_head(&q->records));
    }
    if (q->lost && g_queue_is_empty(&q->records) && count - done >= hlen) {
        sim_put_header(out + done, SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
                       q->lost_seq);
        done += hlen;
        q->lost = false;
    }
    if (g_queue_is_empty(&q->records) && !q->lost) {
        sim_veventq_signal(q, false);
    }
    return done;
}
