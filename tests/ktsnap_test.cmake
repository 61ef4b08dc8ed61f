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
