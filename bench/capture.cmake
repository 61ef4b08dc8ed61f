add_executable(bench_capture EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench_capture.c)
target_include_directories(bench_capture PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(bench_capture PRIVATE ktbench)
add_dependencies(benches bench_capture)
