# ktsnap_test(<name> SOURCES <src...> [LIBS <lib...>] [LABELS <l...>]
#             [BPF] [TIMEOUT s])
# Builds tests/<src> against the static library (so tests may use the
# internal headers) and registers it with ctest.  BPF tests get the label
# "bpf" and run serially (they load programs into the one kernel); across
# processes too: two test runs on one machine (two build trees) take
# KTSNAP_BPF_LOCK in turn, so neither sees the other's fixture objects.
find_program(FLOCK flock)
set(KTSNAP_BPF_LOCK /tmp/ktsnap-bpf-tests.lock CACHE FILEPATH
    "lock file that serialises BPF tests across build trees")
# ktsnap_bpf_command(<out-var> <command...>): the command under the BPF lock
function(ktsnap_bpf_command out)
	if(FLOCK)
		set(${out} ${FLOCK} ${KTSNAP_BPF_LOCK} ${ARGN} PARENT_SCOPE)
	else()
		set(${out} ${ARGN} PARENT_SCOPE)
	endif()
endfunction()

function(ktsnap_test name)
	cmake_parse_arguments(T "BPF" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src
				   ${PROJECT_SOURCE_DIR}/tests)
	target_link_libraries(${name} PRIVATE ktsnap_static ${T_LIBS})
	set(cmd $<TARGET_FILE:${name}>)
	if(T_BPF)
		ktsnap_bpf_command(cmd ${cmd})
	endif()
	add_test(NAME ${name} COMMAND ${cmd})
	set(labels ${T_LABELS})
	if(T_BPF)
		list(APPEND labels bpf)
		set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
	endif()
	if(labels)
		set_tests_properties(${name} PROPERTIES LABELS "${labels}")
	endif()
	if(T_TIMEOUT)
		set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
	else()
		set_tests_properties(${name} PROPERTIES TIMEOUT 300)
	endif()
endfunction()

# ktsnap_fuzz(<name> [DIR <dir>] [INSTRUMENT <src/ file...>] [LIBS <lib...>]
#             SECONDS s MAX_LEN n LABELS <l...> TIMEOUT s)
# A libFuzzer target built from tests/<dir>/<name>.c (<dir> is <name>
# unless given) and its bounded ctest run (clang only; nothing otherwise).
# The library sources named by INSTRUMENT are compiled into it with
# coverage instrumentation, so the fuzzer sees the branches it explores;
# the rest of the library comes from the static archive.  The run reads
# the checked-in seeds in tests/<dir>/corpus (read-only); new inputs and
# crash artifacts go to the build tree (tests/fuzz/ there).
function(ktsnap_fuzz name)
	cmake_parse_arguments(F "" "DIR;SECONDS;MAX_LEN;TIMEOUT" "INSTRUMENT;LIBS;LABELS"
			      ${ARGN})
	if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
		return()
	endif()
	if(NOT F_DIR)
		set(F_DIR ${name})
	endif()
	set(objs)
	if(F_INSTRUMENT)
		list(TRANSFORM F_INSTRUMENT PREPEND ${PROJECT_SOURCE_DIR}/src/)
		add_library(${name}_objs OBJECT ${F_INSTRUMENT})
		target_compile_options(${name}_objs PRIVATE -fsanitize=fuzzer-no-link)
		target_link_libraries(${name}_objs PRIVATE ktsnap_objs)
		set(objs $<TARGET_OBJECTS:${name}_objs>)
	endif()
	add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${F_DIR}/${name}.c ${objs})
	target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
	target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
	target_link_options(${name} PRIVATE -fsanitize=fuzzer)
	target_link_libraries(${name} PRIVATE ktsnap_static ${F_LIBS})
	set(out ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
	set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${out})
	set(scratch ${out}/${name}_corpus)
	set(artifacts ${out}/${name}_artifacts)
	file(MAKE_DIRECTORY ${scratch} ${artifacts})
	add_test(NAME ${name}
		 COMMAND ${name} -max_total_time=${F_SECONDS} -timeout=10 -rss_limit_mb=2048
			 -max_len=${F_MAX_LEN} -print_final_stats=1 -artifact_prefix=${artifacts}/
			 ${scratch} ${CMAKE_CURRENT_SOURCE_DIR}/${F_DIR}/corpus)
	set_tests_properties(${name} PROPERTIES LABELS "${F_LABELS}" TIMEOUT ${F_TIMEOUT})
endfunction()
