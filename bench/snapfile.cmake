# `ktsnap capture -o x.ktsnap` of 100k entries against a raw batch copy,
# `capture -o x.json` and `bpftool -j map dump` (times, sizes, targets).
add_executable(bench_cli_snapfile EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/cli_snapfile.c)
target_link_libraries(bench_cli_snapfile PRIVATE ktbench)
add_dependencies(benches bench_cli_snapfile)
