/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest MMIO of the selftest extension: the control registers, the two
 * queues and the window onto the vIOMMU's region (trapped when the host
 * could not overlay it).  Every offset and size is checked here; nothing a
 * guest does can reach past the region.
 */
#include <inttypes.h>
#include "selftest.h"

static uint32_t
status(const Selftest *s)
{
    return (s->viommu ? ST_STATUS_VIOMMU : 0) |
           (smmu_ext_core_direct_mapped(s->core, ST_WINDOW) ?
            ST_STATUS_DIRECT : 0) |
           (s->loopback ? ST_STATUS_LOOPBACK : 0);
}

static uint32_t
reg_read(Selftest *s, uint64_t offset)
{
    switch (offset) {
    case A_ST_ID:
        return SE_IOMMU_HW_INFO_SELFTEST_REGVAL;
    case A_ST_STATUS:
        return status(s);
    case A_ST_COOKIE:
        return s->viommu ? s->cookie : 0;
    case A_ST_DATA:
        return s->viommu ? s->data : 0;
    case A_ST_WINDOW_LEN:
        return (uint32_t)s->page_len;
    case A_ST_VDEVS:
        return s->n_vdevs;
    case A_ST_EVT_COUNT:
        return s->evt_count;
    case A_ST_EVT_PENDING:
        return s->fifo_len;
    case A_ST_EVT_POP:
        return selftest_event_pop(s);
    case A_ST_EVT_BAD:
        return s->evt_bad;
    case A_ST_EVT_DROPPED:
        return s->evt_dropped;
    }
    if (offset >= A_ST_QUEUE(0) && offset < ST_QUEUE_END) {
        return selftest_queue_read(s, (offset - A_ST_QUEUE(0)) / 0x20,
                                   (offset - A_ST_QUEUE(0)) % 0x20);
    }
    smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: read of "
                              "unknown offset 0x%03" PRIx64, offset);
    return 0;
}

/* @offset, @size are inside the region (the core checked); the window may
 * still be shorter than its maximum, or not backed at all. */
static bool
window_ok(Selftest *s, uint64_t offset, unsigned size)
{
    uint64_t off = offset - ST_WINDOW;

    if (s->page && off < s->page_len && size <= s->page_len - off) {
        return true;
    }
    smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: window "
                              "access at 0x%05" PRIx64 " (%u bytes) outside "
                              "the 0x%" PRIx64 " bytes backed", offset, size,
                              s->page_len);
    return false;
}

uint64_t
selftest_mmio_read(void *state, uint64_t offset, unsigned size)
{
    Selftest *s = state;
    uint64_t v = 0;

    if (offset >= ST_WINDOW) {
        if (window_ok(s, offset, size)) {
            memcpy(&v, s->page + (offset - ST_WINDOW), size);
            v = GUINT64_FROM_LE(v);
        }
        return v;
    }
    if (size != 4 || offset % 4) {
        smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: %u-byte "
                                  "read at 0x%03" PRIx64 " (registers are "
                                  "4 bytes, aligned)", size, offset);
        return 0;
    }
    return reg_read(s, offset);
}

void
selftest_mmio_write(void *state, uint64_t offset, uint64_t value,
                    unsigned size)
{
    Selftest *s = state;

    if (offset >= ST_WINDOW) {
        if (window_ok(s, offset, size)) {
            value = GUINT64_TO_LE(value);
            memcpy(s->page + (offset - ST_WINDOW), &value, size);
        }
        return;
    }
    if (size != 4 || offset % 4) {
        smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: %u-byte "
                                  "write at 0x%03" PRIx64 " ignored", size,
                                  offset);
        return;
    }
    if (offset >= A_ST_QUEUE(0) && offset < ST_QUEUE_END) {
        selftest_queue_write(s, (offset - A_ST_QUEUE(0)) / 0x20,
                             (offset - A_ST_QUEUE(0)) % 0x20,
                             (uint32_t)value);
        return;
    }
    smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: write 0x%"
                              PRIx64 " to %s offset 0x%03" PRIx64, value,
                              offset <= A_ST_EVT_DROPPED ? "read-only" :
                              "unknown", offset);
}
