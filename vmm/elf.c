/* elf.c - validating x86-64 ELF executables and interpreters, and mapping
 * their segments.
 *
 * The file is untrusted: elf_validate checks every field the loader uses
 * before anything reads through it (gABI "ELF Header" and "Program Header";
 * x86-64 psABI 3.4 and 5.1), so elf_load can trust what it re-reads. */
#include <assert.h>
#include <elf.h> /* glibc's: vmm/ is on the quote path only */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "elf.h"
#include "ringbox.h"
#include "ringbox_abi.h"

/* Real executables have about a dozen program headers; the cap bounds the
 * loader's work and its span table.  PN_XNUM (0xffff) means "the count is in
 * section header 0", which static executables never need. */
#define ELF_MAX_PHNUM 128
/* Far beyond any real static executable, and small enough that an ET_DYN
 * image fits anywhere the layout may put it. */
#define ELF_MAX_SPAN (1ULL << 30)
#define PAGE ((uint64_t)RB_PAGE_SIZE)

static uint64_t page_down(uint64_t x)
{
    return x & ~(PAGE - 1);
}

/* Only called on addresses validated to be <= RB_USER_TOP, so no overflow. */
static uint64_t page_up(uint64_t x)
{
    return page_down(x + PAGE - 1);
}

__attribute__((format(printf, 4, 5))) static int reject(int status, char *why, size_t whylen,
                                                        const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return status;
}

static int prot_of(uint32_t p_flags)
{
    return ((p_flags & PF_R) ? PROT_READ : 0) | ((p_flags & PF_W) ? PROT_WRITE : 0) |
           ((p_flags & PF_X) ? PROT_EXEC : 0);
}

/* Program header i; the table was checked to lie within the file.  Copied
 * out because e_phoff need not be aligned. */
static Elf64_Phdr phdr_at(const uint8_t *buf, const Elf64_Ehdr *eh, unsigned i)
{
    Elf64_Phdr ph;

    memcpy(&ph, buf + eh->e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
    return ph;
}

static int check_header(const uint8_t *buf, size_t len, Elf64_Ehdr *eh, char *why, size_t whylen)
{
    if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return reject(RINGBOX_EBADELF, why, whylen, "not an ELF file (bad magic)");
    if (len < sizeof *eh)
        return reject(RINGBOX_EBADELF, why, whylen, "truncated: %zu bytes, shorter than the ELF header",
                      len);
    memcpy(eh, buf, sizeof *eh);

    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return reject(RINGBOX_EBADELF, why, whylen, "not a 64-bit ELF");
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return reject(RINGBOX_EBADELF, why, whylen, "not a little-endian ELF");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT)
        return reject(RINGBOX_EBADELF, why, whylen, "unknown ELF identification version %u",
                      eh->e_ident[EI_VERSION]);
    /* Linux binaries are tagged SYSV or, when they use GNU extensions such
     * as IFUNC, GNU (once called ELFOSABI_LINUX). */
    if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV && eh->e_ident[EI_OSABI] != ELFOSABI_GNU)
        return reject(RINGBOX_EBADELF, why, whylen, "not a Linux ELF (OS ABI %u)",
                      eh->e_ident[EI_OSABI]);
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return reject(RINGBOX_EBADELF, why, whylen, "not an executable (e_type %u)", eh->e_type);
    if (eh->e_machine != EM_X86_64)
        return reject(RINGBOX_EBADELF, why, whylen, "not an x86-64 executable (e_machine %u)",
                      eh->e_machine);
    if (eh->e_version != EV_CURRENT)
        return reject(RINGBOX_EBADELF, why, whylen, "unknown ELF version %u", eh->e_version);
    if (eh->e_ehsize != sizeof(Elf64_Ehdr))
        return reject(RINGBOX_EBADELF, why, whylen, "e_ehsize is %u, not %zu", eh->e_ehsize,
                      sizeof(Elf64_Ehdr));
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return reject(RINGBOX_EBADELF, why, whylen, "e_phentsize is %u, not %zu", eh->e_phentsize,
                      sizeof(Elf64_Phdr));
    if (eh->e_phnum == 0)
        return reject(RINGBOX_EBADELF, why, whylen, "no program headers");
    if (eh->e_phnum == PN_XNUM || eh->e_phnum > ELF_MAX_PHNUM)
        return reject(RINGBOX_EBADELF, why, whylen, "too many program headers (%u, at most %u)",
                      eh->e_phnum, ELF_MAX_PHNUM);
    /* phnum * phentsize is at most 128 * 56, so only the addition can wrap. */
    uint64_t table = (uint64_t)eh->e_phnum * eh->e_phentsize;
    if (eh->e_phoff > len || table > len - eh->e_phoff)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "program header table (offset %#llx, %llu bytes) exceeds the file (%zu bytes)",
                      (unsigned long long)eh->e_phoff, (unsigned long long)table, len);
    return 0;
}

