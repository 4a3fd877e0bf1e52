/* cpu.h - encoding the guest's descriptor tables, TSS, control registers and
 * syscall MSRs.  Pure: no ioctls, so every value is unit-tested. */
#ifndef RB_CPU_H
#define RB_CPU_H

#include <linux/kvm.h>
#include <stdint.h>
#include "ringbox_abi.h"
#include "vm.h"
#include "x86.h"

/* Segment descriptors (SDM Vol. 3A 3.4.5). */
uint64_t cpu_desc_code64(int dpl);
uint64_t cpu_desc_data(int dpl);
void cpu_desc_tss(uint64_t out[2], uint64_t base, uint32_t limit);
/* A 64-bit interrupt gate (SDM Vol. 3A 6.14.1). */
void cpu_idt_gate(uint64_t out[2], uint64_t handler, uint16_t sel, int ist, int dpl);

/* Whole images, ready to copy into their guest pages. */
void cpu_build_gdt(uint64_t gdt[RB_GDT_ENTRIES]);
void cpu_build_idt(uint64_t idt[2 * RB_NUM_VECTORS], const struct rb_stub_header *stub);
void cpu_build_tss(uint8_t tss[X86_TSS64_SIZE]);

/* KVM's view of a descriptor: the hidden part of a segment register as the
 * CPU would load it from `desc` through selector `sel`. */
void cpu_segment(struct kvm_segment *seg, uint16_t sel, uint64_t desc);
void cpu_segment_tss(struct kvm_segment *seg, uint16_t sel, const uint64_t desc[2]);

uint64_t cpu_star(void);
uint64_t cpu_sfmask(void);
uint64_t cpu_cr0(void);
uint64_t cpu_cr4(const struct cpu_features *f);
uint64_t cpu_efer(void);
/* RFLAGS for ring 3: the program's own flags with everything it could not
 * have set itself (IOPL, NT, RF, VM...) cleared, and IF set. */
uint64_t cpu_user_rflags(uint64_t rflags);

/* Features from KVM_GET_SUPPORTED_CPUID's table. */
void cpu_features(struct cpu_features *f, const struct kvm_cpuid_entry2 *e, uint32_t n);

#endif
