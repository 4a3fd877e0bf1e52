/* guestmem.c - libFuzzer harness: the checked guest-memory copies (vmm/mem.c)
 * and the syscall argument decoders over them (vmm/sysarg.c), on a fake
 * guest memory whose page tables vmm/pt.c builds and the input then
 * corrupts.
 *
 * Input: a map count and that many (base, page, flags) mappings; a
 * corruption count and that many (mapping, level, xor mask) edits of the
 * entries on a mapping's walk; then operations (kind, mapping, offset,
 * length, data) until the input runs out.  Each result is held against
 * fuzz_ref_walk, an independent walk of the same tables:
 *   - a copy succeeds exactly when every byte is a permitted ring-3 access
 *     of its kind (U/S at every level, R/W for writes, below RB_USER_TOP);
 *   - what it reads is what the reference translation holds, and afterwards
 *     guest RAM equals a snapshot with exactly the reference's writes
 *     applied, so a failed copy wrote nothing and no copy wrote elsewhere;
 *   - host iovecs (mem_user_iov, sysarg_uio) point into guest RAM at the
 *     reference translation of consecutive guest bytes;
 *   - RAM is malloc'd, so AddressSanitizer catches any access outside it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "sysarg.h"
#include "x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE ((uint64_t)RB_PAGE_SIZE)
#define RAM_PAGES 64
#define RAM (RAM_PAGES * PAGE)
#define MAX_MAPS 16
#define MAX_LEN 0x3000

/* Where mappings go: the lowest user page, either side of a page-table
 * boundary at each level, the top of the user half, and the stub's half. */
static const uint64_t bases[8] = {
    RB_USER_MIN,          0x1fe000,           0x3ffffe000,           0x7ffffffe000,
    RB_USER_TOP - 0x8000, RB_KERNEL_BASE,     0x400000,              0x7fffbfffe000,
};

struct input {
    const uint8_t *p;
    size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v |= (uint64_t)(in->n ? *in->p : 0) << (8 * i);
        if (in->n) {
            in->p++;
            in->n--;
        }
    }
    return v;
}

struct world {
    struct guest_mem m;
    uint64_t va[MAX_MAPS];
    int nmaps;
    bool tables[RAM_PAGES];
    uint8_t snap[RAM];
};

/* Reference translation of [va, va+len) for a user access; false if any byte
 * is refused.  pas[i] for each byte when pas is not NULL. */
static bool ref_range(const struct world *w, uint64_t va, size_t len, bool write, uint64_t *pas)
{
    if (va >= RB_USER_TOP || len > RB_USER_TOP - va)
        return false;
    uint64_t pa = 0;
    for (size_t i = 0; i < len; i++, pa++) {
        /* One walk per page: the rest of the page translates alike. */
        if ((i == 0 || ((va + i) & (PAGE - 1)) == 0) && !fuzz_ref_walk(&w->m, va + i, true, write, &pa))
            return false;
        if (pas)
            pas[i] = pa;
    }
    return true;
}

static bool hits_table(const struct world *w, const uint64_t *pas, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (w->tables[pas[i] / PAGE])
            return true;
    return false;
}

static void ram_unchanged(const struct world *w, const char *what)
{
    FUZZ_CHECK(memcmp(w->m.ram, w->snap, RAM) == 0, "%s changed guest RAM", what);
}