/* The per-segment checks of a PT_LOAD.  prev_end is where the previous
 * PT_LOAD's bytes end (0 before the first). */
static int check_load(const Elf64_Phdr *ph, unsigned i, size_t len, bool pie, uint64_t prev_end,
                      bool first, char *why, size_t whylen)
{
    if (ph->p_filesz > ph->p_memsz)
        return reject(RINGBOX_EBADELF, why, whylen, "program header %u: p_filesz exceeds p_memsz", i);
    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "program header %u: file range [%#llx, +%#llx) exceeds the file (%zu bytes)", i,
                      (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz, len);
    if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
        return reject(RINGBOX_EBADELF, why, whylen, "program header %u: p_vaddr + p_memsz overflows",
                      i);
    /* gABI: 0 and 1 mean no alignment, otherwise a power of two with
     * p_vaddr = p_offset modulo it.  Linux only relies on the page part. */
    if (ph->p_align > 1) {
        if (ph->p_align & (ph->p_align - 1))
            return reject(RINGBOX_EBADELF, why, whylen,
                          "program header %u: p_align %#llx is not a power of two", i,
                          (unsigned long long)ph->p_align);
        if ((ph->p_vaddr - ph->p_offset) % PAGE != 0)
            return reject(RINGBOX_EBADELF, why, whylen,
                          "program header %u: misaligned: p_vaddr %#llx and p_offset %#llx differ "
                          "modulo the page size",
                          i, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_offset);
    }
    /* gABI: "Loadable segment entries in the program header table appear in
     * ascending order, sorted on the p_vaddr member."  Bytes may not overlap;
     * pages may, and elf_load gives a shared page both protections. */
    if (!first && ph->p_vaddr < prev_end)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "program header %u: segment at %#llx overlaps or precedes the previous one "
                      "(which ends at %#llx)",
                      i, (unsigned long long)ph->p_vaddr, (unsigned long long)prev_end);
    /* An ET_DYN image moves as a whole, so only its span must fit (checked
     * by the caller); requiring its link-time addresses below RB_USER_TOP as
     * well keeps every later sum free of overflow. */
    if (!pie && ph->p_vaddr < RB_USER_MIN)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "program header %u: segment at %#llx is below the lowest user address %#llx",
                      i, (unsigned long long)ph->p_vaddr, (unsigned long long)RB_USER_MIN);
    if (ph->p_vaddr + ph->p_memsz > RB_USER_TOP)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "program header %u: segment [%#llx, +%#llx) reaches above the user address "
                      "space (%#llx)",
                      i, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz,
                      (unsigned long long)RB_USER_TOP);
    return 0;
}

