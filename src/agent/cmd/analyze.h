/* analyze_cmd.h - `vigil analyze`: a seccomp profile from an image's code. */
#ifndef VIGIL_ANALYZE_CMD_H
#define VIGIL_ANALYZE_CMD_H

int analyze_cmd(int argc, char **argv);

#endif
