/* cpu.c - the guest CPU's architectural state, encoded once (see cpu.h). */
#include <string.h>

#include "cpu.h"

/* Flat 4 GiB limit with 4 KiB granularity; ignored in 64-bit mode except
 * by the encoding (SDM Vol. 3A 3.4.5). */
#define FLAT_LIMIT_LO 0xffffULL
#define FLAT_LIMIT_HI (0xfULL << 48)

static uint64_t desc_base(uint64_t base)
{
    return ((base & 0xffffffULL) << 16) | (((base >> 24) & 0xffULL) << 56);
}

static uint64_t desc_limit(uint32_t limit)
{
    return (limit & 0xffffULL) | (((uint64_t)(limit >> 16) & 0xfULL) << 48);
}

/* Accessed is preset in every descriptor so the CPU never writes the GDT,
 * which is mapped read-only (SDM Vol. 3A 3.4.5.1). */
uint64_t cpu_desc_code64(int dpl)
{
    return FLAT_LIMIT_LO | FLAT_LIMIT_HI | ((uint64_t)X86_SEG_TYPE_CODE_XR_A << X86_DESC_TYPE_SHIFT) |
           X86_DESC_S | ((uint64_t)dpl << X86_DESC_DPL_SHIFT) | X86_DESC_P | X86_DESC_L | X86_DESC_G;
}

uint64_t cpu_desc_data(int dpl)
{
    return FLAT_LIMIT_LO | FLAT_LIMIT_HI | ((uint64_t)X86_SEG_TYPE_DATA_RW_A << X86_DESC_TYPE_SHIFT) |
           X86_DESC_S | ((uint64_t)dpl << X86_DESC_DPL_SHIFT) | X86_DESC_P | X86_DESC_DB | X86_DESC_G;
}

/* Encoded busy: TR is loaded through KVM_SET_SREGS, as LTR would have left
 * it, since the guest never runs LTR against its read-only GDT. */
void cpu_desc_tss(uint64_t out[2], uint64_t base, uint32_t limit)
{
    out[0] = desc_limit(limit) | desc_base(base) |
             ((uint64_t)X86_SYS_TYPE_TSS64_BUSY << X86_DESC_TYPE_SHIFT) | X86_DESC_P;
    out[1] = base >> 32;
}

void cpu_idt_gate(uint64_t out[2], uint64_t handler, uint16_t sel, int ist, int dpl)
{
    out[0] = (handler & 0xffffULL) | ((uint64_t)sel << 16) | ((uint64_t)(ist & 7) << 32) |
             ((uint64_t)X86_SYS_TYPE_INTR_GATE << X86_DESC_TYPE_SHIFT) |
             ((uint64_t)dpl << X86_DESC_DPL_SHIFT) | X86_DESC_P | (((handler >> 16) & 0xffffULL) << 48);
    out[1] = handler >> 32;
}

void cpu_build_gdt(uint64_t gdt[RB_GDT_ENTRIES])
{
    memset(gdt, 0, sizeof(uint64_t) * RB_GDT_ENTRIES);
    gdt[RB_GDT_KERNEL_CS] = cpu_desc_code64(0);
    gdt[RB_GDT_KERNEL_DS] = cpu_desc_data(0);
    gdt[RB_GDT_USER_DS] = cpu_desc_data(3);
    gdt[RB_GDT_USER_CS] = cpu_desc_code64(3);
    cpu_desc_tss(&gdt[RB_GDT_TSS], RB_TSS_VA, X86_TSS64_SIZE - 1);
}

/* Interrupt gates keep IF clear in the stub.  #BP is reachable from ring 3
 * (DPL 3) so INT3 raises SIGTRAP as on Linux; every other vector has DPL 0,
 * so `int $n` from ring 3 is a #GP.  #DF, NMI and #MC switch to the IST
 * stack, which is known good whatever state the stub was in
 * (SDM Vol. 3A 6.14.5). */
