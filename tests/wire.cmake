# The wire (spec §10): codec and client against a socketpair (test_wire),
# the service over a real Unix socket with stand-in captures (test_serve),
# and the fuzz target of the frame / payload decoders (clang only).
ktsnap_test(test_wire SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_wire.c
	    LIBS PkgConfig::CMOCKA PkgConfig::ZLIB LABELS wire TIMEOUT 120)
ktsnap_test(test_serve SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_serve.c
	    LIBS PkgConfig::CMOCKA LABELS wire TIMEOUT 120)

# Bounded run on the checked-in seeds (frames and postcard payloads); new
# inputs go to a scratch corpus in the build tree.
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
	add_executable(fuzz_wire ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_wire/fuzz_wire.c)
	target_include_directories(fuzz_wire PRIVATE ${PROJECT_SOURCE_DIR}/src)
	target_compile_options(fuzz_wire PRIVATE -fsanitize=fuzzer)
	target_link_options(fuzz_wire PRIVATE -fsanitize=fuzzer)
	target_link_libraries(fuzz_wire PRIVATE ktsnap_static)
	file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz_wire_corpus
	     ${CMAKE_CURRENT_BINARY_DIR}/fuzz_wire_artifacts)
	add_test(NAME fuzz_wire
		 COMMAND fuzz_wire -max_total_time=20 -timeout=10 -rss_limit_mb=2048
			 -max_len=4096
			 -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/fuzz_wire_artifacts/
			 ${CMAKE_CURRENT_BINARY_DIR}/fuzz_wire_corpus
			 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_wire/corpus)
	set_tests_properties(fuzz_wire PROPERTIES LABELS "wire;fuzz" TIMEOUT 120)
endif()

# The service and client race threads (one per connection): under TSan too.
add_dependencies(tsan_tests test_serve test_wire)
add_test(NAME test_serve_tsan COMMAND test_serve)
add_test(NAME test_wire_tsan COMMAND test_wire)
set_tests_properties(test_serve_tsan test_wire_tsan PROPERTIES LABELS tsan TIMEOUT 300)

# ktsnap serve + ktsnap request end to end, with unprivileged clients.
ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/serve.sh
		   $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_serve COMMAND ${cmd})
set_tests_properties(cli_serve PROPERTIES LABELS "cli;bpf;wire" RUN_SERIAL TRUE TIMEOUT 120)
