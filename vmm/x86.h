/* x86.h - architectural constants, each from the Intel SDM / AMD APM section cited.
 * The only place in vmm/ where these numbers are written.
 *
 * Section numbers throughout ringbox follow the SDM editions whose Vol. 3A has
 * chapter 4 Paging, 6 Interrupt and Exception Handling, 7 Task Management
 * (order number 325462-07x); newer editions shift them by one chapter. */
#ifndef RB_X86_H
#define RB_X86_H

#define BIT64(n) (1ULL << (n))

/* CR0 (SDM Vol. 3A 2.5) */
#define X86_CR0_PE_BIT 0
#define X86_CR0_MP_BIT 1
#define X86_CR0_ET_BIT 4
#define X86_CR0_NE_BIT 5
#define X86_CR0_WP_BIT 16
#define X86_CR0_AM_BIT 18
#define X86_CR0_PG_BIT 31
#define X86_CR0_PE BIT64(X86_CR0_PE_BIT)
#define X86_CR0_MP BIT64(X86_CR0_MP_BIT)
#define X86_CR0_ET BIT64(X86_CR0_ET_BIT)
#define X86_CR0_NE BIT64(X86_CR0_NE_BIT)
#define X86_CR0_WP BIT64(X86_CR0_WP_BIT)
#define X86_CR0_AM BIT64(X86_CR0_AM_BIT)
#define X86_CR0_PG BIT64(X86_CR0_PG_BIT)

/* CR4 (SDM Vol. 3A 2.5) */
#define X86_CR4_DE_BIT 3
#define X86_CR4_PAE_BIT 5
#define X86_CR4_MCE_BIT 6
#define X86_CR4_PGE_BIT 7
#define X86_CR4_OSFXSR_BIT 9
#define X86_CR4_OSXMMEXCPT_BIT 10
#define X86_CR4_UMIP_BIT 11
#define X86_CR4_FSGSBASE_BIT 16
#define X86_CR4_OSXSAVE_BIT 18
#define X86_CR4_SMEP_BIT 20
#define X86_CR4_SMAP_BIT 21
#define X86_CR4_DE BIT64(X86_CR4_DE_BIT)
#define X86_CR4_PAE BIT64(X86_CR4_PAE_BIT)
#define X86_CR4_MCE BIT64(X86_CR4_MCE_BIT)
#define X86_CR4_PGE BIT64(X86_CR4_PGE_BIT)
#define X86_CR4_OSFXSR BIT64(X86_CR4_OSFXSR_BIT)
#define X86_CR4_OSXMMEXCPT BIT64(X86_CR4_OSXMMEXCPT_BIT)
#define X86_CR4_UMIP BIT64(X86_CR4_UMIP_BIT)
#define X86_CR4_FSGSBASE BIT64(X86_CR4_FSGSBASE_BIT)
#define X86_CR4_OSXSAVE BIT64(X86_CR4_OSXSAVE_BIT)
#define X86_CR4_SMEP BIT64(X86_CR4_SMEP_BIT)
#define X86_CR4_SMAP BIT64(X86_CR4_SMAP_BIT)

/* IA32_EFER (SDM Vol. 3A 2.2.1, table 2-1) */
#define X86_EFER_SCE BIT64(0)
#define X86_EFER_LME BIT64(8)
#define X86_EFER_LMA BIT64(10)
#define X86_EFER_NXE BIT64(11)

/* MSRs (SDM Vol. 4 table 2-2) */
#define X86_MSR_SYSENTER_CS 0x00000174
#define X86_MSR_EFER 0xc0000080
#define X86_MSR_STAR 0xc0000081
#define X86_MSR_LSTAR 0xc0000082
#define X86_MSR_CSTAR 0xc0000083
#define X86_MSR_SFMASK 0xc0000084
#define X86_MSR_FS_BASE 0xc0000100
#define X86_MSR_GS_BASE 0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102

/* STAR fields (SDM Vol. 2B SYSCALL) */
#define X86_STAR_SYSCALL_CS_SHIFT 32
#define X86_STAR_SYSRET_CS_SHIFT 48

/* RFLAGS (SDM Vol. 1 3.4.3) */
#define X86_RFLAGS_CF BIT64(0)
#define X86_RFLAGS_FIXED BIT64(1) /* reserved, always 1 */
#define X86_RFLAGS_PF BIT64(2)
#define X86_RFLAGS_AF BIT64(4)
#define X86_RFLAGS_ZF BIT64(6)
#define X86_RFLAGS_SF BIT64(7)
#define X86_RFLAGS_TF BIT64(8)
#define X86_RFLAGS_IF BIT64(9)
#define X86_RFLAGS_DF BIT64(10)
#define X86_RFLAGS_OF BIT64(11)
#define X86_RFLAGS_IOPL (BIT64(12) | BIT64(13))
#define X86_RFLAGS_NT BIT64(14)
#define X86_RFLAGS_RF BIT64(16)
#define X86_RFLAGS_VM BIT64(17)
#define X86_RFLAGS_AC BIT64(18)
#define X86_RFLAGS_VIF BIT64(19)
#define X86_RFLAGS_VIP BIT64(20)
#define X86_RFLAGS_ID BIT64(21)
/* What ring 3 may hold in RFLAGS: POPF at CPL 3, IOPL 0 changes only these
 * (SDM Vol. 2B POPF), so anything else in a returned RFLAGS is forged. */
#define X86_RFLAGS_USER_MASK                                                                  \
    (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF | X86_RFLAGS_SF |          \
     X86_RFLAGS_TF | X86_RFLAGS_DF | X86_RFLAGS_OF | X86_RFLAGS_AC | X86_RFLAGS_ID)