static void build(struct world *w, struct input *in)
{
    if (!w->m.ram)
        fuzz_mem_init(&w->m, RAM);
    else
        fuzz_mem_reset(&w->m);
    w->nmaps = (int)(take(in, 1) % (MAX_MAPS + 1));
    for (int i = 0; i < w->nmaps; i++) {
        uint64_t b = take(in, 1), pg = take(in, 1), fl = take(in, 1);
        w->va[i] = bases[b % 8] + (pg % 8) * PAGE;
        uint64_t flags = X86_PTE_P | ((fl & 1) ? X86_PTE_RW : 0) | ((fl & 2) ? X86_PTE_US : 0) |
                         ((fl & 4) ? X86_PTE_NX : 0) | ((fl & 8) ? X86_PTE_G : 0);
        uint64_t pa;
        if (mem_alloc_page(&w->m, &pa) < 0)
            break;
        /* Contents that read back recognisably, with a NUL now and then. */
        for (uint64_t k = 0; k < PAGE; k++)
            w->m.ram[pa + k] = (uint8_t)((k * 7 + pa / PAGE) % 97);
        int rc = pt_map(&w->m, w->va[i], pa, flags);
        FUZZ_CHECK(rc == 0 || rc == -EEXIST || rc == -ENOMEM, "pt_map: %d", rc);
    }
    int ncor = (int)(take(in, 1) % 5);
    for (int c = 0; c < ncor && w->nmaps; c++) {
        uint64_t va = w->va[take(in, 1) % w->nmaps];
        int level = (int)(take(in, 1) % 4) + 1;
        uint64_t mask = take(in, 8);
        uint64_t table = w->m.cr3;
        for (int l = 4; l >= level; l--) {
            if (table + PAGE > RAM)
                break;
            uint64_t *e = (uint64_t *)(w->m.ram + table) + ((va >> (12 + 9 * (l - 1))) & 511);
            if (l == level) {
                *e ^= mask;
                break;
            }
            table = *e & X86_PTE_ADDR_MASK;
        }
    }
    fuzz_table_frames(&w->m, w->tables);
}

static void op_copy_from(struct world *w, uint64_t va, size_t len)
{
    static uint8_t buf[MAX_LEN];
    static uint64_t pas[MAX_LEN];
    bool ok = ref_range(w, va, len, false, pas);
    int rc = mem_copy_from_user(&w->m, buf, va, len);
    FUZZ_CHECK(rc == (ok ? 0 : -EFAULT), "copy_from_user(%#lx, %zu) = %d, reference %d",
               (unsigned long)va, len, rc, ok);
    for (size_t i = 0; ok && i < len; i++)
        FUZZ_CHECK(buf[i] == w->m.ram[pas[i]], "copy_from_user byte %zu", i);
    ram_unchanged(w, "copy_from_user");
}

static void op_write(struct world *w, int kind, uint64_t va, size_t len, struct input *in)
{
    static uint8_t src[MAX_LEN];
    static uint64_t pas[MAX_LEN];
    for (size_t i = 0; i < len; i++)
        src[i] = (uint8_t)take(in, 1);
    bool ok = ref_range(w, va, len, true, pas);
    /* A write into a page table would change the walk under the copy; mm.c
     * never maps a table frame, only the corruption above can. */
    if (ok && hits_table(w, pas, len))
        return;
    int rc = kind ? mem_clear_user(&w->m, va, len) : mem_copy_to_user(&w->m, va, src, len);
    FUZZ_CHECK(rc == (ok ? 0 : -EFAULT), "%s(%#lx, %zu) = %d, reference %d",
               kind ? "clear_user" : "copy_to_user", (unsigned long)va, len, rc, ok);
    for (size_t i = 0; ok && i < len; i++)
        w->snap[pas[i]] = kind ? 0 : src[i];
    ram_unchanged(w, kind ? "clear_user" : "copy_to_user");
}

static void op_strncpy(struct world *w, uint64_t va, size_t max)
{
    static char dst[MAX_LEN + 1];
    long want = -ENAMETOOLONG;
    for (size_t i = 0; i < max; i++) {
        uint64_t pa;
        if (!ref_range(w, va + i, 1, false, &pa)) {
            want = -EFAULT;
            break;
        }
        if (w->m.ram[pa] == 0) {
            want = (long)i;
            break;
        }
    }
    long rc = mem_strncpy_from_user(&w->m, dst, va, max);
    FUZZ_CHECK(rc == want, "strncpy_from_user(%#lx, %zu) = %ld, reference %ld",
               (unsigned long)va, max, rc, want);
    if (rc >= 0) {
        for (long i = 0; i <= rc; i++) {
            uint64_t pa;
            FUZZ_CHECK(ref_range(w, va + (uint64_t)i, 1, false, &pa), "strncpy read");
            FUZZ_CHECK(dst[i] == (char)w->m.ram[pa], "strncpy byte %ld", i);
        }
    }
    ram_unchanged(w, "strncpy_from_user");
}

