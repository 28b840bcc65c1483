/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dread DEVICE COUNT SPAN: COUNT reads of 4 KiB with O_DIRECT from DEVICE,
 * cycling through its first SPAN blocks.  The guest's invalidation load.
 *
 * busybox dd cannot do this reliably: its buffer comes from malloc, and when
 * the block layer refuses an unaligned O_DIRECT buffer (EINVAL) dd drops
 * O_DIRECT silently and the page cache serves the reads.  Here the buffer is
 * aligned, so every read is a device request and a DMA map/unmap.
 * Freestanding (arm64 Linux system calls, no libc): the cross compiler
 * needs no arm64 C library.  Exit 0, or 1 with a message on a failed call.
 */
#define SYS_OPENAT  56
#define SYS_CLOSE   57
#define SYS_WRITE   64
#define SYS_PREAD64 67
#define SYS_EXIT    93
#define AT_FDCWD    (-100)
#define O_RDONLY    0
#define O_DIRECT    0200000     /* arm64 (040000 is O_DIRECTORY there) */
#define BLOCK       4096

static char buf[BLOCK] __attribute__((aligned(BLOCK)));

static long dread_syscall4(long n, long a, long b, long c, long d)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;

    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
                     : "memory");
    return x0;
}

static unsigned long dread_len(const char *s)
{
    unsigned long n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

static void dread_fail(const char *what)
{
    dread_syscall4(SYS_WRITE, 2, (long)"dread: ", 7, 0);
    dread_syscall4(SYS_WRITE, 2, (long)what, dread_len(what), 0);
    dread_syscall4(SYS_WRITE, 2, (long)" failed\n", 8, 0);
    dread_syscall4(SYS_EXIT, 1, 0, 0, 0);
}

static unsigned long dread_number(const char *s)
{
    unsigned long n = 0;

    if (!*s) {
        dread_fail("parsing a number");
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            dread_fail("parsing a number");
        }
        n = n * 10 + (unsigned long)(*s - '0');
    }
    return n;
}

void dread_main(long *sp);

void dread_main(long *sp)
{
    char **argv = (char **)(sp + 1);
    unsigned long count, span, block = 0;
    long fd;

    if (sp[0] != 4) {
        dread_fail("usage: dread DEVICE COUNT SPAN; the call");
    }
    count = dread_number(argv[2]);
    span = dread_number(argv[3]);
    if (!span) {
        dread_fail("a zero SPAN");
    }
    fd = dread_syscall4(SYS_OPENAT, AT_FDCWD, (long)argv[1],
                        O_RDONLY | O_DIRECT, 0);
    if (fd < 0) {
        dread_fail("open");
    }
    while (count--) {
        if (dread_syscall4(SYS_PREAD64, fd, (long)buf, BLOCK,
                           (long)(block * BLOCK)) != BLOCK) {
            dread_fail("pread");
        }
        if (++block == span) {
            block = 0;
        }
    }
    dread_syscall4(SYS_CLOSE, fd, 0, 0, 0);
    dread_syscall4(SYS_EXIT, 0, 0, 0, 0);
}

/* The kernel enters with sp at argc; hand it to C. */
__asm__(".globl _start\n"
        "_start:\n"
        "    mov x0, sp\n"
        "    bl dread_main\n"
        "1:  b 1b\n");
