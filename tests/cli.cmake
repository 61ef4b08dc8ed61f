# The ktsnap binary, driven by shell scripts (tests/cli/*.sh) exactly as a
# user runs it.  cli_basic needs no privileges (hand-made report files);
# the others load BPF and run serially.
add_executable(ktsched_hold ${CMAKE_CURRENT_SOURCE_DIR}/cli/ktsched_hold.c)
target_link_libraries(ktsched_hold PRIVATE ktfixture)

add_test(NAME cli_basic
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/basic.sh $<TARGET_FILE:ktsnap_cli>
		 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_json/corpus ${CMAKE_COMMAND})
set_tests_properties(cli_basic PROPERTIES LABELS cli TIMEOUT 60)

ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/capture.sh
		   $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_capture COMMAND ${cmd})
ktsnap_bpf_command(cmd sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/demo.sh $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_demo COMMAND ${cmd})
# output paths of every command; -b: a 100k-entry map for the signal tests
ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> -b 100000 sh
		   ${CMAKE_CURRENT_SOURCE_DIR}/cli/output.sh $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_output COMMAND ${cmd})
set_tests_properties(cli_capture cli_demo PROPERTIES LABELS "cli;bpf" RUN_SERIAL TRUE
		     TIMEOUT 120)
set_tests_properties(cli_output PROPERTIES LABELS "cli;bpf" RUN_SERIAL TRUE TIMEOUT 300)

# the man page renders without groff warnings
find_program(GROFF groff)
if(GROFF AND EXISTS ${PROJECT_SOURCE_DIR}/docs/CMakeLists.txt)
	add_test(NAME man_page
		 COMMAND ${GROFF} -man -Tutf8 -ww -z ${PROJECT_BINARY_DIR}/docs/ktsnap.1)
	set_tests_properties(man_page PROPERTIES LABELS cli TIMEOUT 30
			     FAIL_REGULAR_EXPRESSION "warning|error")
endif()
