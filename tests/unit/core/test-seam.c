/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recording, scriptable seam: a fake iommufd small enough to read in
 * one sitting, strict enough that the core cannot get the kernel's
 * ordering rules wrong without a test noticing.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "test-seam.h"

#define SEAM_FAKE_IOMMUFD 1000

typedef struct SeamObj {
    uint32_t id;
    SeamObjKind kind;
    uint32_t type;
    uint32_t index;
    uint32_t dev_id;
    uint32_t viommu_id;
    int fd;                    /* vEVENTQ: -1 once closed */
} SeamObj;

typedef struct SeamMap {
    void *addr;
    size_t len;
    uint32_t viommu_id;
} SeamMap;

typedef struct SeamRule {
    SeamKind kind;             /* SEAM_NOTE: any kernel call */
    unsigned long request;
    guint nth;
    guint times;
    guint seen;
    int err;
} SeamRule;

typedef struct SeamRead {
    int fd;
    GBytes *bytes;             /* NULL: fail with -err */
    int err;
} SeamRead;

struct TestSeam {
    SmmuExtIommufd *handle;
    GArray *calls;             /* SeamCall */
    GArray *objs;              /* SeamObj */
    GArray *maps;              /* SeamMap */
    GArray *rules;             /* SeamRule */
    GQueue reads;              /* SeamRead * */
    GArray *hw_info_types;     /* uint32_t */
    uint32_t next_id;
    guint created;
    guint destroyed;
    guint fds_opened;
    guint fds_closed;
    guint mmaps;
    guint munmaps;
};

/* --- objects ------------------------------------------------------------- */

static SeamObj *
obj_find(TestSeam *s, uint32_t id)
{
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->id == id) {
            return o;
        }
    }
    return NULL;
}

static SeamObj *
obj_find_fd(TestSeam *s, int fd)
{
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->kind == SEAM_OBJ_VEVENTQ && o->fd == fd) {
            return o;
        }
    }
    return NULL;
}

static SeamObj *
obj_match(TestSeam *s, SeamObjKind kind, uint32_t viommu_id, uint32_t type,
          uint32_t index, uint32_t dev_id)
{
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->kind != kind || o->viommu_id != viommu_id) {
            continue;
        }
        if ((kind == SEAM_OBJ_VEVENTQ && o->type == type) ||
            (kind == SEAM_OBJ_HWQ && o->type == type && o->index == index) ||
            (kind == SEAM_OBJ_VDEVICE && o->dev_id == dev_id)) {
            return o;
        }
    }
    return NULL;
}

static SeamObj *
viommu_find(TestSeam *s, uint32_t id)
{
    SeamObj *o = obj_find(s, id);

    return o && o->kind == SEAM_OBJ_VIOMMU ? o : NULL;
}

static uint32_t
obj_add(TestSeam *s, SeamObj o)
{
    o.id = s->next_id++;
    g_array_append_val(s->objs, o);
    s->created++;
    return o.id;
}

/* The kernel's users references: who keeps @o from being destroyed. */
static bool
obj_busy(TestSeam *s, const SeamObj *o)
{
    if (o->kind == SEAM_OBJ_VEVENTQ) {
        return o->fd >= 0;
    }
    if (o->kind == SEAM_OBJ_HWQ) {
        return obj_match(s, SEAM_OBJ_HWQ, o->viommu_id, o->type,
                         o->index + 1, 0) != NULL;
    }
    if (o->kind != SEAM_OBJ_VIOMMU) {
        return false;
    }
    for (guint i = 0; i < s->objs->len; i++) {
        if (g_array_index(s->objs, SeamObj, i).viommu_id == o->id) {
            return true;
        }
    }
    for (guint i = 0; i < s->maps->len; i++) {
        if (g_array_index(s->maps, SeamMap, i).viommu_id == o->id) {
            return true;
        }
    }
    return false;
}

static void
describe_obj(SeamCall *c, const SeamObj *o)
{
    c->obj = o->kind;
    c->obj_type = o->type;
    c->obj_index = o->index;
    c->obj_dev_id = o->dev_id;
}

