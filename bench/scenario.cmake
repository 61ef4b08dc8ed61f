add_executable(bench_scenario EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_scenario.c)
target_link_libraries(bench_scenario PRIVATE ktbench)
add_dependencies(benches bench_scenario)