int elf_validate(const uint8_t *buf, size_t len, struct elf_image *img, char *why, size_t whylen)
{
    Elf64_Ehdr eh;
    int rc = check_header(buf, len, &eh, why, whylen);
    if (rc)
        return rc;

    struct elf_image out = {
        .pie = eh.e_type == ET_DYN,
        .entry = eh.e_entry,
        .phnum = eh.e_phnum,
        .phentsize = eh.e_phentsize,
        .exec_stack = true, /* no PT_GNU_STACK: Linux's EXSTACK_DEFAULT is executable */
    };
    bool have_load = false, have_phdr = false, phdr_in_load = false;
    bool entry_ok = false, entry_noexec = false, have_span = false;
    uint64_t prev_end = 0, lo = 0, hi = 0;
    Elf64_Phdr first = {0};

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(buf, &eh, i);

        switch (ph.p_type) {
        case PT_LOAD:
            rc = check_load(&ph, i, len, out.pie, prev_end, !have_load, why, whylen);
            if (rc)
                return rc;
            if (!have_load)
                first = ph;
            prev_end = ph.p_vaddr + ph.p_memsz;
            if (ph.p_memsz) {
                if (!have_span)
                    lo = page_down(ph.p_vaddr);
                hi = page_up(ph.p_vaddr + ph.p_memsz);
                have_span = true;
            }
            have_load = true;
            if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
                if (ph.p_flags & PF_X)
                    entry_ok = true;
                else
                    entry_noexec = true;
            }
            /* Linux (load_elf_binary): the segment whose file range holds
             * e_phoff maps the table. */
            if (!have_phdr && !phdr_in_load && ph.p_offset <= eh.e_phoff &&
                eh.e_phoff - ph.p_offset < ph.p_filesz) {
                out.phdr_vaddr = ph.p_vaddr + (eh.e_phoff - ph.p_offset);
                phdr_in_load = true;
            }
            break;
        case PT_PHDR:
            /* The table's own address, as the linker recorded it. */
            if (!have_phdr) {
                out.phdr_vaddr = ph.p_vaddr;
                have_phdr = true;
            }
            break;
        case PT_GNU_STACK:
            out.exec_stack = (ph.p_flags & PF_X) != 0;
            break;
        case PT_INTERP:
            /* Linux (load_elf_binary) uses the first one and refuses one
             * outside the file, shorter than 2 or longer than PATH_MAX
             * bytes, or not ending in NUL. */
            if (out.interp[0])
                break;
            if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
                return reject(RINGBOX_EBADELF, why, whylen,
                              "program header %u: interpreter path [%#llx, +%#llx) exceeds the "
                              "file (%zu bytes)",
                              i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
                              len);
            if (ph.p_filesz < 2 || ph.p_filesz > sizeof out.interp)
                return reject(RINGBOX_EBADELF, why, whylen,
                              "program header %u: interpreter path of %llu bytes (2 to %zu "
                              "allowed)",
                              i, (unsigned long long)ph.p_filesz, sizeof out.interp);
            if (buf[ph.p_offset + ph.p_filesz - 1] != '\0')
                return reject(RINGBOX_EBADELF, why, whylen,
                              "program header %u: interpreter path is not NUL-terminated", i);
            if (strlen((const char *)buf + ph.p_offset) == 0)
                return reject(RINGBOX_EBADELF, why, whylen,
                              "program header %u: interpreter path is empty", i);
            memcpy(out.interp, buf + ph.p_offset, ph.p_filesz);
            break;
        default:
            /* PT_TLS, PT_NOTE, PT_DYNAMIC (static-PIE relocates itself, the
             * interpreter relocates a dynamic program),
             * PT_GNU_RELRO, PT_GNU_PROPERTY, PT_GNU_EH_FRAME and unknown
             * types need nothing from the loader. */
            break;
        }
    }

    if (!have_load)
        return reject(RINGBOX_EBADELF, why, whylen, "no PT_LOAD segment");
    if (hi - lo >= ELF_MAX_SPAN)
        return reject(RINGBOX_EBADELF, why, whylen,
                      "segments span %#llx bytes, more than the %llu MiB supported",
                      (unsigned long long)(hi - lo), ELF_MAX_SPAN >> 20);
    if (!entry_ok)
        return reject(RINGBOX_EBADELF, why, whylen, "entry point %#llx is %s",
                      (unsigned long long)eh.e_entry,
                      entry_noexec ? "in a non-executable segment" : "outside every PT_LOAD segment");
    /* Neither PT_PHDR nor a segment holding the table: compute it from the
     * first PT_LOAD as Linux did before 5.18 (load_addr + e_phoff).  The
     * address may then hold no headers, exactly as it would on Linux. */
    if (!have_phdr && !phdr_in_load)
        out.phdr_vaddr = first.p_vaddr - first.p_offset + eh.e_phoff;

    out.lo = lo;
    out.hi = hi;
    *img = out;
    return 0;
}

/* A run of whole pages with one protection.  Its pages below file_end show
 * the file from offset `off` on in /proc/self/maps; the rest (bss past the
 * file's pages) are anonymous, as Linux maps them (fs/binfmt_elf.c). */
struct span {
    uint64_t start, end;
    int prot;
    uint64_t off, file_end;
};