/* --- the ioctls ----------------------------------------------------------- */

static bool
hw_info_type_known(TestSeam *s, uint32_t type)
{
    for (guint i = 0; i < s->hw_info_types->len; i++) {
        if (g_array_index(s->hw_info_types, uint32_t, i) == type) {
            return true;
        }
    }
    return false;
}

static int
do_hw_info(TestSeam *s, struct se_iommu_hw_info *cmd)
{
    struct se_iommu_hw_info_arm_smmuv3 smmu = { .iidr = 0x43b };
    struct se_iommu_hw_info_tegra241_cmdqv cmdqv = {
        .version = 1, .log2vcmdqs = 1, .log2vsids = 4,
    };
    uint8_t other[16] = { 0 };
    const void *data = other;
    uint32_t len = sizeof(other);
    uint32_t type = 0;

    if (cmd->flags & SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE) {
        type = cmd->in_data_type;
    }
    if (!type) {
        for (int i = 0; i < 6; i++) {
            smmu.idr[i] = 0x1000 + i;
        }
        data = &smmu;
        len = sizeof(smmu);
        type = SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
    } else if (!hw_info_type_known(s, type)) {
        return -EOPNOTSUPP;
    } else if (type == SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV) {
        data = &cmdqv;
        len = sizeof(cmdqv);
    }
    if (cmd->data_uptr) {
        memcpy((void *)(uintptr_t)cmd->data_uptr, data,
               MIN(len, cmd->data_len));
    }
    cmd->data_len = len;
    cmd->out_data_type = type;
    return 0;
}

static int
do_viommu_alloc(TestSeam *s, struct se_iommu_viommu_alloc *cmd, SeamCall *c)
{
    SeamObj o = { .kind = SEAM_OBJ_VIOMMU, .type = cmd->type, .fd = -1 };

    if (!cmd->type || !cmd->dev_id || !cmd->hwpt_id) {
        return -EINVAL;
    }
    if (cmd->type == SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV) {
        struct se_iommu_viommu_tegra241_cmdqv out = {
            .out_vintf_mmap_offset = TEST_SEAM_MMAP_OFFSET,
            .out_vintf_mmap_length = TEST_SEAM_MMAP_LEN,
        };

        if (cmd->data_len < sizeof(out) || !cmd->data_uptr) {
            return -EINVAL;
        }
        memcpy((void *)(uintptr_t)cmd->data_uptr, &out, sizeof(out));
    }
    cmd->out_viommu_id = obj_add(s, o);
    c->out_id = cmd->out_viommu_id;
    return 0;
}

static int
do_vdevice_alloc(TestSeam *s, struct se_iommu_vdevice_alloc *cmd,
                 SeamCall *c)
{
    SeamObj o = {
        .kind = SEAM_OBJ_VDEVICE, .dev_id = cmd->dev_id,
        .viommu_id = cmd->viommu_id, .fd = -1,
    };

    if (!viommu_find(s, cmd->viommu_id)) {
        return -ENOENT;
    }
    if (obj_match(s, SEAM_OBJ_VDEVICE, cmd->viommu_id, 0, 0, cmd->dev_id)) {
        return -EEXIST;
    }
    cmd->out_vdevice_id = obj_add(s, o);
    c->out_id = cmd->out_vdevice_id;
    return 0;
}

static int
do_veventq_alloc(TestSeam *s, struct se_iommu_veventq_alloc *cmd,
                 SeamCall *c)
{
    SeamObj o = {
        .kind = SEAM_OBJ_VEVENTQ, .type = cmd->type,
        .viommu_id = cmd->viommu_id,
    };

    if (cmd->flags || !cmd->type) {
        return -EOPNOTSUPP;
    }
    if (!cmd->veventq_depth) {
        return -EINVAL;
    }
    if (!viommu_find(s, cmd->viommu_id)) {
        return -ENOENT;
    }
    if (obj_match(s, SEAM_OBJ_VEVENTQ, cmd->viommu_id, cmd->type, 0, 0)) {
        return -EEXIST;
    }
    o.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (o.fd < 0) {
        return -errno;
    }
    s->fds_opened++;
    cmd->out_veventq_id = obj_add(s, o);
    cmd->out_veventq_fd = o.fd;
    c->out_id = cmd->out_veventq_id;
    c->out_fd = o.fd;
    return 0;
}

