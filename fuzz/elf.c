/* elf.c - libFuzzer harness: elf_validate and elf_load on arbitrary files.
 *
 * Properties, beyond "no crash and no sanitizer report":
 *   - an accepted file's PT_LOAD segments lie inside the file (offset and
 *     size) and inside the user address space, with p_filesz <= p_memsz,
 *     inside the image's [lo, hi) span, which is under ELF_MAX_SPAN;
 *   - the entry point lies in an executable segment;
 *   - loaded at a bias, every region mm made lies inside [bias+lo, bias+hi),
 *     each readable segment's bytes read back as the file's, the rest of its
 *     p_memsz as zero, and a page that only a non-writable segment covers
 *     is not writable from ring 3 (checked against the reference walk). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "elf.h"
#include "fuzz.h"
#include "mm.h"
#include "ringbox_abi.h"

#define PAGE ((uint64_t)RB_PAGE_SIZE)
/* Enough for the seeds' programs; larger images fail with -ENOMEM, which is
 * an answer the loader is allowed to give. */
#define GUEST_MEM (16ULL << 20)
/* Where an ET_DYN image's lowest page goes. */
#define PIE_BASE 0x555555554000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Elf64_Phdr phdr(const uint8_t *buf, const Elf64_Ehdr *eh, unsigned i)
{
    Elf64_Phdr ph;
    memcpy(&ph, buf + eh->e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
    return ph;
}

static void check_segments(const uint8_t *buf, size_t len, const struct elf_image *img)
{
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof eh);
    FUZZ_CHECK(eh.e_phoff <= len && (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) <= len - eh.e_phoff,
               "program headers outside the file");
    FUZZ_CHECK(img->lo <= img->hi && img->hi - img->lo < (1ULL << 30), "span [%#lx, %#lx)",
               (unsigned long)img->lo, (unsigned long)img->hi);
    FUZZ_CHECK(img->hi <= RB_USER_TOP, "span ends at %#lx", (unsigned long)img->hi);
    bool entry_ok = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = phdr(buf, &eh, i);
        if (ph.p_type != PT_LOAD)
            continue;
        FUZZ_CHECK(ph.p_offset <= len && ph.p_filesz <= len - ph.p_offset, "segment %u file range", i);
        FUZZ_CHECK(ph.p_filesz <= ph.p_memsz, "segment %u filesz > memsz", i);
        FUZZ_CHECK(ph.p_vaddr <= RB_USER_TOP && ph.p_memsz <= RB_USER_TOP - ph.p_vaddr,
                   "segment %u outside the user half", i);
        FUZZ_CHECK(img->pie || ph.p_vaddr >= RB_USER_MIN, "segment %u below RB_USER_MIN", i);
        if (ph.p_memsz) {
            FUZZ_CHECK(ph.p_vaddr >= img->lo && ph.p_vaddr + ph.p_memsz <= img->hi,
                       "segment %u outside the span", i);
            if ((ph.p_flags & PF_X) && img->entry >= ph.p_vaddr &&
                img->entry - ph.p_vaddr < ph.p_memsz)
                entry_ok = true;
        }
    }
    FUZZ_CHECK(entry_ok, "entry %#lx in no executable segment", (unsigned long)img->entry);
    FUZZ_CHECK(memchr(img->interp, 0, sizeof img->interp), "interpreter path not terminated");
}

/* Whether another PT_LOAD with PF_W covers any byte of page `page`. */
static bool page_writable_by_any(const uint8_t *buf, const Elf64_Ehdr *eh, uint64_t page)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph = phdr(buf, eh, i);
        if (ph.p_type == PT_LOAD && ph.p_memsz && (ph.p_flags & PF_W) &&
            ph.p_vaddr < page + PAGE && ph.p_vaddr + ph.p_memsz > page)
            return true;
    }
    return false;
}

static const uint8_t zeros[RB_PAGE_SIZE];

static void check_loaded(const uint8_t *buf, const struct elf_image *img, uint64_t bias,
                         const struct mm *mm)
{
    for (size_t r = 0; r < mm->nregions; r++)
        FUZZ_CHECK(mm->regions[r].start >= bias + img->lo && mm->regions[r].end <= bias + img->hi,
                   "region [%#lx, %#lx) outside the image", (unsigned long)mm->regions[r].start,
                   (unsigned long)mm->regions[r].end);
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = phdr(buf, &eh, i);
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_R))
            continue;
        uint64_t n = ph.p_memsz;
        for (uint64_t off = 0; off < n;) {
            uint64_t va = bias + ph.p_vaddr + off, pa;
            uint64_t chunk = PAGE - (va & (PAGE - 1));
            chunk = chunk < n - off ? chunk : n - off;
            FUZZ_CHECK(fuzz_ref_walk(mm->mem, va, true, false, &pa),
                       "segment %u byte %#lx unreadable", i, (unsigned long)off);
            uint64_t file = off < ph.p_filesz ? ph.p_filesz - off : 0;
            file = file < chunk ? file : chunk;
            FUZZ_CHECK(!memcmp(mm->mem->ram + pa, buf + ph.p_offset + off, file),
                       "segment %u bytes at %#lx differ from the file", i, (unsigned long)off);
            FUZZ_CHECK(!memcmp(mm->mem->ram + pa + file, zeros, chunk - file),
                       "segment %u bytes at %#lx past p_filesz are not zero", i,
                       (unsigned long)(off + file));
            off += chunk;
        }
        if (ph.p_flags & PF_W)
            continue;
        for (uint64_t page = ph.p_vaddr & ~(PAGE - 1); page < ph.p_vaddr + n; page += PAGE) {
            uint64_t pa;
            if (!page_writable_by_any(buf, &eh, page))
                FUZZ_CHECK(!fuzz_ref_walk(mm->mem, bias + page, true, true, &pa),
                           "segment %u page %#lx writable", i, (unsigned long)page);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct elf_image img;
    char why[256];
    if (elf_validate(data, size, &img, why, sizeof why) != 0) {
        FUZZ_CHECK(why[0] != '\0', "rejected without a reason");
        return 0;
    }
    check_segments(data, size, &img);

    static struct guest_mem mem;
    struct mm mm;
    if (!mem.ram)
        fuzz_mem_init(&mem, GUEST_MEM);
    else
        fuzz_mem_reset(&mem);
    mm_init(&mm, &mem);
    uint64_t bias = img.pie ? PIE_BASE - img.lo : 0;
    int rc = elf_load(&mm, data, size, &img, bias, NULL);
    FUZZ_CHECK(rc == 0 || rc == -ENOMEM, "elf_load returned %d", rc);
    if (rc == 0)
        check_loaded(data, &img, bias, &mm);
    mm_fini(&mm);
    return 0;
}
