add_executable(bench_view EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_view.c)
target_include_directories(bench_view PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_view PRIVATE ktsnap_static)
add_dependencies(benches bench_view)