void cpu_build_idt(uint64_t idt[2 * RB_NUM_VECTORS], const struct rb_stub_header *stub)
{
    for (int v = 0; v < RB_NUM_VECTORS; v++) {
        int ist = (v == X86_VEC_DF || v == X86_VEC_NMI || v == X86_VEC_MC) ? RB_IST_CRITICAL : 0;
        int dpl = v == X86_VEC_BP ? 3 : 0;
        cpu_idt_gate(&idt[2 * v], stub->vectors[v], RB_KERNEL_CS, ist, dpl);
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* RSP0 is where the CPU switches on entry from ring 3; the I/O map base
 * past the limit means no I/O permission bitmap, so ring-3 IN/OUT always
 * raises #GP (SDM Vol. 1 19.5.2). */
void cpu_build_tss(uint8_t tss[X86_TSS64_SIZE])
{
    memset(tss, 0, X86_TSS64_SIZE);
    put64(tss + X86_TSS64_RSP0, RB_KSTACK_TOP);
    put64(tss + X86_TSS64_IST(RB_IST_CRITICAL), RB_ISTSTACK_TOP);
    uint16_t iomap = X86_TSS64_SIZE;
    memcpy(tss + X86_TSS64_IOMAP_BASE, &iomap, sizeof(iomap));
}

void cpu_segment(struct kvm_segment *seg, uint16_t sel, uint64_t desc)
{
    memset(seg, 0, sizeof(*seg));
    seg->selector = sel;
    seg->base = ((desc >> 16) & 0xffffffULL) | (((desc >> 56) & 0xffULL) << 24);
    uint32_t limit = (uint32_t)((desc & 0xffff) | (((desc >> 48) & 0xf) << 16));
    seg->g = !!(desc & X86_DESC_G);
    seg->limit = seg->g ? (limit << 12) | 0xfff : limit;
    seg->type = (desc >> X86_DESC_TYPE_SHIFT) & 0xf;
    seg->s = !!(desc & X86_DESC_S);
    seg->dpl = (desc >> X86_DESC_DPL_SHIFT) & 3;
    seg->present = !!(desc & X86_DESC_P);
    seg->l = !!(desc & X86_DESC_L);
    seg->db = !!(desc & X86_DESC_DB);
    seg->unusable = !seg->present;
}

void cpu_segment_tss(struct kvm_segment *seg, uint16_t sel, const uint64_t desc[2])
{
    cpu_segment(seg, sel, desc[0]);
    seg->base |= desc[1] << 32;
}

/* SYSCALL: CS = STAR[47:32], SS = +8.  SYSRETQ: CS = STAR[63:48] + 16,
 * SS = +8, both with RPL 3 (SDM Vol. 2B SYSCALL, SYSRET). */
uint64_t cpu_star(void)
{
    return ((uint64_t)RB_USER_CS32 << X86_STAR_SYSRET_CS_SHIFT) |
           ((uint64_t)RB_KERNEL_CS << X86_STAR_SYSCALL_CS_SHIFT);
}

/* Cleared on SYSCALL entry: IF so nothing interrupts the stub before its
 * stack switch, TF so ring 0 is never single-stepped, AC so SMAP stays on,
 * DF/NT/IOPL/RF so the stub starts from known flags (as Linux masks). */
uint64_t cpu_sfmask(void)
{
    return X86_RFLAGS_USER_MASK | X86_RFLAGS_IF | X86_RFLAGS_NT | X86_RFLAGS_IOPL | X86_RFLAGS_RF;
}

/* PE+PG: protected mode with paging, required for long mode.
 * MP+NE: x87 errors raise #MF, not the legacy IRQ 13 path (SDM Vol. 3A 2.5).
 * ET: hard-wired to 1.
 * WP: ring 0 honours read-only pages, so the stub cannot scribble on them.
 * AM: alignment checking in ring 3 when the program sets AC, as on Linux. */
uint64_t cpu_cr0(void)
{
    return X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
}

/* PAE: required for long mode.
 * PGE: the stub's pages are global and survive CR3 reloads.
 * OSFXSR+OSXMMEXCPT: SSE enabled, SIMD errors raise #XM (SIGFPE).
 * OSXSAVE: XSAVE/AVX state for programs whose libc asks CPUID for it.
 * SMEP/SMAP: ring 0 never executes or touches user pages.
 * UMIP: SGDT/SIDT/SLDT/SMSW/STR fault in ring 3 instead of revealing where
 * the stub's tables live.
 * Left clear: FSGSBASE (the VMM owns FS/GS bases via arch_prctl), PCE and
 * TSD stay as Linux has them (RDPMC faults, RDTSC allowed). */
uint64_t cpu_cr4(const struct cpu_features *f)
{
    uint64_t cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    if (f->pge)
        cr4 |= X86_CR4_PGE;
    if (f->xsave)
        cr4 |= X86_CR4_OSXSAVE;
    if (f->smep)
        cr4 |= X86_CR4_SMEP;
    if (f->smap)
        cr4 |= X86_CR4_SMAP;
    if (f->umip)
        cr4 |= X86_CR4_UMIP;
    return cr4;
}

/* SCE: SYSCALL/SYSRET.  LME+LMA: long mode.  NXE: the NX bit in PTEs. */
uint64_t cpu_efer(void)
{
    return X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
}

uint64_t cpu_user_rflags(uint64_t rflags)
{
    return (rflags & X86_RFLAGS_USER_MASK) | X86_RFLAGS_IF | X86_RFLAGS_FIXED;
}

void cpu_features(struct cpu_features *f, const struct kvm_cpuid_entry2 *e, uint32_t n)
{
    memset(f, 0, sizeof(*f));
    uint64_t xcr0_supported = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (e[i].function == 1) {
            f->xsave = e[i].ecx & (1U << X86_CPUID1_ECX_XSAVE_BIT);
            f->mce = e[i].edx & (1U << X86_CPUID1_EDX_MCE_BIT);
            f->pge = e[i].edx & (1U << X86_CPUID1_EDX_PGE_BIT);
            f->hwcap = e[i].edx; /* Linux's AT_HWCAP on x86 is CPUID.1:EDX */
        } else if (e[i].function == 7 && e[i].index == 0) {
            f->smep = e[i].ebx & (1U << X86_CPUID7_EBX_SMEP_BIT);
            f->smap = e[i].ebx & (1U << X86_CPUID7_EBX_SMAP_BIT);
            f->umip = e[i].ecx & (1U << X86_CPUID7_ECX_UMIP_BIT);
        } else if (e[i].function == 0xd && e[i].index == 0) {
            xcr0_supported = e[i].eax | ((uint64_t)e[i].edx << 32);
        }
    }
    /* x87 and SSE always; AVX on top of them; the three AVX-512 components
     * only together (SDM Vol. 1 13.3).  Nothing that needs permission or
     * kernel support ringbox lacks (AMX, PKRU, CET). */
    uint64_t avx512 = X86_XCR0_OPMASK | X86_XCR0_ZMM_HI256 | X86_XCR0_HI16_ZMM;
    f->xcr0 = X86_XCR0_X87 | X86_XCR0_SSE;
    if (xcr0_supported & X86_XCR0_AVX) {
        f->xcr0 |= X86_XCR0_AVX;
        if ((xcr0_supported & avx512) == avx512)
            f->xcr0 |= avx512;
    }
    if (!f->xsave) {
        f->xcr0 = 0;
        return;
    }
    /* The standard-format XSAVE area for that XCR0: the legacy region and
     * header (576 bytes), then each user component at the offset CPUID
     * leaf 0xD sub-leaf i gives (EAX size, EBX offset; SDM Vol. 1 13.4.3). */
    f->xsave_size = X86_XSAVE_HDR_END;
    for (uint32_t i = 0; i < n; i++)
        if (e[i].function == 0xd && e[i].index >= 2 && e[i].index < 64 &&
            (f->xcr0 & BIT64(e[i].index)) && e[i].ebx + e[i].eax > f->xsave_size)
            f->xsave_size = e[i].ebx + e[i].eax;
}