/* The pages of the PT_LOAD segments as non-overlapping, ascending spans.
 * Segments are sorted and disjoint in bytes (elf_validate), so a segment can
 * share at most its first page, with the end of the previous span; that
 * page gets both protections, as Linux's overlapping mmaps leave it only
 * when they agree, and a program expects access to both segments. */
static size_t load_spans(const uint8_t *buf, const Elf64_Ehdr *eh, struct span *sp)
{
    size_t n = 0;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(buf, eh, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        uint64_t s = page_down(ph.p_vaddr), e = page_up(ph.p_vaddr + ph.p_memsz);
        uint64_t off = page_down(ph.p_offset);
        uint64_t fe = ph.p_filesz ? page_up(ph.p_vaddr + ph.p_filesz) : s;
        int prot = prot_of(ph.p_flags);

        if (n && s < sp[n - 1].end) {
            /* The shared page shows this segment's file page when it has
             * one, as Linux's later MAP_FIXED mmap of it would. */
            struct span *last = &sp[n - 1];
            uint64_t shared = last->end - PAGE;
            assert(s == shared);
            struct span page = {shared, shared + PAGE, last->prot | prot,
                                last->off + (shared - last->start), last->file_end};
            if (ph.p_filesz) {
                page.off = off;
                page.file_end = shared + PAGE;
            }
            if (last->start < shared) {
                last->end = shared;
                sp[n++] = page;
            } else {
                *last = page;
            }
            s = shared + PAGE;
            off += PAGE;
        }
        if (s < e)
            sp[n++] = (struct span){s, e, prot, off, fe};
    }
    return n;
}

int elf_load(struct mm *mm, const uint8_t *buf, size_t len, const struct elf_image *img,
             uint64_t bias, struct mm_file *file)
{
    Elf64_Ehdr eh;
    struct span spans[2 * ELF_MAX_PHNUM];
    uint64_t prev_page_end = 0;
    int rc;

    (void)len; /* every range below was checked against it by elf_validate */
    memcpy(&eh, buf, sizeof eh);
    assert(eh.e_phnum == img->phnum && eh.e_phnum <= ELF_MAX_PHNUM);

    size_t n = load_spans(buf, &eh, spans);
    for (size_t i = 0; i < n; i++) {
        const struct span *sp = &spans[i];
        uint64_t named = file ? sp->file_end : sp->start;
        named = named < sp->start ? sp->start : named > sp->end ? sp->end : named;
        /* Contents are poked below from the validated buffer; the source
         * only names the pages. */
        struct mm_src src = {.fd = -1, .off = sp->off, .file = file};
        if (named > sp->start) {
            rc = mm_map(mm, bias + sp->start, named - sp->start, sp->prot, MM_IMAGE, &src);
            if (rc < 0)
                return rc;
        }
        if (named < sp->end) {
            rc = mm_map_anon(mm, bias + named, sp->end - named, sp->prot, MM_IMAGE);
            if (rc < 0)
                return rc;
        }
    }

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = phdr_at(buf, &eh, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        uint64_t first_page = page_down(ph.p_vaddr);
        bool shares_first_page = first_page < prev_page_end;
        prev_page_end = page_up(ph.p_vaddr + ph.p_memsz);
        /* mm gives PROT_NONE pages no frames, and nothing can read them. */
        if (prot_of(ph.p_flags) == PROT_NONE)
            continue;

        /* The mapping is zero-filled, which is the rest of p_memsz (gABI:
         * "the extra bytes ... contain the value 0"). */
        if (ph.p_filesz) {
            rc = mm_poke(mm, bias + ph.p_vaddr, buf + ph.p_offset, ph.p_filesz);
            if (rc < 0)
                return rc;
        }
        /* Linux maps whole file pages, so the bytes of a segment's first
         * page before p_vaddr show the file too; when the first PT_LOAD
         * starts past offset 0 they can hold the headers that AT_PHDR points
         * at.  Only when congruent and when that page is the segment's own. */
        uint64_t lead = ph.p_vaddr - first_page;
        if (lead && !shares_first_page && (ph.p_vaddr - ph.p_offset) % PAGE == 0) {
            rc = mm_poke(mm, bias + first_page, buf + ph.p_offset - lead, lead);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}
