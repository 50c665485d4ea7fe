/* rules_cmd.h - `vigil rules check FILE...`: validate rule files, no root, no BPF. */
#ifndef VIGIL_RULES_CMD_H
#define VIGIL_RULES_CMD_H

int rules_cmd(int argc, char **argv);

#endif
