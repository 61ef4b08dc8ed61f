# Load on `ktsnap serve`'s service: concurrent clients capturing a
# 1000-entry map over a Unix socket (requests/s, p99, RSS, none lost).
add_executable(bench_wire EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_wire.c)
target_include_directories(bench_wire PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_wire PRIVATE ktbench)
add_dependencies(benches bench_wire)
