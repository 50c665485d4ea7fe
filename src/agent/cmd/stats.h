/* stats_cmd.h - `vigil stats`: read the running agent's pinned maps. */
#ifndef VIGIL_STATS_CMD_H
#define VIGIL_STATS_CMD_H

int stats_cmd(int argc, char **argv);

#endif
