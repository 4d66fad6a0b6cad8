# Adds tests/integration/daemon to a build whose tests/CMakeLists.txt does not add it yet:
#   cmake -S . -B build-x -DCMAKE_PROJECT_INCLUDE=$PWD/tests/integration/daemon/hook.cmake
# The folder's CMakeLists.txt is include()d (deferred calls may not add_subdirectory) at the end of the top-level
# CMakeLists.txt, so the layer targets, the warning flags and the output folders are all defined by then. A
# no-op once the folder is added normally.
macro(lc_daemon_tests_hook)
  if(LC_BUILD_TESTS AND NOT TARGET test_integration_daemon)
    include(${CMAKE_SOURCE_DIR}/tests/integration/daemon/CMakeLists.txt)
  endif()
endmacro()
if(CMAKE_PROJECT_NAME STREQUAL "loadercount" AND CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL lc_daemon_tests_hook)
endif()
