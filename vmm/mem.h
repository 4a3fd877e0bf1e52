/* mem.h - guest-physical memory: the RAM mapping, the page allocator, and
 * the checked copies through which the VMM touches program memory.
 * Pure: no ioctls, so the unit tests run it without /dev/kvm. */
#ifndef RB_MEM_H
#define RB_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define MEM_PAGE 4096ULL

struct guest_mem {
    uint8_t *ram;      /* host mapping of guest-physical [0, size) */
    uint64_t size;     /* bytes, a page multiple */
    /* Frames at or above `fresh` were never handed out; below it, the free
     * ones are on the `free` stack.  The stack's memory is touched only as
     * frames are freed, so the VMM's own footprint does not grow with the
     * guest's size. */
    uint32_t fresh, npages;
    uint32_t *free;
    uint32_t nfree;
    uint64_t cr3;      /* guest-physical address of the PML4 */
    /* Set whenever a present translation changed; the run loop then makes
     * the stub reload CR3 before going back to ring 3, and clears it. */
    bool flush;
};

/* Reserve `size` bytes (page multiple, >= 1 MiB) of guest RAM with
 * MAP_NORESERVE: host memory is committed only where the guest touches it.
 * Allocates the PML4.  0 or -errno. */
int mem_init(struct guest_mem *m, uint64_t size);
void mem_fini(struct guest_mem *m);

/* A zero-filled page.  0 or -ENOMEM when the guest's cap is reached. */
int mem_alloc_page(struct guest_mem *m, uint64_t *pa);
/* Return a page.  Its host backing is dropped (MADV_DONTNEED), which both
 * zeroes it for the next user and makes KVM forget every translation that
 * still points at it (the MMU notifier).  This is the one way the VMM
 * revokes a guest's access to a page: see mm.c. */
void mem_free_page(struct guest_mem *m, uint64_t pa);
/* As mem_free_page for many pages, coalescing host madvise calls.  Sorts
 * `pas` in place to find the runs. */
void mem_free_pages(struct guest_mem *m, uint64_t *pas, size_t n);
uint64_t mem_free_bytes(const struct guest_mem *m);

/* Host pointer to guest-physical `pa` (must lie inside RAM). */
static inline void *mem_host(const struct guest_mem *m, uint64_t pa)
{
    return m->ram + pa;
}

/* ---- Checked access to program memory -------------------------------------
 * Each walks the guest page tables as the CPU would for a ring-3 access
 * (every level present and U/S; every level R/W for a write) and fails with
 * -EFAULT, touching nothing, if any byte of the range is not accessible.
 * Ranges may cross pages.  A range reaching past RB_USER_TOP is -EFAULT. */
int mem_copy_from_user(const struct guest_mem *m, void *dst, uint64_t src, size_t len);
int mem_copy_to_user(const struct guest_mem *m, uint64_t dst, const void *src, size_t len);
int mem_clear_user(const struct guest_mem *m, uint64_t dst, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes into dst (size max).
 * Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within max-1. */
long mem_strncpy_from_user(const struct guest_mem *m, char *dst, uint64_t src, size_t max);
/* Describe [va, va+len) as host iovecs for zero-copy host readv/writev,
 * merging physically adjacent pages.  Fills at most max_iov entries and
 * returns how many bytes they cover, which is less than len when max_iov
 * ran out; -EFAULT if the first page is inaccessible, otherwise stops at
 * the first inaccessible page (a short transfer, as Linux does). */
long mem_user_iov(const struct guest_mem *m, uint64_t va, size_t len, bool write,
                  struct iovec *iov, int max_iov, int *n_iov);

/* Supervisor (VMM-internal) read of guest-virtual memory, for the stub's
 * own frames: requires present, ignores U/S.  0 or -EFAULT. */
int mem_read_kernel(const struct guest_mem *m, void *dst, uint64_t va, size_t len);

#endif
