# The wire (spec §10): codec and client against a socketpair (test_wire),
# the service over a real Unix socket with stand-in captures (test_serve),
# and the fuzz target of the frame / payload decoders (clang only).
ktsnap_test(test_wire SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_wire.c
	    LIBS PkgConfig::CMOCKA PkgConfig::ZLIB LABELS wire TIMEOUT 120)
ktsnap_test(test_serve SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_serve.c
	    LIBS PkgConfig::CMOCKA LABELS wire TIMEOUT 120)

# Bounded run on the checked-in seeds (frames and postcard payloads).
ktsnap_fuzz(fuzz_wire SECONDS 20 MAX_LEN 4096 LABELS wire fuzz TIMEOUT 120)

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
