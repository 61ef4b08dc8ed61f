# `ktsnap capture -o x.ktsnap` of 100k entries against a raw batch copy,
# `capture -o x.json` and `bpftool -j map dump` (times, sizes, targets).
add_executable(bench_cli_snapfile EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/cli_snapfile.c)
target_link_libraries(bench_cli_snapfile PRIVATE ktbench)
target_compile_definitions(bench_cli_snapfile PRIVATE
	KTSNAP_CLI="$<TARGET_FILE:ktsnap_cli>" BPFTOOL_PATH="${BPFTOOL}")
add_dependencies(bench_cli_snapfile ktsnap_cli)
add_dependencies(benches bench_cli_snapfile)
