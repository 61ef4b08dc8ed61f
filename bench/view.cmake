add_executable(bench_view EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_view.c)
target_include_directories(bench_view PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_view PRIVATE ktsnap_static)
add_dependencies(benches bench_view)
# ktsnap_diff__new() and `ktsnap diff` on two 1M-entry maps and on 1.3M vs 130k duplicate keys.
add_executable(bench_diff EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_diff.c)
target_include_directories(bench_diff PRIVATE ${PROJECT_SOURCE_DIR}/src
			   ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(bench_diff PRIVATE ktsnap_static m)
target_compile_definitions(bench_diff PRIVATE KTSNAP_CLI="$<TARGET_FILE:ktsnap_cli>")
add_dependencies(bench_diff ktsnap_cli)
add_dependencies(benches bench_diff)