static int
do_hw_queue_alloc(TestSeam *s, struct se_iommu_hw_queue_alloc *cmd,
                  SeamCall *c)
{
    SeamObj o = {
        .kind = SEAM_OBJ_HWQ, .type = cmd->type, .index = cmd->index,
        .viommu_id = cmd->viommu_id, .fd = -1,
    };

    if (cmd->flags || !cmd->type) {
        return -EOPNOTSUPP;
    }
    if (!cmd->length) {
        return -EINVAL;
    }
    if (!viommu_find(s, cmd->viommu_id)) {
        return -ENOENT;
    }
    if (obj_match(s, SEAM_OBJ_HWQ, cmd->viommu_id, cmd->type, cmd->index,
                  0)) {
        return -EEXIST;
    }
    /* Allocation is strictly ascending. */
    if (cmd->index && !obj_match(s, SEAM_OBJ_HWQ, cmd->viommu_id, cmd->type,
                                 cmd->index - 1, 0)) {
        return -EIO;
    }
    cmd->out_hw_queue_id = obj_add(s, o);
    c->out_id = cmd->out_hw_queue_id;
    return 0;
}

static int
do_destroy(TestSeam *s, struct se_iommu_destroy *cmd, SeamCall *c)
{
    SeamObj *o = obj_find(s, cmd->id);

    if (!o) {
        return -ENOENT;
    }
    describe_obj(c, o);
    if (obj_busy(s, o)) {
        return -EBUSY;
    }
    g_array_remove_index(s->objs, o - (SeamObj *)s->objs->data);
    s->destroyed++;
    return 0;
}

/* Decode the argument into @c before the call is judged. */
static void
decode(unsigned long req, const void *arg, SeamCall *c)
{
    if (req == SE_IOMMU_GET_HW_INFO) {
        const struct se_iommu_hw_info *a = arg;

        c->flags = a->flags;
        c->dev_id = a->dev_id;
        c->data_len = a->data_len;
        c->type = (a->flags & SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE) ?
                  a->in_data_type : 0;
    } else if (req == SE_IOMMU_VIOMMU_ALLOC) {
        const struct se_iommu_viommu_alloc *a = arg;

        c->flags = a->flags;
        c->type = a->type;
        c->dev_id = a->dev_id;
        c->hwpt_id = a->hwpt_id;
        c->data_len = a->data_len;
    } else if (req == SE_IOMMU_VDEVICE_ALLOC) {
        const struct se_iommu_vdevice_alloc *a = arg;

        c->viommu_id = a->viommu_id;
        c->dev_id = a->dev_id;
        c->virt_id = a->virt_id;
    } else if (req == SE_IOMMU_VEVENTQ_ALLOC) {
        const struct se_iommu_veventq_alloc *a = arg;

        c->flags = a->flags;
        c->viommu_id = a->viommu_id;
        c->type = a->type;
        c->depth = a->veventq_depth;
    } else if (req == SE_IOMMU_HW_QUEUE_ALLOC) {
        const struct se_iommu_hw_queue_alloc *a = arg;

        c->flags = a->flags;
        c->viommu_id = a->viommu_id;
        c->type = a->type;
        c->index = a->index;
        c->gpa = a->nesting_parent_iova;
        c->len = a->length;
    } else if (req == SE_IOMMU_DESTROY) {
        c->id = ((const struct se_iommu_destroy *)arg)->id;
    }
}

/* --- scripting ------------------------------------------------------------ */

static bool
rule_matches(const SeamRule *r, const SeamCall *c)
{
    if (r->kind == SEAM_NOTE) {
        return true;
    }
    return r->kind == c->kind &&
           (c->kind != SEAM_IOCTL || !r->request || r->request == c->request);
}

