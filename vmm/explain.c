/* explain.c - faults and address spaces in words: walks, names, code in context, maps. */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "exec.h"
#include "explain.h"
#include "ringbox_abi.h"
#include "x86.h"

static const char *const level_name[X86_PT_LEVELS] = {"PML4E", "PDPTE", "PDE", "PTE"};

/* Bits 63:47 all equal bit 47 (SDM Vol. 1 3.3.7.1). */
static bool canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

void explain_walk(const struct guest_mem *m, uint64_t va, struct ringbox_walk *w)
{
    memset(w, 0, sizeof(*w));
    w->va = va;
    if (!canonical(va))
        return;
    uint64_t table = m->cr3;
    for (int level = X86_PT_LEVELS; level >= 1; level--) {
        if (table >= m->size)
            return;
        const uint64_t *t = mem_host(m, table);
        uint64_t e = t[X86_PT_INDEX(va, level)];
        w->entry[w->levels++] = e;
        if (!(e & X86_PTE_P) || level == 1 || (e & X86_PTE_PS))
            return;
        table = e & X86_PTE_ADDR_MASK;
    }
}

uint64_t explain_walk_eff(const struct ringbox_walk *w)
{
    uint64_t allow = X86_PTE_P | X86_PTE_RW | X86_PTE_US, nx = 0;
    if (w->levels == 0)
        return 0;
    for (int i = 0; i < w->levels; i++) {
        allow &= w->entry[i];
        nx |= w->entry[i] & X86_PTE_NX;
    }
    uint64_t last = w->entry[w->levels - 1];
    bool leaf = w->levels == X86_PT_LEVELS || (last & X86_PTE_PS);
    if (!(allow & X86_PTE_P) || !leaf)
        return 0;
    return allow | nx;
}

static int bit(uint64_t e, uint64_t mask)
{
    return (e & mask) != 0;
}

