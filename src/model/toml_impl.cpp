// toml++'s implementation, compiled once, here: every user includes <toml++/toml.h> with TOML_HEADER_ONLY=0
// (the `tomlplusplus` target in CMakeLists.txt), and nothing links libtomlplusplus.so.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
