/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the vEVENTQ pump: a fake seam whose read() hands out the fuzzer's
 * bytes in chunks the fuzzer chooses (whole, split or torn records, bad
 * flags, sequence gaps and wraps, EAGAIN/EINTR/EIO, over-long returns).
 *
 * Input: [payload selector][initial state] then per read() a 16-bit word:
 * bits 15:14 = 0/1 data (length in bits 13:0; 0 = "nothing now"),
 * 2 = -EAGAIN, 3 = another errno or an over-long return.
 */
#include <errno.h>
#include "core-priv.h"
#include "fuzz.h"

#define PUMP_FD 42
/* More calls than this would mean the pump never stops reading. */
#define MAX_PUMP_CALLS 4096

static const uint32_t payload_lens[] = { 32, 16, 8, 1, 4088, 5000 };

typedef struct FuzzPump {
    FuzzInput in;
    uint64_t bytes_returned;
    uint64_t delivered;
    uint32_t payload_len;
    uint8_t sink[8192];
} FuzzPump;

static ssize_t
fake_read(void *opaque, int fd, void *buf, size_t count)
{
    FuzzPump *f = opaque;
    uint16_t word;
    size_t want, len;
    const uint8_t *src;

    FUZZ_CHECK(fd == PUMP_FD, "read() on fd %d", fd);
    if (!f->in.left) {
        return 0;
    }
    word = (uint16_t)fuzz_take(&f->in, 2);
    switch (word >> 14) {
    case 2:
        return -EAGAIN;
    case 3:
        switch (word & 3) {
        case 0:
            return -EINTR;
        case 1:
            return -EIO;
        default:
            /* A seam that claims more than asked: the buffer is filled,
             * the claim is not believed. */
            memset(buf, word & 0xff, count);
            f->bytes_returned += count;
            return (ssize_t)count + 1 + (word & 0xff);
        }
    }
    want = word & 0x3fff;
    src = fuzz_bytes(&f->in, want < count ? want : count, &len);
    memcpy(buf, src, len);
    f->bytes_returned += len;
    return (ssize_t)len;
}

static int
fake_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    return -ENOTTY;
}

static int
fake_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    return -ENODEV;
}

static int
fake_munmap(void *opaque, void *addr, size_t len)
{
    return -EINVAL;
}

static int
fake_close(void *opaque, int fd)
{
    return 0;
}

static const SmmuExtSeamOps fake_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = fake_ioctl,
    .mmap = fake_mmap,
    .munmap = fake_munmap,
    .read = fake_read,
    .close = fake_close,
};

static void
quiet_log(void *opaque, GLogLevelFlags level, const char *msg)
{
}

static const SmmuExtHostOps quiet_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = quiet_log,
};

static void
deliver(void *opaque, const void *payload, size_t len)
{
    FuzzPump *f = opaque;

    FUZZ_CHECK(len == f->payload_len, "delivered %zu bytes, records carry %u",
               len, f->payload_len);
    /* Touch every byte: a payload beyond the filled buffer is caught by
     * ASan or valgrind here. */
    memcpy(f->sink, payload, MIN(len, sizeof(f->sink)));
    f->delivered++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzPump *f = g_new0(FuzzPump, 1);
    SmmuExtVeventq q = { 0 };
    SmmuExtStats stats = { 0 };
    SmmuExtIommufd *fd;
    uint8_t sel, init;

    fuzz_input_init(&f->in, data, size);
    sel = fuzz_u8(&f->in);
    init = fuzz_u8(&f->in);
    f->payload_len = payload_lens[sel % G_N_ELEMENTS(payload_lens)];

    q.id = 7;
    q.fd = PUMP_FD;
    q.type = sel & 0x80 ? SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV :
                          SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3;
    q.depth = 64;
    q.payload_len = f->payload_len;
    /* Start anywhere in the 31-bit sequence space, wrap included. */
    q.have_seq = init & 1;
    q.last_seq = init & 2 ? SE_VEVENTQ_SEQ_MASK - (init >> 2) : init >> 2;
    q.deliver = deliver;
    q.opaque = f;
    q.rl = (SmmuExtRatelimit)SMMU_EXT_RATELIMIT_INIT(G_TIME_SPAN_SECOND, 2);

    fd = smmu_ext_iommufd_new_seam(&fake_seam, f, 3, NULL);
    for (unsigned calls = 0; f->in.left; calls++) {
        uint64_t before = f->delivered;
        uint64_t reads = stats.reads;
        unsigned n;

        FUZZ_CHECK(calls < MAX_PUMP_CALLS, "pump never drains the input");
        n = smmu_ext_veventq_pump(fd, &q, &stats, &quiet_ops, NULL);
        FUZZ_CHECK(n == f->delivered - before, "pump says %u, delivered %"
                   G_GUINT64_FORMAT, n, f->delivered - before);
        FUZZ_CHECK(stats.reads > reads, "a pump that did not read");
    }
    FUZZ_CHECK(stats.events == f->delivered, "stats %" G_GUINT64_FORMAT
               " events, %" G_GUINT64_FORMAT " delivered", stats.events,
               f->delivered);
    /* Nothing is made up: every record came out of returned bytes. */
    FUZZ_CHECK(f->delivered * (sizeof(struct se_iommufd_vevent_header) +
                               f->payload_len) <= f->bytes_returned,
               "%" G_GUINT64_FORMAT " records from %" G_GUINT64_FORMAT
               " bytes", f->delivered, f->bytes_returned);
    smmu_ext_iommufd_free(fd);
    g_free(f);
    return 0;
}