/* Host iovecs must cover guest bytes va, va+1, ... in order, each at the
 * reference translation; returns how many bytes they cover. */
static uint64_t check_iovs(const struct world *w, uint64_t va, bool write, const struct iovec *iov,
                           int n)
{
    uint64_t done = 0;
    for (int k = 0; k < n; k++) {
        const uint8_t *p = iov[k].iov_base;
        FUZZ_CHECK(p >= w->m.ram && iov[k].iov_len <= RAM && p - w->m.ram <= (long)(RAM - iov[k].iov_len),
                   "iovec %d outside guest RAM", k);
        for (uint64_t off = 0; off < iov[k].iov_len;) {
            uint64_t pa, g = va + done + off;
            FUZZ_CHECK(fuzz_ref_walk(&w->m, g, true, write, &pa), "iovec over refused %#lx",
                       (unsigned long)g);
            FUZZ_CHECK(w->m.ram + pa == p + off, "iovec %d maps %#lx elsewhere", k,
                       (unsigned long)g);
            off += PAGE - (g & (PAGE - 1));
        }
        done += iov[k].iov_len;
    }
    return done;
}

static void op_user_iov(struct world *w, uint64_t va, size_t len, bool write, int max)
{
    struct iovec iov[8];
    int n = -1;
    long rc = mem_user_iov(&w->m, va, len, write, iov, max, &n);
    uint64_t pa;
    bool first = ref_range(w, va, 1, write, &pa);
    if (len && !first) {
        FUZZ_CHECK(rc == -EFAULT, "user_iov(%#lx) = %ld on a refused first byte", (unsigned long)va, rc);
        return;
    }
    FUZZ_CHECK(rc >= 0 && (size_t)rc <= len, "user_iov(%#lx, %zu) = %ld", (unsigned long)va, len, rc);
    FUZZ_CHECK(n >= 0 && n <= max, "user_iov: %d iovecs", n);
    FUZZ_CHECK(check_iovs(w, va, write, iov, n) == (uint64_t)rc, "user_iov count");
    /* Short only at a refused byte or when the iovecs ran out. */
    if ((size_t)rc < len && n < max)
        FUZZ_CHECK(!ref_range(w, va + (uint64_t)rc, 1, write, &pa), "user_iov stopped early");
}

static void op_read_kernel(struct world *w, uint64_t va, size_t len)
{
    static uint8_t buf[MAX_LEN];
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        uint64_t pa;
        if (!fuzz_ref_walk(&w->m, va + i, false, false, &pa)) {
            ok = false;
            break;
        }
    }
    int rc = mem_read_kernel(&w->m, buf, va, len);
    FUZZ_CHECK(rc == (ok ? 0 : -EFAULT), "read_kernel(%#lx, %zu) = %d, reference %d",
               (unsigned long)va, len, rc, ok);
    ram_unchanged(w, "read_kernel");
}

