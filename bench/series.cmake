# A SampleSeries of 64 captures of a 4096-entry map: memory held and the
# cost of one projection (issue 11's target: <= 3x the raw bytes).
add_executable(bench_series EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_series.c)
target_link_libraries(bench_series PRIVATE ktbench)
add_dependencies(benches bench_series)
