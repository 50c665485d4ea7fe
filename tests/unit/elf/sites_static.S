/* A static program with known syscall sites, for test_elf_scan. */
	.globl _start
	.text
_start:
	mov $39, %eax		/* getpid: immediate */
	syscall
	xor %eax, %eax		/* read: xor to zero */
	syscall
	mov $102, %edi		/* getuid: through a register */
	mov %edi, %eax
	syscall
	mov (%rsp), %eax	/* unknown: from memory */
	syscall
	mov $231, %eax		/* exit_group */
	xor %edi, %edi
	syscall
