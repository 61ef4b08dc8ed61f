# find() and max_by() over a captured 100k-entry map, unrendered (scratch
# walk) and rendered whole first: time and RSS.
add_executable(bench_find EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_find.c)
target_link_libraries(bench_find PRIVATE ktbench)
add_dependencies(benches bench_find)
