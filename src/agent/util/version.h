/* version.h - the release of Vigil, as `vigil --version` and vigil_build_info say. */
#ifndef VIGIL_VERSION_H
#define VIGIL_VERSION_H

#define VIGIL_VERSION "0.3.0"

#endif
