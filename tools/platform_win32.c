/* The C runtime's stdout translates line ends unless told otherwise. */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>

#include "platform.h"

void platform_binary_stdout(void)
{
    fflush(stdout);
    _setmode(_fileno(stdout), _O_BINARY);
}
