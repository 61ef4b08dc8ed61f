# Full lazy render of a captured 100k-entry hash: time, RSS growth and
# bytes per entry (needs root and BPF).
add_executable(bench_render EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_render.c)
target_link_libraries(bench_render PRIVATE ktbench)
add_dependencies(benches bench_render)
