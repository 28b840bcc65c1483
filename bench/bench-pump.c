/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vEVENTQ pump throughput on the simulated host: ARM_SMMUV3 events posted
 * by the simulated kernel (profile smmuv3), read back through the sim's
 * seam and delivered to the host's inject_event, batched (the pump's 4 KiB
 * reads) versus one record per read().  The issue #8 figures through a
 * real fd are bench-pump-fd's; these show what the sim and the whole
 * dispatch (instance, vIOMMU, host callback) add.  Only the dispatch is
 * timed, not the posting.  The sim's
 * vEVENTQ fd is a real eventfd; records are copied out of its queue by
 * the seam's read().  That copy costs nothing like a system call, so each
 * pair is measured twice: as the sim does it, and with one real system
 * call per read() (a non-blocking read of an empty pipe, EAGAIN), which
 * is what every read() of a vEVENTQ fd costs on a real kernel.
 */
#define _GNU_SOURCE            /* pipe2 */
#include <fcntl.h>
#include <unistd.h>
#include "core-priv.h"
#include "smmu-ext-sim.h"
#include "bench.h"

#define N_EVENTS 65536u
#define EVTQ_LOG2 16
#define RECORD_BYTES (8 + 32)

/* The sim's seam, with read() limited to @max bytes. */
typedef struct Wrap {
    const SmmuExtSeamOps *sim_ops;
    void *sim_opaque;
    size_t max;
    int syscall_fd;            /* -1: no system call per read() */
} Wrap;

static Wrap wrap;
static uint64_t injected;

static int
w_ioctl(void *o, int fd, unsigned long req, void *arg)
{
    return wrap.sim_ops->ioctl(wrap.sim_opaque, fd, req, arg);
}

static int
w_mmap(void *o, int fd, uint64_t off, size_t len, void **out)
{
    return wrap.sim_ops->mmap(wrap.sim_opaque, fd, off, len, out);
}

static int
w_munmap(void *o, void *addr, size_t len)
{
    return wrap.sim_ops->munmap(wrap.sim_opaque, addr, len);
}

static ssize_t
w_read(void *o, int fd, void *buf, size_t count)
{
    if (wrap.syscall_fd >= 0) {
        char c;

        if (read(wrap.syscall_fd, &c, 1) != -1) {
            bench_die("the empty pipe had data", NULL);
        }
    }
    return wrap.sim_ops->read(wrap.sim_opaque, fd, buf, MIN(count, wrap.max));
}

static int
w_close(void *o, int fd)
{
    return wrap.sim_ops->close(wrap.sim_opaque, fd);
}

static const SmmuExtSeamOps wrap_ops = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = w_ioctl, .mmap = w_mmap, .munmap = w_munmap, .read = w_read,
    .close = w_close,
};

static bool
host_inject(void *opaque, const uint64_t evt[4])
{
    injected++;
    return true;
}

static const SmmuExtHostOps host_ops = {
    .size = sizeof(SmmuExtHostOps),
    .inject_event = host_inject,
};

/* Events per second delivered with reads of at most @max bytes. */
static double
measure(size_t max, int syscall_fd, uint64_t *reads_per_event)
{
    g_autoptr(GError) err = NULL;
    SmmuExtSim *sim = smmu_ext_sim_new(SMMU_EXT_SIM_SMMUV3);
    SmmuExtIommufd *sfd = smmu_ext_sim_iommufd(sim);
    SmmuExtRegistry *reg = smmu_ext_registry_new();
    SmmuExtIommufd *fd;
    SmmuExtInstance *inst;
    SmmuExtStats st = { .size = sizeof(st) };
    uint64_t evt[4] = { 0x10, 0, 0, 0 }, t0, reads0;
    uint32_t dev;
    double rate;

    wrap = (Wrap) { sfd->ops, sfd->opaque, max, syscall_fd };
    fd = smmu_ext_iommufd_new_seam(&wrap_ops, NULL, sfd->fd, NULL);
    dev = smmu_ext_sim_add_device(sim, 1);
    /* cmdqv=off: a plain ARM_SMMUV3 vIOMMU, no module involved. */
    inst = smmu_ext_instance_new(reg, "off", &host_ops, NULL, &err);
    if (!inst ||
        !smmu_ext_instance_attach(inst, fd, dev, smmu_ext_sim_s2_hwpt(sim),
                                  &err) ||
        !smmu_ext_instance_set_vsid(inst, dev, 0x10, &err) ||
        !smmu_ext_instance_set_eventq(inst, true, EVTQ_LOG2, &err)) {
        bench_die("pump setup", err);
    }
    for (unsigned i = 0; i < N_EVENTS; i++) {
        if (!smmu_ext_sim_post_event(sim, dev, evt)) {
            bench_die("post_event", NULL);
        }
    }
    injected = 0;
    smmu_ext_instance_stats(inst, &st);
    reads0 = st.reads;
    t0 = bench_now_ns();
    while (injected < N_EVENTS) {
        uint64_t before = injected;

        smmu_ext_instance_dispatch(inst);
        if (injected == before) {
            bench_die("events stopped arriving", NULL);
        }
    }
    rate = N_EVENTS * 1e9 / (double)(bench_now_ns() - t0);
    smmu_ext_instance_stats(inst, &st);
    *reads_per_event = (st.reads - reads0) * 1000 / N_EVENTS;
    if (st.events_lost || st.events_dropped) {
        bench_die("events lost or dropped", NULL);
    }
    smmu_ext_instance_free(inst);
    smmu_ext_iommufd_free(fd);
    smmu_ext_registry_free(reg);
    smmu_ext_sim_free(sim);
    return rate;
}

static void
report(const char *what, int syscall_fd)
{
    double batched[BENCH_REPS], single[BENCH_REPS];
    uint64_t rb = 0, rs = 0;
    double mb, ms;

    for (unsigned k = 0; k < BENCH_REPS; k++) {
        batched[k] = measure(SIZE_MAX, syscall_fd, &rb);
        single[k] = measure(RECORD_BYTES, syscall_fd, &rs);
    }
    mb = bench_median(batched, BENCH_REPS);
    ms = bench_median(single, BENCH_REPS);
    printf(" %s\n", what);
    printf("  batched reads:      %6.2f M events/s  %6.1f ns/event  "
           "%.3f reads/event\n", mb / 1e6, 1e9 / mb, rb / 1000.0);
    printf("  one record/read():  %6.2f M events/s  %6.1f ns/event  "
           "%.3f reads/event\n", ms / 1e6, 1e9 / ms, rs / 1000.0);
    printf("  batched / single:   %6.1fx\n", mb / ms);
}

int
main(int argc, char **argv)
{
    int pipefd[2];

    if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC)) {
        bench_die("pipe2", NULL);
    }
    printf("vEVENTQ pump on the simulated host (smmu_ext_instance_dispatch "
           "to inject_event), %u ARM_SMMUV3 events, median of %u runs\n",
           N_EVENTS, BENCH_REPS);
    report("sim: sim read() (a memcpy, no system call):", -1);
    report("sim: plus one empty-pipe system call per read():", pipefd[0]);
    close(pipefd[0]);
    close(pipefd[1]);
    return 0;
}
