# Binary report files (.ktsnap): writer/reader on capture-shaped reports
# built in the test (no BPF), the same against live captures (BPF), the
# CLI's format handling, and the fuzz target of the reader (clang only).
ktsnap_test(test_snapfile SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_snapfile.c
	    LIBS PkgConfig::CMOCKA PkgConfig::ZLIB m LABELS snapfile)
ktsnap_test(test_snapfile_live BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_snapfile.c
	    LIBS ktfixture PkgConfig::CMOCKA PkgConfig::ZLIB m LABELS snapfile)
target_compile_definitions(test_snapfile_live PRIVATE SNAPFILE_LIVE)
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
	add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/fuzz_snapfile
			 ${CMAKE_CURRENT_BINARY_DIR}/fuzz_snapfile)
endif()

# the CLI: convert both ways, show/get/diff on .ktsnap, capture by extension
add_test(NAME cli_snapfile
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/snapfile_cli.sh $<TARGET_FILE:ktsnap_cli> files
		 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_json/corpus)
set_tests_properties(cli_snapfile PROPERTIES LABELS "cli;snapfile" TIMEOUT 60)
ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> -b 20000 sh
		   ${CMAKE_CURRENT_SOURCE_DIR}/snapfile_cli.sh $<TARGET_FILE:ktsnap_cli> live)
add_test(NAME cli_snapfile_live COMMAND ${cmd})
set_tests_properties(cli_snapfile_live PROPERTIES LABELS "cli;bpf;snapfile" RUN_SERIAL TRUE
		     TIMEOUT 120)
