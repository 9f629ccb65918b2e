/* The little the tool needs from the OS beyond C: platform_unix.c / platform_win32.c. */
#ifndef OPGP_TOOL_PLATFORM_H
#define OPGP_TOOL_PLATFORM_H

/* Put stdout in binary mode (Windows would turn 0A into 0D 0A in DER output). */
void platform_binary_stdout(void);

#endif
