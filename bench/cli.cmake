# `ktsnap capture -o FILE` of the 100k-entry hash vs `bpftool -j map dump`
# of the same map in the same run (prints times, sizes, ratio).
add_executable(bench_cli_capture ${CMAKE_CURRENT_SOURCE_DIR}/cli_capture.c)
target_link_libraries(bench_cli_capture PRIVATE ktbench)
add_dependencies(benches bench_cli_capture)
