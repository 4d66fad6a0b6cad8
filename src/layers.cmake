# One CMake target per layer of src/ (ARCHITECTURE.md). A layer's headers are visible only to targets that
# link it: each layer gets its own include root under the build tree holding a symlink named after the
# layer, so `#include "model/bundle.h"` from a lower layer fails to compile instead of silently working.
#
#   lc_layer(NAME can SOURCES a.cpp b.cpp DEPS lc_util [EXTERNAL Boost::headers])
function(lc_layer)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;EXTERNAL" ${ARGN})
  set(root ${CMAKE_BINARY_DIR}/layers/${L_NAME})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${L_NAME} ${root}/${L_NAME} SYMBOLIC)
  if(L_SOURCES)
    add_library(lc_${L_NAME} STATIC ${L_SOURCES})
    target_include_directories(lc_${L_NAME} PUBLIC ${root})
    target_link_libraries(lc_${L_NAME} PUBLIC ${L_DEPS} ${L_EXTERNAL})
  else()
    add_library(lc_${L_NAME} INTERFACE)
    target_include_directories(lc_${L_NAME} INTERFACE ${root})
    target_link_libraries(lc_${L_NAME} INTERFACE ${L_DEPS} ${L_EXTERNAL})
  endif()
endfunction()
