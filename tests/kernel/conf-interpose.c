/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel binary's recorder.  The library runs on /dev/iommu through its
 * REAL seam (smmu_ext_iommufd_adopt: libc's ioctl, mmap, munmap, read and
 * close); to see those calls without changing them, this program defines
 * the five libc entry points itself.  The dynamic linker binds
 * libsmmu-ext's references to these definitions (the executable comes
 * first in the lookup order); each one makes the system call directly,
 * exactly as libc would, and records it when it concerns the iommufd of
 * the scenario or one of its vEVENTQ fds.  Every other caller is passed
 * through untouched.
 */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "conf.h"

Conf *conf_current;

#define N_MAPS 16
static void *maps[N_MAPS];

static Conf *
active(void)
{
    return conf_current && conf_current->real ? conf_current : NULL;
}

int
ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    void *arg;
    long r;
    int err;
    Conf *c;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    r = syscall(SYS_ioctl, fd, request, arg);
    err = errno;
    c = active();
    if (c && fd == c->fd) {
        conf_rec_ioctl(c, request, arg, r < 0 ? -err : 0);
    }
    errno = err;
    return (int)r;
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    int err = errno;
    Conf *c = active();

    if (c && fd == c->fd) {
        conf_rec_mmap(c, (uint64_t)off, len, r == -1 ? -err : 0);
        for (int i = 0; r != -1 && i < N_MAPS; i++) {
            if (!maps[i]) {
                maps[i] = (void *)r;
                break;
            }
        }
    }
    errno = err;
    return r == -1 ? MAP_FAILED : (void *)r;
}

int
munmap(void *addr, size_t len)
{
    long r = syscall(SYS_munmap, addr, len);
    int err = errno;
    Conf *c = active();

    for (int i = 0; c && addr && i < N_MAPS; i++) {
        if (maps[i] == addr) {
            conf_rec_munmap(c, len, r < 0 ? -err : 0);
            if (r == 0) {
                maps[i] = NULL;
            }
            break;
        }
    }
    errno = err;
    return (int)r;
}

ssize_t
read(int fd, void *buf, size_t count)
{
    long r = syscall(SYS_read, fd, buf, count);
    int err = errno;
    Conf *c = active();

    if (c && conf_is_event_fd(c, fd)) {
        conf_rec_read(c, fd, buf, r < 0 ? -err : r);
    }
    errno = err;
    return r;
}

int
close(int fd)
{
    bool event = false;
    long r;
    int err;
    Conf *c = active();

    event = c && conf_is_event_fd(c, fd);
    r = syscall(SYS_close, fd);
    err = errno;
    if (event) {
        conf_rec_close(c, fd, r < 0 ? -err : 0);
    }
    errno = err;
    return (int)r;
}

unsigned
conf_live_maps(Conf *c)
{
    unsigned n = 0;

    for (int i = 0; i < N_MAPS; i++) {
        n += maps[i] != NULL;
    }
    return n;
}