static void op_iovec(struct world *w, uint64_t va, uint64_t cnt, bool to_guest)
{
    static struct sysarg_iovec seg[SYSARG_IOV_MAX], ref[SYSARG_IOV_MAX];
    static uint64_t pas[SYSARG_IOV_MAX * sizeof(ref[0])];
    uint64_t total = 1;
    int rc = sysarg_iovec(&w->m, va, cnt, seg, &total);
    int want = 0;
    if (cnt > SYSARG_IOV_MAX) {
        want = -EINVAL;
    } else if (cnt && !ref_range(w, va, cnt * sizeof(ref[0]), false, pas)) {
        want = -EFAULT;
    } else {
        for (size_t b = 0; b < cnt * sizeof(ref[0]); b++)
            ((uint8_t *)ref)[b] = w->m.ram[pas[b]];
        uint64_t sum = 0;
        for (uint64_t i = 0; i < cnt && !want; i++) {
            if (ref[i].len > (uint64_t)INT64_MAX - sum)
                want = -EINVAL;
            sum += ref[i].len;
        }
        if (!want)
            FUZZ_CHECK(memcmp(seg, ref, cnt * sizeof(ref[0])) == 0, "iovecs read wrong");
        if (!want)
            FUZZ_CHECK(total == (sum < SYSARG_MAX_RW_COUNT ? sum : SYSARG_MAX_RW_COUNT),
                       "iovec total");
    }
    FUZZ_CHECK(rc == want, "sysarg_iovec(%#lx, %lu) = %d, reference %d", (unsigned long)va,
               (unsigned long)cnt, rc, want);
    ram_unchanged(w, "sysarg_iovec");
    if (rc)
        return;

    struct sysarg_uio u;
    sysarg_uio_init(&u, &w->m, seg, (int)cnt, total, to_guest);
    uint64_t handed = 0;
    int i = 0;
    uint64_t off = 0;
    for (int round = 0; round < 64; round++) {
        struct iovec iov[8];
        int n = 0;
        size_t got = sysarg_uio_next(&u, iov, 8, &n);
        if (!got)
            break;
        /* Each batch continues the segments where the last one stopped. */
        for (int k = 0; k < n; k++) {
            while (i < (int)cnt && off == seg[i].len) {
                i++;
                off = 0;
            }
            FUZZ_CHECK(i < (int)cnt, "uio ran past the segments");
            FUZZ_CHECK(iov[k].iov_len <= seg[i].len - off, "uio iovec crosses a segment");
            check_iovs(w, seg[i].base + off, to_guest, &iov[k], 1);
            off += iov[k].iov_len;
        }
        handed += got;
        FUZZ_CHECK(handed <= total, "uio handed out %lu of %lu", (unsigned long)handed,
                   (unsigned long)total);
    }
    ram_unchanged(w, "sysarg_uio");
}

static void op_timespec(struct world *w, uint64_t va)
{
    struct sysarg_timespec ts;
    int rc = sysarg_timespec(&w->m, va, &ts);
    int want = -EFAULT;
    if (ref_range(w, va, sizeof ts, false, NULL)) {
        struct sysarg_timespec ref;
        FUZZ_CHECK(mem_copy_from_user(&w->m, &ref, va, sizeof ref) == 0, "timespec read");
        want = ref.sec < 0 || ref.nsec < 0 || ref.nsec >= 1000000000 ? -EINVAL : 0;
    }
    FUZZ_CHECK(rc == want, "sysarg_timespec(%#lx) = %d, reference %d", (unsigned long)va, rc, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    struct input in = {data, size};
    build(&w, &in);
    memcpy(w.snap, w.m.ram, RAM);
    for (int ops = 0; in.n && ops < 16; ops++) {
        unsigned kind = (unsigned)take(&in, 1);
        unsigned which = (unsigned)take(&in, 1);
        /* An offset from -0x1000 to +0x2fff around a mapping (or a base),
         * so ranges start before, inside and after mapped pages. */
        uint64_t va = (w.nmaps && which < 0x80 ? w.va[which % w.nmaps] : bases[which % 8]) +
                      take(&in, 2) % 0x4000 - 0x1000;
        size_t len = take(&in, 2) % (MAX_LEN + 1);
        switch (kind % 10) {
        case 0: op_copy_from(&w, va, len); break;
        case 1: op_write(&w, 0, va, len, &in); break;
        case 2: op_write(&w, 1, va, len, &in); break;
        case 3: op_strncpy(&w, va, len); break;
        case 4: op_user_iov(&w, va, len, false, 1 + (int)(kind / 10 % 8)); break;
        case 5: op_user_iov(&w, va, len, true, 1 + (int)(kind / 10 % 8)); break;
        case 6: op_read_kernel(&w, va, len); break;
        case 7: op_iovec(&w, va, len % 0x500, false); break;
        case 8: op_iovec(&w, va, len % 0x500, true); break;
        case 9: op_timespec(&w, va); break;
        }
    }
    return 0;
}
