/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every core test program shares: a recording host (SmmuExtHostOps),
 * two static extensions, and a fixture that proves nothing leaked.
 *
 * "test" (priority 10, hw_info type 3, vIOMMU type 2, vEVENTQ type 2 with
 * 16-byte records, 16 bytes of vIOMMU data) accepts the TEGRA241_CMDQV
 * hw_info the fake kernel gives, maps the page the kernel names in the
 * vIOMMU data, and can run emulated.  "decline" (priority 20, hw_info type
 * 99) always declines, so it is probed first and must never win.
 */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include "instance-priv.h"
#include "test-seam.h"

#define TEST_EXT_NAME "test"
#define TEST_EXT_VERSION "1.2.3"
#define TEST_EXT_HW_INFO_TYPE 3
#define TEST_EXT_VIOMMU_TYPE 2
#define TEST_EXT_VEVENTQ_TYPE 2
#define TEST_EXT_EVENT_SIZE 16
#define TEST_EXT_VEVENTQ_DEPTH 32
#define TEST_EXT_MMIO_SIZE 0x100
#define TEST_EXT_DIRECT_OFFSET 0x80
#define TEST_EXT_DIRECT_LEN 0x40
#define TEST_HWQ_TYPE 1

#define DECLINE_EXT_NAME "decline"
#define DECLINE_EXT_VERSION "0.9"
#define DECLINE_EXT_HW_INFO_TYPE 99

#define TEST_DEV 1
#define TEST_DEV2 2
#define TEST_HWPT 77

extern const SmmuExtModuleDesc test_ext_desc;
extern const SmmuExtModuleDesc decline_ext_desc;

/* What the "test" extension saw; reset by the fixture. */
typedef struct TestExtRecorder {
    TestSeam *seam;            /* HW queue notifications become notes */
    SmmuExtCore *core;         /* of the last init */
    guint inits;
    guint finalizes;
    guint resets;
    guint mmio_calls;          /* reads and writes that reached us */
    guint viommu_gone;
    guint vdevice_adds;
    guint vdevice_removes;
    GPtrArray *events;         /* GBytes: payloads given to ops->event */
    bool direct_map;           /* overlay the mapped page in ready */
    void *page;                /* what smmu_ext_core_mmap returned */
} TestExtRecorder;

extern TestExtRecorder test_ext;

typedef struct TestLog {
    GLogLevelFlags level;
    char *msg;
} TestLog;

typedef struct TestHost {
    SmmuExtHostOps ops;
    TestSeam *seam;
    GArray *logs;              /* TestLog */
    GArray *events;            /* uint64_t[4] per event */
    bool refuse_events;
    guint aborts;
    GArray *watch;             /* int: +fd on, -fd - 1 off */
} TestHost;

typedef struct Fixture {
    TestSeam *seam;
    SmmuExtIommufd *fd;        /* the seam's handle */
    SmmuExtRegistry *reg;
    SmmuExtInstance *inst;
    TestHost host;
    char *tmpdir;              /* an empty module directory */
    bool leaks_expected;       /* the test released the seam itself */
} Fixture;

/* Fixture data: which static extensions to register. */
#define FIX_TEST_EXT ((gconstpointer)(uintptr_t)1)
#define FIX_BOTH_EXT ((gconstpointer)(uintptr_t)3)
#define FIX_NO_EXT ((gconstpointer)(uintptr_t)4)
/* Above the low byte, data is free for the test's own parameter. */
#define FIX_PARAM(which, n) \
    ((gconstpointer)((uintptr_t)(which) | ((uintptr_t)(n) << 8)))
#define FIX_PARAM_GET(data) ((guint)((uintptr_t)(data) >> 8))

void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);

/* A new instance for @mode; must succeed. */
SmmuExtInstance *fixture_instance(Fixture *f, const char *mode);
/* Attach TEST_DEV on TEST_HWPT; must succeed. */
void fixture_attach(Fixture *f, uint32_t dev_id);

/* The log lines at @level or more severe that contain @needle. */
guint fixture_count_logs(const Fixture *f, GLogLevelFlags level,
                         const char *needle);
/* The trace since call @from: a g_autofree string. */
char *fixture_trace(const Fixture *f, guint from);
guint fixture_mark(const Fixture *f);

/* Assert @haystack contains @needle (prints both when it does not). */
#define assert_contains(haystack, needle) \
    assert_contains_impl(__FILE__, __LINE__, #haystack, (haystack), (needle))
void assert_contains_impl(const char *file, int line, const char *expr,
                          const char *haystack, const char *needle);
#define assert_not_contains(haystack, needle) \
    assert_not_contains_impl(__FILE__, __LINE__, #haystack, (haystack), \
                             (needle))
void assert_not_contains_impl(const char *file, int line, const char *expr,
                              const char *haystack, const char *needle);

#endif /* TEST_COMMON_H */
