# Stand-in for the line `add_subdirectory(tests/bench)` under `if(LC_BUILD_BENCHMARKS)` in the top-level
# CMakeLists.txt, until that line exists. tools/bench.sh passes this file as CMAKE_PROJECT_INCLUDE; it runs
# inside project() and defers including tests/bench/CMakeLists.txt to the end of the top-level file, after
# src/ is known (a deferred call may not add_subdirectory, so the file is included; it uses only
# CMAKE_CURRENT_LIST_DIR and works both ways). Deferred arguments are expanded when the call runs, so the path
# is baked in now as a bracket argument.
file(READ ${CMAKE_SOURCE_DIR}/CMakeLists.txt lc_top_level)
string(FIND "${lc_top_level}" "tests/bench" lc_has_bench)
if(LC_BUILD_BENCHMARKS AND NOT LC_BENCH_DEFERRED AND lc_has_bench EQUAL -1)
  set(LC_BENCH_DEFERRED ON)
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL include [[${CMAKE_CURRENT_LIST_DIR}/CMakeLists.txt]])")
endif()
