# What the benchmarks share (bench_util.h): clock, medians, timed child
# runs, reading a capture back, loading ktbig.
add_library(ktbench STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_util.c)
target_include_directories(ktbench PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ktbench PUBLIC ktsnap_static ktfixture)
