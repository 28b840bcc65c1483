/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transcript: every kernel call (from the library or from the
 * conformance program), decoded from its request and its argument after
 * the call, with objects named by kind and order of creation, so the
 * kernel's and the simulator's transcripts compare line for line (the
 * numeric ids, mmap offsets and cookies, which legitimately differ, never
 * appear).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "conf.h"

enum {
    K_IOAS, K_STDEV, K_IDEV, K_HWPT, K_VIOMMU, K_VDEVICE, K_VEVENTQ, K_HWQ,
};
static const char *const kind_names[] = {
    "ioas", "stdev", "idev", "hwpt", "viommu", "vdevice", "veventq", "hwq",
};

void
conf_line(Conf *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(c->out, fmt, ap);
    va_end(ap);
    g_string_append_c(c->out, '\n');
}

void
conf_check(Conf *c, bool ok, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    conf_line(c, "check %s: %s", what, ok ? "ok" : "FAILED");
    if (!ok) {
        c->failures++;
    }
}

const char *
conf_errname(int err)
{
    static const struct { int e; const char *n; } t[] = {
        { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
        { EBADF, "EBADF" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
        { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
        { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { ENOSPC, "ENOSPC" },
        { ERANGE, "ERANGE" }, { ENOTTY, "ENOTTY" }, { ENXIO, "ENXIO" },
        { E2BIG, "E2BIG" }, { EOPNOTSUPP, "EOPNOTSUPP" },
        { EOVERFLOW, "EOVERFLOW" }, { ESPIPE, "ESPIPE" }, { EAGAIN, "EAGAIN" },
        { EINTR, "EINTR" },
    };
    static char buf[16];

    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        if (t[i].e == err) {
            return t[i].n;
        }
    }
    snprintf(buf, sizeof(buf), "errno%d", err);
    return buf;
}

static const char *
rc_str(int rc)
{
    return rc < 0 ? conf_errname(-rc) : "ok";
}

char *
conf_api_result(bool ok, const GError *err)
{
    GString *s;
    const char *p;

    if (ok) {
        return g_strdup("ok");
    }
    if (!err) {
        return g_strdup("failed without an error");
    }
    s = g_string_new("error");
    if (err->domain == SMMU_EXT_ERROR) {
        g_string_append_printf(s, " code %d", err->code);
    }
    /* Every "(errno N)" of the joined messages, in order. */
    for (p = err->message; (p = strstr(p, "(errno ")); p++) {
        int n;

        if (sscanf(p, "(errno %d)", &n) == 1) {
            g_string_append_printf(s, " %s", conf_errname(n));
        }
    }
    return g_string_free(s, FALSE);
}

/* --- objects ------------------------------------------------------------ */

ConfObj *
conf_obj(Conf *c, uint32_t id)
{
    /* The newest object of that id (ids are reused after DESTROY). */
    for (guint i = c->objs->len; i-- > 0;) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (o->id == id) {
            return o;
        }
    }
    return NULL;
}

ConfObj *
conf_obj_by_name(Conf *c, const char *name)
{
    for (guint i = 0; i < c->objs->len; i++) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (g_str_equal(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

const char *
conf_name(Conf *c, uint32_t id)
{
    ConfObj *o = conf_obj(c, id);

    if (!id) {
        return "none";
    }
    return o && !o->destroyed ? o->name : "unknown-id";
}

static ConfObj *
obj_new(Conf *c, unsigned kind, uint32_t id)
{
    ConfObj *o = g_new0(ConfObj, 1);

    o->id = id;
    o->name = g_strdup_printf("%s%u", kind_names[kind], ++c->counts[kind]);
    o->by_library = c->in_library;
    o->child = !c->in_library &&
               (kind == K_VDEVICE || kind == K_HWQ || kind == K_VEVENTQ);
    o->fd = -1;
    g_ptr_array_add(c->objs, o);
    return o;
}

/* --- ioctls ------------------------------------------------------------- */

static void
emit(Conf *c, const char *call, int rc, const char *result)
{
    conf_line(c, "%s %s -> %s%s%s", c->in_library ? "lib" : "raw", call,
              rc_str(rc), result && *result ? " " : "", result ? result : "");
}

static const char *
type_str(uint32_t t, char *buf, size_t len)
{
    if (t == 0) {
        return "default";
    }
    snprintf(buf, len, "0x%x", t);
    return buf;
}

static void
rec_test_cmd(Conf *c, const struct se_iommu_test_cmd *a, int rc)
{
    g_autofree char *call = NULL;
    g_autofree char *res = NULL;

    switch (a->op) {
    case SE_IOMMU_TEST_OP_MOCK_DOMAIN:
        call = g_strdup_printf("TEST_CMD MOCK_DOMAIN(%s)",
                               conf_name(c, a->id));
        if (rc == 0) {
            const char *s = obj_new(c, K_STDEV,
                                    a->mock_domain.out_stdev_id)->name;
            const char *d = obj_new(c, K_IDEV,
                                    a->mock_domain.out_idev_id)->name;
            const char *h = obj_new(c, K_HWPT,
                                    a->mock_domain.out_hwpt_id)->name;

            res = g_strdup_printf("%s %s %s", s, d, h);
        }
        break;
    case SE_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
        call = g_strdup_printf("TEST_CMD MOCK_DOMAIN_REPLACE(%s, %s)",
                               conf_name(c, a->id),
                               conf_name(c, a->mock_domain_replace.pt_id));
        break;
    case SE_IOMMU_TEST_OP_TRIGGER_VEVENT:
        call = g_strdup_printf("TEST_CMD TRIGGER_VEVENT(%s)",
                               conf_name(c, a->trigger_vevent.dev_id));
        break;
    default:
        call = g_strdup_printf("TEST_CMD op %u", a->op);
        break;
    }
    emit(c, call, rc, res);
}

static void
rec_viommu(Conf *c, const struct se_iommu_viommu_alloc *a, int rc)
{
    g_autofree char *call = NULL;
    g_autofree char *res = NULL;
    char t[16];

    call = g_strdup_printf("VIOMMU_ALLOC(type %s, %s, %s, data %u)",
                           type_str(a->type, t, sizeof(t)),
                           conf_name(c, a->dev_id), conf_name(c, a->hwpt_id),
                           a->data_len);
    if (rc == 0) {
        ConfObj *o = obj_new(c, K_VIOMMU, a->out_viommu_id);
        struct se_iommu_viommu_selftest d = { 0 };

        if (a->type == SE_IOMMU_VIOMMU_TYPE_SELFTEST &&
            a->data_len >= sizeof(d)) {
            memcpy(&d, (const void *)(uintptr_t)a->data_uptr, sizeof(d));
            o->region_off = d.out_mmap_offset;
            o->region_len = d.out_mmap_length;
            res = g_strdup_printf("%s out_data%sin_data region %" PRIu64
                                  " pages", o->name,
                                  d.out_data == d.in_data ? "==" : "!=",
                                  (uint64_t)(d.out_mmap_length / c->page));
        } else {
            res = g_strdup(o->name);
        }
    }
    emit(c, call, rc, res);
}

static void
rec_hw_info(Conf *c, const struct se_iommu_hw_info *a, int rc)
{
    g_autofree char *call = NULL;
    g_autofree char *res = NULL;
    char t[16];

    call = g_strdup_printf("GET_HW_INFO(%s, type %s)", conf_name(c, a->dev_id),
                           a->flags & SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE ?
                           type_str(a->in_data_type, t, sizeof(t)) :
                           "default");
    if (rc == 0) {
        res = g_strdup_printf("type 0x%x len %u", a->out_data_type,
                              a->data_len);
    }
    emit(c, call, rc, res);
}

static void
rec_destroy(Conf *c, const struct se_iommu_destroy *a, int rc)
{
    ConfObj *o = conf_obj(c, a->id);
    g_autofree char *call = NULL;

    call = g_strdup_printf("DESTROY(%s)", o ? o->name : "unknown-id");
    if (rc == 0 && o) {
        o->destroyed = true;
    }
    emit(c, call, rc, NULL);
}

static void
rec_other(Conf *c, unsigned long req, const void *arg, int rc)
{
    g_autofree char *call = NULL;
    g_autofree char *res = NULL;
    char t[16];

    if (req == SE_IOMMU_IOAS_ALLOC) {
        const struct se_iommu_ioas_alloc *a = arg;

        call = g_strdup("IOAS_ALLOC");
        res = rc ? NULL : g_strdup(obj_new(c, K_IOAS, a->out_ioas_id)->name);
    } else if (req == SE_IOMMU_IOAS_MAP) {
        const struct se_iommu_ioas_map *a = arg;

        call = g_strdup_printf("IOAS_MAP(%s, len 0x%" PRIx64 ", iova 0x%"
                               PRIx64 ")", conf_name(c, a->ioas_id),
                               (uint64_t)a->length, (uint64_t)a->iova);
    } else if (req == SE_IOMMU_HWPT_ALLOC) {
        const struct se_iommu_hwpt_alloc *a = arg;

        call = g_strdup_printf("HWPT_ALLOC(%s, pt %s, flags 0x%x, data %s)",
                               conf_name(c, a->dev_id), conf_name(c, a->pt_id),
                               a->flags, type_str(a->data_type, t, sizeof(t)));
        if (!rc) {
            ConfObj *o = obj_new(c, K_HWPT, a->out_hwpt_id);
            ConfObj *pt = conf_obj(c, a->pt_id);

            o->child = pt && g_str_has_prefix(pt->name, "viommu");
            res = g_strdup(o->name);
        }
    } else if (req == SE_IOMMU_VDEVICE_ALLOC) {
        const struct se_iommu_vdevice_alloc *a = arg;

        call = g_strdup_printf("VDEVICE_ALLOC(%s, %s, virt 0x%" PRIx64 ")",
                               conf_name(c, a->viommu_id),
                               conf_name(c, a->dev_id), (uint64_t)a->virt_id);
        res = rc ? NULL : g_strdup(obj_new(c, K_VDEVICE,
                                           a->out_vdevice_id)->name);
    } else if (req == SE_IOMMU_VEVENTQ_ALLOC) {
        const struct se_iommu_veventq_alloc *a = arg;

        call = g_strdup_printf("VEVENTQ_ALLOC(%s, type %s, depth %u)",
                               conf_name(c, a->viommu_id),
                               type_str(a->type, t, sizeof(t)),
                               a->veventq_depth);
        if (!rc) {
            ConfObj *o = obj_new(c, K_VEVENTQ, a->out_veventq_id);

            o->fd = (int)a->out_veventq_fd;
            res = g_strdup(o->name);
        }
    } else if (req == SE_IOMMU_HW_QUEUE_ALLOC) {
        const struct se_iommu_hw_queue_alloc *a = arg;

        call = g_strdup_printf("HW_QUEUE_ALLOC(%s, type %s, index %u, iova "
                               "0x%" PRIx64 ", len 0x%" PRIx64 ")",
                               conf_name(c, a->viommu_id),
                               type_str(a->type, t, sizeof(t)), a->index,
                               (uint64_t)a->nesting_parent_iova,
                               (uint64_t)a->length);
        res = rc ? NULL : g_strdup(obj_new(c, K_HWQ,
                                           a->out_hw_queue_id)->name);
    } else {
        call = g_strdup_printf("ioctl 0x%lx", req);
    }
    emit(c, call, rc, res);
}

void
conf_rec_ioctl(Conf *c, unsigned long req, const void *arg, int rc)
{
    if (!c->recording) {
        return;
    }
    if (req == SE_IOMMU_TEST_CMD) {
        rec_test_cmd(c, arg, rc);
    } else if (req == SE_IOMMU_VIOMMU_ALLOC) {
        rec_viommu(c, arg, rc);
    } else if (req == SE_IOMMU_GET_HW_INFO) {
        rec_hw_info(c, arg, rc);
    } else if (req == SE_IOMMU_DESTROY) {
        rec_destroy(c, arg, rc);
    } else {
        rec_other(c, req, arg, rc);
    }
}

/* --- mmap, read, close -------------------------------------------------- */

void
conf_rec_mmap(Conf *c, uint64_t offset, size_t len, int rc)
{
    const char *owner = "unregistered offset";

    if (!c->recording) {
        return;
    }
    for (guint i = 0; i < c->objs->len; i++) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (o->region_len && o->region_off == offset) {
            owner = o->name;
        }
    }
    conf_line(c, "%s mmap(region of %s, %zu pages%s) -> %s",
              c->in_library ? "lib" : "raw", owner, len / c->page,
              len % c->page ? " + part" : "", rc_str(rc));
}

void
conf_rec_munmap(Conf *c, size_t len, int rc)
{
    if (c->recording) {
        conf_line(c, "%s munmap(%zu pages) -> %s",
                  c->in_library ? "lib" : "raw", len / c->page, rc_str(rc));
    }
}

static ConfObj *
obj_by_fd(Conf *c, int fd)
{
    for (guint i = 0; i < c->objs->len; i++) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (o->fd >= 0 && o->fd == fd) {
            return o;
        }
    }
    return NULL;
}

bool
conf_is_event_fd(Conf *c, int fd)
{
    return fd >= 0 && obj_by_fd(c, fd) != NULL;
}

/* Each record: "[seq N virt 0xV]" (SELFTEST), "[seq N LOST]", or the
 * payload length for other types. */
void
conf_rec_read(Conf *c, int fd, const void *buf, ssize_t rc)
{
    ConfObj *o = obj_by_fd(c, fd);
    GString *s;
    const uint8_t *p = buf;
    size_t off = 0;

    if (!c->recording || !o) {
        return;
    }
    if (rc <= 0) {
        conf_line(c, "%s read(%s) -> %s", c->in_library ? "lib" : "raw",
                  o->name, rc == 0 ? "0" : conf_errname((int)-rc));
        return;
    }
    s = g_string_new(NULL);
    while (off + sizeof(struct se_iommufd_vevent_header) <= (size_t)rc) {
        struct se_iommufd_vevent_header h;
        struct se_iommu_viommu_event_selftest ev;

        memcpy(&h, p + off, sizeof(h));
        off += sizeof(h);
        if (h.flags & SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            g_string_append_printf(s, " [seq %u LOST]", h.sequence);
            continue;
        }
        if (off + sizeof(ev) > (size_t)rc) {
            g_string_append(s, " [short]");
            break;
        }
        memcpy(&ev, p + off, sizeof(ev));
        off += sizeof(ev);
        g_string_append_printf(s, " [seq %u virt 0x%x]", h.sequence,
                               ev.virt_id);
    }
    conf_line(c, "%s read(%s) -> %zd bytes:%s", c->in_library ? "lib" : "raw",
              o->name, rc, s->str);
    g_string_free(s, TRUE);
}

void
conf_rec_close(Conf *c, int fd, int rc)
{
    ConfObj *o = obj_by_fd(c, fd);

    if (!o) {
        return;
    }
    if (c->recording) {
        conf_line(c, "%s close(%s fd) -> %s", c->in_library ? "lib" : "raw",
                  o->name, rc_str(rc));
    }
    if (rc == 0) {
        o->fd = -1;
    }
}

/* --- the simulator's recorded seam --------------------------------------- */

static int
sim_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
    Conf *c = opaque;
    int rc = smmu_ext_sim_seam_ops()->ioctl(c->sim, fd, req, arg);

    if (fd == c->fd) {
        conf_rec_ioctl(c, req, arg, rc < 0 ? rc : 0);
    }
    return rc;
}

static int
sim_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    Conf *c = opaque;
    int rc = smmu_ext_sim_seam_ops()->mmap(c->sim, fd, offset, len, out);

    conf_rec_mmap(c, offset, len, rc);
    return rc;
}

static int
sim_munmap(void *opaque, void *addr, size_t len)
{
    Conf *c = opaque;
    int rc = smmu_ext_sim_seam_ops()->munmap(c->sim, addr, len);

    conf_rec_munmap(c, len, rc);
    return rc;
}

static ssize_t
sim_read(void *opaque, int fd, void *buf, size_t count)
{
    Conf *c = opaque;
    ssize_t rc = smmu_ext_sim_seam_ops()->read(c->sim, fd, buf, count);

    conf_rec_read(c, fd, buf, rc);
    return rc;
}

static int
sim_close(void *opaque, int fd)
{
    Conf *c = opaque;
    int rc = smmu_ext_sim_seam_ops()->close(c->sim, fd);

    conf_rec_close(c, fd, rc);
    return rc;
}

static const SmmuExtSeamOps sim_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = sim_ioctl,
    .mmap = sim_mmap,
    .munmap = sim_munmap,
    .read = sim_read,
    .close = sim_close,
};

const SmmuExtSeamOps *
conf_sim_seam(void)
{
    return &sim_seam;
}
