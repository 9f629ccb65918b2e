/* POSIX stdout is always binary. */
#include "platform.h"

void platform_binary_stdout(void)
{
}