/* Count @c against every rule; the first that fires gives the errno. */
static int
injected_error(TestSeam *s, const SeamCall *c)
{
    int err = 0;

    for (guint i = 0; i < s->rules->len; i++) {
        SeamRule *r = &g_array_index(s->rules, SeamRule, i);

        if (!rule_matches(r, c)) {
            continue;
        }
        r->seen++;
        if (!err && r->seen >= r->nth && r->seen < r->nth + r->times) {
            err = r->err;
        }
    }
    return err;
}

void
test_seam_fail(TestSeam *s, SeamKind kind, unsigned long request, guint nth,
               int err, guint times)
{
    SeamRule r = {
        .kind = kind, .request = request, .nth = nth, .err = err,
        .times = times,
    };

    g_array_append_val(s->rules, r);
}

void
test_seam_fail_any(TestSeam *s, guint nth, int err)
{
    test_seam_fail(s, SEAM_NOTE, 0, nth, err, 1);
}

/* Record @c; returns a pointer that stays valid until the next record. */
static SeamCall *
record(TestSeam *s, const SeamCall *c)
{
    g_array_append_val(s->calls, *c);
    return &g_array_index(s->calls, SeamCall, s->calls->len - 1);
}

/* --- the seam ops --------------------------------------------------------- */

static int
seam_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
    TestSeam *s = opaque;
    SeamCall c = { .kind = SEAM_IOCTL, .request = req, .fd = fd,
                   .out_fd = -1 };
    SeamCall *rec;
    int err;

    decode(req, arg, &c);
    err = injected_error(s, &c);
    rec = record(s, &c);
    if (err) {
        rec->injected = true;
        if (req == SE_IOMMU_DESTROY) {
            SeamObj *o = obj_find(s, rec->id);

            if (o) {
                describe_obj(rec, o);
            }
        }
        return rec->result = -err;
    }
    if (fd != SEAM_FAKE_IOMMUFD) {
        return rec->result = -EBADF;
    }
    switch (req) {
    case SE_IOMMU_GET_HW_INFO:
        return rec->result = do_hw_info(s, arg);
    case SE_IOMMU_VIOMMU_ALLOC:
        return rec->result = do_viommu_alloc(s, arg, rec);
    case SE_IOMMU_VDEVICE_ALLOC:
        return rec->result = do_vdevice_alloc(s, arg, rec);
    case SE_IOMMU_VEVENTQ_ALLOC:
        return rec->result = do_veventq_alloc(s, arg, rec);
    case SE_IOMMU_HW_QUEUE_ALLOC:
        return rec->result = do_hw_queue_alloc(s, arg, rec);
    case SE_IOMMU_DESTROY:
        return rec->result = do_destroy(s, arg, rec);
    default:
        return rec->result = -ENOTTY;
    }
}

static int
seam_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    TestSeam *s = opaque;
    SeamCall c = { .kind = SEAM_MMAP, .fd = fd, .offset = offset,
                   .len = len, .out_fd = -1 };
    SeamCall *rec;
    SeamMap m = { .len = len };
    int err = injected_error(s, &c);

    rec = record(s, &c);
    if (err) {
        rec->injected = true;
        return rec->result = -err;
    }
    /* Only the registered region of a live extension vIOMMU, exactly. */
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->kind == SEAM_OBJ_VIOMMU &&
            o->type == SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV) {
            m.viommu_id = o->id;
        }
    }
    if (!m.viommu_id || offset != TEST_SEAM_MMAP_OFFSET ||
        len != TEST_SEAM_MMAP_LEN) {
        return rec->result = -ENXIO;
    }
    m.addr = g_malloc0(len);
    g_array_append_val(s->maps, m);
    s->mmaps++;
    rec->addr = m.addr;
    *out = m.addr;
    return rec->result = 0;
}

