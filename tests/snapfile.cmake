# Binary report files (.ktsnap): writer/reader on capture-shaped reports
# built in the test (no BPF), the same against live captures (BPF), the
# CLI's format handling, and the fuzz target of the reader (clang only).
ktsnap_test(test_snapfile SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_snapfile.c
	    LIBS PkgConfig::CMOCKA PkgConfig::ZLIB m LABELS snapfile)
ktsnap_test(test_snapfile_live BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_snapfile.c
	    LIBS ktfixture PkgConfig::CMOCKA PkgConfig::ZLIB m LABELS snapfile)
target_compile_definitions(test_snapfile_live PRIVATE SNAPFILE_LIVE)
# The reader's fuzz target reads with the CRC check off, so mutations reach
# the section parsers (and BTF, rendering and the JSON writer behind them);
# `test_snapfile --corpus DIR` regenerates its seeds.
set(KTSNAP_FUZZ_SNAPFILE_SECONDS 20 CACHE STRING "run time of the fuzz_snapfile ctest")
ktsnap_fuzz(fuzz_snapfile INSTRUMENT snapfile.c snapfile_write.c report.c log.c
	    LIBS m SECONDS ${KTSNAP_FUZZ_SNAPFILE_SECONDS} MAX_LEN 16384
	    LABELS snapfile fuzz TIMEOUT 180)

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