/* Append to buf at *n, as snprintf, never past len. */
static void put(char *buf, size_t len, int *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, int *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t at = (size_t)*n < len ? (size_t)*n : len;
    int k = vsnprintf(buf ? buf + at : NULL, len - at, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n += k;
}

int explain_format_walk(const struct ringbox_walk *w, const char *indent, char *buf, size_t len)
{
    int n = 0;
    if (len)
        buf[0] = 0;
    if (w->levels == 0) {
        put(buf, len, &n, "%snon-canonical address: no page table maps it\n", indent);
        return n;
    }
    for (int i = 0; i < w->levels; i++) {
        uint64_t e = w->entry[i];
        int level = X86_PT_LEVELS - i;
        put(buf, len, &n, "%s%-5s[%3u] 0x%016" PRIx64, indent, level_name[i],
            (unsigned)X86_PT_INDEX(w->va, level), e);
        if (!(e & X86_PTE_P)) {
            put(buf, len, &n, "  P=0 (not present)\n");
            continue;
        }
        put(buf, len, &n, "  P=1 RW=%d US=%d NX=%d A=%d", bit(e, X86_PTE_RW), bit(e, X86_PTE_US),
            bit(e, X86_PTE_NX), bit(e, X86_PTE_A));
        if (level == 1 || (e & X86_PTE_PS))
            put(buf, len, &n, " D=%d%s", bit(e, X86_PTE_D), level > 1 ? " PS=1" : "");
        put(buf, len, &n, "\n");
    }
    return n;
}

/* ---- names ------------------------------------------------------------- */

/* The kernel half, page by page (include/ringbox_abi.h's memory map). */
static const struct {
    uint64_t va;
    const char *name;
} kernel_pages[] = {
    {RB_STUB_TEXT_VA, "stub text"},
    {RB_STUB_DATA_VA, "stub data"},
    {RB_GDT_VA, "GDT"},
    {RB_IDT_VA, "IDT"},
    {RB_TSS_VA, "TSS"},
    {RB_KSTACK_VA - RB_PAGE_SIZE, "kernel stack guard page"},
    {RB_KSTACK_VA, "kernel stack"},
    {RB_KSTACK_TOP, "kernel stack guard page"},
    {RB_ISTSTACK_VA, "IST stack (#DF, NMI, #MC)"},
    {RB_ISTSTACK_TOP, "IST stack guard page"},
};
#define NKERNEL (sizeof(kernel_pages) / sizeof(kernel_pages[0]))

static const struct mm_region *stack_region(const struct mm *mm)
{
    for (size_t i = 0; mm && i < mm->nregions; i++)
        if (mm->regions[i].kind == MM_STACK)
            return &mm->regions[i];
    return NULL;
}

bool explain_in_stack_guard(const struct mm *mm, uint64_t va)
{
    const struct mm_region *s = stack_region(mm);
    if (!s || va >= s->start || s->start - va > EXEC_STACK_GUARD)
        return false;
    return mm_find(mm, va) == NULL;
}

static const char *prot_part(int prot)
{
    if (prot & PROT_EXEC)
        return "text";
    if (prot & PROT_WRITE)
        return "data";
    if (prot & PROT_READ)
        return "rodata";
    return "PROT_NONE";
}

static void region_name(const struct mm *mm, const struct mm_region *r, char *buf, size_t len)
{
    switch (r->kind) {
    case MM_HEAP:
        snprintf(buf, len, "heap (brk)");
        return;
    case MM_STACK:
        snprintf(buf, len, "stack");
        return;
    case MM_ANON:
        snprintf(buf, len, "mmap, anonymous%s", r->prot ? "" : ", PROT_NONE");
        return;
    case MM_IMAGE:
    case MM_FILE:
        break;
    }
    if (r->file) {
        snprintf(buf, len, "%s %s", prot_part(r->prot), r->file->name);
        return;
    }
    /* An image's bss follows its file-backed part. */
    const struct mm_region *prev = r > mm->regions ? r - 1 : NULL;
    if (r->kind == MM_IMAGE && prev && prev->end == r->start && prev->file)
        snprintf(buf, len, "bss %s", prev->file->name);
    else
        snprintf(buf, len, "%s (anonymous)", prot_part(r->prot));
}

void explain_region(const struct mm *mm, uint64_t va, char *buf, size_t len)
{
    if (va >= RB_KERNEL_BASE) {
        for (size_t i = 0; i < NKERNEL; i++)
            if (va - kernel_pages[i].va < RB_PAGE_SIZE) {
                snprintf(buf, len, "%s", kernel_pages[i].name);
                return;
            }
        snprintf(buf, len, "kernel half, unmapped");
        return;
    }
    if (!canonical(va)) {
        snprintf(buf, len, "non-canonical address");
        return;
    }
    if (va < RB_USER_MIN) {
        snprintf(buf, len, "never-mapped low 64 KiB");
        return;
    }
    const struct mm_region *r = mm ? mm_find(mm, va) : NULL;
    if (r) {
        region_name(mm, r, buf, len);
        return;
    }
    snprintf(buf, len, "%s", explain_in_stack_guard(mm, va) ? "stack guard page" : "unmapped");
}

/* ---- the one-line explanation ------------------------------------------ */

static bool decode_one(const struct ringbox_fault *ft, unsigned *id, char *ops, size_t opslen)
{
    csh cs;
    cs_insn *insn;
    bool ok = false;
    if (ft->insn_len == 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
        return false;
    if (cs_disasm(cs, ft->insn, ft->insn_len, ft->insn_addr, 1, &insn) == 1) {
        *id = insn->id;
        snprintf(ops, opslen, "%s", insn->op_str);
        ok = true;
        cs_free(insn, 1);
    }
    cs_close(&cs);
    return ok;
}

/* The name of a privileged instruction (SDM Vol. 3A 5.9 lists them;
 * IN/OUT/INS/OUTS are privileged here because IOPL is 0 and the TSS has no
 * I/O bitmap, SDM Vol. 1 19.5), or NULL. */
static const char *privileged(unsigned id, const char *ops)
{
    switch (id) {
    case X86_INS_HLT: return "HLT";
    case X86_INS_CLI: return "CLI";
    case X86_INS_STI: return "STI";
    case X86_INS_CLTS: return "CLTS";
    case X86_INS_RDMSR: return "RDMSR";
    case X86_INS_WRMSR: return "WRMSR";
    case X86_INS_RDPMC: return "RDPMC";
    case X86_INS_LGDT: return "LGDT";
    case X86_INS_LIDT: return "LIDT";
    case X86_INS_LLDT: return "LLDT";
    case X86_INS_LTR: return "LTR";
    case X86_INS_LMSW: return "LMSW";
    case X86_INS_INVLPG: return "INVLPG";
    case X86_INS_INVPCID: return "INVPCID";
    case X86_INS_INVD: return "INVD";
    case X86_INS_WBINVD: return "WBINVD";
    case X86_INS_SWAPGS: return "SWAPGS";
    case X86_INS_SYSRET: return "SYSRET";
    case X86_INS_SYSEXIT: return "SYSEXIT";
    case X86_INS_XSETBV: return "XSETBV";
    case X86_INS_MONITOR: return "MONITOR";
    case X86_INS_MWAIT: return "MWAIT";
    case X86_INS_IN: return "IN";
    case X86_INS_OUT: return "OUT";
    case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD: return "INS";
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD: return "OUTS";
    case X86_INS_MOV:
        if (strstr(ops, "cr"))
            return "MOV to or from a control register";
        if (strstr(ops, "dr"))
            return "MOV to or from a debug register";
        return NULL;
    default:
        return NULL;
    }
}

/* The instructions IOPL governs (SDM Vol. 1 19.5.1: CLI, STI and the I/O
 * instructions need CPL <= IOPL; the I/O ones are otherwise checked
 * against the TSS's I/O permission bitmap, 19.5.2).  They are privileged
 * only because ringbox gives ring 3 IOPL 0 and no bitmap; the reason is
 * worth saying, since a kernel could grant them (iopl(2), ioperm(2)). */
static const char *iopl_reason(unsigned id)
{
    switch (id) {
    case X86_INS_CLI:
    case X86_INS_STI:
        return " (it needs CPL <= IOPL, and ring 3 runs with IOPL 0)";
    case X86_INS_IN:
    case X86_INS_OUT:
    case X86_INS_INSB:
    case X86_INS_INSW:
    case X86_INS_INSD:
    case X86_INS_OUTSB:
    case X86_INS_OUTSW:
    case X86_INS_OUTSD:
        return " (it needs CPL <= IOPL or the port in the TSS's I/O bitmap; ring 3 has IOPL 0 and no bitmap)";
    default:
        return "";
    }
}

static const char *access_verb(uint64_t err)
{
    if (err & X86_PF_I)
        return "execute";
    return (err & X86_PF_W) ? "write" : "read";
}

static void explain_pf(const struct ringbox_fault *ft, const struct mm *mm, char *buf, size_t len)
{
    uint64_t err = ft->error_code, va = ft->cr2;
    const char *verb = access_verb(err);
    char where[96];
    explain_region(mm, va, where, sizeof where);
    if (err & X86_PF_RSVD) {
        snprintf(buf, len, "a page-table entry for the address has a reserved bit set");
        return;
    }
    if (!(err & X86_PF_P)) {
        if (va < RB_USER_MIN)
            snprintf(buf, len, "NULL pointer dereference: ring-3 code tried to %s address 0x%" PRIx64
                     ", where nothing is ever mapped", verb, va);
        else if (explain_in_stack_guard(mm, va))
            snprintf(buf, len, "ring-3 code touched the stack guard page (stack overflow?)");
        else if (va >= RB_KERNEL_BASE)
            snprintf(buf, len, "ring-3 code tried to %s an unmapped kernel-half page (%s)", verb, where);
        else if (mm && mm_find(mm, va))
            snprintf(buf, len, "ring-3 code tried to %s a PROT_NONE page (%s)", verb, where);
        else
            snprintf(buf, len, "ring-3 code tried to %s an unmapped address", verb);
        return;
    }
    /* Present: a permission failed.  U/S first, since a supervisor-only
     * page refuses ring 3 whatever its other bits (SDM Vol. 3A 4.6). */
    uint64_t eff = explain_walk_eff(&ft->walk);
    if ((err & X86_PF_U) && (!(eff & X86_PTE_US) || va >= RB_KERNEL_BASE))
        snprintf(buf, len, "ring-3 code tried to %s a supervisor-only page (%s)", verb, where);
    else if (err & X86_PF_I)
        snprintf(buf, len, "ring-3 code tried to execute a no-execute (NX) page (%s)", where);
    else if (err & X86_PF_W)
        snprintf(buf, len, "ring-3 code tried to write a read-only page (%s)", where);
    else if (err & X86_PF_PK)
        snprintf(buf, len, "a protection key forbids the access");
    else
        snprintf(buf, len, "ring-3 code tried to %s a page it may not access (%s)", verb, where);
}

static void explain_gp(const struct ringbox_fault *ft, char *buf, size_t len)
{
    unsigned id = 0;
    char ops[160] = "";
    bool decoded = decode_one(ft, &id, ops, sizeof ops);
    /* Error code bit 1 (IDT): the selector names an IDT gate, here one
     * whose DPL is 0 (SDM Vol. 3A 6.13, 6.12.1.1). */
    if (ft->error_code & 2) {
        snprintf(buf, len, "INT 0x%" PRIx64 ": that IDT gate is not open to ring 3 (its DPL is 0)",
                 ft->error_code >> 3);
        return;
    }
    const char *name = decoded ? privileged(id, ops) : NULL;
    if (name) {
        snprintf(buf, len, "%s is privileged: only ring 0 may execute it%s", name, iopl_reason(id));
        return;
    }
    if (!decoded) {
        snprintf(buf, len, "general protection fault at an address ring 3 cannot read");
        return;
    }
    if (ft->insn_addr >= X86_USER_CANONICAL_END) {
        snprintf(buf, len, "general protection fault: RIP is outside the user range");
        return;
    }
    if (strchr(ops, '['))
        snprintf(buf, len, "general protection fault: a non-canonical address (bits 63:47 not all equal)"
                 " or a misaligned SSE operand");
    else
        snprintf(buf, len, "general protection fault");
}

void explain_fault(const struct ringbox_fault *ft, const struct mm *mm, char *buf, size_t len)
{
    unsigned id = 0;
    char ops[160];
    switch (ft->vector) {
    case X86_VEC_PF:
        explain_pf(ft, mm, buf, len);
        return;
    case X86_VEC_GP:
        explain_gp(ft, buf, len);
        return;
    case X86_VEC_DE:
        snprintf(buf, len, "integer division by zero (or a quotient too large for its register)");
        return;
    case X86_VEC_UD:
        if (decode_one(ft, &id, ops, sizeof ops) && (id == X86_INS_UD2 || id == X86_INS_UD0))
            snprintf(buf, len, "invalid opcode: UD2 raises it on purpose (a trap such as __builtin_trap)");
        else
            snprintf(buf, len, "invalid opcode: the CPU cannot execute these bytes");
        return;
    case X86_VEC_BP:
        snprintf(buf, len, "breakpoint (INT3)");
        return;
    case X86_VEC_DB:
        snprintf(buf, len, "debug trap (single step or hardware breakpoint)");
        return;
    case X86_VEC_OF:
        snprintf(buf, len, "overflow trap (INTO with OF set)");
        return;
    case X86_VEC_BR:
        snprintf(buf, len, "BOUND range exceeded");
        return;
    case X86_VEC_SS:
        snprintf(buf, len, "stack-segment fault: a non-canonical stack address");
        return;
    case X86_VEC_AC:
        snprintf(buf, len, "alignment check: a misaligned access with RFLAGS.AC set");
        return;
    case X86_VEC_MF:
        snprintf(buf, len, "x87 floating-point exception (unmasked in the control word)");
        return;
    case X86_VEC_XM:
        snprintf(buf, len, "SIMD floating-point exception (unmasked in MXCSR)");
        return;
    case X86_VEC_NM:
        snprintf(buf, len, "device not available: FPU/SSE state is disabled");
        return;
    default:
        snprintf(buf, len, "%s exception", ringbox_vector_name(ft->vector));
        return;
    }
}

/* ---- code in context ---------------------------------------------------- */

#define CODE_BACK 64 /* bytes searched before addr */
#define CODE_FWD 96  /* bytes decoded from addr on */

/* Readable bytes of [addr - CODE_BACK, addr + CODE_FWD) into buf: *lo is the
 * first readable offset before addr, *hi the end of those from addr on. */
static void read_around(const struct guest_mem *m, uint64_t addr, uint8_t *buf, size_t *lo, size_t *hi)
{
    *lo = CODE_BACK;
    while (*lo > 0 && addr >= CODE_BACK && mem_copy_from_user(m, buf + *lo - 1, addr - CODE_BACK + *lo - 1, 1) == 0)
        (*lo)--;
    *hi = CODE_BACK;
    while (*hi < CODE_BACK + CODE_FWD && mem_copy_from_user(m, buf + *hi, addr + (*hi - CODE_BACK), 1) == 0)
        (*hi)++;
}

static void code_line(char *buf, size_t len, int *n, const char *indent, bool mark, const cs_insn *in)
{
    char hex[3 * 16 + 1] = "";
    for (size_t i = 0; i < in->size && i < 10; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", in->bytes[i]);
    put(buf, len, n, "%s%s 0x%016" PRIx64 "  %-30s %s%s%s\n", indent, mark ? "=>" : "  ", in->address, hex,
        in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
}

int explain_code(const struct guest_mem *m, uint64_t addr, int before, int after, const char *indent,
                 char *buf, size_t len)
{
    uint8_t bytes[CODE_BACK + CODE_FWD];
    size_t lo, hi;
    int n = 0;
    csh cs;
    if (len)
        buf[0] = 0;
    read_around(m, addr, bytes, &lo, &hi);
    if (hi == CODE_BACK || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
        return 0;
    cs_insn *in = cs_malloc(cs);
    /* x86 is variable-length: try each start before addr and keep the
     * earliest whose instructions land exactly on addr (the longest run). */
    size_t best = CODE_BACK;
    for (size_t s = lo; s < CODE_BACK && best == CODE_BACK; s++) {
        const uint8_t *p = bytes + s;
        size_t left = CODE_BACK - s;
        uint64_t at = addr - (CODE_BACK - s);
        while (left && cs_disasm_iter(cs, &p, &left, &at, in))
            ;
        if (left == 0 && at == addr)
            best = s;
    }
    if (best < CODE_BACK) {
        int total = 0;
        const uint8_t *p = bytes + best;
        size_t left = CODE_BACK - best;
        uint64_t at = addr - left;
        while (left && cs_disasm_iter(cs, &p, &left, &at, in))
            total++;
        p = bytes + best;
        left = CODE_BACK - best;
        at = addr - left;
        for (int i = 0; left && cs_disasm_iter(cs, &p, &left, &at, in); i++)
            if (i >= total - before)
                code_line(buf, len, &n, indent, false, in);
    }
    const uint8_t *p = bytes + CODE_BACK;
    size_t left = hi - CODE_BACK;
    uint64_t at = addr;
    for (int i = 0; i <= after && left && cs_disasm_iter(cs, &p, &left, &at, in); i++)
        code_line(buf, len, &n, indent, i == 0, in);
    if (n == 0)
        put(buf, len, &n, "%s=> 0x%016" PRIx64 "  (not a valid instruction)\n", indent, addr);
    cs_free(in, 1);
    cs_close(&cs);
    return n;
}

size_t explain_insn(const struct guest_mem *m, uint64_t addr, char *buf, size_t len)
{
    uint8_t bytes[16];
    size_t n = 0, size = 0;
    csh cs;
    cs_insn *in;
    if (len)
        buf[0] = 0;
    while (n < sizeof bytes && mem_copy_from_user(m, bytes + n, addr + n, 1) == 0)
        n++;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
        return 0;
    if (cs_disasm(cs, bytes, n, addr, 1, &in) == 1) {
        snprintf(buf, len, "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
        size = in->size;
        cs_free(in, 1);
    }
    cs_close(&cs);
    return size;
}

/* ---- the address space -------------------------------------------------- */

struct range {
    bool open;
    uint64_t start, end, eff;
    char name[160];
};

struct maps_walk {
    const struct guest_mem *m;
    const struct mm *mm;
    void (*line)(void *, const char *);
    void *ctx;
    struct range cur;
    /* Guard ranges still to print, in address order. */
    struct range guards[NKERNEL + 1];
    size_t nguards, next_guard;
    uint64_t tables; /* page-table pages visited */
};

static void size_text(uint64_t bytes, char *buf, size_t len)
{
    if (bytes >= (1ULL << 30) && !(bytes & ((1ULL << 30) - 1)))
        snprintf(buf, len, "%" PRIu64 "G", bytes >> 30);
    else if (bytes >= (1ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
        snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
    else
        snprintf(buf, len, "%" PRIu64 "K", bytes >> 10);
}

static void emit(struct maps_walk *w, const struct range *r)
{
    char text[320], size[24];
    size_text(r->end - r->start, size, sizeof size);
    if (r->eff & X86_PTE_P)
        snprintf(text, sizeof text, "%016" PRIx64 "-%016" PRIx64 " %6s  %-10s  %-2s  %-2s  %s", r->start, r->end,
                 size, (r->eff & X86_PTE_US) ? "user" : "supervisor", (r->eff & X86_PTE_RW) ? "rw" : "ro",
                 (r->eff & X86_PTE_NX) ? "nx" : "x", r->name);
    else
        snprintf(text, sizeof text, "%016" PRIx64 "-%016" PRIx64 " %6s  %-18s  %s", r->start, r->end, size,
                 "not present", r->name);
    w->line(w->ctx, text);
}

static void flush_guards_below(struct maps_walk *w, uint64_t va)
{
    while (w->next_guard < w->nguards && w->guards[w->next_guard].start < va)
        emit(w, &w->guards[w->next_guard++]);
}

static void close_range(struct maps_walk *w)
{
    if (!w->cur.open)
        return;
    flush_guards_below(w, w->cur.start);
    emit(w, &w->cur);
    w->cur.open = false;
}

static void page(struct maps_walk *w, uint64_t va, uint64_t eff)
{
    char name[160];
    explain_region(w->mm, va, name, sizeof name);
    if ((eff & X86_PTE_P) == 0)
        snprintf(name + strlen(name), sizeof name - strlen(name), "%s", " (frame kept, PROT_NONE)");
    if (w->cur.open && w->cur.end == va && w->cur.eff == eff && strcmp(w->cur.name, name) == 0) {
        w->cur.end = va + RB_PAGE_SIZE;
        return;
    }
    close_range(w);
    w->cur = (struct range){.open = true, .start = va, .end = va + RB_PAGE_SIZE, .eff = eff};
    snprintf(w->cur.name, sizeof w->cur.name, "%s", name);
}

/* Every leaf under the table at `table` (level `level`), in address order.
 * `allow` and `nx` carry the upper levels' bits. */
static void walk_table(struct maps_walk *w, uint64_t table, int level, uint64_t base, uint64_t allow, uint64_t nx)
{
    if (table >= w->m->size)
        return;
    w->tables++;
    const uint64_t *t = mem_host(w->m, table);
    for (uint64_t i = 0; i < X86_PT_ENTRIES; i++) {
        uint64_t e = t[i];
        uint64_t va = base + (i << X86_PT_SHIFT(level));
        if (level == X86_PT_LEVELS && i >= X86_PT_ENTRIES / 2)
            va |= ~(X86_USER_CANONICAL_END - 1); /* sign-extend bit 47 */
        if (level == 1) {
            if (e & X86_PTE_P)
                page(w, va, (allow & e) | nx | (e & X86_PTE_NX));
            else if (e)
                page(w, va, 0);
            continue;
        }
        /* ringbox never maps large pages (pt.h); a PS entry is skipped. */
        if (!(e & X86_PTE_P) || (e & X86_PTE_PS))
            continue;
        walk_table(w, e & X86_PTE_ADDR_MASK, level - 1, va, allow & e, nx | (e & X86_PTE_NX));
    }
}

void explain_maps(const struct guest_mem *m, const struct mm *mm, void (*line)(void *ctx, const char *text),
                  void *ctx)
{
    struct maps_walk w = {.m = m, .mm = mm, .line = line, .ctx = ctx};
    const struct mm_region *s = stack_region(mm);
    if (s && s->start >= EXEC_STACK_GUARD) {
        /* The guard ends where something else is mapped below the stack. */
        uint64_t lo = s->start - EXEC_STACK_GUARD;
        for (size_t i = 0; i < mm->nregions; i++)
            if (mm->regions[i].end <= s->start && mm->regions[i].end > lo)
                lo = mm->regions[i].end;
        if (lo < s->start)
            w.guards[w.nguards++] = (struct range){.start = lo, .end = s->start, .name = "stack guard page"};
    }
    for (size_t i = 0; i < NKERNEL; i++)
        if (strstr(kernel_pages[i].name, "guard")) {
            struct range *g = &w.guards[w.nguards++];
            *g = (struct range){.start = kernel_pages[i].va, .end = kernel_pages[i].va + RB_PAGE_SIZE};
            snprintf(g->name, sizeof g->name, "%s", kernel_pages[i].name);
        }
    line(ctx, "start            end                size  U/S         R/W NX  what");
    walk_table(&w, m->cr3, X86_PT_LEVELS, 0, X86_PTE_P | X86_PTE_RW | X86_PTE_US, 0);
    close_range(&w);
    flush_guards_below(&w, UINT64_MAX);
    char text[160];
    snprintf(text, sizeof text, "page tables: %" PRIu64 " pages of guest-physical memory, mapped nowhere in "
             "the guest's address space", w.tables);
    line(ctx, text);
}