static int
seam_munmap(void *opaque, void *addr, size_t len)
{
    TestSeam *s = opaque;
    SeamCall c = { .kind = SEAM_MUNMAP, .addr = addr, .len = len,
                   .fd = -1, .out_fd = -1 };
    SeamCall *rec;
    int err = injected_error(s, &c);

    rec = record(s, &c);
    if (err) {
        rec->injected = true;
        return rec->result = -err;
    }
    for (guint i = 0; i < s->maps->len; i++) {
        SeamMap *m = &g_array_index(s->maps, SeamMap, i);

        if (m->addr == addr && m->len == len) {
            g_free(m->addr);
            g_array_remove_index(s->maps, i);
            s->munmaps++;
            return rec->result = 0;
        }
    }
    return rec->result = -EINVAL;
}

/* What a careless reader would parse: plausible, valid-looking records
 * (flags 0, payload zero).  Written on every read that returns no data. */
static void
fill_garbage(void *buf, size_t count)
{
    memset(buf, 0, count);
}

static void
drain_eventfd(int fd)
{
    uint64_t v;

    if (read(fd, &v, sizeof(v)) < 0) {
        /* EAGAIN: nothing was pending. */
    }
}

static ssize_t
seam_read(void *opaque, int fd, void *buf, size_t count)
{
    TestSeam *s = opaque;
    SeamCall c = { .kind = SEAM_READ, .fd = fd, .len = count,
                   .out_fd = -1 };
    SeamCall *rec;
    int err = injected_error(s, &c);
    SeamRead *r = NULL;

    rec = record(s, &c);
    if (err) {
        rec->injected = true;
        fill_garbage(buf, count);
        return rec->result = -err;
    }
    if (!obj_find_fd(s, fd)) {
        return rec->result = -EBADF;
    }
    for (GList *l = s->reads.head; l; l = l->next) {
        if (((SeamRead *)l->data)->fd == fd) {
            r = l->data;
            g_queue_delete_link(&s->reads, l);
            break;
        }
    }
    fill_garbage(buf, count);
    if (!r) {
        drain_eventfd(fd);
        return rec->result = 0;
    }
    if (r->bytes) {
        gsize n;
        const void *data = g_bytes_get_data(r->bytes, &n);

        n = MIN(n, count);
        memcpy(buf, data, n);
        rec->result = (int)n;
        g_bytes_unref(r->bytes);
    } else {
        rec->result = -r->err;
    }
    g_free(r);
    return rec->result;
}

static int
seam_close(void *opaque, int fd)
{
    TestSeam *s = opaque;
    SeamCall c = { .kind = SEAM_CLOSE, .fd = fd, .out_fd = -1 };
    SeamCall *rec;
    int err = injected_error(s, &c);
    SeamObj *o = obj_find_fd(s, fd);

    rec = record(s, &c);
    if (o) {
        describe_obj(rec, o);
    }
    if (err) {
        rec->injected = true;
        return rec->result = -err;
    }
    if (!o) {
        return rec->result = -EBADF;
    }
    close(o->fd);
    o->fd = -1;
    s->fds_closed++;
    return rec->result = 0;
}

static const SmmuExtSeamOps seam_ops = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = seam_ioctl,
    .mmap = seam_mmap,
    .munmap = seam_munmap,
    .read = seam_read,
    .close = seam_close,
};

/* --- lifetime and queries ------------------------------------------------- */

TestSeam *
test_seam_new(void)
{
    TestSeam *s = g_new0(TestSeam, 1);
    static const uint32_t types[] = {
        SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, 99,
    };

    s->calls = g_array_new(FALSE, TRUE, sizeof(SeamCall));
    s->objs = g_array_new(FALSE, TRUE, sizeof(SeamObj));
    s->maps = g_array_new(FALSE, TRUE, sizeof(SeamMap));
    s->rules = g_array_new(FALSE, TRUE, sizeof(SeamRule));
    s->hw_info_types = g_array_new(FALSE, TRUE, sizeof(uint32_t));
    g_queue_init(&s->reads);
    s->next_id = 1;
    test_seam_set_hw_info_types(s, types, G_N_ELEMENTS(types));
    s->handle = smmu_ext_iommufd_new_seam(&seam_ops, s, SEAM_FAKE_IOMMUFD,
                                          NULL);
    return s;
}

