/* A dynamic program whose syscalls come from libc, for test_elf_scan. */
#include <unistd.h>

int main(void)
{
	char c = 'x';

	return write(1, &c, getpid() > 0 ? 0 : 1) < 0;
}
