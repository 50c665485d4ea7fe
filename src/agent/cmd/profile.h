/* profile_cmd.h - `vigil profile`: a seccomp profile from what a container did. */
#ifndef VIGIL_PROFILE_CMD_H
#define VIGIL_PROFILE_CMD_H

int profile_cmd(int argc, char **argv);

#endif