static void
read_free(gpointer p)
{
    SeamRead *r = p;

    if (r->bytes) {
        g_bytes_unref(r->bytes);
    }
    g_free(r);
}

void
test_seam_free(TestSeam *s)
{
    if (!s) {
        return;
    }
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->kind == SEAM_OBJ_VEVENTQ && o->fd >= 0) {
            close(o->fd);
        }
    }
    for (guint i = 0; i < s->maps->len; i++) {
        g_free(g_array_index(s->maps, SeamMap, i).addr);
    }
    for (guint i = 0; i < s->calls->len; i++) {
        g_free(g_array_index(s->calls, SeamCall, i).note);
    }
    g_queue_clear_full(&s->reads, read_free);
    smmu_ext_iommufd_free(s->handle);
    g_array_unref(s->calls);
    g_array_unref(s->objs);
    g_array_unref(s->maps);
    g_array_unref(s->rules);
    g_array_unref(s->hw_info_types);
    g_free(s);
}

SmmuExtIommufd *
test_seam_iommufd(TestSeam *s)
{
    return s->handle;
}

guint
test_seam_n_calls(const TestSeam *s)
{
    return s->calls->len;
}

const SeamCall *
test_seam_call(const TestSeam *s, guint i)
{
    g_assert_cmpuint(i, <, s->calls->len);
    return &g_array_index(s->calls, SeamCall, i);
}

guint
test_seam_n_kernel_calls(const TestSeam *s)
{
    guint n = 0;

    for (guint i = 0; i < s->calls->len; i++) {
        n += g_array_index(s->calls, SeamCall, i).kind != SEAM_NOTE;
    }
    return n;
}

void
test_seam_note(TestSeam *s, const char *fmt, ...)
{
    SeamCall c = { .kind = SEAM_NOTE, .fd = -1, .out_fd = -1 };
    va_list ap;

    va_start(ap, fmt);
    c.note = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    record(s, &c);
}

static void
trace_obj(GString *t, const SeamCall *c)
{
    switch (c->obj) {
    case SEAM_OBJ_VIOMMU:
        g_string_append(t, "viommu");
        break;
    case SEAM_OBJ_VDEVICE:
        g_string_append_printf(t, "vdevice dev %u", c->obj_dev_id);
        break;
    case SEAM_OBJ_VEVENTQ:
        g_string_append_printf(t, "veventq type %u", c->obj_type);
        break;
    case SEAM_OBJ_HWQ:
        g_string_append_printf(t, "hwq %u:%u", c->obj_type, c->obj_index);
        break;
    case SEAM_OBJ_NONE:
        g_string_append_printf(t, "id %u", c->id);
        break;
    }
}

static void
trace_ioctl(GString *t, const SeamCall *c)
{
    switch (c->request) {
    case SE_IOMMU_GET_HW_INFO:
        g_string_append_printf(t, "hw_info(%u)", c->type);
        break;
    case SE_IOMMU_VIOMMU_ALLOC:
        g_string_append_printf(t, "viommu_alloc(type %u)", c->type);
        break;
    case SE_IOMMU_VDEVICE_ALLOC:
        g_string_append_printf(t, "vdevice_alloc(dev %u, vsid 0x%"
                               G_GINT64_MODIFIER "x)", c->dev_id,
                               c->virt_id);
        break;
    case SE_IOMMU_VEVENTQ_ALLOC:
        g_string_append_printf(t, "veventq_alloc(type %u, depth %u)",
                               c->type, c->depth);
        break;
    case SE_IOMMU_HW_QUEUE_ALLOC:
        g_string_append_printf(t, "hwq_alloc(%u:%u)", c->type, c->index);
        break;
    case SE_IOMMU_DESTROY:
        g_string_append(t, "destroy(");
        trace_obj(t, c);
        g_string_append_c(t, ')');
        break;
    default:
        g_string_append_printf(t, "ioctl(0x%lx)", c->request);
        break;
    }
}

