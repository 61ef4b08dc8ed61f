add_executable(bench_watch EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_watch.c)
target_include_directories(bench_watch PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_watch PRIVATE ktbench bpf_ktwatch)
add_dependencies(benches bench_watch)
