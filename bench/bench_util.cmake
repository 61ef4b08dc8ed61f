# What the benchmarks share (bench_util.h): clock, medians, timed child
# runs, reading a capture back, loading ktbig.
add_library(ktbench STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_util.c)
target_include_directories(ktbench PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ktbench PUBLIC ktsnap_static ktfixture)
# the command-line benchmarks run the ktsnap of this build by default
target_compile_definitions(ktbench PRIVATE
	KTSNAP_CLI="$<TARGET_FILE:ktsnap_cli>" BPFTOOL_PATH="${BPFTOOL}")
add_dependencies(ktbench ktsnap_cli)