char *
test_seam_trace(const TestSeam *s, guint from)
{
    GString *t = g_string_new(NULL);

    for (guint i = from; i < s->calls->len; i++) {
        const SeamCall *c = &g_array_index(s->calls, SeamCall, i);

        if (t->len) {
            g_string_append(t, "; ");
        }
        switch (c->kind) {
        case SEAM_IOCTL:
            trace_ioctl(t, c);
            break;
        case SEAM_MMAP:
            g_string_append_printf(t, "mmap(0x%" G_GINT64_MODIFIER "x)",
                                   c->offset);
            break;
        case SEAM_MUNMAP:
            g_string_append(t, "munmap");
            break;
        case SEAM_READ:
            g_string_append(t, "read");
            break;
        case SEAM_CLOSE:
            g_string_append(t, "close(");
            trace_obj(t, c);
            g_string_append_c(t, ')');
            break;
        case SEAM_NOTE:
            g_string_append(t, c->note);
            break;
        }
        if (c->kind != SEAM_NOTE && c->kind != SEAM_READ && c->result < 0) {
            g_string_append_printf(t, "=%d", c->result);
        }
    }
    return g_string_free(t, FALSE);
}

void
test_seam_set_hw_info_types(TestSeam *s, const uint32_t *types, guint n)
{
    g_array_set_size(s->hw_info_types, 0);
    g_array_append_vals(s->hw_info_types, types, n);
}

static void
push_read(TestSeam *s, int fd, GBytes *bytes, int err)
{
    SeamRead *r = g_new0(SeamRead, 1);

    r->fd = fd;
    r->bytes = bytes;
    r->err = err;
    g_queue_push_tail(&s->reads, r);
}

void
test_seam_push_read(TestSeam *s, int fd, const void *buf, size_t len)
{
    push_read(s, fd, g_bytes_new(buf, len), 0);
}

void
test_seam_push_read_error(TestSeam *s, int fd, int err)
{
    push_read(s, fd, NULL, err);
}

void
test_seam_wake(TestSeam *s, int fd)
{
    uint64_t one = 1;

    g_assert_cmpint(write(fd, &one, sizeof(one)), ==, sizeof(one));
}

int
test_seam_veventq_fd(const TestSeam *s, uint32_t type)
{
    for (guint i = 0; i < s->objs->len; i++) {
        SeamObj *o = &g_array_index(s->objs, SeamObj, i);

        if (o->kind == SEAM_OBJ_VEVENTQ && o->type == type) {
            return o->fd;
        }
    }
    return -1;
}

guint
test_seam_live_objects(const TestSeam *s)
{
    return s->objs->len;
}

guint
test_seam_live_fds(const TestSeam *s)
{
    return s->fds_opened - s->fds_closed;
}

guint
test_seam_live_mappings(const TestSeam *s)
{
    return s->maps->len;
}

guint
test_seam_objects_created(const TestSeam *s)
{
    return s->created;
}

guint
test_seam_objects_destroyed(const TestSeam *s)
{
    return s->destroyed;
}

void
test_seam_assert_clean(const TestSeam *s)
{
    g_assert_cmpuint(s->objs->len, ==, 0);
    g_assert_cmpuint(s->destroyed, ==, s->created);
    g_assert_cmpuint(s->fds_closed, ==, s->fds_opened);
    g_assert_cmpuint(s->maps->len, ==, 0);
    g_assert_cmpuint(s->munmaps, ==, s->mmaps);
}

void
test_seam_record(GByteArray *out, uint32_t flags, uint32_t seq,
                 const void *payload, size_t len)
{
    struct se_iommufd_vevent_header h = { .flags = flags, .sequence = seq };

    g_byte_array_append(out, (const guint8 *)&h, sizeof(h));
    if (len) {
        g_byte_array_append(out, payload, len);
    }
}
