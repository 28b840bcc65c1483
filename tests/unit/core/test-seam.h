/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording, scriptable syscall seam for the core's unit tests.
 *
 * It answers like a tiny iommufd: ids count up from 1 and are shared by
 * every object type, vEVENTQ fds are real eventfds, mmap hands out
 * g_malloc'd buffers, and it keeps the kernel's reference rules (a vIOMMU
 * with children or a live mapping, a vEVENTQ with an open fd, a HW queue
 * below a live one: IOMMU_DESTROY fails with EBUSY), so an ordering bug in
 * the core shows up as a failed call and a leak, not as silence.
 *
 * Every call is recorded in order with a decoded copy of its argument.
 * Tests compare the trace, a compact text form of the calls, e.g.
 *   "hw_info(0); viommu_alloc(type 1); destroy(viommu)".
 */
#ifndef TEST_SEAM_H
#define TEST_SEAM_H

#include "core-priv.h"

typedef enum SeamKind {
    SEAM_IOCTL,
    SEAM_MMAP,
    SEAM_MUNMAP,
    SEAM_READ,
    SEAM_CLOSE,
    SEAM_NOTE,                 /* not a kernel call: a test annotation */
} SeamKind;

/* What a destroyed/closed object was, so traces need no raw ids. */
typedef enum SeamObjKind {
    SEAM_OBJ_NONE,
    SEAM_OBJ_VIOMMU,
    SEAM_OBJ_VDEVICE,
    SEAM_OBJ_VEVENTQ,
    SEAM_OBJ_HWQ,
} SeamObjKind;

typedef struct SeamCall {
    SeamKind kind;
    unsigned long request;     /* SEAM_IOCTL */
    int fd;                    /* ioctl/mmap fd, read/close fd */
    int result;                /* 0, bytes, or -errno */
    bool injected;             /* failed by a script rule */
    /* decoded input */
    uint32_t flags;
    uint32_t type;             /* hw_info in type, object type */
    uint32_t index;
    uint32_t id;               /* destroy */
    uint32_t dev_id;
    uint32_t viommu_id;
    uint32_t hwpt_id;
    uint32_t depth;
    uint32_t data_len;
    uint64_t virt_id;
    uint64_t gpa;
    uint64_t len;              /* hwq length, mmap/munmap/read length */
    uint64_t offset;           /* mmap */
    void *addr;                /* munmap input, mmap output */
    /* decoded output / what the object was */
    uint32_t out_id;
    int out_fd;
    SeamObjKind obj;           /* destroy/close: the object's kind */
    uint32_t obj_type;
    uint32_t obj_index;
    uint32_t obj_dev_id;
    char *note;                /* SEAM_NOTE */
} SeamCall;

typedef struct TestSeam TestSeam;

TestSeam *test_seam_new(void);
/* Releases whatever is still live (as closing the iommufd would). */
void test_seam_free(TestSeam *s);

/* The handle to give the core; owned by the seam. */
SmmuExtIommufd *test_seam_iommufd(TestSeam *s);

guint test_seam_n_calls(const TestSeam *s);
/* Valid until the next call is recorded. */
const SeamCall *test_seam_call(const TestSeam *s, guint i);
/* Kernel calls (everything but notes) recorded so far. */
guint test_seam_n_kernel_calls(const TestSeam *s);

/* "a; b; c" for calls [@from, end); g_free. */
char *test_seam_trace(const TestSeam *s, guint from);
void test_seam_note(TestSeam *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* --- scripting ------------------------------------------------------------ */

/* The @nth (1-based, counted from now) call of @kind, and for SEAM_IOCTL
 * of @request (0: any ioctl), fails with -@err, @times times in a row. */
void test_seam_fail(TestSeam *s, SeamKind kind, unsigned long request,
                    guint nth, int err, guint times);
/* The @nth kernel call of any kind (counted from now) fails with -@err. */
void test_seam_fail_any(TestSeam *s, guint nth, int err);

/* Hardware-info types the fake kernel answers (besides the default). */
void test_seam_set_hw_info_types(TestSeam *s, const uint32_t *types,
                                 guint n);

/* Queue what the next read()s of @fd return: bytes, or -errno. */
void test_seam_push_read(TestSeam *s, int fd, const void *buf, size_t len);
void test_seam_push_read_error(TestSeam *s, int fd, int err);
/* Make @fd readable for poll() (the eventfd), as the kernel's wakeup. */
void test_seam_wake(TestSeam *s, int fd);

/* --- the fake kernel's state ---------------------------------------------- */

/* fd of the live vEVENTQ of @type, or -1. */
int test_seam_veventq_fd(const TestSeam *s, uint32_t type);
guint test_seam_live_objects(const TestSeam *s);
guint test_seam_live_fds(const TestSeam *s);
guint test_seam_live_mappings(const TestSeam *s);
guint test_seam_objects_created(const TestSeam *s);
guint test_seam_objects_destroyed(const TestSeam *s);
/* Assert nothing is live and every create/open/mmap was undone. */
void test_seam_assert_clean(const TestSeam *s);

/* The offset/length the fake kernel reports for an extension vIOMMU. */
#define TEST_SEAM_MMAP_OFFSET 0x30000u
#define TEST_SEAM_MMAP_LEN 0x10000u

/* vEVENTQ record helper: header (flags, sequence) then @len payload. */
void test_seam_record(GByteArray *out, uint32_t flags, uint32_t seq,
                      const void *payload, size_t len);

#endif /* TEST_SEAM_H */
