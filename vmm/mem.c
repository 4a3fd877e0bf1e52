/* mem.c - guest RAM, its page allocator, and checked access to program memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"
#include "pt.h"
#include "ringbox_abi.h"
#include "x86.h"

int mem_init(struct guest_mem *m, uint64_t size)
{
    memset(m, 0, sizeof(*m));
    if (size < (1ULL << 20) || size % MEM_PAGE || size / MEM_PAGE > UINT32_MAX)
        return -EINVAL;
    /* NORESERVE: the host commits memory only where the guest touches it.
     * NOHUGEPAGE: a first touch then costs the host 4 KiB, not 2 MiB, so
     * host usage tracks guest usage and freeing a page really frees it. */
    void *ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        return -errno;
    madvise(ram, size, MADV_NOHUGEPAGE);
    madvise(ram, size, MADV_DONTDUMP);
    uint32_t npages = (uint32_t)(size / MEM_PAGE);
    m->free = malloc(sizeof(*m->free) * npages);
    if (!m->free) {
        munmap(ram, size);
        return -ENOMEM;
    }
    m->ram = ram;
    m->size = size;
    m->npages = npages;
    return mem_alloc_page(m, &m->cr3);
}

void mem_fini(struct guest_mem *m)
{
    if (m->ram)
        munmap(m->ram, m->size);
    free(m->free);
    memset(m, 0, sizeof(*m));
}

/* Free frames are always zero: fresh anonymous memory is, and a frame is
 * returned only through mem_free_page(s), whose MADV_DONTNEED zeroes it. */
int mem_alloc_page(struct guest_mem *m, uint64_t *pa)
{
    if (m->nfree > 0)
        *pa = (uint64_t)m->free[--m->nfree] * MEM_PAGE;
    else if (m->fresh < m->npages)
        *pa = (uint64_t)m->fresh++ * MEM_PAGE;
    else
        return -ENOMEM;
    return 0;
}

void mem_free_page(struct guest_mem *m, uint64_t pa)
{
    mem_free_pages(m, &pa, 1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void mem_free_pages(struct guest_mem *m, uint64_t *pas, size_t n)
{
    qsort(pas, n, sizeof(*pas), cmp_u64);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && pas[j] == pas[j - 1] + MEM_PAGE)
            j++;
        /* Zeroes the frames and, through KVM's MMU notifier, removes every
         * translation the guest may still cache for them: the one safe way
         * to revoke access under shadow paging. */
        madvise(m->ram + pas[i], (j - i) * MEM_PAGE, MADV_DONTNEED);
        for (size_t k = i; k < j; k++)
            m->free[m->nfree++] = (uint32_t)(pas[k] / MEM_PAGE);
        i = j;
    }
}

uint64_t mem_free_bytes(const struct guest_mem *m)
{
    return ((uint64_t)m->nfree + (m->npages - m->fresh)) * MEM_PAGE;
}

/* ---- checked access ---------------------------------------------------- */

static bool user_range_ok(uint64_t va, size_t len)
{
    return va < RB_USER_TOP && len <= RB_USER_TOP - va;
}

/* Host address of the user byte at va if a ring-3 access of that kind
 * would succeed, else NULL. */
static uint8_t *user_byte(const struct guest_mem *m, uint64_t va, bool write)
{
    uint64_t pa, eff;
    if (pt_translate(m, va, &pa, &eff) < 0)
        return NULL;
    if (!(eff & X86_PTE_US) || (write && !(eff & X86_PTE_RW)))
        return NULL;
    return m->ram + pa;
}

/* Bytes from va to the end of its page, at most len. */
static size_t page_chunk(uint64_t va, size_t len)
{
    size_t room = MEM_PAGE - (va & (MEM_PAGE - 1));
    return len < room ? len : room;
}

static int check_user(const struct guest_mem *m, uint64_t va, size_t len, bool write)
{
    if (!user_range_ok(va, len))
        return -EFAULT;
    while (len) {
        size_t n = page_chunk(va, len);
        if (!user_byte(m, va, write))
            return -EFAULT;
        va += n;
        len -= n;
    }
    return 0;
}

int mem_copy_from_user(const struct guest_mem *m, void *dst, uint64_t src, size_t len)
{
    int rc = check_user(m, src, len, false);
    if (rc < 0)
        return rc;
    for (uint8_t *d = dst; len;) {
        size_t n = page_chunk(src, len);
        memcpy(d, user_byte(m, src, false), n);
        d += n;
        src += n;
        len -= n;
    }
    return 0;
}

int mem_copy_to_user(const struct guest_mem *m, uint64_t dst, const void *src, size_t len)
{
    int rc = check_user(m, dst, len, true);
    if (rc < 0)
        return rc;
    for (const uint8_t *s = src; len;) {
        size_t n = page_chunk(dst, len);
        memcpy(user_byte(m, dst, true), s, n);
        s += n;
        dst += n;
        len -= n;
    }
    return 0;
}

int mem_clear_user(const struct guest_mem *m, uint64_t dst, size_t len)
{
    int rc = check_user(m, dst, len, true);
    if (rc < 0)
        return rc;
    while (len) {
        size_t n = page_chunk(dst, len);
        memset(user_byte(m, dst, true), 0, n);
        dst += n;
        len -= n;
    }
    return 0;
}

long mem_strncpy_from_user(const struct guest_mem *m, char *dst, uint64_t src, size_t max)
{
    size_t done = 0;
    while (done < max) {
        if (!user_range_ok(src, 1))
            return -EFAULT;
        const uint8_t *p = user_byte(m, src, false);
        if (!p)
            return -EFAULT;
        size_t n = page_chunk(src, max - done);
        const uint8_t *nul = memchr(p, 0, n);
        size_t take = nul ? (size_t)(nul - p) + 1 : n;
        memcpy(dst + done, p, take);
        if (nul)
            return (long)(done + take - 1);
        done += take;
        src += take;
    }
    return -ENAMETOOLONG;
}

long mem_user_iov(const struct guest_mem *m, uint64_t va, size_t len, bool write,
                  struct iovec *iov, int max_iov, int *n_iov)
{
    size_t done = 0;
    int n = 0;
    if (len > RB_USER_TOP)
        len = RB_USER_TOP;
    while (done < len) {
        if (!user_range_ok(va, 1))
            break;
        uint8_t *p = user_byte(m, va, write);
        if (!p)
            break;
        size_t c = page_chunk(va, len - done);
        if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == p) {
            iov[n - 1].iov_len += c;
        } else {
            if (n == max_iov)
                break;
            iov[n].iov_base = p;
            iov[n].iov_len = c;
            n++;
        }
        done += c;
        va += c;
    }
    *n_iov = n;
    if (done == 0 && len > 0)
        return -EFAULT;
    return (long)done;
}

int mem_read_kernel(const struct guest_mem *m, void *dst, uint64_t va, size_t len)
{
    for (uint8_t *d = dst; len;) {
        uint64_t pa, eff;
        size_t n = page_chunk(va, len);
        if (pt_translate(m, va, &pa, &eff) < 0)
            return -EFAULT;
        memcpy(d, m->ram + pa, n);
        d += n;
        va += n;
        len -= n;
    }
    return 0;
}