/* 4-level paging entries (SDM Vol. 3A 4.5, tables 4-15 to 4-20) */
#define X86_PTE_P_BIT 0
#define X86_PTE_RW_BIT 1
#define X86_PTE_US_BIT 2
#define X86_PTE_A_BIT 5
#define X86_PTE_D_BIT 6
#define X86_PTE_PS_BIT 7
#define X86_PTE_G_BIT 8
#define X86_PTE_NX_BIT 63
#define X86_PTE_P BIT64(X86_PTE_P_BIT)
#define X86_PTE_RW BIT64(X86_PTE_RW_BIT)
#define X86_PTE_US BIT64(X86_PTE_US_BIT)
#define X86_PTE_A BIT64(X86_PTE_A_BIT)
#define X86_PTE_D BIT64(X86_PTE_D_BIT)
#define X86_PTE_PS BIT64(X86_PTE_PS_BIT)
#define X86_PTE_G BIT64(X86_PTE_G_BIT)
#define X86_PTE_NX BIT64(X86_PTE_NX_BIT)
#define X86_PTE_ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12, MAXPHYADDR <= 52 */
#define X86_PT_LEVELS 4
#define X86_PT_ENTRIES 512
#define X86_PT_SHIFT(level) (12 + 9 * ((level) - 1)) /* level 1 = PT ... 4 = PML4 */
#define X86_PT_INDEX(va, level) (((va) >> X86_PT_SHIFT(level)) & (X86_PT_ENTRIES - 1))

/* #PF error code (SDM Vol. 3A 4.7, figure 4-12) */
#define X86_PF_P BIT64(0)
#define X86_PF_W BIT64(1)
#define X86_PF_U BIT64(2)
#define X86_PF_RSVD BIT64(3)
#define X86_PF_I BIT64(4)
#define X86_PF_PK BIT64(5)

/* Segment descriptor fields (SDM Vol. 3A 3.4.5, figure 3-8) */
#define X86_DESC_TYPE_SHIFT 40
#define X86_DESC_S BIT64(44)
#define X86_DESC_DPL_SHIFT 45
#define X86_DESC_P BIT64(47)
#define X86_DESC_L BIT64(53)
#define X86_DESC_DB BIT64(54)
#define X86_DESC_G BIT64(55)
#define X86_SEG_TYPE_DATA_RW_A 0x3  /* read/write, accessed (table 3-1) */
#define X86_SEG_TYPE_CODE_XR_A 0xb  /* execute/read, accessed */
#define X86_SYS_TYPE_TSS64_AVAIL 0x9 /* table 3-2 */
#define X86_SYS_TYPE_TSS64_BUSY 0xb
#define X86_SYS_TYPE_INTR_GATE 0xe

/* 64-bit TSS (SDM Vol. 3A 7.7, figure 7-11) */
#define X86_TSS64_SIZE 104
#define X86_TSS64_RSP0 4
#define X86_TSS64_IST(n) (36 + 8 * ((n) - 1))
#define X86_TSS64_IOMAP_BASE 102

/* Exception vectors (SDM Vol. 3A table 6-1) */
#define X86_VEC_DE 0
#define X86_VEC_DB 1
#define X86_VEC_NMI 2
#define X86_VEC_BP 3
#define X86_VEC_OF 4
#define X86_VEC_BR 5
#define X86_VEC_UD 6
#define X86_VEC_NM 7
#define X86_VEC_DF 8
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_MF 16
#define X86_VEC_AC 17
#define X86_VEC_MC 18
#define X86_VEC_XM 19
#define X86_VEC_VE 20
#define X86_VEC_CP 21

/* XCR0 state components (SDM Vol. 1 13.1) */
#define X86_XCR0_X87 BIT64(0)
#define X86_XCR0_SSE BIT64(1)
#define X86_XCR0_AVX BIT64(2)
#define X86_XCR0_OPMASK BIT64(5)
#define X86_XCR0_ZMM_HI256 BIT64(6)
#define X86_XCR0_HI16_ZMM BIT64(7)

/* XSAVE area, standard format (SDM Vol. 1 10.5.1 table 10-2, 13.4): the
 * legacy FXSAVE region, then the 64-byte header whose first quadword is
 * XSTATE_BV and second XCOMP_BV; bytes 464-511 are left to software. */
#define X86_FXSAVE_FCW 0
#define X86_FXSAVE_MXCSR 24
#define X86_FXSAVE_MXCSR_MASK 28
#define X86_FXSAVE_SW_RESERVED 464
#define X86_FXSAVE_SIZE 512
#define X86_XSAVE_HDR_BV 512
#define X86_XSAVE_HDR_COMP_BV 520
#define X86_XSAVE_HDR_END 576
#define X86_FCW_INIT 0x37f     /* FNINIT's control word (SDM Vol. 1 8.1.5) */
#define X86_MXCSR_INIT 0x1f80  /* MXCSR at reset (SDM Vol. 1 10.2.3) */
#define X86_MXCSR_MASK_DEFAULT 0xffbf /* when FXSAVE stores a zero mask (11.6.6) */

/* CPUID feature bits (SDM Vol. 2A CPUID, tables 3-8 to 3-10) */
#define X86_CPUID1_ECX_XSAVE_BIT 26
#define X86_CPUID7_EBX_SMEP_BIT 7
#define X86_CPUID7_EBX_SMAP_BIT 20
#define X86_CPUID7_ECX_UMIP_BIT 2
#define X86_CPUID1_EDX_MCE_BIT 7
#define X86_CPUID1_EDX_PGE_BIT 13

/* Canonical lower half: bits 63:47 all zero (SDM Vol. 1 3.3.7.1). */
#define X86_USER_CANONICAL_END 0x0000800000000000ULL

#endif /* RB_X86_H */
